package usecase

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"junheng/evaluation"
	"junheng/store"
	"junheng/vocab"
)

// NewUnit is one unit to add, or to rename or move, as the organisation page's form sends it.
type NewUnit struct {
	Level  store.Level `json:"level"`
	Code   string      `json:"code"`
	Name   string      `json:"name"`
	Parent string      `json:"parent,omitempty"` // the code of the unit above; none for a province
	Kind   string      `json:"kind,omitempty"`   // a school's kind, by its Chinese name or key; "" keeps the known one
}

// OrganisationImported counts the rows of an imported workbook by level.
type OrganisationImported struct {
	Provinces int `json:"provinces"`
	Cities    int `json:"cities"`
	Districts int `json:"districts"`
	Schools   int `json:"schools"`
}

// Organisation is the tree an administrator manages: all of it, or their unit and the units below it.
func (c *Core) Organisation(ctx context.Context, a Actor) (store.Organisation, error) {
	if err := c.may(ctx, a, "", vocab.RoleAdmin); err != nil {
		return store.Organisation{}, err
	}
	o, err := c.store.Organisation(ctx)
	if err != nil || a.Unit == "" {
		return o, err
	}
	t := o.Tree()
	outside := func(l store.Level, code string) bool { return !t.Under(l, code, a.Unit) }
	o.Provinces = slices.DeleteFunc(o.Provinces, func(p store.Province) bool {
		return outside(store.LevelProvince, p.Code)
	})
	o.Cities = slices.DeleteFunc(o.Cities, func(ct store.City) bool { return outside(store.LevelCity, ct.Code) })
	o.Districts = slices.DeleteFunc(o.Districts, func(d store.District) bool {
		return outside(store.LevelDistrict, d.Code)
	})
	o.Schools = slices.DeleteFunc(o.Schools, func(s store.School) bool { return outside(store.LevelSchool, s.Code) })
	return o, nil
}

// OrganisationWorkbook writes the tree a manages as the import's workbook, to be edited and imported again.
func (c *Core) OrganisationWorkbook(ctx context.Context, a Actor, w io.Writer) error {
	o, err := c.Organisation(ctx, a)
	if err != nil {
		return err
	}
	return WriteOrganisation(w, o)
}

// OrganisationTemplate writes the empty workbook the organisation is imported from.
func OrganisationTemplate(w io.Writer) error { return WriteOrganisation(w, store.Organisation{}) }

// ImportOrganisation adds the units of a workbook and renames or moves those that exist: all of its rows, or, on
// any problem, none. Every problem comes back at once, named by sheet, row and column.
func (c *Core) ImportOrganisation(ctx context.Context, a Actor, r io.Reader) (_ OrganisationImported, err error) {
	defer c.refused(ctx, a, "import_organisation", "", "organisation", &err)
	if err := c.may(ctx, a, "", vocab.RoleAdmin); err != nil {
		return OrganisationImported{}, err
	}
	units, f, err := readOrganisation(r)
	if err != nil {
		return OrganisationImported{}, err
	}
	if len(units) == 0 && len(f) == 0 {
		f.Add("file", "工作簿中没有任何单位", "the workbook holds no unit")
	}
	o, err := c.planOrganisation(ctx, a, units, f)
	if err != nil {
		return OrganisationImported{}, err
	}
	n := OrganisationImported{Provinces: len(o.Provinces), Cities: len(o.Cities), Districts: len(o.Districts),
		Schools: len(o.Schools)}
	ev := a.event("import_organisation", "", "organisation")
	ev.Detail = fmt.Sprintf("provinces %d, cities %d, districts %d, schools %d", n.Provinces, n.Cities, n.Districts,
		n.Schools)
	if err := c.store.SaveOrganisation(ctx, o, ev); err != nil {
		return OrganisationImported{}, err
	}
	return n, nil
}

