// Package excel writes the self-assessment template (.xlsx) districts fill in and imports a filled one into an
// evaluation.Input.
//
// Layout. Every data sheet has its Chinese headers in row 1, the canonical keys in row 2, and data from row 3; the
// importer finds columns and rows by those keys, so reordering columns or rows does no harm.
//
//   - 基本信息: district code and name, evaluation year, year basic balance was certified. One row per key: column
//     C holds the key, column D the value.
//   - 学校: one row per school AND stage (a nine-year school has a 小学 row and a 初中 row with the same code, name
//     and type; a complete secondary or twelve-year school adds a 高中 row whose only figure read is 在校生数, used
//     to split shared facilities). Facilities are whole-school figures: fill them on the school's first row and
//     leave them empty on its other rows, or repeat them identically; different figures are an error. A combined
//     school may instead give each compulsory stage its own facilities: 是 in 设施按学段填报 on each of its
//     小学/初中 rows, each row holding that stage's figures (nothing is split; its 高中 row then holds none). That
//     column is optional, so a workbook from before it existed still imports.
//   - 政府保障, 教育质量, 社会认可度: one row per key like 基本信息. A sheet left entirely empty (or deleted) is
//     reported by the evaluation as missing; a sheet partly filled lists every empty cell.
//   - 一票否决: one row per veto item, 是 when it applies.
//
// Cells: yes/no as 是/否; rates as percentages or fractions (96% and 0.96 are the same); counts as whole numbers.
// Problems name the sheet, the row as Excel shows it, the column letter, and the canonical key as Field.
package excel

import "junheng/evaluation"

// The sheets, in workbook order.
const (
	SheetInstructions = "填表说明"
	SheetBasic        = "基本信息"
	SheetSchools      = "学校"
	SheetGovernment   = "政府保障"
	SheetQuality      = "教育质量"
	SheetRecognition  = "社会认可度"
	SheetBasic2012    = "基本均衡监测"
	SheetVetoes       = "一票否决"
)

// sheetOrder orders problems by sheet.
var sheetOrder = []string{SheetInstructions, SheetBasic, SheetSchools, SheetGovernment, SheetQuality, SheetRecognition,
	SheetBasic2012, SheetVetoes}

const (
	keyRow       = 2    // the row of canonical keys
	firstDataRow = 3    // the first row of data
	templateRows = 2000 // school rows formatted and validated in the template
)

// valueKind says how a cell is read, formatted and validated.
type valueKind int

const (
	textValue   valueKind = iota
	wholeValue            // a count
	amountValue           // m² or yuan: not negative, decimals allowed
	rateValue             // a fraction; 96% and 0.96 are the same
	yesNoValue            // 是 or 否
	yearValue
	kindValue  // a school kind, by its Chinese name or its key
	stageValue // a stage, by its Chinese name or its key
)

// column is a column of the 学校 sheet.
type column struct {
	key, zh  string
	kind     valueKind
	facility bool // whole-school figure, shared between the school's rows
	width    float64
}

var schoolColumns = []column{
	{"code", "学校代码", textValue, false, 14},
	{"name", "学校名称", textValue, false, 26},
	{"kind", "学校类型", kindValue, false, 16},
	{"stage", "学段", stageValue, false, 8},
	{"students", "在校生数(人)", wholeValue, false, 12},
	{"classes", "班级数(个)", wholeValue, false, 10},
	{"largest_class", "最大班额(人)", wholeValue, false, 12},
	{"qualified_teachers", "高于规定学历教师数(人)", wholeValue, false, 16},
	{"backbone_teachers", "县级及以上骨干教师数(人)", wholeValue, false, 16},
	{"pe_art_teachers", "体育、艺术专任教师数(人)", wholeValue, false, 16},
	{"teaching_room_area_m2", "教学及辅助用房面积(m²,全校)", amountValue, true, 18},
	{"sports_area_m2", "体育运动场馆面积(m²,全校)", amountValue, true, 18},
	{"equipment_value_yuan", "教学仪器设备值(元,全校)", amountValue, true, 18},
	{"multimedia_rooms", "网络多媒体教室(间,全校)", wholeValue, true, 16},
	{"music_rooms", "音乐专用教室(间,全校)", wholeValue, true, 14},
	{"art_rooms", "美术专用教室(间,全校)", wholeValue, true, 14},
	{facilitiesPerStage, "设施按学段填报(是/否;是:本行设施为本学段数)", yesNoValue, false, 18},
	// The figures of the 2012 basic-balance indicators, read only by the basic-2012 profile: last, so that the
	// columns of earlier templates keep their letters.
	{"teachers", "专任教师数(人,基本均衡监测)", wholeValue, false, 16},
	{"intermediate_title_teachers", "中级及以上职称教师数(人,基本均衡监测)", wholeValue, false, 18},
	{"computers", "教学用计算机(台,全校,基本均衡监测)", wholeValue, true, 18},
	{"library_books", "图书(册,全校,基本均衡监测)", wholeValue, true, 18},
}

