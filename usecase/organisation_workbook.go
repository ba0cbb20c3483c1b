package usecase

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/store"
)

// The organisation workbook: one sheet a level, Chinese headers in row 1 and a unit a row from row 2. Columns are
// found by their header, so their order does not matter and other columns are ignored; a sheet may be empty or
// missing. The template is the same workbook without rows, so an export can be edited and imported again.
const (
	sheetInstructions = "说明"
	orgUnzipLimit     = 64 << 20 // as the self-assessment's: a zip bomb stops here
	firstOrgRow       = 2
	// maxOrgRows bounds a sheet's units: a large province's schools fit, a runaway sheet does not.
	maxOrgRows = 50000
)

// orgColumn is a column of a sheet: the unit's field it fills (the field problems name) and its header.
type orgColumn struct {
	field, header string
	optional      bool
	width         float64
}

// orgSheet is a level's sheet.
type orgSheet struct {
	level   store.Level
	name    string
	columns []orgColumn
}

var orgSheets = []orgSheet{
	{store.LevelProvince, "省", []orgColumn{{"code", "代码", false, 12}, {"name", "名称", false, 30}}},
	{store.LevelCity, "市", []orgColumn{{"code", "代码", false, 12}, {"name", "名称", false, 30},
		{"parent", "所属省代码", false, 14}}},
	{store.LevelDistrict, "区县", []orgColumn{{"code", "代码", false, 12}, {"name", "名称", false, 30},
		{"parent", "所属市代码", false, 14}}},
	{store.LevelSchool, "学校", []orgColumn{{"code", "学校标识码", false, 14}, {"name", "名称", false, 36},
		{"parent", "所属区县代码", false, 14}, {"kind", "学校类型", true, 18}}},
}

// orgInstructions is the text of the 说明 sheet.
var orgInstructions = []string{
	"组织机构导入模板(省、市、区县、学校四级)",
	"",
	"一、“省”“市”“区县”“学校”工作表第 1 行为表头(请勿修改), 从第 2 行起每行填写一个单位; 不需要修改的工作表可留空或删除。",
	"二、代码: 省为以 0000 结尾的 6 位行政区划代码(如 370000); 市为以 00 结尾、但不以 0000 结尾的 6 位代码(如 370200); " +
		"区县为 6 位行政区划代码(如 370211); 学校为 10 位学校标识码。同一工作表中代码不得重复, 也不得与其他级别单位的代码相同。",
	"三、名称必填, 不超过 60 个字。",
	"四、所属上级代码须为本工作簿或系统中已登记的上一级单位(市填所属省代码, 区县填所属市代码, 学校填所属区县代码)。",
	"五、学校类型可不填(不填时保留系统中已有的类型); 填写时应为: " + strings.Join(kindLabels(), "、") + "。",
	"六、导入只新增单位或修改已有单位的名称、上级和类型, 不删除任何单位。",
	"七、有所属单位的管理员只能导入本单位及其下级单位; 本单位可以改名, 但不能变更上级。",
	fmt.Sprintf("八、任何一处有误则整份工作簿均不导入; 所有错误一次列出, 并注明工作表、行号和列号。"+
		"文件不超过 %d MiB, 每个工作表不超过 %d 行(学校较多时请分批导入)。", excel.MaxFileSize>>20, maxOrgRows),
}

func kindLabels() []string {
	names := make([]string, len(evaluation.Kinds))
	for i, k := range evaluation.Kinds {
		names[i] = k.NameZh()
	}
	return names
}

// parseKind reads a school's kind by its Chinese name or its key, as the self-assessment workbook does.
func parseKind(v string) (evaluation.Kind, bool) {
	for _, k := range evaluation.Kinds {
		if v == k.NameZh() || v == string(k) {
			return k, true
		}
	}
	return "", false
}

// readOrganisation reads the units of a workbook. A file that is no workbook, a sheet over its rows or without a
// required column are problems; so are the units' own, which the caller checks.
func readOrganisation(r io.Reader) (units []unit, f Fields, err error) {
	data, err := io.ReadAll(io.LimitReader(r, excel.MaxFileSize+1))
	switch {
	case err != nil:
		return nil, nil, err
	case len(data) > excel.MaxFileSize:
		f.Add("file", fmt.Sprintf("文件超过 %d MiB 上限", excel.MaxFileSize>>20),
			fmt.Sprintf("the file is over the %d MiB limit", excel.MaxFileSize>>20))
		return nil, f, nil
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")): // a legacy .xls, an encrypted workbook or no workbook
		f.Add("file", "不是 Excel 工作簿(.xlsx); 加密或旧版 .xls 文件请取消密码并另存为 .xlsx",
			"not an Excel workbook (.xlsx): remove any password and save a legacy .xls as .xlsx")
		return nil, f, nil
	}
	defer func() { // excelize may panic on a malformed part
		if p := recover(); p != nil {
			units, f, err = nil, nil, nil
			f.Add("file", "工作簿已损坏, 无法读取", "the workbook is damaged and cannot be read")
		}
	}()
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: orgUnzipLimit,
		UnzipXMLSizeLimit: orgUnzipLimit})
	if err != nil {
		f.Add("file", "无法读取工作簿: "+err.Error(), "cannot read the workbook: "+err.Error())
		return nil, f, nil
	}
	defer wb.Close()
	for _, sh := range orgSheets {
		rows, err := wb.GetRows(sh.name, excelize.Options{RawCellValue: true})
		if err != nil {
			continue // no such sheet
		}
		units = append(units, readSheet(&f, sh.level, sh.name, sh.columns, rows)...)
	}
	return units, f, nil
}

