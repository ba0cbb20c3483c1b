package evaluation

import (
	"fmt"
	"math"
	"strings"
)

// The item catalog. A profile lists the items it applies, in its own numbering; the national 2017 profile lists
// them all, in this order. Items 3, 4 and 5 of the government part are computed per school from the school data.
//
// Government guarantee (政府保障程度):
//
//	no  key                               item
//	1   layout_planning                   学校规划布局合理,符合国家规定要求
//	2   urban_rural_unified_standards     城乡学校统一建设、编制、生均公用经费基准定额和装备配置标准
//	3   music_art_rooms                   每 12 个班级配备音乐、美术专用教室各 1 间以上 (per school)
//	4   school_size                       学校规模:小学、初中不超过 2000 人,九年/十二年一贯制不超过 2500 人 (per school;
//	                                      the whole school, a complete secondary school's junior part)
//	5   class_size                        班额:小学不超过 45 人,初中不超过 50 人 (per school and stage)
//	6   small_schools_funding             不足 100 名学生的村小和教学点按 100 名学生核定公用经费
//	7   special_ed_funding                特殊教育学校生均公用经费不低于 6000 元
//	8   teacher_pay                       教师平均工资收入不低于当地公务员平均工资收入
//	9   teacher_training                  教师 5 年 360 学时培训完成率 100%
//	10  staffing_allocation               县级教育部门统筹分配各校教职工编制和岗位数量
//	11  teacher_rotation                  交流轮岗教师不低于符合条件教师的 10%,其中骨干教师不低于 20%
//	12  teacher_certification             专任教师持证上岗率 100%
//	13  nearby_enrollment                 就近划片入学比例:小学 100%,初中不低于 95% (a stage with no pupils: not applicable)
//	14  high_school_quota                 优质高中招生名额分配到初中的比例不低于 50%,向农村初中倾斜
//	15  left_behind_and_migrant_children  留守儿童关爱体系健全;符合条件的随迁子女在公办学校和购买服务学校就读比例不低于 85%
//
// Education quality (教育质量):
//
//	no  key                        item
//	1   junior_retention           初中三年巩固率达到 95% 以上
//	2   disabled_enrollment        残疾儿童少年入学率达到 95% 以上
//	3   charters_and_digitisation  所有学校制定章程,实现管理与教学信息化
//	4   teacher_training_budget    所有学校按公用经费 5% 以上安排教师培训经费
//	5   ict_use                    教师能熟练运用信息化手段组织教学,设施设备利用率达到较高水平
//	6   moral_education            所有学校德育工作、校园文化建设水平达到良好以上
//	7   curriculum                 课程开齐开足,教学秩序规范,综合实践活动有效开展
//	8   homework_burden            无过重课业负担
//	9   quality_monitoring         国家义务教育质量监测:相关科目学生学业水平达到Ⅲ级以上,且校际差异率低于 0.15
var itemCatalog = map[string]itemDef{
	"layout_planning": {PartGovernment, false, "学校规划布局合理,符合国家规定要求", "school layout planning is sound",
		"", govBool(func(g *Government) bool { return g.LayoutPlanningSound })},
	"urban_rural_unified_standards": {PartGovernment, false, "城乡学校统一建设、编制、经费和装备标准",
		"urban and rural schools share one set of standards", "",
		govBool(func(g *Government) bool { return g.UrbanRuralUnifiedStandards })},
	"music_art_rooms": {PartGovernment, true, "音乐、美术专用教室", "music and art rooms", "", musicArtRooms},
	"school_size":     {PartGovernment, true, "学校规模", "school size", "人", schoolSize},
	"class_size":      {PartGovernment, true, "最大班额", "largest class", "人", classSize},
	"small_schools_funding": {PartGovernment, false, "小规模学校和教学点按 100 人核定公用经费",
		"small schools funded as if they had 100 pupils", "",
		govBool(func(g *Government) bool { return g.SmallSchoolsFundedAs100 })},
	"special_ed_funding": {PartGovernment, false, "特殊教育学校生均公用经费", "special-education funding per pupil",
		"元", specialEdFunding},
	"teacher_pay": {PartGovernment, false, "教师平均工资收入不低于当地公务员",
		"teachers paid no less than civil servants", "", teacherPay},
	"teacher_training": {PartGovernment, false, "教师 5 年 360 学时培训完成率", "360-hour training completion",
		"%", teacherTraining},
	"staffing_allocation": {PartGovernment, false, "县级统筹分配教职工编制和岗位", "staffing allocated by the county",
		"", govBool(func(g *Government) bool { return g.StaffingAllocatedByCounty })},
	"teacher_rotation": {PartGovernment, false, "教师交流轮岗", "teacher rotation", "", teacherRotation},
	"teacher_certification": {PartGovernment, false, "专任教师持证上岗率", "teachers holding a teaching certificate",
		"%", teacherCertification},
	"nearby_enrollment": {PartGovernment, false, "就近划片入学比例", "zoned nearby enrollment", "%",
		nearbyEnrollment},
	"high_school_quota": {PartGovernment, false, "优质高中招生名额分配比例",
		"quality high-school places allocated to junior schools", "%", highSchoolQuota},
	"left_behind_and_migrant_children": {PartGovernment, false, "留守儿童关爱和随迁子女就读", "left-behind and migrant children", "",
		leftBehindMigrant},

	"junior_retention": {PartQuality, false, "初中三年巩固率", "junior three-year retention", "%", juniorRetention},
	"disabled_enrollment": {PartQuality, false, "残疾儿童少年入学率", "enrollment of children with disabilities", "%",
		qualityRate(func(q *Quality) float64 { return q.DisabledEnrollmentRate },
			func(r *QualityRules) float64 { return r.DisabledEnrollmentMin })},
	"charters_and_digitisation": {PartQuality, false, "学校章程与管理、教学信息化", "school charters and digitised management", "",
		qualityBool(func(q *Quality) bool { return q.ChartersAndDigitisation })},
	"teacher_training_budget": {PartQuality, false, "教师培训经费占公用经费比例(最低的学校)",
		"teacher-training share of the public-funds budget (lowest school)", "%",
		qualityRate(func(q *Quality) float64 { return q.TeacherTrainingBudgetShareMin },
			func(r *QualityRules) float64 { return r.TrainingBudgetShareMin })},
	"ict_use": {PartQuality, false, "信息化教学与设施设备使用", "use of ICT and equipment", "",
		qualityBool(func(q *Quality) bool { return q.ICTUseGood })},
	"moral_education": {PartQuality, false, "德育工作和校园文化建设达到良好", "moral education and campus culture rated good", "",
		qualityBool(func(q *Quality) bool { return q.MoralEducationGood })},
	"curriculum": {PartQuality, false, "课程开齐开足、教学规范、综合实践活动", "full curriculum and orderly teaching", "",
		qualityBool(func(q *Quality) bool { return q.CurriculumComplete })},
	"homework_burden": {PartQuality, false, "无过重课业负担", "no excessive homework burden", "",
		qualityBool(func(q *Quality) bool { return q.NoExcessBurden })},
	"quality_monitoring": {PartQuality, false, "国家义务教育质量监测", "national quality monitoring", "", qualityMonitoring},
}

