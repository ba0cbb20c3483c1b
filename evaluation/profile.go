package evaluation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// digest identifies the profile's exact rules: the start of a SHA-256 of its JSON (map keys are sorted, so the
// same profile always gives the same digest).
func (p *Profile) digest() string {
	data, err := json.Marshal(p)
	if err != nil {
		return "" // a profile is plain data; Validate has checked its numbers are finite
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// Profile is an evaluation standard as data: which indicators, their thresholds and limits, how combined schools
// are split, which checklist items apply and with which thresholds, and the veto items. The engine reads nothing
// else, so a province's variant is a profile file (LoadProfile) and another standard is another registered
// profile: its indicators name raw quantities of the input, its checklists name items of the item catalog
// (checklist.go), and the difference coefficients are tested one by one or by their mean (CVRule).
type Profile struct {
	Name    string `json:"name" yaml:"name"`
	TitleZh string `json:"title_zh" yaml:"title_zh"`
	TitleEn string `json:"title_en" yaml:"title_en"`

	// Indicators are the resource indicators, in display order.
	Indicators []Indicator `json:"indicators" yaml:"indicators"`
	// Thresholds holds, per compulsory stage, the minimum value of each indicator by key.
	Thresholds map[SchoolStage]map[string]float64 `json:"thresholds" yaml:"thresholds"`
	// CVLimits is the largest difference coefficient allowed per stage.
	CVLimits map[SchoolStage]float64 `json:"cv_limits" yaml:"cv_limits"`
	CVRule   CVRule                  `json:"cv_rule" yaml:"cv_rule"`
	// A school passes when at least SchoolMinMet indicators reach their threshold and every indicator reaches
	// SchoolFloor times its threshold.
	SchoolMinMet int     `json:"school_min_met" yaml:"school_min_met"`
	SchoolFloor  float64 `json:"school_floor" yaml:"school_floor"`
	// SplitWeights weigh the pupils of each stage when a combined school's shared facilities are split.
	SplitWeights map[SchoolStage]float64 `json:"split_weights" yaml:"split_weights"`
	// SplitSharedFacilities lets a combined school report its facilities for the whole school, to be split by
	// SplitWeights (default). Off, such a school must report them per stage (StageData.Facilities); whole-school
	// figures are then an input error, since the profile gives no way to share them. Facilities reported per stage
	// are never split.
	SplitSharedFacilities bool `json:"split_shared_facilities" yaml:"split_shared_facilities"`
	// Teaching points with fewer pupils than this are left out of the resource part (the per-school rule and the
	// difference coefficients) only.
	TeachingPointCutoff int `json:"teaching_point_cutoff" yaml:"teaching_point_cutoff"`
	// ExemptSmallPoints leaves those teaching points out of government items 3 to 5 (music and art rooms, school
	// size, class size) as well, for a province whose rules say so. Off by default: the items apply to every school.
	ExemptSmallPoints bool `json:"exempt_small_points_from_school_items" yaml:"exempt_small_points_from_school_items"`
	// Basic balance must have been certified at least this many years before the evaluation year.
	PrerequisiteYears int     `json:"prerequisite_years" yaml:"prerequisite_years"`
	RecognitionMin    float64 `json:"recognition_min" yaml:"recognition_min"`
	// RecognitionVeto makes recognition below RecognitionMin a veto item as well.
	RecognitionVeto bool `json:"recognition_veto" yaml:"recognition_veto"`

	// GovernmentItems and QualityItems are item keys of the catalog, in the standard's numbering.
	GovernmentItems []string        `json:"government_items" yaml:"government_items"`
	QualityItems    []string        `json:"quality_items" yaml:"quality_items"`
	Government      GovernmentRules `json:"government" yaml:"government"`
	Quality         QualityRules    `json:"quality" yaml:"quality"`
	// Vetoes are the items a district reports in Input.Vetoes (一票否决).
	Vetoes []VetoItem `json:"vetoes" yaml:"vetoes"`
	// Basic2012 makes this a 2012 basic-balance profile (教督〔2012〕3号): its district conditions are judged from
	// Input.Basic2012 in place of the 2017 prerequisite, checklists and recognition, which that standard does not
	// have (their results are marked not applicable). Absent from 2017 profiles, so their digest is unchanged.
	Basic2012 *Basic2012Rules `json:"basic_2012,omitempty" yaml:"basic_2012,omitempty"`
}

// Basic2012Rules are the minimums of the 2012 district conditions; every school meeting the provincial basic
// standard (省定办学基本标准) is required as well.
type Basic2012Rules struct {
	// GovernmentScoreMin is the least score, out of 100, of the county government's evaluation
	// (县级人民政府推进义务教育均衡发展工作评估).
	GovernmentScoreMin float64 `json:"county_government_score_min" yaml:"county_government_score_min"`
	// SatisfactionMin is the least public satisfaction (公众满意度), a fraction.
	SatisfactionMin float64 `json:"public_satisfaction_min" yaml:"public_satisfaction_min"`
}

// Indicator is one resource indicator: Quantity (a raw quantity key, see Quantities) per pupil, times Per (100 for
// "per 100 pupils").
type Indicator struct {
	Key      string  `json:"key" yaml:"key"`
	NameZh   string  `json:"name_zh" yaml:"name_zh"`
	NameEn   string  `json:"name_en" yaml:"name_en"`
	Quantity string  `json:"quantity" yaml:"quantity"`
	Per      float64 `json:"per" yaml:"per"`
}

// CVRule says how the difference coefficients of a stage are tested against its limit.
type CVRule string

const (
	// CVEach tests every indicator's coefficient (2017 standard).
	CVEach CVRule = "each"
	// CVMean tests the mean of the coefficients (the 2012 basic-balance rule).
	CVMean CVRule = "mean"
)

// GovernmentRules are the thresholds of the government-guarantee items. The fields' order is part of the
// profile's digest (a result names the profile it was judged by): keep it.
type GovernmentRules struct {
	ClassesPerMusicArtRoom int                 `json:"classes_per_music_art_room" yaml:"classes_per_music_art_room"`
	SchoolSizeMax          map[Kind]int        `json:"school_size_max" yaml:"school_size_max"`
	ClassSizeMax           map[SchoolStage]int `json:"class_size_max" yaml:"class_size_max"`

	SpecialEdFundingMinYuan  float64 `json:"special_ed_funding_min_yuan" yaml:"special_ed_funding_min_yuan"`
	Training360hMin          float64 `json:"teacher_training_360h_min" yaml:"teacher_training_360h_min"`
	RotationShareMin         float64 `json:"rotation_share_min" yaml:"rotation_share_min"`
	RotationBackboneShareMin float64 `json:"rotation_backbone_share_min" yaml:"rotation_backbone_share_min"`
	TeachersCertifiedMin     float64 `json:"teachers_certified_min" yaml:"teachers_certified_min"`

	NearbyEnrollmentMin map[SchoolStage]float64 `json:"nearby_enrollment_min" yaml:"nearby_enrollment_min"`

	QualityHighSchoolQuotaMin float64 `json:"quality_high_school_quota_min" yaml:"quality_high_school_quota_min"`
	MigrantChildrenPublicMin  float64 `json:"migrant_children_public_min" yaml:"migrant_children_public_min"`
}

// QualityRules are the thresholds of the education-quality items.
type QualityRules struct {
	JuniorRetentionMin     float64 `json:"junior_retention_min" yaml:"junior_retention_min"`
	DisabledEnrollmentMin  float64 `json:"disabled_enrollment_min" yaml:"disabled_enrollment_min"`
	TrainingBudgetShareMin float64 `json:"teacher_training_budget_share_min" yaml:"teacher_training_budget_share_min"`
	// MonitoringDifferenceBelow is a strict upper bound: the difference rate must be below it.
	MonitoringDifferenceBelow float64 `json:"monitoring_difference_below" yaml:"monitoring_difference_below"`
}

// VetoItem is a circumstance that fails the district outright.
type VetoItem struct {
	Key    string `json:"key" yaml:"key"`
	NameZh string `json:"name_zh" yaml:"name_zh"`
	NameEn string `json:"name_en" yaml:"name_en"`
}

// NationalName is the name of the built-in 2017 national standard.
const NationalName = "national-2017"

// Basic2012Name is the name of the built-in 2012 basic-balance standard, used to monitor certified districts.
const Basic2012Name = "basic-2012"

// builtins are the standards compiled in, by name.
var builtins = map[string]func() Profile{NationalName: National2017, Basic2012Name: BasicBalance2012}

// Builtin returns a fresh copy of the built-in profile with that name.
func Builtin(name string) (Profile, bool) {
	f, ok := builtins[name]
	if !ok {
		return Profile{}, false
	}
	return f(), true
}

// BuiltinNames lists the built-in profiles, sorted.
func BuiltinNames() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// National2017 is the national standard of 2017 (教督〔2017〕6号) with the defaults of STANDARD.md section 3.
func National2017() Profile {
	return Profile{
		Name:    NationalName,
		TitleZh: "县域义务教育优质均衡发展督导评估办法(2017)",
		TitleEn: "Supervision and evaluation of county high-quality balanced compulsory education (2017)",
		Indicators: []Indicator{
			{"qualified_teachers_per_100", "每百名学生拥有高于规定学历教师数", "teachers above the required degree per 100 students",
				"qualified_teachers", 100},
			{"backbone_teachers_per_100", "每百名学生拥有县级及以上骨干教师数",
				"county-level or higher backbone teachers per 100 students", "backbone_teachers", 100},
			{"pe_art_teachers_per_100", "每百名学生拥有体育、艺术(美术、音乐)专任教师数",
				"PE and art (music, fine arts) teachers per 100 students", "pe_art_teachers", 100},
			{"teaching_room_area_per_student", "生均教学及辅助用房面积", "teaching and auxiliary room area per student",
				"teaching_room_area_m2", 1},
			{"sports_area_per_student", "生均体育运动场馆面积", "sports ground and hall area per student", "sports_area_m2", 1},
			{"equipment_value_per_student", "生均教学仪器设备值", "teaching equipment value per student",
				"equipment_value_yuan", 1},
			{"multimedia_rooms_per_100", "每百名学生拥有网络多媒体教室数", "networked multimedia classrooms per 100 students",
				"multimedia_rooms", 100},
		},
		Thresholds: map[SchoolStage]map[string]float64{
			Primary: {"qualified_teachers_per_100": 4.2, "backbone_teachers_per_100": 1.0,
				"pe_art_teachers_per_100": 0.9, "teaching_room_area_per_student": 4.5, "sports_area_per_student": 7.5,
				"equipment_value_per_student": 2000, "multimedia_rooms_per_100": 2.3},
			Junior: {"qualified_teachers_per_100": 5.3, "backbone_teachers_per_100": 1.0,
				"pe_art_teachers_per_100": 0.9, "teaching_room_area_per_student": 5.8, "sports_area_per_student": 10.2,
				"equipment_value_per_student": 2500, "multimedia_rooms_per_100": 2.4},
		},
		CVLimits:              map[SchoolStage]float64{Primary: 0.50, Junior: 0.45},
		CVRule:                CVEach,
		SchoolMinMet:          6,
		SchoolFloor:           0.85,
		SplitWeights:          map[SchoolStage]float64{Primary: 1, Junior: 1.1, Senior: 1.32},
		SplitSharedFacilities: true,
		TeachingPointCutoff:   50,
		PrerequisiteYears:     3,
		RecognitionMin:        0.85,
		RecognitionVeto:       true,
		GovernmentItems:       slices.Clone(governmentItemKeys),
		QualityItems:          slices.Clone(qualityItemKeys),
		Government: GovernmentRules{
			ClassesPerMusicArtRoom: 12,
			SchoolSizeMax: map[Kind]int{KindPrimary: 2000, KindJunior: 2000, KindNineYear: 2500,
				KindCompleteSecondary: 2000, KindTwelveYear: 2500, KindTeachingPoint: 2000},
			ClassSizeMax:              map[SchoolStage]int{Primary: 45, Junior: 50},
			SpecialEdFundingMinYuan:   6000,
			Training360hMin:           1,
			RotationShareMin:          0.10,
			RotationBackboneShareMin:  0.20,
			TeachersCertifiedMin:      1,
			NearbyEnrollmentMin:       map[SchoolStage]float64{Primary: 1, Junior: 0.95},
			QualityHighSchoolQuotaMin: 0.50,
			MigrantChildrenPublicMin:  0.85,
		},
		Quality: QualityRules{JuniorRetentionMin: 0.95, DisabledEnrollmentMin: 0.95, TrainingBudgetShareMin: 0.05,
			MonitoringDifferenceBelow: 0.15},
		Vetoes: []VetoItem{
			{"admission_by_examination", "以考试方式招生", "admission by examination"},
			{"irregular_school_choice", "违规择校", "irregular school choice"},
			{"key_schools_or_classes", "设立重点学校或重点班", "key schools or key classes"},
			{"serious_safety_accident", "发生重大安全责任事故", "serious safety-liability accident"},
			{"data_falsification", "弄虚作假", "falsified data"},
		},
	}
}

// BasicBalance2012 is the basic-balance standard of 2012 (县域义务教育均衡发展督导评估暂行办法, 教督〔2012〕3号), for
// monitoring districts certified under it. Its eight indicators enter only the difference coefficients: the
// combined coefficient of a stage, the mean of the eight, is at most 0.65 (primary) or 0.55 (junior). The text
// sets no national per-school thresholds (a school is held to its province's basic standard, a district condition
// here), so the per-school rule is off. The coefficients are enrollment-weighted, as in the 2012 calculation
// method (weights = the school's pupils over the county's). Per-pupil and per-100 figures give the same
// coefficient, so teacher ratios are shown per 100 pupils like 2017's; 师生比 is teachers per pupil (the
// monitoring tables print it as 0.05), whose coefficient differs from that of pupils per teacher.
// The government rules are the 2017 ones only so that the profile validates: no checklist item reads them.
func BasicBalance2012() Profile {
	p := National2017()
	p.Name = Basic2012Name
	p.TitleZh = "县域义务教育均衡发展督导评估暂行办法(2012,基本均衡监测)"
	p.TitleEn = "Supervision and evaluation of county balanced compulsory education (2012, basic-balance monitoring)"
	p.Indicators = []Indicator{
		{"teaching_room_area_per_student", "生均教学及辅助用房面积", "teaching and auxiliary room area per student",
			"teaching_room_area_m2", 1},
		{"sports_area_per_student", "生均体育运动场馆面积", "sports ground and hall area per student", "sports_area_m2", 1},
		{"equipment_value_per_student", "生均教学仪器设备值", "teaching equipment value per student",
			"equipment_value_yuan", 1},
		{"computers_per_100", "每百名学生拥有计算机台数", "computers per 100 students", "computers", 100},
		{"books_per_student", "生均图书册数", "library books per student", "library_books", 1},
		{"teachers_per_100", "师生比(每百名学生拥有专任教师数)",
			"teacher-student ratio (full-time teachers per 100 students)", "teachers", 100},
		{"qualified_teachers_per_100", "每百名学生拥有高于规定学历教师数",
			"teachers above the required degree per 100 students", "qualified_teachers", 100},
		{"intermediate_title_teachers_per_100", "每百名学生拥有中级及以上专业技术职务教师数",
			"teachers with intermediate or higher titles per 100 students", "intermediate_title_teachers", 100},
	}
	p.Thresholds = map[SchoolStage]map[string]float64{}
	p.CVLimits = map[SchoolStage]float64{Primary: 0.65, Junior: 0.55}
	p.CVRule = CVMean
	p.SchoolMinMet, p.SchoolFloor = 0, 0
	p.PrerequisiteYears, p.RecognitionVeto = 0, false
	p.GovernmentItems, p.QualityItems, p.Vetoes = []string{}, []string{}, []VetoItem{}
	p.Basic2012 = &Basic2012Rules{GovernmentScoreMin: 85, SatisfactionMin: 0.85}
	return p
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// RecognitionVetoKey is the veto raised by recognition below the minimum when Profile.RecognitionVeto is set.
const RecognitionVetoKey = "low_social_recognition"

func (p *Profile) veto(key string) (VetoItem, bool) {
	for _, v := range p.Vetoes {
		if v.Key == key {
			return v, true
		}
	}
	return VetoItem{}, false
}

func (p *Profile) vetoKeys() []string {
	keys := make([]string, len(p.Vetoes))
	for i, v := range p.Vetoes {
		keys[i] = v.Key
	}
	return keys
}

// Validate reports every inconsistency of the profile in one error.
func (p *Profile) Validate() error {
	var bad []string
	fail := func(field, format string, args ...any) {
		bad = append(bad, field+": "+fmt.Sprintf(format, args...))
	}
	if p.Name == "" {
		fail("name", "must not be empty")
	}
	if len(p.Indicators) == 0 {
		fail("indicators", "list at least one indicator")
	}
	seen := map[string]bool{}
	for i, ind := range p.Indicators {
		f := fmt.Sprintf("indicators[%d]", i)
		if ind.Key == "" || seen[ind.Key] {
			fail(f+".key", "must be present and unique")
		}
		seen[ind.Key] = true
		if _, ok := quantityIndex(ind.Quantity); !ok {
			fail(f+".quantity", "unknown quantity %q; known: %s", ind.Quantity, strings.Join(quantityKeys[:], ", "))
		}
		if !(ind.Per > 0) || ind.Per > maxNumber {
			fail(f+".per", "must be a positive number")
		}
	}
	// Without a per-school rule (2012) thresholds may be left out: a school then has none to fall below.
	perSchool := p.SchoolMinMet > 0 || p.SchoolFloor > 0
	for _, g := range CompulsoryStages {
		for _, ind := range p.Indicators {
			if t, given := p.Thresholds[g][ind.Key]; (given || perSchool) && (!(t > 0) || t > maxNumber) {
				fail(fmt.Sprintf("thresholds.%s.%s", g, ind.Key), "must be a positive number")
			}
		}
		for key := range p.Thresholds[g] {
			if !seen[key] {
				fail(fmt.Sprintf("thresholds.%s.%s", g, key), "is not an indicator of the profile")
			}
		}
		if l := p.CVLimits[g]; !(l > 0) || l > maxNumber {
			fail("cv_limits."+string(g), "must be a positive number")
		}
		if v := p.Government.ClassSizeMax[g]; v <= 0 {
			fail("government.class_size_max."+string(g), "must be greater than 0")
		}
		checkRate(fail, "government.nearby_enrollment_min."+string(g), p.Government.NearbyEnrollmentMin[g])
	}
	for _, g := range []SchoolStage{Primary, Junior, Senior} {
		if w := p.SplitWeights[g]; !(w > 0) || w > maxNumber {
			fail("split_weights."+string(g), "must be a positive number")
		}
	}
	for _, k := range Kinds {
		if p.Government.SchoolSizeMax[k] <= 0 {
			fail("government.school_size_max."+string(k), "must be greater than 0")
		}
	}
	if p.CVRule != CVEach && p.CVRule != CVMean {
		fail("cv_rule", "must be %q or %q", CVEach, CVMean)
	}
	if p.SchoolMinMet < 0 || p.SchoolMinMet > len(p.Indicators) {
		fail("school_min_met", "must be between 0 and the number of indicators")
	}
	checkRate(fail, "school_floor", p.SchoolFloor)
	if p.TeachingPointCutoff < 0 {
		fail("teaching_point_cutoff", "must not be negative")
	}
	if p.PrerequisiteYears < 0 {
		fail("prerequisite_years", "must not be negative")
	}
	if p.Government.ClassesPerMusicArtRoom <= 0 {
		fail("government.classes_per_music_art_room", "must be greater than 0")
	}
	if v := p.Government.SpecialEdFundingMinYuan; !(v >= 0) || v > maxNumber {
		fail("government.special_ed_funding_min_yuan", "must not be negative")
	}
	gr, qr := &p.Government, &p.Quality
	for field, v := range map[string]float64{
		"recognition_min": p.RecognitionMin, "government.teacher_training_360h_min": gr.Training360hMin,
		"government.rotation_share_min":             gr.RotationShareMin,
		"government.rotation_backbone_share_min":    gr.RotationBackboneShareMin,
		"government.teachers_certified_min":         gr.TeachersCertifiedMin,
		"government.quality_high_school_quota_min":  gr.QualityHighSchoolQuotaMin,
		"government.migrant_children_public_min":    gr.MigrantChildrenPublicMin,
		"quality.junior_retention_min":              qr.JuniorRetentionMin,
		"quality.disabled_enrollment_min":           qr.DisabledEnrollmentMin,
		"quality.teacher_training_budget_share_min": qr.TrainingBudgetShareMin,
		"quality.monitoring_difference_below":       qr.MonitoringDifferenceBelow,
	} {
		checkRate(fail, field, v)
	}
	if b := p.Basic2012; b != nil {
		if !(b.GovernmentScoreMin >= 0 && b.GovernmentScoreMin <= 100) {
			fail("basic_2012.county_government_score_min", "must be a score between 0 and 100")
		}
		checkRate(fail, "basic_2012.public_satisfaction_min", b.SatisfactionMin)
	}
	checkItems(fail, "government_items", p.GovernmentItems, PartGovernment)
	checkItems(fail, "quality_items", p.QualityItems, PartQuality)
	vetoes := map[string]bool{RecognitionVetoKey: true}
	for i, v := range p.Vetoes {
		if !snakeCase.MatchString(v.Key) || vetoes[v.Key] {
			fail(fmt.Sprintf("vetoes[%d].key", i), "must be a unique snake_case key other than %s", RecognitionVetoKey)
		}
		vetoes[v.Key] = true
		if v.NameZh == "" || v.NameEn == "" {
			fail(fmt.Sprintf("vetoes[%d]", i), "name_zh and name_en are required")
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("profile %s: %s", p.Name, strings.Join(bad, "; "))
	}
	return nil
}

func checkRate(fail func(string, string, ...any), field string, v float64) {
	if !(v >= 0 && v <= 1) {
		fail(field, "must be a fraction between 0 and 1")
	}
}

func checkItems(fail func(string, string, ...any), field string, keys []string, part Part) {
	seen := map[string]bool{}
	for i, k := range keys {
		def, ok := itemCatalog[k]
		if !ok || def.part != part || seen[k] {
			fail(fmt.Sprintf("%s[%d]", field, i), "%q is not a %s item or is listed twice", k, part)
		}
		seen[k] = true
	}
}