// facilitiesPerStage is the column that marks a row's facilities as its stage's own.
const facilitiesPerStage = "facilities_per_stage"

// optionalColumns may be missing from a workbook: they came after templates already in use. Their cells may be
// empty too (the field is then left out), except 2012 figures that the basic-2012 profile asks for.
var optionalColumns = map[string]bool{facilitiesPerStage: true, "teachers": true, "intermediate_title_teachers": true,
	"computers": true, "library_books": true}

// stageFields are the columns read for a compulsory stage; a senior row gives students only.
var stageFields = []string{"students", "classes", "largest_class", "qualified_teachers", "backbone_teachers",
	"pe_art_teachers", "teachers", "intermediate_title_teachers"}

// item is a row of a key-value sheet.
type item struct {
	no   string // the item's number in the standard
	zh   string
	key  string // canonical key, relative to the form's part; "" for a row shown for information only
	kind valueKind
	note string // the requirement, for the reader
}

// form is a key-value sheet filling one part of the input.
type form struct {
	sheet string
	part  string // JSON field of the part ("government"), or "" for top-level fields
	items []item
}

// The columns of a key-value sheet.
var formColumns = []column{
	{"no", "序号", textValue, false, 6},
	{"item", "项目", textValue, false, 50},
	{"key", "字段", textValue, false, 36},
	{"value", "填报值", textValue, false, 14},
	{"requirement", "标准要求 / 说明", textValue, false, 44},
}

