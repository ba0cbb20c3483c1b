// Package evaluation computes the national standard of county compulsory-education high-quality balanced
// development (县域义务教育优质均衡发展督导评估办法, 2017) for one district and one year: the resource indicators of
// every school, the enrollment-weighted difference coefficients, the government and quality checklists, social
// recognition, the prerequisite and the veto items, and it says what falls short and what it takes to close it.
//
// The package is pure: it reads nothing but the io.Reader given to Decode and keeps no state. The thresholds come
// from a Profile, so a province's variant or another standard is data, not code.
//
// Numbers are computed in float64 and never rounded inside the engine. Every comparison allows a relative
// tolerance of 1e-9 of the required value, so that a value exactly at its threshold passes however the division
// lands (42 teachers for 1000 pupils are 4.2 per 100). JSON shows Numbers rounded to 4 decimals and messages to
// 3 (percentages to 2), more where a value would otherwise look like its limit (Beside); pass/fail never looks at
// the rounded figures.
//
// Needed quantities (Shortfall.Needed) are the smallest whole number of raw units (teachers, rooms, m², yuan)
// that brings the value to the threshold at the current enrollment, checked with the same comparison as the
// evaluation. For a facility of a combined school reported for the whole school it is the amount to add to the
// whole-school figure, which the split then shares between the stages, because the district reports and builds
// facilities for the whole school; for facilities reported per stage it is the amount to add to the stage's own.
package evaluation

import "slices"

// Input is one district's yearly self-assessment. In JSON every field is required except those marked omitempty;
// a missing optional part (Government, Quality, RecognitionRate, BasicBalanceCertifiedYear) is reported as missing
// by Evaluate, while the parts that are present are still evaluated.
type Input struct {
	District                  District    `json:"district"`
	Year                      int         `json:"year"`
	BasicBalanceCertifiedYear *int        `json:"basic_balance_certified_year,omitempty"`
	Schools                   []School    `json:"schools"`
	Government                *Government `json:"government,omitempty"`
	Quality                   *Quality    `json:"quality,omitempty"`
	RecognitionRate           *float64    `json:"recognition_rate,omitempty"`
	// Vetoes lists the keys of the profile's veto items that apply to the district (一票否决).
	Vetoes []string `json:"vetoes,omitempty"`
	// Basic2012 holds the district conditions of the 2012 basic-balance standard, for monitoring a certified
	// district under the basic-2012 profile; that profile requires it, the 2017 one does not read it.
	Basic2012 *Basic2012 `json:"basic_2012,omitempty"`
}

// Basic2012 are the district-level conditions of 教督〔2012〕3号 besides the difference coefficients.
type Basic2012 struct {
	// AllSchoolsMeetProvincialStandard: every compulsory school meets the provincial basic standard (省定办学基本标准).
	AllSchoolsMeetProvincialStandard bool `json:"all_schools_meet_provincial_standard"`
	// CountyGovernmentScore is the score, 0 to 100, of 县级人民政府推进义务教育均衡发展工作评估.
	CountyGovernmentScore float64 `json:"county_government_score"`
	// PublicSatisfactionRate is the public's satisfaction (公众满意度), a fraction in [0, 1].
	PublicSatisfactionRate float64 `json:"public_satisfaction_rate"`
}

// District names the county-level unit; Code is its 6-digit administrative division code (GB/T 2260).
type District struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Kind is the type of a school; it decides which stages the school may have.
type Kind string

// The school kinds.
const (
	KindPrimary           Kind = "primary"            // 小学
	KindJunior            Kind = "junior"             // 初中
	KindNineYear          Kind = "nine_year"          // 九年一贯制学校
	KindCompleteSecondary Kind = "complete_secondary" // 完全中学
	KindTwelveYear        Kind = "twelve_year"        // 十二年一贯制学校
	KindTeachingPoint     Kind = "teaching_point"     // 教学点
)

// Kinds lists the school kinds in display order.
var Kinds = []Kind{KindPrimary, KindJunior, KindNineYear, KindCompleteSecondary, KindTwelveYear, KindTeachingPoint}

// kindStages says which stages a kind of school may have. Senior stages only serve to split shared facilities.
var kindStages = map[Kind][]SchoolStage{
	KindPrimary:           {Primary},
	KindJunior:            {Junior},
	KindNineYear:          {Primary, Junior},
	KindCompleteSecondary: {Junior, Senior},
	KindTwelveYear:        {Primary, Junior, Senior},
	KindTeachingPoint:     {Primary},
}

// SchoolStage is a school stage. Primary and Junior are evaluated; Senior only takes its share of shared facilities.
type SchoolStage string