// SaveUnit adds one unit, or renames or moves it, with the checks of an import.
func (c *Core) SaveUnit(ctx context.Context, a Actor, u NewUnit) (err error) {
	in := unit{level: u.Level, code: strings.TrimSpace(u.Code), name: strings.TrimSpace(u.Name),
		parent: strings.TrimSpace(u.Parent), kind: strings.TrimSpace(u.Kind)}
	target := string(in.level) + ":" + in.code
	defer c.refused(ctx, a, "save_unit", "", target, &err)
	if err := c.may(ctx, a, "", vocab.RoleAdmin); err != nil {
		return err
	}
	if in.level == store.LevelProvince {
		in.parent = "" // a province has none
	}
	if !slices.Contains(store.Levels, in.level) {
		var f Fields
		f.Add("level", "级别应为省、市、区县或学校", "the level must be province, city, district or school")
		return f.Err()
	}
	o, err := c.planOrganisation(ctx, a, []unit{in}, nil)
	if err != nil {
		return err
	}
	ev := a.event("save_unit", "", target)
	ev.Detail = fmt.Sprintf("%s (%s)", in.name, in.parent)
	return c.store.SaveOrganisation(ctx, o, ev)
}

// codeFormats are each level's codes, and what a wrong one is told.
var codeFormats = map[store.Level]struct {
	re     *regexp.Regexp
	zh, en string
}{
	store.LevelProvince: {regexp.MustCompile(`^[1-9][0-9]0000$`), "省代码应为以 0000 结尾的 6 位行政区划代码(如 370000)",
		"a province's code is a 6-digit administrative code ending 0000, e.g. 370000"},
	store.LevelCity: {regexp.MustCompile(`^[1-9][0-9]([1-9][0-9]|0[1-9])00$`),
		"市代码应为以 00 结尾、但不以 0000 结尾的 6 位行政区划代码(如 370200)",
		"a city's code is a 6-digit administrative code ending 00 but not 0000, e.g. 370200"},
	store.LevelDistrict: {DistrictCode, "区县代码应为 6 位行政区划代码(如 370211)",
		"a district's code is a 6-digit administrative code, e.g. 370211"},
	store.LevelSchool: {regexp.MustCompile(`^[0-9]{10}$`), "学校标识码应为 10 位数字", "a school's code is 10 digits"},
}

// maxUnitName bounds a unit's name in characters, with room for a school's full official name.
const maxUnitName = 60

// unit is a unit to save, read from a workbook's row or the page's form, and where its problems are reported.
type unit struct {
	level                    store.Level
	code, name, parent, kind string
	sheet                    string            // "" for the form: problems name the field only
	row                      int               // as Excel shows it
	columns                  map[string]string // field → its column's letter
}

func (u unit) fail(f *Fields, field, zh, en string) {
	*f = append(*f, evaluation.Problem{Field: field, Sheet: u.sheet, Row: u.row, Column: u.columns[field],
		MessageZh: zh, MessageEn: en})
}