// governmentItemKeys and qualityItemKeys are the catalog in the numbering of the 2017 standard.
var (
	governmentItemKeys = []string{"layout_planning", "urban_rural_unified_standards", "music_art_rooms", "school_size",
		"class_size", "small_schools_funding", "special_ed_funding", "teacher_pay", "teacher_training",
		"staffing_allocation", "teacher_rotation", "teacher_certification", "nearby_enrollment", "high_school_quota",
		"left_behind_and_migrant_children"}
	qualityItemKeys = []string{"junior_retention", "disabled_enrollment", "charters_and_digitisation",
		"teacher_training_budget", "ict_use", "moral_education", "curriculum", "homework_burden", "quality_monitoring"}
)

// itemDef is an item of the catalog. check returns its criteria; an item computed per school returns only the
// failing schools' criteria (Passes false), each with scope school.
type itemDef struct {
	part Part
	// perSchool items use the school data only, so they are evaluated even when the part is missing.
	perSchool bool
	zh, en    string
	unit      string
	check     func(c *checkData) []Criterion
}

// checkData is what items read. Government and Quality are zero values when the part is missing; the criteria of
// its district items then lose their actual values.
type checkData struct {
	p    *Profile
	gov  *Government
	qual *Quality
	// schools are those the per-school items check: every school, or with Profile.ExemptSmallPoints those
	// entering the resource calculation.
	schools []*School
	// stages are the compulsory stages the district has pupils in (any school, small teaching points included).
	stages map[SchoolStage]bool
}

