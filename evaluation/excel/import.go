package excel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"junheng/evaluation"
)

// ContentType is the media type of a workbook (.xlsx).
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// MaxFileSize is the largest workbook Import accepts.
const MaxFileSize = 10 << 20

// unzipLimit bounds the uncompressed workbook, so a zip bomb stops here; every part stays in memory (no temporary
// files) because the XML limit is the same.
const unzipLimit = 64 << 20

// maxRows bounds the rows read from one sheet, as a JSON document's lists are bounded.
const maxRows = evaluation.MaxRows

var (
	zipHeader = []byte("PK\x03\x04")
	oleHeader = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // .xls and encrypted workbooks
)

// Import reads a filled template into an Input. size is the size the caller was told (an upload's header); the
// content is bounded too, whatever it claims. It returns an *evaluation.InputError listing every problem, each
// with sheet, row, column and canonical key: the value problems of evaluation.Decode, then what profile p needs
// (evaluation.Validate: its veto keys, the figures only the 2012 profile reads). A read error of r is returned as
// it is.
func Import(r io.Reader, size int64, p evaluation.Profile) (in evaluation.Input, err error) {
	tooBig := fileProblem(fmt.Sprintf("文件超过 %d MiB 上限", MaxFileSize>>20),
		fmt.Sprintf("the file is over the %d MiB limit", MaxFileSize>>20))
	if size > MaxFileSize {
		return evaluation.Input{}, tooBig
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return evaluation.Input{}, err
	}
	switch {
	case len(data) > MaxFileSize:
		return evaluation.Input{}, tooBig
	case bytes.HasPrefix(data, oleHeader):
		return evaluation.Input{}, fileProblem("这是旧版 .xls 或加密的工作簿,请取消密码并另存为 .xlsx",
			"this is a legacy .xls or an encrypted workbook: remove the password and save it as .xlsx")
	case !bytes.HasPrefix(data, zipHeader):
		return evaluation.Input{}, fileProblem("不是 Excel 工作簿(.xlsx)", "not an Excel workbook (.xlsx)")
	}
	defer func() { // excelize may panic on a malformed part
		if p := recover(); p != nil {
			in, err = evaluation.Input{}, fileProblem("工作簿已损坏,无法读取", "the workbook is damaged and cannot be read")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzipLimit,
		UnzipXMLSizeLimit: unzipLimit})
	if err != nil {
		return evaluation.Input{}, fileProblem("无法读取工作簿:"+err.Error(), "cannot read the workbook: "+err.Error())
	}
	defer f.Close()
	im := &importer{f: f, cells: map[string]cell{}}
	doc := im.read()
	return im.decode(doc, p)
}

func fileProblem(zh, en string) error {
	return &evaluation.InputError{Problems: []evaluation.Problem{{Field: "file", MessageZh: zh, MessageEn: en}}}
}

// cell is where a value was read.
type cell struct {
	sheet  string
	row    int
	column string
	key    string
}

// importer turns the workbook into the JSON document evaluation.Decode reads, remembering which cell each JSON
// path came from, so that Decode's problems can be put back on their cells.
type importer struct {
	f        *excelize.File
	problems []evaluation.Problem
	reported []string        // JSON paths with a problem already
	cells    map[string]cell // JSON path → its cell
}

func (im *importer) fail(c cell, path, zh, en string) {
	im.problems = append(im.problems, evaluation.Problem{Field: c.key, Sheet: c.sheet, Row: c.row, Column: c.column,
		MessageZh: zh, MessageEn: en})
	if path != "" {
		im.reported = append(im.reported, path)
	}
}

// grid is a sheet read into memory, with the column of each canonical key.
type grid struct {
	name    string
	rows    [][]string
	columns map[string]int
}

// at returns the trimmed value and the cell of key on a 0-based row; an optional column the sheet lacks is empty.
func (g *grid) at(row int, key string) (string, cell) {
	col, ok := g.columns[key]
	name, _ := excelize.ColumnNumberToName(col + 1)
	c := cell{sheet: g.name, row: row + 1, column: name, key: key}
	if !ok {
		c.column = ""
	}
	if !ok || row >= len(g.rows) || col >= len(g.rows[row]) {
		return "", c
	}
	return strings.TrimSpace(g.rows[row][col]), c
}