// The stages.
const (
	Primary SchoolStage = "primary" // 小学
	Junior  SchoolStage = "junior"  // 初中
	Senior  SchoolStage = "senior"  // 高中
)

// CompulsoryStages are the stages the standard evaluates, in display order.
var CompulsoryStages = []SchoolStage{Primary, Junior}

// School is one school as reported, before combined schools are split into per-stage virtual schools.
// Facilities are the whole-school figures. A combined school may instead give each compulsory stage its own
// (StageData.Facilities), which are then used as they are, and leave Facilities out (zero; JSON still writes it, so
// stored documents and other readers keep their shape). Decode requires one of the two forms; a non-zero
// Facilities beside per-stage ones is an input error (validate.go).
type School struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Kind       Kind       `json:"kind"`
	Stages     Stages     `json:"stages"`
	Facilities Facilities `json:"facilities,optional"` // optional: see decoder.object
}

// Stages holds the per-stage data of a school; a stage the school does not have is nil.
type Stages struct {
	Primary *StageData  `json:"primary,omitempty"`
	Junior  *StageData  `json:"junior,omitempty"`
	Senior  *SeniorData `json:"senior,omitempty"`
}

// StageData is what a school reports for one compulsory stage. Teachers are counted per stage.
type StageData struct {
	Students          int `json:"students"`
	Classes           int `json:"classes"`
	LargestClass      int `json:"largest_class"`
	QualifiedTeachers int `json:"qualified_teachers"`
	BackboneTeachers  int `json:"backbone_teachers"`
	PEArtTeachers     int `json:"pe_art_teachers"`
	// Teachers (full-time, 专任教师) and IntermediateTitleTeachers (中级及以上专业技术职务) are needed by the 2012
	// profile only, so they may be left out (nil) under the 2017 one.
	Teachers                  *int `json:"teachers,omitempty"`
	IntermediateTitleTeachers *int `json:"intermediate_title_teachers,omitempty"`
	// Facilities are the stage's own, for a combined school that reports them per stage: nothing is split.
	Facilities *Facilities `json:"facilities,omitempty"`
}

// SeniorData is the senior stage of a complete secondary or twelve-year school: only its pupils matter, for the
// split of shared facilities.
type SeniorData struct {
	Students int `json:"students"`
}

// Facilities are a school's building area, equipment and rooms: for the whole school (a combined school's are then
// split between its stages by weighted pupils) or, for a combined school, for one stage.
type Facilities struct {
	TeachingRoomAreaM2 float64 `json:"teaching_room_area_m2"`
	SportsAreaM2       float64 `json:"sports_area_m2"`
	EquipmentValueYuan float64 `json:"equipment_value_yuan"`
	MultimediaRooms    int     `json:"multimedia_rooms"`
	MusicRooms         int     `json:"music_rooms"`
	ArtRooms           int     `json:"art_rooms"`
	// Computers (教学用计算机) and LibraryBooks (图书册数) are needed by the 2012 profile only (nil: not given).
	Computers    *int `json:"computers,omitempty"`
	LibraryBooks *int `json:"library_books,omitempty"`
}

// Government holds the district-level facts of the government-guarantee part (政府保障程度). Items 3, 4 and 5 are
// computed from the school data and have no field here. Rates are fractions in [0, 1].
type Government struct {
	LayoutPlanningSound             bool    `json:"layout_planning_sound"`
	UrbanRuralUnifiedStandards      bool    `json:"urban_rural_unified_standards"`
	SmallSchoolsFundedAs100         bool    `json:"small_schools_funded_as_100"`
	SpecialEdFundingPerPupilYuan    float64 `json:"special_ed_funding_per_pupil_yuan"`
	TeacherPayNotBelowCivilServants bool    `json:"teacher_pay_not_below_civil_servants"`
	// The yearly average pay of teachers and of local civil servants (item 8), given together or not at all. When
	// given they decide the item and the yes/no above is not read (see teacherPay).
	TeacherAveragePayYuan         *float64       `json:"teacher_average_pay_yuan,omitempty"`
	CivilServantAveragePayYuan    *float64       `json:"civil_servant_average_pay_yuan,omitempty"`
	TeacherTraining360hCompletion float64        `json:"teacher_training_360h_completion_rate"`
	StaffingAllocatedByCounty     bool           `json:"staffing_allocated_by_county"`
	EligibleRotationTeachers      int            `json:"eligible_rotation_teachers"`
	RotatedTeachers               int            `json:"rotated_teachers"`
	RotatedBackboneTeachers       int            `json:"rotated_backbone_teachers"`
	TeachersCertifiedRate         float64        `json:"teachers_certified_rate"`
	NearbyEnrollmentRate          NearbyEnrolled `json:"nearby_enrollment_rate"`
	QualityHighSchoolQuotaShare   float64        `json:"quality_high_school_quota_share"`
	// The tilt of item 14, given together or not at all: the share of the allocated places that went to rural and
	// weak junior schools, and those schools' share of the district's junior graduates.
	QuotaShareToRuralWeakRate        *float64 `json:"quota_share_to_rural_weak_rate,omitempty"`
	RuralWeakGraduateShareRate       *float64 `json:"rural_weak_graduate_share_rate,omitempty"`
	LeftBehindCareSystem             bool     `json:"left_behind_care_system"`
	MigrantChildrenPublicSchoolShare float64  `json:"migrant_children_public_share"`
}