// criterionNames name the criteria of compound items (Chinese, English, unit); an item's only criterion carries
// the item's key, name and unit.
var criterionNames = map[string][3]string{
	"music_rooms":             {"音乐专用教室", "music rooms", "间"},
	"art_rooms":               {"美术专用教室", "art rooms", "间"},
	"rotated_share":           {"交流轮岗教师占符合条件教师比例", "share of eligible teachers rotated", "%"},
	"backbone_share":          {"交流轮岗教师中骨干教师比例", "share of backbone teachers among the rotated", "%"},
	"left_behind_care_system": {"留守儿童关爱体系", "left-behind children care system", ""},
	"migrant_children_public_share": {"随迁子女在公办学校和购买服务学校就读比例",
		"migrant children in public or government-purchased places", "%"},
	"level_iii_reached":   {"学生学业水平达到Ⅲ级以上", "pupils at level III or above", ""},
	"difference_rate":     {"质量监测校际差异率", "inter-school difference rate", ""},
	"teacher_average_pay": {"教师平均工资收入", "teachers' average pay", "元"},
	"rural_weak_tilt":     {"分配到农村和薄弱初中的名额比例", "share of places allocated to rural and weak schools", "%"},
}

// DeclaredFiguresMissing is the actual value of item 8 (teacher_pay) when only the yes/no was given: it passes on
// the declaration, but the figures the standard asks for are missing. Displays translate it (已声明, 未填报金额).
const DeclaredFiguresMissing = "declared_figures_missing"

func atDistrict(key string, actual float64, op Op, required float64) Criterion {
	return Criterion{Key: key, Scope: ScopeDistrict, Actual: num(actual), Op: op, Required: num(required),
		Passes: compare(actual, op, required)}
}

func atDistrictYes(key string, actual bool) Criterion {
	return Criterion{Key: key, Scope: ScopeDistrict, Actual: yesNo(actual), Op: Equal, Required: yesNo(true),
		Passes: actual}
}

// govBool and qualityBool make yes/no items; the key is filled in by the caller.
func govBool(get func(*Government) bool) func(*checkData) []Criterion {
	return func(c *checkData) []Criterion { return []Criterion{atDistrictYes("", get(c.gov))} }
}

func qualityBool(get func(*Quality) bool) func(*checkData) []Criterion {
	return func(c *checkData) []Criterion { return []Criterion{atDistrictYes("", get(c.qual))} }
}

// notApplicable is a criterion that does not apply to the district: it passes, with no actual value.
func notApplicable(key string, op Op, required float64) Criterion {
	return Criterion{Key: key, Scope: ScopeDistrict, Op: op, Required: num(required), Passes: true, NotApplicable: true}
}

func qualityRate(get func(*Quality) float64, min func(*QualityRules) float64) func(*checkData) []Criterion {
	return func(c *checkData) []Criterion {
		return []Criterion{atDistrict("", get(c.qual), AtLeast, min(&c.p.Quality))}
	}
}

// juniorRetention is not applicable in a district with no junior pupils.
func juniorRetention(c *checkData) []Criterion {
	if !c.stages[Junior] {
		return []Criterion{notApplicable("", AtLeast, c.p.Quality.JuniorRetentionMin)}
	}
	return []Criterion{atDistrict("", c.qual.JuniorRetentionRate, AtLeast, c.p.Quality.JuniorRetentionMin)}
}

func specialEdFunding(c *checkData) []Criterion {
	return []Criterion{atDistrict("", c.gov.SpecialEdFundingPerPupilYuan, AtLeast,
		c.p.Government.SpecialEdFundingMinYuan)}
}

func teacherTraining(c *checkData) []Criterion {
	return []Criterion{atDistrict("", c.gov.TeacherTraining360hCompletion, AtLeast, c.p.Government.Training360hMin)}
}

func teacherCertification(c *checkData) []Criterion {
	return []Criterion{atDistrict("", c.gov.TeachersCertifiedRate, AtLeast, c.p.Government.TeachersCertifiedMin)}
}