// sheet reads a sheet. ok is false when the sheet is absent (nil grid, nothing reported) or cannot be read
// whole: too many rows, an unreadable row, a column missing from the key row (reported).
func (im *importer) sheet(name string, columns []column) (*grid, bool) {
	rows, err := im.f.Rows(name)
	if err != nil {
		return nil, false
	}
	defer rows.Close()
	g := &grid{name: name, columns: map[string]int{}}
	for rows.Next() {
		if len(g.rows) == maxRows {
			im.fail(cell{sheet: name, row: maxRows + 1, column: "A"}, "", fmt.Sprintf("行数超过 %d 行上限", maxRows),
				fmt.Sprintf("more than %d rows", maxRows))
			return g, false
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			im.fail(cell{sheet: name, row: len(g.rows) + 1, column: "A"}, "", "无法读取该行:"+err.Error(),
				"cannot read the row: "+err.Error())
			return g, false
		}
		g.rows = append(g.rows, cols)
	}
	var keys []string
	if len(g.rows) >= keyRow {
		keys = g.rows[keyRow-1]
	}
	known := map[string]bool{}
	for _, c := range columns {
		known[c.key] = true
	}
	for i, k := range keys {
		k = strings.TrimSpace(k)
		name, _ := excelize.ColumnNumberToName(i + 1)
		switch {
		case k == "":
		case !known[k]:
			im.fail(cell{g.name, keyRow, name, k}, "", fmt.Sprintf("第 %d 行的字段代码 %q 无法识别", keyRow, k),
				fmt.Sprintf("unknown key %q in row %d", k, keyRow))
		default:
			g.columns[k] = i
		}
	}
	complete := true
	for _, c := range columns {
		if _, ok := g.columns[c.key]; !ok && !optionalColumns[c.key] {
			complete = false
			im.fail(cell{sheet: g.name, row: keyRow, key: c.key}, "",
				fmt.Sprintf("缺少字段代码为 %s 的列(%s);请使用系统模板,勿删改第 %d 行", c.key, c.zh, keyRow),
				fmt.Sprintf("no column with key %s (%s) in row %d; use the template", c.key, c.zh, keyRow))
		}
	}
	return g, complete
}

// read builds the JSON document from the workbook.
func (im *importer) read() map[string]any {
	doc := map[string]any{}
	for i, fm := range forms {
		im.form(doc, fm, i == 0)
	}
	if schools, ok := im.schools(); ok {
		doc["schools"] = schools
	} else {
		im.reported = append(im.reported, "schools")
	}
	if vetoes := im.vetoes(); vetoes != nil {
		doc["vetoes"] = vetoes
	}
	return doc
}

// form reads a key-value sheet. A required sheet (基本信息) must be there; an optional part that is absent or
// entirely empty is left out of the document, which the evaluation reports as missing.
func (im *importer) form(doc map[string]any, fm form, required bool) {
	g, ok := im.sheet(fm.sheet, formColumns)
	if fm.part != "" {
		im.cells[fm.part] = cell{sheet: fm.sheet, key: fm.part} // a missing part or a key whose row was deleted
	}
	if !ok {
		if required && g == nil {
			im.fail(cell{sheet: fm.sheet, key: "sheet"}, "", "缺少工作表“"+fm.sheet+"”", "the sheet "+fm.sheet+" is missing")
		}
		for _, it := range fm.items {
			if head, _, _ := strings.Cut(it.key, "."); head != "" {
				im.reported = append(im.reported, join(fm.part, head))
			}
		}
		return
	}
	values, seen := map[string]any{}, map[string]int{}
	for row := firstDataRow - 1; row < len(g.rows); row++ {
		key, kc := g.at(row, "key")
		if key == "" {
			continue
		}
		it, known := findItem(fm.items, key)
		if !known {
			im.fail(kc, "", fmt.Sprintf("字段代码 %q 无法识别", key), fmt.Sprintf("unknown key %q", key))
			continue
		}
		if prev, dup := seen[key]; dup {
			im.fail(kc, "", fmt.Sprintf("字段代码 %q 与第 %d 行重复", key, prev),
				fmt.Sprintf("key %q repeats row %d", key, prev))
			continue
		}
		seen[key] = row + 1
		v, vc := g.at(row, "value")
		vc.key = key
		path := join(fm.part, key)
		im.cells[path] = vc
		if v == "" {
			continue
		}
		if val, ok := im.parse(it.kind, v, vc, path); ok {
			setPath(values, key, val)
		}
	}
	if fm.part != "" && !im.anyFilled(g) {
		return // an empty optional part: missing
	}
	// Create the objects holding dotted keys ("district" of "district.code"), so that an empty cell is reported
	// by its own key rather than as a missing object.
	for _, it := range fm.items {
		if head, _, nested := strings.Cut(it.key, "."); nested && values[head] == nil {
			values[head] = map[string]any{}
		}
	}
	if fm.part == "" {
		for k, v := range values {
			doc[k] = v
		}
		return
	}
	doc[fm.part] = values
}

