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

// labelOf looks a value up; an unknown one (a newer release's word read by an older page) is shown as it is.
func labelOf[T ~string](names map[T]Label, v T) Label {
	if l, ok := names[v]; ok {
		return l
	}
	return Label{string(v), string(v)}
}

var stageLabels = map[CycleStage]Label{
	StageSelfAssessment: {"自评", "self-assessment"}, StageCityReview: {"市级评估", "city review"},
	StageRectification: {"整改", "rectification"}, StageCityAcceptance: {"市级验收", "city acceptance"},
	StageProvinceReview: {"省级评估", "province review"}, StageCertified: {"已认定", "certified"},
	StageNotCertified: {"未通过认定", "not certified"}, StageNotApplied: {"未申请认定", "not applied"},
}

// Label names the stage.
func (s CycleStage) Label() Label { return labelOf(stageLabels, s) }

var itemStatusLabels = map[ItemStatus]Label{
	ItemOpen: {"待制定方案", "awaiting plan"}, ItemInProgress: {"整改中", "in progress"},
	ItemAwaitingVerification: {"待核验", "awaiting verification"}, ItemClosed: {"已销号", "closed"},
}

// Label names the status.
func (s ItemStatus) Label() Label { return labelOf(itemStatusLabels, s) }

var planStatusLabels = map[CreationPlanStatus]Label{
	PlanSubmitted: {"已报送待审批", "awaiting review"}, PlanApproved: {"已批准", "approved"},
	PlanReturned: {"已退回修改", "returned"}, PlanSuperseded: {"已被新版本替代", "superseded"},
}

// Label names the status.
func (s CreationPlanStatus) Label() Label { return labelOf(planStatusLabels, s) }

var roleLabels = map[Role]Label{
	RoleAdmin: {"系统管理员", "administrator"}, RoleOffice: {"市督导办", "city supervision office"},
	RoleProvince: {"省督导办", "provincial supervision office"}, RoleDistrict: {"区县教育局", "district bureau"},
	RoleSystem: {"系统", "system"},
}

// Label names the role.
func (r Role) Label() Label { return labelOf(roleLabels, r) }

var severityLabels = map[Severity]Label{SeverityNormal: {"一般", "normal"}, SeveritySerious: {"严重", "serious"}}

// Label names the severity.
func (s Severity) Label() Label { return labelOf(severityLabels, s) }

var sourceLabels = map[Source]Label{
	SourceSelfAssessment: {"自评差距", "self-assessment shortfall"}, SourceDataMonitoring: {"数据监测", "data monitoring"},
	SourceThirdParty: {"第三方评估", "third-party evaluation"}, SourceOnSite: {"实地督导", "on-site inspection"},
}

// Label names the source.
func (s Source) Label() Label { return labelOf(sourceLabels, s) }

var verdictLabels = map[Verdict]Label{VerdictMeets: {"达标", "meets"}, VerdictDoesNotMeet: {"未达标", "does not meet"}}

// Label names the verdict.
func (v Verdict) Label() Label { return labelOf(verdictLabels, v) }
