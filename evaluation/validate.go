package evaluation

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with the input, named by field (JSON path like "schools[3].stages.primary.students"),
// and for spreadsheets by sheet, row and column.
type Problem struct {
	Field     string `json:"field"`
	Sheet     string `json:"sheet,omitempty"`
	Row       int    `json:"row,omitempty"`
	Column    string `json:"column,omitempty"`
	MessageZh string `json:"message_zh"`
	MessageEn string `json:"message_en"`
}

// String is "field: en message (zh message)", prefixed for spreadsheet problems by the place in Excel's
// notation: the cell ("学校!F7 "), the row ("学校!2:2 ") or the sheet ("学校 ").
func (p Problem) String() string {
	loc := ""
	switch {
	case p.Sheet == "":
	case p.Column != "" && p.Row > 0:
		loc = fmt.Sprintf("%s!%s%d ", p.Sheet, p.Column, p.Row)
	case p.Row > 0:
		loc = fmt.Sprintf("%s!%d:%d ", p.Sheet, p.Row, p.Row)
	default:
		loc = p.Sheet + " "
	}
	return fmt.Sprintf("%s%s: %s (%s)", loc, p.Field, p.MessageEn, p.MessageZh)
}

// InputError lists every problem found; nothing was evaluated.
type InputError struct{ Problems []Problem }

