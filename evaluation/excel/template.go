package excel

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"junheng/evaluation"
)

// instructions is the text of the 填表说明 sheet.
var instructions = []string{
	"县域义务教育优质均衡发展自评数据填报模板(国家 2017 年标准)",
	"",
	"一、各工作表第 1 行为中文表头,第 2 行为字段代码(请勿修改或删除),数据从第 3 行开始填写。",
	"二、“学校”表每所学校每个学段填一行:九年一贯制学校填“小学”“初中”两行,完全中学填“初中”“高中”两行,十二年一贯制学校填三行;同一学校各行的学校代码、名称、类型须一致。",
	"三、教师数按学段分别填写;校舍面积、体育运动场馆面积、教学仪器设备值、网络多媒体教室、音乐和美术专用教室为全校数,只在该校第一行填写(其余行留空或填相同数值)。" +
		"系统按加权学生数(小学:初中:高中 = 1:1.1:1.32)分摊到各学段。",
	"四、“高中”行只读取在校生数,用于分摊共用设施;其余学段列不读取。" +
		"九年一贯制、完全中学、十二年一贯制学校也可按学段填报设施:在该校每个小学、初中行的“设施按学段填报”列填“是”,并在各行填写本学段的设施数(不再分摊,高中行不填设施)。",
	"五、学生数不足 50 人的教学点不参与资源配置指标计算,但仍请如实填报。",
	"六、比例可填百分数或小数(96% 与 0.96 相同);是否类项目请从下拉列表选择“是”或“否”;人数、间数填整数;面积单位为平方米,金额单位为元。",
	"七、政府保障第 3、4、5 项(音乐美术专用教室、学校规模、班额)由“学校”表自动计算,无需另填。" +
		"第 8 项的两项工资金额、第 14 项的两项农村和薄弱初中比例可选填,但须成对填写;填报后按数据判定(第 8 项不再看“是/否”)。",
	"八、“政府保障”“教育质量”“社会认可度”表整表未填的,评估结果中该部分按“未填报”处理(不视为达标);部分填写的,每个空白单元格都会被列为错误。",
	"九、“一票否决”表中存在相应情形的填“是”,否则填“否”。",
	"　　“基本均衡监测”表及“学校”表最后四列(专任教师数、中级及以上职称教师数、教学用计算机、图书)仅用于按 2012 年基本均衡标准(basic-2012)监测,按 2017 年标准评估时可不填。",
	fmt.Sprintf("十、文件大小不超过 %d MiB;导入时所有错误一次列出,并注明工作表、行号和列号。", MaxFileSize>>20),
}

// WriteTemplate writes the empty self-assessment workbook.
func WriteTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	t := &templateWriter{f: f}
	t.styles()
	t.instructions()
	t.forms(forms[:1])
	t.schools()
	t.forms(forms[1:])
	t.vetoes(evaluation.National2017().Vetoes)
	if t.err != nil {
		return fmt.Errorf("template: %w", t.err)
	}
	return f.Write(w)
}

// templateWriter keeps the first error, so that the layout reads as a list of steps.
type templateWriter struct {
	f                                      *excelize.File
	err                                    error
	header, key, rate, text, info, heading int
}

func (t *templateWriter) check(err error) {
	if t.err == nil {
		t.err = err
	}
}

func (t *templateWriter) style(s *excelize.Style) int {
	id, err := t.f.NewStyle(s)
	t.check(err)
	return id
}

func (t *templateWriter) styles() {
	border := []excelize.Border{{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1}}
	t.header = t.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}})
	t.key = t.style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080", Size: 9}, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}})
	t.rate = t.style(&excelize.Style{NumFmt: 10}) // 0.00%
	t.text = t.style(&excelize.Style{NumFmt: 49}) // @: codes stay text
	t.info = t.style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}})
	t.heading = t.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
}

func (t *templateWriter) instructions() {
	t.check(t.f.SetSheetName("Sheet1", SheetInstructions))
	for i, line := range instructions {
		t.check(t.f.SetCellValue(SheetInstructions, fmt.Sprintf("A%d", i+1), line))
	}
	t.check(t.f.SetCellStyle(SheetInstructions, "A1", "A1", t.heading))
	t.check(t.f.SetColWidth(SheetInstructions, "A", "A", 140))
}