var forms = []form{
	{SheetBasic, "", []item{
		{"", "区县行政区划代码(6 位)", "district.code", textValue, "如 370211"},
		{"", "区县名称", "district.name", textValue, ""},
		{"", "评估年度", "year", yearValue, "如 2025"},
		{"", "通过国家义务教育基本均衡发展认定的年份", "basic_balance_certified_year", yearValue, "须在评估年度前至少 3 年;未填报按前提条件不满足处理"},
	}},
	{SheetGovernment, "government", []item{
		{"1", "学校规划布局合理,符合国家规定要求", "layout_planning_sound", yesNoValue, "是"},
		{"2", "城乡学校统一建设标准、编制标准、生均公用经费基准定额、装备配置标准", "urban_rural_unified_standards", yesNoValue, "是"},
		{"3", "每 12 个班级配备音乐、美术专用教室各 1 间以上", "", textValue, "由“学校”表自动计算,无需填写"},
		{"4", "学校规模(小学、初中≤2000 人;九年、十二年一贯制≤2500 人)", "", textValue, "由“学校”表自动计算,无需填写"},
		{"5", "班额(小学≤45 人,初中≤50 人)", "", textValue, "由“学校”表自动计算,无需填写"},
		{"6", "不足 100 名学生的村小学和教学点按 100 名学生核定公用经费", "small_schools_funded_as_100", yesNoValue, "是"},
		{"7", "特殊教育学校生均公用经费(元)", "special_ed_funding_per_pupil_yuan", amountValue, "≥ 6000 元"},
		{"8", "教师平均工资收入水平不低于当地公务员平均工资收入水平", "teacher_pay_not_below_civil_servants", yesNoValue, "是"},
		{"8", "教师年平均工资收入(元)", "teacher_average_pay_yuan", amountValue, "两项金额同时填报;填报后按金额判定,不再看上一行"},
		{"8", "当地公务员年平均工资收入(元)", "civil_servant_average_pay_yuan", amountValue, "教师平均工资收入 ≥ 本项"},
		{"9", "教师 5 年 360 学时培训完成率", "teacher_training_360h_completion_rate", rateValue, "100%"},
		{"10", "县级教育行政部门统筹分配各校教职工编制和岗位数量", "staffing_allocated_by_county", yesNoValue, "是"},
		{"11", "符合交流轮岗条件的教师数(人)", "eligible_rotation_teachers", wholeValue, ""},
		{"11", "当年交流轮岗教师数(人)", "rotated_teachers", wholeValue, "≥ 符合条件教师的 10%"},
		{"11", "其中骨干教师数(人)", "rotated_backbone_teachers", wholeValue, "≥ 交流轮岗教师的 20%"},
		{"12", "专任教师持有教师资格证上岗率", "teachers_certified_rate", rateValue, "100%"},
		{"13", "小学就近划片入学比例", "nearby_enrollment_rate.primary", rateValue, "100%"},
		{"13", "初中就近划片入学比例", "nearby_enrollment_rate.junior", rateValue, "≥ 95%"},
		{"14", "优质高中招生名额分配到区域内初中的比例", "quality_high_school_quota_share", rateValue, "≥ 50%,并向农村初中倾斜"},
		{"14", "分配名额中分到农村和薄弱初中的比例", "quota_share_to_rural_weak_rate", rateValue, "两项比例同时填报;≥ 下一行比例"},
		{"14", "农村和薄弱初中毕业生占全县初中毕业生的比例", "rural_weak_graduate_share_rate", rateValue, ""},
		{"15", "建立留守儿童关爱体系", "left_behind_care_system", yesNoValue, "是"},
		{"15", "符合条件的随迁子女在公办学校和政府购买服务的民办学校就读比例", "migrant_children_public_share", rateValue, "≥ 85%"},
	}},
	{SheetQuality, "quality", []item{
		{"1", "初中三年巩固率", "junior_retention_rate", rateValue, "≥ 95%"},
		{"2", "残疾儿童少年入学率", "disabled_enrollment_rate", rateValue, "≥ 95%"},
		{"3", "所有学校制定章程,实现学校管理与教学信息化", "charters_and_digitisation", yesNoValue, "是"},
		{"4", "各校教师培训经费占年度公用经费预算的比例(取最低的学校)", "teacher_training_budget_share_min", rateValue, "≥ 5%"},
		{"5", "教师能熟练运用信息化手段组织教学,设施设备利用率达到较高水平", "ict_use_good", yesNoValue, "是"},
		{"6", "所有学校德育工作、校园文化建设水平达到良好以上", "moral_education_good", yesNoValue, "是"},
		{"7", "课程开齐开足,教学秩序规范,综合实践活动有效开展", "curriculum_complete", yesNoValue, "是"},
		{"8", "无过重课业负担", "no_excess_burden", yesNoValue, "是"},
		{"9", "国家义务教育质量监测相关科目学生学业水平达到Ⅲ级以上", "monitoring_level_iii_reached", yesNoValue, "是"},
		{"9", "国家义务教育质量监测校际差异率", "monitoring_difference_rate", rateValue, "< 0.15"},
	}},
	{SheetRecognition, "", []item{
		{"", "社会认可度(学生、家长、教师、校长、人大代表、政协委员及其他群众调查)", "recognition_rate", rateValue, "≥ 85%,低于 85% 一票否决;未填报按未达标处理"},
	}},
	// Only for monitoring under the 2012 basic-balance standard (profile basic-2012); left empty otherwise.
	{SheetBasic2012, "basic_2012", []item{
		{"", "县域内义务教育学校均达到省定办学基本标准", "all_schools_meet_provincial_standard", yesNoValue, "是"},
		{"", "县级人民政府推进义务教育均衡发展工作评估得分", "county_government_score", amountValue, "≥ 85 分(满分 100)"},
		{"", "公众满意度", "public_satisfaction_rate", rateValue, "≥ 85%"},
	}},
}

// kindNames and stageNames are the dropdown values: Chinese names; the keys are accepted too.
func kindNames() []string {
	names := make([]string, len(evaluation.Kinds))
	for i, k := range evaluation.Kinds {
		names[i] = k.NameZh()
	}
	return names
}

var stages = []evaluation.SchoolStage{evaluation.Primary, evaluation.Junior, evaluation.Senior}

func stageNames() []string {
	names := make([]string, len(stages))
	for i, g := range stages {
		names[i] = g.NameZh()
	}
	return names
}