// teacherPay: with both figures, teachers' average pay is compared with civil servants' (the compare tolerance
// lets equal pay pass), and the yes/no is not read, whatever it says: the figures are the evidence, the yes/no
// only a declaration. Without them the declaration still decides, as it did before the figures were asked for,
// and the item shows that the figures are missing (declared). Validation ensures the two come together.
func teacherPay(c *checkData) []Criterion {
	g := c.gov
	if g.TeacherAveragePayYuan == nil || g.CivilServantAveragePayYuan == nil {
		cr := atDistrictYes("", g.TeacherPayNotBelowCivilServants)
		cr.declared = g.TeacherPayNotBelowCivilServants
		return []Criterion{cr}
	}
	teacher, civil := *g.TeacherAveragePayYuan, *g.CivilServantAveragePayYuan
	return []Criterion{atDistrict("teacher_average_pay", teacher, AtLeast, civil)}
}

// highSchoolQuota: the allocated share, and when given the tilt to rural and weak schools, which holds when their
// share of the allocated places is not below their share of the junior graduates. Data without the tilt figures
// is judged on the share alone, as before they were asked for.
func highSchoolQuota(c *checkData) []Criterion {
	g := c.gov
	out := []Criterion{atDistrict("", g.QualityHighSchoolQuotaShare, AtLeast, c.p.Government.QualityHighSchoolQuotaMin)}
	if g.QuotaShareToRuralWeakRate != nil && g.RuralWeakGraduateShareRate != nil {
		share, graduates := *g.QuotaShareToRuralWeakRate, *g.RuralWeakGraduateShareRate
		out = append(out, atDistrict("rural_weak_tilt", share, AtLeast, graduates))
	}
	return out
}

func nearbyEnrollment(c *checkData) []Criterion {
	rates := map[SchoolStage]float64{Primary: c.gov.NearbyEnrollmentRate.Primary,
		Junior: c.gov.NearbyEnrollmentRate.Junior}
	var out []Criterion
	for _, g := range CompulsoryStages {
		cr := atDistrict("", rates[g], AtLeast, c.p.Government.NearbyEnrollmentMin[g])
		if !c.stages[g] { // a stage the district has no pupils in
			cr = notApplicable("", AtLeast, c.p.Government.NearbyEnrollmentMin[g])
		}
		cr.Scope, cr.Stage = ScopeStage, g
		out = append(out, cr)
	}
	return out
}

// teacherRotation: rotated / eligible and backbone / rotated. When short it needs the extra rotated teachers, and
// the extra backbone teachers among the rotated once their number is made up. With no eligible teacher there is
// nobody to rotate: both criteria are not applicable (and 0/0 would be NaN, which JSON cannot encode).
func teacherRotation(c *checkData) []Criterion {
	g, r := c.gov, &c.p.Government
	if g.EligibleRotationTeachers == 0 {
		return []Criterion{notApplicable("rotated_share", AtLeast, r.RotationShareMin),
			notApplicable("backbone_share", AtLeast, r.RotationBackboneShareMin)}
	}
	eligible, rotated, backbone :=
		float64(g.EligibleRotationTeachers), float64(g.RotatedTeachers), float64(g.RotatedBackboneTeachers)
	share := atDistrict("rotated_share", rotated/eligible, AtLeast, r.RotationShareMin)
	target := rotated
	if !share.Passes {
		n := smallest(r.RotationShareMin*eligible-rotated, func(n float64) bool {
			return compare((rotated+n)/eligible, AtLeast, r.RotationShareMin)
		})
		share.Needed, target = map[string]int64{"rotated_teachers": n}, rotated+float64(n)
	}
	bb := atDistrict("backbone_share", backbone/math.Max(rotated, 1), AtLeast, r.RotationBackboneShareMin)
	if !bb.Passes {
		target = math.Max(target, 1) // nobody rotated: one backbone teacher makes a start
		bb.Needed = map[string]int64{"rotated_backbone_teachers": smallest(r.RotationBackboneShareMin*target-backbone,
			func(n float64) bool {
				return compare((backbone+n)/target, AtLeast, r.RotationBackboneShareMin)
			})}
	}
	return []Criterion{share, bb}
}

