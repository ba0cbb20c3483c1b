package vocab

// Label is a word's display name in Chinese and English. Every page, report and workbook names a stage, status,
// role, severity, source or verdict through these, so that one word is shown the same way everywhere.
type Label struct{ Zh, En string }

// In picks the language: English when en, else Chinese.
func (l Label) In(en bool) string {
	if en {
		return l.En
	}
	return l.Zh
}

// labels holds the labels of each kind of word by its wire value.
var labels = map[string]map[string]Label{
	"stage": {
		string(StageSelfAssessment): {"自评", "self-assessment"}, string(StageCityReview): {"市级评估", "city review"},
		string(StageRectification): {"整改", "rectification"}, string(StageCityAcceptance): {"市级验收", "city acceptance"},
		string(StageProvinceReview): {"省级评估", "province review"}, string(StageCertified): {"已认定", "certified"},
		string(StageNotCertified): {"未通过认定", "not certified"}, string(StageNotApplied): {"未申请认定", "not applied"},
	},
	"status": {
		string(ItemOpen): {"待制定方案", "awaiting plan"}, string(ItemInProgress): {"整改中", "in progress"},
		string(ItemAwaitingVerification): {"待核验", "awaiting verification"}, string(ItemClosed): {"已销号", "closed"},
	},
	"plan": {
		string(PlanSubmitted): {"已报送待审批", "awaiting review"}, string(PlanApproved): {"已批准", "approved"},
		string(PlanReturned): {"已退回修改", "returned"}, string(PlanSuperseded): {"已被新版本替代", "superseded"},
	},
	"role": {
		string(RoleAdmin): {"系统管理员", "administrator"}, string(RoleOffice): {"市督导办", "city supervision office"},
		string(RoleProvince): {"省督导办", "provincial supervision office"},
		string(RoleDistrict): {"区县教育局", "district bureau"}, string(RoleSchool): {"学校", "school"},
		string(RoleSystem): {"系统", "system"},
	},
	"school": {
		string(SchoolNotStarted): {"未填报", "not started"}, string(SchoolDraft): {"填报中", "draft"},
		string(SchoolSubmitted): {"已提交待审核", "submitted"}, string(SchoolReturned): {"已退回", "returned"},
		string(SchoolAccepted): {"已审核通过", "accepted"},
	},
	"severity": {string(SeverityNormal): {"一般", "normal"}, string(SeveritySerious): {"严重", "serious"}},
	"source": {
		string(SourceSelfAssessment): {"自评差距", "self-assessment shortfall"},
		string(SourceDataMonitoring): {"数据监测", "data monitoring"},
		string(SourceThirdParty):     {"第三方评估", "third-party evaluation"},
		string(SourceOnSite):         {"实地督导", "on-site inspection"},
	},
	"verdict": {string(VerdictMeets): {"达标", "meets"}, string(VerdictDoesNotMeet): {"未达标", "does not meet"}},
}

// LabelOf names word, a word of kind (stage, status, plan, role, severity, source or verdict) as a form or a list
// carries it. An unknown word (a newer release's, read by an older page) is shown as it is; an unknown kind is a
// programming error.
func LabelOf(kind, word string) Label {
	names, ok := labels[kind]
	if !ok {
		panic("vocab: no words of kind " + kind)
	}
	if l, ok := names[word]; ok {
		return l
	}
	return Label{word, word}
}

// Label names the stage.
func (s CycleStage) Label() Label { return LabelOf("stage", string(s)) }

// Label names the status.
func (s ItemStatus) Label() Label { return LabelOf("status", string(s)) }

// Label names the status.
func (s CreationPlanStatus) Label() Label { return LabelOf("plan", string(s)) }

// Label names the role.
func (r Role) Label() Label { return LabelOf("role", string(r)) }

// Label names the status.
func (s SchoolStatus) Label() Label { return LabelOf("school", string(s)) }

// Label names the severity.
func (s Severity) Label() Label { return LabelOf("severity", string(s)) }

// Label names the source.
func (s Source) Label() Label { return LabelOf("source", string(s)) }

// Label names the verdict.
func (v Verdict) Label() Label { return LabelOf("verdict", string(v)) }