// NearbyEnrolled is the share of pupils admitted to their zoned nearby school, per stage.
type NearbyEnrolled struct {
	Primary float64 `json:"primary"`
	Junior  float64 `json:"junior"`
}

// Quality holds the district-level facts of the education-quality part (教育质量). Rates are fractions in [0, 1].
type Quality struct {
	JuniorRetentionRate           float64 `json:"junior_retention_rate"`
	DisabledEnrollmentRate        float64 `json:"disabled_enrollment_rate"`
	ChartersAndDigitisation       bool    `json:"charters_and_digitisation"`
	TeacherTrainingBudgetShareMin float64 `json:"teacher_training_budget_share_min"` // lowest share among schools
	ICTUseGood                    bool    `json:"ict_use_good"`
	MoralEducationGood            bool    `json:"moral_education_good"`
	CurriculumComplete            bool    `json:"curriculum_complete"`
	NoExcessBurden                bool    `json:"no_excess_burden"`
	MonitoringLevelIIIReached     bool    `json:"monitoring_level_iii_reached"`
	MonitoringDifferenceRate      float64 `json:"monitoring_difference_rate"`
}

// stage returns the compulsory-stage data of s for stage g, or nil.
func (s *School) stage(g SchoolStage) *StageData {
	switch g {
	case Primary:
		return s.Stages.Primary
	case Junior:
		return s.Stages.Junior
	}
	return nil
}

// students returns the pupils of s in stage g (0 when absent), senior included.
func (s *School) students(g SchoolStage) int {
	if g == Senior {
		if s.Stages.Senior == nil {
			return 0
		}
		return s.Stages.Senior.Students
	}
	if d := s.stage(g); d != nil {
		return d.Students
	}
	return 0
}

// compulsoryStudents is the school's enrollment in compulsory education.
func (s *School) compulsoryStudents() int { return s.students(Primary) + s.students(Junior) }

// kindNames and stageNames are the Chinese and English display names.
var kindNames = map[Kind][2]string{
	KindPrimary:           {"小学", "primary school"},
	KindJunior:            {"初中", "junior school"},
	KindNineYear:          {"九年一贯制学校", "nine-year school"},
	KindCompleteSecondary: {"完全中学", "complete secondary school"},
	KindTwelveYear:        {"十二年一贯制学校", "twelve-year school"},
	KindTeachingPoint:     {"教学点", "teaching point"},
}

var stageNames = map[SchoolStage][2]string{Primary: {"小学", "primary"}, Junior: {"初中", "junior"}, Senior: {"高中",
	"senior"}}

// NameZh is the Chinese name of the kind, e.g. 九年一贯制学校.
func (k Kind) NameZh() string { return kindNames[k][0] }

// NameEn is the English name of the kind.
func (k Kind) NameEn() string { return kindNames[k][1] }

// NameZh is the Chinese name of the stage: 小学, 初中 or 高中.
func (g SchoolStage) NameZh() string { return stageNames[g][0] }

// NameEn is the English name of the stage.
func (g SchoolStage) NameEn() string { return stageNames[g][1] }

// Stages are the stages a school of kind k may have, lowest first.
func (k Kind) Stages() []SchoolStage { return slices.Clone(kindStages[k]) }

// combined reports whether the kind of s has more than one stage (九年一贯制, 完全中学, 十二年一贯制).
func (s *School) combined() bool { return len(kindStages[s.Kind]) > 1 }

// stageFacilities reports whether s gives its facilities per stage rather than for the whole school.
func (s *School) stageFacilities() bool {
	for _, g := range CompulsoryStages {
		if d := s.stage(g); d != nil && d.Facilities != nil {
			return true
		}
	}
	return false
}

// stageCount is the number of stages s reports, senior included.
func (s *School) stageCount() int {
	n := 0
	for _, g := range []SchoolStage{Primary, Junior, Senior} {
		if s.hasStage(g) {
			n++
		}
	}
	return n
}

func (s *School) hasStage(g SchoolStage) bool {
	if g == Senior {
		return s.Stages.Senior != nil
	}
	return s.stage(g) != nil
}
