// Package vocab holds the words every part of junheng uses for the yearly cycle: the stages of a district's year,
// the statuses of rectification items and creation plans, roles and actors, verdicts, severities and sources of
// findings, the workflow IDs, and their Chinese and English labels (labels.go). It imports nothing of junheng, so
// that workflows, the core, both faces and the read model's callers share one meaning for each word. The string
// values are the wire's: the API's JSON, the workflows' payloads and the read model's columns.
package vocab

import "fmt"

// CycleStage is where a district's yearly cycle stands. The JSON names are the API's and the read model's.
type CycleStage string

const (
	StageSelfAssessment CycleStage = "self_assessment"
	StageCityReview     CycleStage = "city_review"
	StageRectification  CycleStage = "rectification"
	StageCityAcceptance CycleStage = "city_acceptance"
	StageProvinceReview CycleStage = "province_review"
	StageCertified      CycleStage = "certified"
	StageNotCertified   CycleStage = "not_certified"
	StageNotApplied     CycleStage = "not_applied"
)

// Final reports whether the cycle has ended.
func (s CycleStage) Final() bool {
	return s == StageCertified || s == StageNotCertified || s == StageNotApplied
}

// ItemStatus is where a rectification item (整改台账 row) stands.
type ItemStatus string

const (
	ItemOpen                 ItemStatus = "open"
	ItemInProgress           ItemStatus = "in_progress"
	ItemAwaitingVerification ItemStatus = "awaiting_verification"
	ItemClosed               ItemStatus = "closed"
)

// CreationPlanStatus is where a version of a district's creation plan (创建方案) stands; a plan's status is that of its
// latest version.
type CreationPlanStatus string

const (
	PlanSubmitted  CreationPlanStatus = "submitted"  // awaiting the office's review
	PlanApproved   CreationPlanStatus = "approved"   // approved by the office; the newest approved one is in effect
	PlanReturned   CreationPlanStatus = "returned"   // sent back by the office with its comment
	PlanSuperseded CreationPlanStatus = "superseded" // replaced by the district with a newer version before review
)

// Role is what an actor may do, for the unit they belong to: a province's or a city's supervision office, a
// district's bureau, a school, or an administrator of a unit or of the whole deployment.
type Role string

const (
	RoleAdmin    Role = "admin"
	RoleOffice   Role = "office"   // of a city
	RoleProvince Role = "province" // of a province
	RoleDistrict Role = "district"
	RoleSchool   Role = "school"
	RoleSystem   Role = "system" // timers: reminders, overdue marks, escalation
)

// Actor is who asks for a change. The core fills it from the signed-in person or token; the workflow checks it
// again. Unit is the code of the unit they act for; District is the district of a district's or a school's actor.
type Actor struct {
	Name      string `json:"name"`
	Role      Role   `json:"role"`
	Unit      string `json:"unit,omitempty"`
	District  string `json:"district,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// SchoolStatus is where a school's own data for a year stands (学校填报).
type SchoolStatus string

const (
	SchoolNotStarted SchoolStatus = "not_started"
	SchoolDraft      SchoolStatus = "draft"
	SchoolSubmitted  SchoolStatus = "submitted"
	SchoolReturned   SchoolStatus = "returned"
	SchoolAccepted   SchoolStatus = "accepted"
)

// Verdict is the conclusion of a district's evaluation against the standard.
type Verdict string

const (
	VerdictMeets       Verdict = "meets"
	VerdictDoesNotMeet Verdict = "does_not_meet"
)

// Severity of a finding; serious open findings block the application.
type Severity string

const (
	SeverityNormal  Severity = "normal"
	SeveritySerious Severity = "serious"
)

// Source says where the office found a problem.
type Source string

const (
	SourceSelfAssessment Source = "self_assessment" // a shortfall of the submitted evaluation
	SourceDataMonitoring Source = "data_monitoring" // 数据监测
	SourceThirdParty     Source = "third_party"     // 第三方评估
	SourceOnSite         Source = "on_site"         // 实地督导
)

// CycleID is the workflow ID of a district's year, e.g. cycle:2025:370211.
func CycleID(year int, district string) string { return fmt.Sprintf("cycle:%d:%s", year, district) }

// CreationPlanID is the workflow ID of a district's creation plan, e.g. plan:370211.
func CreationPlanID(district string) string { return "plan:" + district }

// SchoolID is the workflow ID of a school's own data for a year, e.g. school:2025:370211:3702110001.
func SchoolID(year int, district, school string) string {
	return fmt.Sprintf("school:%d:%s:%s", year, district, school)
}

// FindingID is the workflow ID of a rectification item, e.g. finding:2025:370211:3.
func FindingID(year int, district string, seq int) string {
	return fmt.Sprintf("finding:%d:%s:%d", year, district, seq)
}