// anyFilled reports whether a value cell of a key-value sheet holds anything (a value that failed to parse
// still makes the part present).
func (im *importer) anyFilled(g *grid) bool {
	for row := firstDataRow - 1; row < len(g.rows); row++ {
		if key, _ := g.at(row, "key"); key != "" {
			if v, _ := g.at(row, "value"); v != "" {
				return true
			}
		}
	}
	return false
}

func findItem(items []item, key string) (item, bool) {
	for _, it := range items {
		if it.key == key && key != "" {
			return it, true
		}
	}
	return item{}, false
}

// school collects the rows of one school.
type school struct {
	path       string
	firstRow   int
	name, kind string
	obj        map[string]any
	stages     map[string]any
	facilities map[string]any
	factsRow   map[string]int // row each facility was read from
}

// schools reads the 学校 sheet: rows with the same code are the stages of one school.
func (im *importer) schools() ([]any, bool) {
	g, ok := im.sheet(SheetSchools, schoolColumns)
	if !ok {
		if g == nil {
			im.fail(cell{sheet: SheetSchools, key: "sheet"}, "", "缺少工作表“学校”", "the sheet 学校 is missing")
		}
		return nil, false
	}
	list := []any{}
	byCode := map[string]*school{}
	im.cells["schools"] = cell{sheet: SheetSchools, row: firstDataRow, column: "A", key: "code"}
	for row := firstDataRow - 1; row < len(g.rows); row++ {
		if blank(g.rows[row]) {
			continue
		}
		code, cc := g.at(row, "code")
		stageText, sc := g.at(row, "stage")
		stage, stageOK := parseStage(stageText)
		if code == "" {
			im.fail(cc, "", "学校代码不能为空", "the school code must not be empty")
			continue
		}
		if !stageOK {
			im.fail(sc, "", "学段应为 小学、初中 或 高中", "the stage must be 小学, 初中 or 高中 (primary, junior, senior)")
			continue
		}
		s := byCode[code]
		if s == nil {
			s = im.newSchool(g, row, len(list))
			byCode[code] = s
			list = append(list, s.obj)
		} else if !im.sameSchool(g, row, s) {
			continue
		}
		if _, dup := s.stages[string(stage)]; dup {
			im.fail(sc, "", fmt.Sprintf("学校 %s 的%s学段已在其他行填写", code, stage.NameZh()),
				fmt.Sprintf("school %s already has a %s row", code, stage.NameEn()))
			continue
		}
		im.stage(g, row, s, stage, sc)
		switch perStage, fc := im.perStage(g, row); {
		case perStage && stage == evaluation.Senior:
			im.noFacilities(g, row)
		case perStage:
			im.stageFacilities(g, row, s, stage, fc)
		case stage != evaluation.Senior || im.anyFacility(g, row):
			// A senior row without figures does not make the school report whole-school facilities, so that a
			// school giving them per stage needs nothing on its senior row.
			s.obj["facilities"] = s.facilities
			im.facilities(g, row, s)
		}
	}
	return list, true
}

// perStage reports whether a row marks its facilities as its stage's own (设施按学段填报 = 是).
func (im *importer) perStage(g *grid, row int) (bool, cell) {
	v, c := g.at(row, facilitiesPerStage)
	if v == "" {
		return false, c
	}
	yes, ok := im.parse(yesNoValue, v, c, "")
	return ok && yes.(bool), c
}

func (im *importer) anyFacility(g *grid, row int) bool {
	for _, col := range schoolColumns {
		if v, _ := g.at(row, col.key); col.facility && v != "" {
			return true
		}
	}
	return false
}

// noFacilities reports the facility figures of a senior row marked per stage: the senior stage has none of its
// own in the evaluation, so they would be dropped silently.
func (im *importer) noFacilities(g *grid, row int) {
	for _, col := range schoolColumns {
		if v, c := g.at(row, col.key); col.facility && v != "" {
			im.fail(c, "", "按学段填报设施时,高中学段的设施不参与计算,请留空",
				"with facilities given per stage the senior stage's are not used: leave them empty")
		}
	}
}