func leftBehindMigrant(c *checkData) []Criterion {
	return []Criterion{atDistrictYes("left_behind_care_system", c.gov.LeftBehindCareSystem),
		atDistrict("migrant_children_public_share", c.gov.MigrantChildrenPublicSchoolShare, AtLeast,
			c.p.Government.MigrantChildrenPublicMin)}
}

func qualityMonitoring(c *checkData) []Criterion {
	return []Criterion{atDistrictYes("level_iii_reached", c.qual.MonitoringLevelIIIReached),
		atDistrict("difference_rate", c.qual.MonitoringDifferenceRate, Below, c.p.Quality.MonitoringDifferenceBelow)}
}

// musicArtRooms: at least ceil(classes / 12) music rooms and as many art rooms, counting the compulsory classes.
func musicArtRooms(c *checkData) []Criterion {
	var out []Criterion
	for _, s := range c.schools {
		classes := 0
		for _, g := range CompulsoryStages {
			if d := s.stage(g); d != nil {
				classes += d.Classes
			}
		}
		required := (classes + c.p.Government.ClassesPerMusicArtRoom - 1) / c.p.Government.ClassesPerMusicArtRoom
		music, art := s.musicArtRooms()
		out = rooms(out, s, "music_rooms", music, required)
		out = rooms(out, s, "art_rooms", art, required)
	}
	return out
}

// musicArtRooms counts the rooms of the whole school: with facilities given per stage, the stages' rooms together,
// since item 3 holds the school's rooms against all its compulsory classes.
func (s *School) musicArtRooms() (music, art int) {
	if !s.stageFacilities() {
		return s.Facilities.MusicRooms, s.Facilities.ArtRooms
	}
	for _, g := range CompulsoryStages {
		if d := s.stage(g); d != nil && d.Facilities != nil {
			music, art = music+d.Facilities.MusicRooms, art+d.Facilities.ArtRooms
		}
	}
	return music, art
}

func rooms(out []Criterion, s *School, key string, have, required int) []Criterion {
	if have >= required {
		return out
	}
	return append(out, Criterion{Key: key, Scope: ScopeSchool, School: s.Code, Actual: num(float64(have)),
		Op: AtLeast, Required: num(float64(required)), Needed: map[string]int64{key: int64(required - have)}})
}

// schoolSize counts a school's pupils against the limit of its kind: the whole school, so a twelve-year school's
// senior pupils count against its 2500; a complete secondary school is held to the junior limit for its junior
// part, so its senior pupils stay out.
func schoolSize(c *checkData) []Criterion {
	var out []Criterion
	for _, s := range c.schools {
		n, limit := sizeCounted(s), c.p.Government.SchoolSizeMax[s.Kind]
		if n > limit {
			out = append(out, Criterion{Key: "", Scope: ScopeSchool, School: s.Code,
				Actual: num(float64(n)), Op: AtMost,
				Required: num(float64(limit)), Needed: map[string]int64{"students": int64(limit - n)}})
		}
	}
	return out
}

// sizeCounted is the number of pupils the school-size item counts for s.
func sizeCounted(s *School) int {
	if s.Kind == KindCompleteSecondary {
		return s.compulsoryStudents()
	}
	return s.compulsoryStudents() + s.students(Senior)
}

// classSize checks the largest class of each stage; it needs the largest class brought down to the limit, and
// more classes when even an even spread of the pupils would exceed it.
func classSize(c *checkData) []Criterion {
	var out []Criterion
	for _, s := range c.schools {
		for _, g := range CompulsoryStages {
			d, limit := s.stage(g), c.p.Government.ClassSizeMax[g]
			if d == nil || d.LargestClass <= limit {
				continue
			}
			needed := map[string]int64{"largest_class": int64(limit - d.LargestClass)}
			if more := (d.Students+limit-1)/limit - d.Classes; more > 0 {
				needed["classes"] = int64(more)
			}
			out = append(out, Criterion{Key: "", Scope: ScopeSchool, School: s.Code, Stage: g,
				Actual: num(float64(d.LargestClass)), Op: AtMost, Required: num(float64(limit)), Needed: needed})
		}
	}
	return out
}