// Error has one line per problem.
func (e *InputError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// maxNumber bounds every count and amount: nothing in a district comes near it, and it keeps every sum, square and
// quotient of the evaluation finite.
const maxNumber = 1e12

// Years outside this range are typing errors.
const minYear, maxYear = 2000, 2100

var districtCode = regexp.MustCompile(`^[0-9]{6}$`)

// Validate returns an *InputError listing every problem of in, including veto keys the profile does not know and
// whole-school facilities of a combined school under a profile that does not split them, or nil when in can be
// evaluated.
func Validate(in Input, p Profile) error {
	problems := in.Problems()
	for i, v := range in.Vetoes {
		if _, ok := p.veto(v); !ok && v != "" {
			problems = append(problems, Problem{Field: fmt.Sprintf("vetoes[%d]", i),
				MessageZh: fmt.Sprintf("标准 %s 中没有否决项 %q,可用:%s", p.Name, v, strings.Join(p.vetoKeys(), ", ")),
				MessageEn: fmt.Sprintf("standard %s has no veto item %q; known: %s", p.Name, v,
					strings.Join(p.vetoKeys(), ", "))})
		}
	}
	if !p.SplitSharedFacilities {
		for i := range in.Schools {
			// A school with one stage reported has nothing to split: its whole-school figures are its stage's.
			if s := &in.Schools[i]; s.combined() && !s.stageFacilities() && s.stageCount() > 1 {
				problems = append(problems, Problem{Field: fmt.Sprintf("schools[%d].facilities", i),
					MessageZh: fmt.Sprintf("标准 %s 不分摊共用设施:%s请在各学段下分别填报 facilities", p.Name, s.Kind.NameZh()),
					MessageEn: fmt.Sprintf("standard %s does not split shared facilities: give this %s's facilities "+
						"under each stage", p.Name, s.Kind.NameEn())})
			}
		}
	}
	problems = append(problems, required2012(in, p)...)
	if len(problems) > 0 {
		return &InputError{Problems: problems}
	}
	return nil
}

// required2012 names the optional fields the profile needs and the input leaves out: the district conditions of
// a 2012 profile and, in every school entering the resource calculation, the optional quantities its indicators
// are built from (teachers per stage; computers and books where the school gives its facilities).
func required2012(in Input, p Profile) []Problem {
	var problems []Problem
	missing := func(field string) {
		problems = append(problems, Problem{Field: field,
			MessageZh: fmt.Sprintf("标准 %s 要求填报此项", p.Name), MessageEn: fmt.Sprintf("required by standard %s", p.Name)})
	}
	if p.Basic2012 != nil && in.Basic2012 == nil {
		missing("basic_2012")
	}
	var needed []string
	for _, ind := range p.Indicators {
		if optionalQuantities[ind.Quantity] && !slices.Contains(needed, ind.Quantity) {
			needed = append(needed, ind.Quantity)
		}
	}
	if len(needed) == 0 {
		return problems
	}
	e := engine{p: &p}
	for i := range in.Schools {
		s := &in.Schools[i]
		if e.excluded(s) {
			continue
		}
		for _, g := range CompulsoryStages {
			d := s.stage(g)
			if d == nil {
				continue
			}
			at := fmt.Sprintf("schools[%d].stages.%s.", i, g)
			fat, f := fmt.Sprintf("schools[%d].facilities.", i), &s.Facilities
			if d.Facilities != nil {
				fat, f = at+"facilities.", d.Facilities
			} else if g == Junior && s.Stages.Primary != nil {
				fat = "" // the whole-school facilities were checked with the primary stage
			}
			for _, q := range needed {
				teacher := q == "teachers" && d.Teachers == nil ||
					q == "intermediate_title_teachers" && d.IntermediateTitleTeachers == nil
				facility := q == "computers" && f.Computers == nil || q == "library_books" && f.LibraryBooks == nil
				switch {
				case teacher:
					missing(at + q)
				case facility && fat != "":
					missing(fat + q)
				}
			}
		}
	}
	return problems
}

// Problems returns every problem of in that does not depend on the profile. Fields at or under a path in skip are
// not checked: a decoder passes the fields it already reported (a wrong type, a missing value) so that each field
// is reported once.
func (in Input) Problems(skip ...string) []Problem {
	c := &checker{skip: NewPaths(skip...), schoolIndex: -1}
	if c.text("district.code", in.District.Code) && !districtCode.MatchString(in.District.Code) {
		c.add("district.code", "应为 6 位行政区划代码", "must be the 6-digit administrative division code")
	}
	c.text("district.name", in.District.Name)
	c.year("year", in.Year)
	if y := in.BasicBalanceCertifiedYear; y != nil {
		c.year("basic_balance_certified_year", *y)
		if *y > in.Year && in.Year >= minYear {
			c.add("basic_balance_certified_year", fmt.Sprintf("不能晚于评估年度 %d", in.Year),
				fmt.Sprintf("cannot be later than the evaluation year %d", in.Year))
		}
	}
	if len(in.Schools) == 0 {
		c.add("schools", "至少填报一所学校", "list at least one school")
	}
	firstIndex := make(map[string]int, len(in.Schools))
	for i := range in.Schools {
		c.school(&in.Schools[i], i, firstIndex)
	}
	c.schoolIndex = -1
	if g := in.Government; g != nil {
		c.at = "government."
		c.government(g)
	}
	if q := in.Quality; q != nil {
		c.at = "quality."
		c.rate("junior_retention_rate", q.JuniorRetentionRate)
		c.rate("disabled_enrollment_rate", q.DisabledEnrollmentRate)
		c.rate("teacher_training_budget_share_min", q.TeacherTrainingBudgetShareMin)
		c.rate("monitoring_difference_rate", q.MonitoringDifferenceRate)
	}
	if b := in.Basic2012; b != nil {
		c.at = "basic_2012."
		if c.amount("county_government_score", b.CountyGovernmentScore) && b.CountyGovernmentScore > 100 {
			c.add("county_government_score", "得分应在 0 到 100 之间", "must be a score between 0 and 100")
		}
		c.rate("public_satisfaction_rate", b.PublicSatisfactionRate)
	}
	c.at = ""
	if r := in.RecognitionRate; r != nil {
		c.rate("recognition_rate", *r)
	}
	seen := make(map[string]bool, len(in.Vetoes))
	for i, v := range in.Vetoes {
		field := fmt.Sprintf("vetoes[%d]", i)
		c.text(field, v)
		if seen[v] {
			c.add(field, fmt.Sprintf("否决项 %q 重复", v), fmt.Sprintf("veto item %q is listed twice", v))
		}
		seen[v] = true
	}
	return c.problems
}

func (c *checker) school(s *School, i int, firstIndex map[string]int) {
	c.schoolIndex, c.stage = i, ""
	c.text("code", s.Code)
	if j, dup := firstIndex[s.Code]; dup && s.Code != "" {
		c.add("code", fmt.Sprintf("学校代码 %q 与 schools[%d] 重复", s.Code, j),
			fmt.Sprintf("school code %q is already used by schools[%d]", s.Code, j))
	} else {
		firstIndex[s.Code] = i
	}
	c.text("name", s.Name)
	allowed, known := kindStages[s.Kind]
	if !known {
		c.add("kind", "学校类型应为 "+kindList(), "kind must be one of "+kindList())
	}
	if s.Stages.Primary == nil && s.Stages.Junior == nil {
		c.add("stages", "至少填报小学或初中学段", "give a primary or a junior stage")
	}
	for _, g := range []SchoolStage{Primary, Junior, Senior} {
		if s.hasStage(g) && known && !slices.Contains(allowed, g) {
			c.add("stages."+string(g), fmt.Sprintf("%s不设%s学段", s.Kind.NameZh(), g.NameZh()),
				fmt.Sprintf("a %s has no %s stage", s.Kind.NameEn(), g.NameEn()))
		}
	}
	c.facilities("facilities.", &s.Facilities)
	if sd := s.Stages.Senior; sd != nil {
		c.students("stages.senior.students", sd.Students)
	}
	c.facilitiesForm(s, known)
	for _, g := range CompulsoryStages {
		if d := s.stage(g); d != nil {
			c.stage = g
			c.stageData(d)
			if d.Facilities != nil {
				c.facilities("facilities.", d.Facilities)
			}
		}
	}
}

func (c *checker) facilities(at string, f *Facilities) {
	c.amount(at+"teaching_room_area_m2", f.TeachingRoomAreaM2)
	c.amount(at+"sports_area_m2", f.SportsAreaM2)
	c.amount(at+"equipment_value_yuan", f.EquipmentValueYuan)
	c.count(at+"multimedia_rooms", f.MultimediaRooms)
	c.count(at+"music_rooms", f.MusicRooms)
	c.count(at+"art_rooms", f.ArtRooms)
	optionalCount(c, at+"computers", f.Computers)
	optionalCount(c, at+"library_books", f.LibraryBooks)
}

// optionalCount checks an optional count when it is given.
func optionalCount(c *checker, field string, v *int) {
	if v != nil {
		c.count(field, *v)
	}
}

// facilitiesForm checks that s gives its facilities in one form: for the whole school, or (a combined school only)
// for every compulsory stage it has. Both at once would count a facility twice or leave unclear which figure holds,
// so non-zero whole-school figures beside per-stage ones are an error on each stage's object rather than a silent
// choice; whole-school zeros are what JSON writes for a school reporting per stage, and mean "not given". A
// document leaving out both is reported by Decode, which alone can tell an absent object from zeros.
func (c *checker) facilitiesForm(s *School, known bool) {
	var given, lacking []SchoolStage
	for _, g := range CompulsoryStages {
		if d := s.stage(g); d != nil && d.Facilities != nil {
			given = append(given, g)
		} else if d != nil {
			lacking = append(lacking, g)
		}
	}
	switch {
	case len(given) == 0:
	case s.Facilities != Facilities{}:
		for _, g := range given {
			c.add("stages."+string(g)+".facilities", "已填报全校 facilities,不能再按学段填报;请只用一种方式",
				"the whole-school facilities are given too: give facilities either for the whole school or per stage")
		}
	case known && !s.combined():
		for _, g := range given {
			c.add("stages."+string(g)+".facilities", s.Kind.NameZh()+"只有一个学段,请在学校的 facilities 中填报设施",
				"a "+s.Kind.NameEn()+" has one stage: give its facilities in the school's facilities")
		}
	default:
		for _, g := range lacking {
			c.add("stages."+string(g)+".facilities", "其他学段已按学段填报设施,本学段也须填报",
				"the school's other stage gives its own facilities: give this stage's too")
		}
	}
}

func (c *checker) stageData(d *StageData) {
	studentsOK := c.students("students", d.Students)
	classesOK := c.count("classes", d.Classes)
	if classesOK && d.Classes == 0 {
		c.add("classes", "班级数必须大于 0", "must be greater than 0")
		classesOK = false
	}
	if studentsOK && classesOK && d.Classes > d.Students {
		c.add("classes", "班级数不能多于在校生数", "cannot exceed the number of students")
		classesOK = false
	}
	if c.count("largest_class", d.LargestClass) && studentsOK && classesOK {
		if avg := (d.Students + d.Classes - 1) / d.Classes; d.LargestClass < avg || d.LargestClass > d.Students {
			c.add("largest_class",
				fmt.Sprintf("最大班额应在平均班额 %d 与在校生数 %d 之间", avg, d.Students),
				fmt.Sprintf("must lie between the average class size %d and the number of students %d",
					avg, d.Students))
		}
	}
	// Each kind of teacher counted is among the stage's full-time teachers (专任教师), when their number is given.
	teachersOK := d.Teachers != nil && c.count("teachers", *d.Teachers)
	for _, part := range []struct {
		field string
		v     *int
	}{{"qualified_teachers", &d.QualifiedTeachers}, {"backbone_teachers", &d.BackboneTeachers},
		{"pe_art_teachers", &d.PEArtTeachers}, {"intermediate_title_teachers", d.IntermediateTitleTeachers}} {
		if part.v != nil && c.count(part.field, *part.v) && teachersOK && *part.v > *d.Teachers {
			c.add(part.field, fmt.Sprintf("不能多于专任教师数(teachers)%d", *d.Teachers),
				fmt.Sprintf("cannot exceed the full-time teachers (teachers) %d", *d.Teachers))
		}
	}
}

func (c *checker) government(g *Government) {
	c.amount("special_ed_funding_per_pupil_yuan", g.SpecialEdFundingPerPupilYuan)
	c.rate("teacher_training_360h_completion_rate", g.TeacherTraining360hCompletion)
	// No eligible teacher is allowed: item 11 is then not applicable (teacherRotation).
	eligibleOK := c.count("eligible_rotation_teachers", g.EligibleRotationTeachers)
	rotatedOK := c.count("rotated_teachers", g.RotatedTeachers)
	if rotatedOK && eligibleOK && g.RotatedTeachers > g.EligibleRotationTeachers {
		c.add("rotated_teachers", "交流轮岗教师数不能多于符合条件的教师数", "cannot exceed eligible_rotation_teachers")
	}
	if c.count("rotated_backbone_teachers", g.RotatedBackboneTeachers) && rotatedOK &&
		g.RotatedBackboneTeachers > g.RotatedTeachers {
		c.add("rotated_backbone_teachers", "交流轮岗骨干教师数不能多于交流轮岗教师数", "cannot exceed rotated_teachers")
	}
	c.rate("teachers_certified_rate", g.TeachersCertifiedRate)
	c.rate("nearby_enrollment_rate.primary", g.NearbyEnrollmentRate.Primary)
	c.rate("nearby_enrollment_rate.junior", g.NearbyEnrollmentRate.Junior)
	c.rate("quality_high_school_quota_share", g.QualityHighSchoolQuotaShare)
	c.pair("teacher_average_pay_yuan", g.TeacherAveragePayYuan, "civil_servant_average_pay_yuan",
		g.CivilServantAveragePayYuan, c.amount)
	c.pair("quota_share_to_rural_weak_rate", g.QuotaShareToRuralWeakRate, "rural_weak_graduate_share_rate",
		g.RuralWeakGraduateShareRate, func(field string, v float64) bool { c.rate(field, v); return true })
	c.rate("migrant_children_public_share", g.MigrantChildrenPublicSchoolShare)
}

// pair checks two optional figures that mean something only together: each given one is checked, and one given
// alone names the other as missing.
func (c *checker) pair(fa string, a *float64, fb string, b *float64, check func(string, float64) bool) {
	for _, f := range []struct {
		field, other string
		v, w         *float64
	}{{fa, fb, a, b}, {fb, fa, b, a}} {
		switch {
		case f.v != nil:
			check(f.field, *f.v)
		case f.w != nil:
			c.add(f.field, "与 "+f.other+" 须同时填报", "must be given together with "+f.other)
		}
	}
}

// checker collects problems, leaving out fields a decoder already reported. Fields are named relative to the
// part, school and stage being checked, and the path is joined only when a problem is found: validation runs
// before every evaluation.
type checker struct {
	problems    []Problem
	skip        Paths
	at          string // "government." or "quality."
	schoolIndex int    // -1 outside schools
	stage       SchoolStage
}

// path names a field relative to what is being checked.
func (c *checker) path(field string) string {
	switch {
	case c.schoolIndex >= 0 && c.stage != "":
		return "schools[" + strconv.Itoa(c.schoolIndex) + "].stages." + string(c.stage) + "." + field
	case c.schoolIndex >= 0:
		return "schools[" + strconv.Itoa(c.schoolIndex) + "]." + field
	}
	return c.at + field
}

// skipped reports a field the decoder reported already; its value means nothing.
func (c *checker) skipped(field string) bool {
	return len(c.skip) > 0 && c.skip.Cover(c.path(field))
}

func (c *checker) add(field, zh, en string) {
	if !c.skipped(field) {
		c.problems = append(c.problems, Problem{Field: c.path(field), MessageZh: zh, MessageEn: en})
	}
}

// Paths is a set of field paths.
type Paths map[string]bool

// NewPaths is the set of paths.
func NewPaths(paths ...string) Paths {
	p := make(Paths, len(paths))
	for _, path := range paths {
		p[path] = true
	}
	return p
}

// Cover reports whether field is one of the paths or lies inside one: "schools[3].stages.primary" lies inside
// "schools[3]" and "schools", and "$" holds every field. It looks up each enclosing path rather than compare with
// every path, so that a document with thousands of reported fields is still checked in linear time.
func (p Paths) Cover(field string) bool {
	if p["$"] {
		return true
	}
	for {
		if p[field] {
			return true
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			return false
		}
		field = field[:i]
	}
}

// text reports whether v is a usable text: not empty, no surrounding spaces.
func (c *checker) text(field, v string) bool {
	switch strings.TrimSpace(v) {
	case "":
		c.add(field, "不能为空", "must not be empty")
	case v:
		return true
	default:
		c.add(field, "首尾不能有空格", "must not start or end with spaces")
	}
	return false
}

func (c *checker) year(field string, v int) {
	if v < minYear || v > maxYear {
		c.add(field, fmt.Sprintf("年份应在 %d 到 %d 之间", minYear, maxYear),
			fmt.Sprintf("must be a year between %d and %d", minYear, maxYear))
	}
}

// count reports whether v is a usable count: not negative and not implausibly large.
func (c *checker) count(field string, v int) bool {
	return c.amount(field, float64(v))
}

// students reports whether v is a usable, positive enrollment.
func (c *checker) students(field string, v int) bool {
	if !c.count(field, v) {
		return false
	}
	if v == 0 {
		c.add(field, "在校生数必须大于 0(没有学生的学段不要填写)",
			"must be greater than 0 (leave out a stage that has no students)")
		return false
	}
	return true
}

// amount reports whether v is a usable quantity: reported by nobody, finite, not negative and not implausibly
// large.
func (c *checker) amount(field string, v float64) bool {
	switch {
	case c.skipped(field):
	case math.IsNaN(v) || math.IsInf(v, 0):
		c.add(field, "必须是有限数值", "must be a finite number")
	case v < 0:
		c.add(field, "不能为负数", "must not be negative")
	case v > maxNumber:
		c.add(field, "数值过大,请核对", "is implausibly large; check the figure")
	default:
		return true
	}
	return false
}

func (c *checker) rate(field string, v float64) {
	if math.IsNaN(v) || v < 0 || v > 1 {
		c.add(field, "比例应为 0 到 1 之间的小数(96% 填 0.96)", "must be a fraction between 0 and 1 (0.96 for 96%)")
	}
}

func kindList() string {
	keys := make([]string, len(Kinds))
	for i, k := range Kinds {
		keys[i] = string(k)
	}
	return strings.Join(keys, ", ")
}