// stageFacilities reads a row's facility figures as its stage's own.
func (im *importer) stageFacilities(g *grid, row int, s *school, stage evaluation.SchoolStage, fc cell) {
	base := s.path + ".stages." + string(stage) + ".facilities"
	im.cells[base] = fc
	data := map[string]any{}
	s.stages[string(stage)].(map[string]any)["facilities"] = data
	for _, col := range schoolColumns {
		if !col.facility {
			continue
		}
		v, c := g.at(row, col.key)
		im.cells[base+"."+col.key] = c
		if v == "" {
			continue
		}
		if val, ok := im.parse(col.kind, v, c, base+"."+col.key); ok {
			data[col.key] = val
		}
	}
}

func blank(cols []string) bool {
	for _, c := range cols {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (im *importer) newSchool(g *grid, row, index int) *school {
	code, cc := g.at(row, "code")
	name, nc := g.at(row, "name")
	kindText, kc := g.at(row, "kind")
	_, sc := g.at(row, "stage")
	s := &school{path: fmt.Sprintf("schools[%d]", index), firstRow: row + 1, name: name, kind: kindText,
		obj: map[string]any{"code": code}, stages: map[string]any{}, facilities: map[string]any{},
		factsRow: map[string]int{}}
	s.obj["stages"] = s.stages // facilities are added by the first row giving whole-school ones
	for path, c := range map[string]cell{"": cc, ".code": cc, ".name": nc, ".kind": kc, ".stages": sc,
		".facilities": cc} {
		im.cells[s.path+path] = c
	}
	if name != "" {
		s.obj["name"] = name
	}
	if kind, ok := im.parse(kindValue, kindText, kc, s.path+".kind"); ok {
		s.obj["kind"] = kind
	}
	return s
}

// sameSchool checks that a further row of a school repeats its name and kind (by name or key).
func (im *importer) sameSchool(g *grid, row int, s *school) bool {
	name, nc := g.at(row, "name")
	kind, kc := g.at(row, "kind")
	k1, _ := parseKind(kind)
	k0, _ := parseKind(s.kind)
	same := true
	for _, d := range [...]struct {
		differs bool
		c       cell
		first   string
	}{{name != s.name, nc, s.name}, {kind != s.kind && (k1 == "" || k1 != k0), kc, s.kind}} {
		if d.differs {
			im.fail(d.c, "", fmt.Sprintf("与该校第 %d 行不一致(%q)", s.firstRow, d.first),
				fmt.Sprintf("differs from the school's row %d (%q)", s.firstRow, d.first))
			same = false
		}
	}
	return same
}

// stage reads the stage figures of a row; a senior row gives students only.
func (im *importer) stage(g *grid, row int, s *school, stage evaluation.SchoolStage, sc cell) {
	fields := stageFields
	if stage == evaluation.Senior {
		fields = fields[:1]
	}
	base := s.path + ".stages." + string(stage)
	im.cells[base] = sc
	data := map[string]any{}
	s.stages[string(stage)] = data
	for _, key := range fields {
		v, c := g.at(row, key)
		im.cells[base+"."+key] = c
		if v == "" {
			continue
		}
		if val, ok := im.parse(wholeValue, v, c, base+"."+key); ok {
			data[key] = val
		}
	}
}

// facilities reads the whole-school figures of a row: given once, or repeated identically.
func (im *importer) facilities(g *grid, row int, s *school) {
	for _, col := range schoolColumns {
		if !col.facility {
			continue
		}
		v, c := g.at(row, col.key)
		path := s.path + ".facilities." + col.key
		if _, ok := im.cells[path]; !ok {
			im.cells[path] = c // a missing figure is reported on the school's first row
		}
		if v == "" {
			continue
		}
		val, ok := im.parse(col.kind, v, c, path)
		if !ok {
			continue
		}
		if prev, given := s.facilities[col.key]; given {
			if prev != val {
				im.fail(c, "", fmt.Sprintf("全校数与第 %d 行不同:只在第一行填写,或各行填相同数值", s.factsRow[col.key]),
					fmt.Sprintf("differs from row %d: give a whole-school figure once, or repeat it identically",
						s.factsRow[col.key]))
			}
			continue
		}
		s.facilities[col.key], s.factsRow[col.key], im.cells[path] = val, row+1, c
	}
}

// vetoes reads the 一票否决 sheet: the keys marked 是.
func (im *importer) vetoes() []any {
	g, ok := im.sheet(SheetVetoes, formColumns)
	if !ok {
		return nil
	}
	vetoes := []any{}
	for row := firstDataRow - 1; row < len(g.rows); row++ {
		key, kc := g.at(row, "key")
		v, vc := g.at(row, "value")
		vc.key = key
		if key == "" || v == "" {
			continue
		}
		if yes, ok := im.parse(yesNoValue, v, vc, ""); ok && yes.(bool) {
			im.cells[fmt.Sprintf("vetoes[%d]", len(vetoes))] = kc
			vetoes = append(vetoes, key)
		}
	}
	return vetoes
}

// parse reads a cell as a kind of value, or reports it.
func (im *importer) parse(kind valueKind, v string, c cell, path string) (any, bool) {
	switch kind {
	case textValue:
		return v, true
	case yesNoValue:
		switch strings.ToLower(v) {
		case "是", "true", "yes", "1":
			return true, true
		case "否", "false", "no", "0":
			return false, true
		}
		im.fail(c, path, "应填“是”或“否”", "must be 是 (yes) or 否 (no)")
	case kindValue:
		if k, ok := parseKind(v); ok {
			return string(k), true
		}
		im.fail(c, path, "学校类型应为 "+strings.Join(kindNames(), "、"),
			"the kind must be one of "+strings.Join(kindNames(), ", "))
	default: // numbers
		percent := kind == rateValue && strings.HasSuffix(v, "%")
		f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
		if err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			if percent {
				f /= 100
			}
			return f, true
		}
		im.fail(c, path, fmt.Sprintf("应为数字,而不是 %q", v), fmt.Sprintf("must be a number, not %q", v))
	}
	return nil, false
}

func parseKind(v string) (evaluation.Kind, bool) {
	for _, k := range evaluation.Kinds {
		if v == k.NameZh() || v == string(k) {
			return k, true
		}
	}
	return "", false
}

func parseStage(v string) (evaluation.SchoolStage, bool) {
	for _, g := range stages {
		if v == g.NameZh() || v == string(g) {
			return g, true
		}
	}
	return "", false
}

// decode runs evaluation.Decode on the document, then evaluation.Validate under p, and puts their problems on
// their cells.
func (im *importer) decode(doc map[string]any, p evaluation.Profile) (evaluation.Input, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return evaluation.Input{}, err
	}
	in, err := evaluation.Decode(bytes.NewReader(data))
	var ie *evaluation.InputError
	if err != nil && !errors.As(err, &ie) {
		return evaluation.Input{}, err
	}
	if ie != nil {
		reported := evaluation.NewPaths(im.reported...)
		for _, pr := range ie.Problems {
			if !reported.Cover(pr.Field) {
				im.problems = append(im.problems, im.locate(pr))
			}
		}
	}
	if len(im.problems) == 0 {
		var ve *evaluation.InputError
		if errors.As(evaluation.Validate(in, p), &ve) {
			for _, pr := range ve.Problems {
				im.problems = append(im.problems, im.locate(pr))
			}
		}
	}
	if len(im.problems) > 0 {
		sortProblems(im.problems)
		return evaluation.Input{}, &evaluation.InputError{Problems: im.problems}
	}
	return in, nil
}