// checklist evaluates the items of one part and records their shortfalls.
func (e *engine) checklist(part Part, keys []string, missing bool, data *checkData) ChecklistResult {
	res := ChecklistResult{Passes: !missing, Missing: missing, Items: make([]Item, 0, len(keys))}
	for i, key := range keys {
		def := itemCatalog[key]
		criteria := def.check(data)
		if criteria == nil {
			criteria = []Criterion{} // JSON [] rather than null
		}
		item := Item{No: i + 1, Key: key, NameZh: def.zh, NameEn: def.en, Passes: true, Criteria: criteria}
		absent := missing && !def.perSchool
		// An item is not applicable when all its criteria are; a part not given is missing all the same.
		item.NotApplicable = len(criteria) > 0 && !absent
		for j := range criteria {
			cr := &criteria[j]
			if cr.Key == "" {
				cr.Key = key
			}
			if absent {
				cr.Actual, cr.Passes, cr.Needed, cr.NotApplicable = Amount{}, false, nil, false
			}
			item.Passes = item.Passes && cr.Passes
			item.NotApplicable = item.NotApplicable && cr.NotApplicable
		}
		item.Missing = absent
		item.Actual, item.Required = summary(def, criteria, absent)
		res.Passes = res.Passes && item.Passes
		res.Items = append(res.Items, item)
		if absent {
			continue
		}
		for _, cr := range criteria {
			if !cr.Passes {
				e.add(criterionFinding(part, key, def, cr, e.schoolByCode[cr.School]))
			}
		}
	}
	if missing {
		names := map[Part][2]string{PartGovernment: {"政府保障程度数据", "government guarantee data"},
			PartQuality: {"教育质量数据", "education quality data"}}[part]
		e.add(&finding{Shortfall: Shortfall{Part: part, Key: NotReportedKey, Scope: ScopeDistrict, Missing: true},
			nameZh: names[0], nameEn: names[1]})
	}
	return res
}

func criterionFinding(part Part, key string, def itemDef, cr Criterion, school *School) *finding {
	f := &finding{Shortfall: Shortfall{Part: part, Key: key, Scope: cr.Scope, School: cr.School, Stage: cr.Stage,
		Actual: cr.Actual, Op: cr.Op, Required: cr.Required, Needed: cr.Needed},
		school: school, nameZh: def.zh, nameEn: def.en, unit: def.unit}
	if cr.Key != key {
		n := criterionNames[cr.Key]
		f.Criterion, f.nameZh, f.nameEn, f.unit = cr.Key, n[0], n[1], n[2]
	}
	if key == "school_size" && school != nil { // say what was counted where it is not simply every pupil
		switch school.Kind {
		case KindTwelveYear:
			f.noteZh, f.noteEn = "含高中学段学生", "senior pupils included"
		case KindCompleteSecondary:
			f.noteZh, f.noteEn = "仅计初中学段学生", "junior pupils only"
		}
	}
	return f
}

// summary writes an item's Actual and Required for display: the value alone for a single district criterion,
// "key=value" for several, for a per-school item the number of distinct failing schools and of failing checks
// (a school short of both a music and an art room is one school, two checks).
func summary(def itemDef, criteria []Criterion, absent bool) (actual, required string) {
	if def.perSchool {
		schools := map[string]bool{}
		for _, cr := range criteria {
			schools[cr.School] = true
		}
		return fmt.Sprintf("failing_schools=%d; failing_checks=%d", len(schools), len(criteria)), "failing_schools=0"
	}
	var as, rs []string
	for _, cr := range criteria {
		a, r := show(cr.Actual), cr.Op.Symbol()+" "+show(cr.Required)
		if x, ok := cr.Actual.Float(); ok {
			y, _ := cr.Required.Float()
			a, r = Beside(x, y, 4, false)
			r = cr.Op.Symbol() + " " + r
		}
		if cr.NotApplicable {
			a = "not_applicable"
		}
		if cr.declared {
			a = DeclaredFiguresMissing
		}
		if len(criteria) > 1 {
			label := cr.Key
			if cr.Stage != "" {
				label = string(cr.Stage)
			}
			a, r = label+"="+a, label+" "+r
		}
		as, rs = append(as, a), append(rs, r)
	}
	if absent {
		return "missing", strings.Join(rs, "; ")
	}
	return strings.Join(as, "; "), strings.Join(rs, "; ")
}

// show writes an amount language-neutrally, rounded like JSON: a number to 4 decimals, true, false or null.
func show(a Amount) string {
	b, _ := a.MarshalJSON()
	return string(b)
}