// headers writes rows 1 and 2, sizes the columns and freezes them.
func (t *templateWriter) headers(sheet string, columns []column) {
	_, err := t.f.NewSheet(sheet)
	t.check(err)
	for i, c := range columns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		t.check(t.f.SetCellValue(sheet, name+"1", c.zh))
		t.check(t.f.SetCellValue(sheet, fmt.Sprintf("%s%d", name, keyRow), c.key))
		t.check(t.f.SetColWidth(sheet, name, name, c.width))
	}
	last, _ := excelize.ColumnNumberToName(len(columns))
	t.check(t.f.SetCellStyle(sheet, "A1", last+"1", t.header))
	t.check(t.f.SetCellStyle(sheet, "A2", fmt.Sprintf("%s%d", last, keyRow), t.key))
	t.check(t.f.SetRowHeight(sheet, 1, 36))
	t.check(t.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: keyRow,
		TopLeftCell: fmt.Sprintf("A%d", firstDataRow), ActivePane: "bottomLeft"}))
}

func (t *templateWriter) schools() {
	t.headers(SheetSchools, schoolColumns)
	last := firstDataRow + templateRows - 1
	for i, c := range schoolColumns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		area := fmt.Sprintf("%s%d:%s%d", name, firstDataRow, name, last)
		t.validate(SheetSchools, area, c.kind)
		if c.kind == textValue {
			t.check(t.f.SetCellStyle(SheetSchools, name+"3", fmt.Sprintf("%s%d", name, last), t.text))
		}
	}
}

func (t *templateWriter) forms(fs []form) {
	for _, fm := range fs {
		t.headers(fm.sheet, formColumns)
		for i, it := range fm.items {
			row := firstDataRow + i
			t.check(t.f.SetSheetRow(fm.sheet, fmt.Sprintf("A%d", row), &[]any{it.no, it.zh, it.key, nil, it.note}))
			t.valueCell(fm.sheet, row, it.kind)
			if it.key == "" {
				t.check(t.f.SetCellStyle(fm.sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("E%d", row), t.info))
			}
		}
	}
}

func (t *templateWriter) vetoes(vetoes []evaluation.VetoItem) {
	t.headers(SheetVetoes, formColumns)
	for i, v := range vetoes {
		row := firstDataRow + i
		t.check(t.f.SetSheetRow(SheetVetoes, fmt.Sprintf("A%d", row),
			&[]any{fmt.Sprint(i + 1), v.NameZh, v.Key, "否", "存在该情形填“是”,一票否决"}))
		t.valueCell(SheetVetoes, row, yesNoValue)
	}
}

// valueCell formats and validates the value cell of a key-value row.
func (t *templateWriter) valueCell(sheet string, row int, kind valueKind) {
	cell := fmt.Sprintf("D%d", row)
	switch kind {
	case rateValue:
		t.check(t.f.SetCellStyle(sheet, cell, cell, t.rate))
	case textValue:
		t.check(t.f.SetCellStyle(sheet, cell, cell, t.text))
	}
	t.validate(sheet, cell, kind)
}

// validate adds the data validation of a kind of value to an area.
func (t *templateWriter) validate(sheet, area string, kind valueKind) {
	dv := excelize.NewDataValidation(true)
	dv.Sqref = area
	var msg string
	switch kind {
	case yesNoValue:
		t.check(dv.SetDropList([]string{"是", "否"}))
		msg = "请选择“是”或“否”"
	case kindValue:
		t.check(dv.SetDropList(kindNames()))
		msg = "请从下拉列表选择学校类型"
	case stageValue:
		t.check(dv.SetDropList(stageNames()))
		msg = "请从下拉列表选择学段:小学、初中或高中"
	case wholeValue:
		t.check(dv.SetRange(0, 1e9, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween))
		msg = "请填写不小于 0 的整数"
	case amountValue:
		t.check(dv.SetRange(0, 1e12, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween))
		msg = "请填写不小于 0 的数值"
	case rateValue:
		t.check(dv.SetRange(0, 1, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween))
		msg = "请填写 0% 到 100% 之间的比例(如 96% 或 0.96)"
	case yearValue:
		t.check(dv.SetRange(2000, 2100, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween))
		msg = "请填写 4 位年份"
	default:
		return
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "填写有误", msg)
	t.check(t.f.AddDataValidation(sheet, dv))
}