// locate finds the cell of a problem's JSON path, or of its nearest enclosing path; the key names what is wrong
// relative to that cell.
func (im *importer) locate(p evaluation.Problem) evaluation.Problem {
	for path := p.Field; path != ""; path = parent(path) {
		if c, ok := im.cells[path]; ok {
			key := c.key
			if path != p.Field {
				key = strings.TrimPrefix(strings.TrimPrefix(p.Field, path), ".")
			}
			p.Field, p.Sheet, p.Row, p.Column = key, c.sheet, c.row, c.column
			return p
		}
	}
	return p
}

func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func join(part, key string) string {
	if part == "" {
		return key
	}
	return part + "." + key
}

// setPath sets a dotted key ("nearby_enrollment_rate.primary") in nested objects.
func setPath(m map[string]any, key string, v any) {
	head, rest, nested := strings.Cut(key, ".")
	if !nested {
		m[head] = v
		return
	}
	child, _ := m[head].(map[string]any)
	if child == nil {
		child = map[string]any{}
		m[head] = child
	}
	setPath(child, rest, v)
}

// sortProblems orders problems as the workbook reads: sheet, row, column.
func sortProblems(ps []evaluation.Problem) {
	index := func(sheet string) int {
		for i, s := range sheetOrder {
			if s == sheet {
				return i
			}
		}
		return -1
	}
	sort.SliceStable(ps, func(a, b int) bool {
		pa, pb := ps[a], ps[b]
		if pa.Sheet != pb.Sheet {
			return index(pa.Sheet) < index(pb.Sheet)
		}
		if pa.Row != pb.Row {
			return pa.Row < pb.Row
		}
		ca, _ := excelize.ColumnNameToNumber(pa.Column)
		cb, _ := excelize.ColumnNameToNumber(pb.Column)
		return ca < cb
	})
}