// planOrganisation checks units against the stored tree and a's scope, with the problems f already holds, and
// answers what to save or the Invalid error listing every problem.
func (c *Core) planOrganisation(ctx context.Context, a Actor, units []unit, f Fields) (store.Organisation, error) {
	stored, err := c.store.Organisation(ctx)
	if err != nil {
		return store.Organisation{}, err
	}
	before, after := stored.Tree(), stored.Tree()
	valid := make([]bool, len(units))
	seen := map[store.Level]map[string]int{}
	for i, u := range units {
		format := codeFormats[u.level]
		if !format.re.MatchString(u.code) {
			u.fail(&f, "code", format.zh, format.en)
		} else if row, dup := seen[u.level][u.code]; dup {
			u.fail(&f, "code", fmt.Sprintf("代码与第 %d 行重复", row), fmt.Sprintf("the code repeats row %d", row))
		} else {
			valid[i] = true
			if seen[u.level] == nil {
				seen[u.level] = map[string]int{}
			}
			seen[u.level][u.code] = u.row
			after[u.level][u.code] = u.parent
		}
		if u.name == "" {
			u.fail(&f, "name", "必填", "required")
		} else if utf8.RuneCountInString(u.name) > maxUnitName {
			u.fail(&f, "name", fmt.Sprintf("名称不超过 %d 个字", maxUnitName),
				fmt.Sprintf("the name has at most %d characters", maxUnitName))
		}
		if _, ok := parseKind(u.kind); u.level == store.LevelSchool && u.kind != "" && !ok {
			u.fail(&f, "kind", "学校类型应为 "+strings.Join(kindLabels(), "、"),
				"the kind must be one of "+strings.Join(kindLabels(), ", "))
		}
	}
	underway, err := c.store.SchoolsUnderway(ctx)
	if err != nil {
		return store.Organisation{}, err
	}
	for i, u := range units {
		if !valid[i] {
			continue
		}
		checkPlace(&f, a, u, before, after)
		// A school's return for a year is its district's (its workflow and its district's list name it): it
		// moves once the district has accepted the school's data.
		if old, ok := before[store.LevelSchool][u.code]; ok && u.level == store.LevelSchool && old != u.parent &&
			slices.Contains(underway, u.code) {
			u.fail(&f, "parent", "该校本年度数据尚未经区县审核通过, 暂不能调整所属区县",
				"the school's data for the year is not yet accepted by its district: it cannot move yet")
		}
	}
	slices.SortStableFunc(f, func(p, q evaluation.Problem) int { // by place, as the sheets are read
		sheet := func(name string) int {
			return slices.IndexFunc(orgSheets, func(s orgSheet) bool { return s.name == name })
		}
		return cmp.Or(cmp.Compare(sheet(p.Sheet), sheet(q.Sheet)), cmp.Compare(p.Row, q.Row),
			cmp.Compare(len(p.Column), len(q.Column)), cmp.Compare(p.Column, q.Column))
	})
	if err := f.Err(); err != nil {
		return store.Organisation{}, err
	}
	kinds := map[string]string{}
	for _, s := range stored.Schools {
		kinds[s.Code] = s.Kind
	}
	var o store.Organisation
	for _, u := range units {
		switch u.level {
		case store.LevelProvince:
			o.Provinces = append(o.Provinces, store.Province{Code: u.code, Name: u.name})
		case store.LevelCity:
			o.Cities = append(o.Cities, store.City{Code: u.code, Name: u.name, ProvinceCode: u.parent})
		case store.LevelDistrict:
			o.Districts = append(o.Districts, store.District{Code: u.code, Name: u.name, CityCode: u.parent})
		case store.LevelSchool:
			kind, _ := parseKind(u.kind)
			if kind == "" {
				kind = evaluation.Kind(kinds[u.code]) // an empty cell keeps the kind known
			}
			o.Schools = append(o.Schools, store.School{Code: u.code, Name: u.name, DistrictCode: u.parent,
				Kind: string(kind)})
		}
	}
	return o, nil
}

// checkPlace checks where a unit with a well-formed code goes: its code names no unit of another level, its
// parent is a unit of the level above (after, the tree with every unit saved), and an administrator with a unit
// takes nothing from outside it (before, the stored tree) nor puts anything there. Their own unit may be renamed,
// not moved: a move is for the units above it.
func checkPlace(f *Fields, a Actor, u unit, before, after store.Tree) {
	for _, l := range store.Levels {
		if _, ok := after[l][u.code]; ok && l != u.level {
			u.fail(f, "code", fmt.Sprintf("该代码已是%s的代码", levelLabels[l].Zh),
				fmt.Sprintf("the code is a %s's", levelLabels[l].En))
			return
		}
	}
	i := slices.Index(store.Levels, u.level)
	if i > 0 {
		up := levelLabels[store.Levels[i-1]]
		if _, ok := after[store.Levels[i-1]][u.parent]; !ok {
			u.fail(f, "parent", fmt.Sprintf("所属%s代码“%s”未登记: 应为本工作簿或系统中已有的%s", up.Zh, u.parent, up.Zh),
				fmt.Sprintf("the %s %q is registered neither here nor in the system", up.En, u.parent))
			return
		}
	}
	if a.Unit == "" {
		return
	}
	old, stored := before[u.level][u.code]
	field := "parent"
	if i == 0 {
		field = "code"
	}
	switch {
	case stored && !before.Under(u.level, u.code, a.Unit):
		u.fail(f, "code", "该单位不属于本单位及其下级单位, 无权修改", "this unit is not yours or below yours to change")
	case !after.Under(u.level, u.code, a.Unit):
		u.fail(f, field, "只能导入本单位及其下级单位", "only your unit and the units below it may be imported")
	case stored && u.code == a.Unit && old != u.parent:
		u.fail(f, "parent", "不能变更本单位的上级单位", "your own unit cannot be moved")
	}
}