// readSheet reads the units of one sheet's rows, the first being the headers.
func readSheet(f *Fields, level store.Level, sheet string, columns []orgColumn, rows [][]string) []unit {
	trimmed := func(row []string, i int) string {
		if i < 0 || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	if len(rows) < firstOrgRow {
		return nil
	}
	if len(rows) > maxOrgRows+1 {
		*f = append(*f, evaluation.Problem{Field: "file", Sheet: sheet,
			MessageZh: fmt.Sprintf("超过 %d 行上限, 请分批导入", maxOrgRows),
			MessageEn: fmt.Sprintf("more than %d rows: import them in parts", maxOrgRows)})
		return nil
	}
	index, letters := map[string]int{}, map[string]string{}
	for _, c := range columns {
		index[c.field] = -1
		for i := range rows[0] {
			if trimmed(rows[0], i) == c.header {
				index[c.field] = i
				letters[c.field], _ = excelize.ColumnNumberToName(i + 1)
			}
		}
		if index[c.field] < 0 && !c.optional {
			*f = append(*f, evaluation.Problem{Field: c.field, Sheet: sheet, Row: 1,
				MessageZh: fmt.Sprintf("缺少表头为“%s”的列; 请使用系统模板", c.header),
				MessageEn: fmt.Sprintf("no column headed %s; use the template", c.header)})
			return nil
		}
	}
	var units []unit
	for i, row := range rows[1:] {
		u := unit{level: level, code: trimmed(row, index["code"]), name: trimmed(row, index["name"]),
			parent: trimmed(row, index["parent"]), kind: trimmed(row, index["kind"]),
			sheet: sheet, row: i + firstOrgRow, columns: letters}
		if u.code+u.name+u.parent+u.kind != "" {
			units = append(units, u)
		}
	}
	return units
}

// WriteOrganisation writes o as the import's workbook, the 说明 sheet first (the template when o is empty).
func WriteOrganisation(w io.Writer, o store.Organisation) error {
	wb := excelize.NewFile()
	defer wb.Close()
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	check(wb.SetSheetName("Sheet1", sheetInstructions))
	for i, line := range orgInstructions {
		check(wb.SetCellValue(sheetInstructions, fmt.Sprintf("A%d", i+1), line))
	}
	check(wb.SetColWidth(sheetInstructions, "A", "A", 120))
	header, err := wb.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	check(err)
	text, err := wb.NewStyle(&excelize.Style{NumFmt: 49}) // @: codes stay text, their leading zeros too
	check(err)
	rows := map[store.Level][][]string{}
	for _, p := range o.Provinces {
		rows[store.LevelProvince] = append(rows[store.LevelProvince], []string{p.Code, p.Name})
	}
	for _, c := range o.Cities {
		rows[store.LevelCity] = append(rows[store.LevelCity], []string{c.Code, c.Name, c.ProvinceCode})
	}
	for _, d := range o.Districts {
		rows[store.LevelDistrict] = append(rows[store.LevelDistrict], []string{d.Code, d.Name, d.CityCode})
	}
	for _, s := range o.Schools {
		rows[store.LevelSchool] = append(rows[store.LevelSchool],
			[]string{s.Code, s.Name, s.DistrictCode, evaluation.Kind(s.Kind).NameZh()})
	}
	for _, sh := range orgSheets {
		_, err := wb.NewSheet(sh.name)
		check(err)
		for i, c := range sh.columns {
			col, _ := excelize.ColumnNumberToName(i + 1)
			check(wb.SetCellStr(sh.name, col+"1", c.header))
			check(wb.SetColWidth(sh.name, col, col, c.width))
			check(wb.SetColStyle(sh.name, col, text))
			if c.field == "kind" {
				dv := excelize.NewDataValidation(true)
				dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, maxOrgRows+1)
				check(dv.SetDropList(kindLabels()))
				check(wb.AddDataValidation(sh.name, dv))
			}
		}
		last, _ := excelize.ColumnNumberToName(len(sh.columns))
		check(wb.SetCellStyle(sh.name, "A1", last+"1", header))
		for i, row := range rows[sh.level] {
			for j, v := range row {
				col, _ := excelize.ColumnNumberToName(j + 1)
				check(wb.SetCellStr(sh.name, fmt.Sprintf("%s%d", col, i+firstOrgRow), v))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("organisation workbook: %w", errs[0])
	}
	return wb.Write(w)
}
