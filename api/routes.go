package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"junheng/evaluation"
	"junheng/progress"
	"junheng/report"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// route is one API operation: how it is reached, who may call it, and what it takes and returns. The same table
// registers the handlers and generates the OpenAPI document, so the two cannot disagree.
type route struct {
	method, path string
	action       string // operation ID and audit action
	summary      string
	roles        []vocab.Role // nil: every role of a district or above (readers)
	body         any          // JSON request body, for the document
	response     any          // success body, for the document
	query        []string
	upload       bool // accepts .xlsx or multipart bodies up to UploadBodyBytes
	secret       bool // the answer holds a secret: it is shown once, never kept for an Idempotency-Key retry
	status       int  // success status when not 200
	handler      echo.HandlerFunc
}

// UploadBodyBytes bounds the bodies of upload routes (self-assessment workbooks, evidence files).
const UploadBodyBytes = 25 << 20

func (s *Server) routes() []route {
	var (
		office      = []vocab.Role{vocab.RoleOffice}
		district    = []vocab.Role{vocab.RoleDistrict}
		setup       = []vocab.Role{vocab.RoleAdmin, vocab.RoleOffice}
		overseers   = []vocab.Role{vocab.RoleAdmin, vocab.RoleOffice, vocab.RoleProvince}
		provinceSay = []vocab.Role{vocab.RoleProvince, vocab.RoleOffice}
		auditors    = []vocab.Role{vocab.RoleAdmin, vocab.RoleOffice}
		recipients  = []vocab.Role{vocab.RoleProvince, vocab.RoleOffice, vocab.RoleDistrict, vocab.RoleSchool}
		school      = []vocab.Role{vocab.RoleSchool}
		cycle       = "/cycles/:year/districts/:code"
		schools     = cycle + "/schools"
		own         = "/schools/:year/own"
		finding     = "/findings/:id"
		plan        = "/districts/:code/plan"
	)
	return []route{
		{method: "GET", path: "/me", action: "me", summary: "The caller's identity and role", response: Principal{},
			roles: usecase.Roles, handler: s.me},
		{method: "POST", path: "/tokens", action: "create_token",
			summary: "Issue an API token (shown once: a retry with the same Idempotency-Key answers 409)",
			roles:   []vocab.Role{vocab.RoleAdmin}, body: usecase.TokenRequest{},
			response: usecase.IssuedToken{}, status: http.StatusCreated, secret: true, handler: s.createToken},
		{method: "POST", path: "/districts", action: "create_district", summary: "Register a district", roles: setup,
			body: districtRequest{}, response: store.District{}, status: http.StatusCreated, handler: s.createDistrict},
		{method: "GET", path: "/districts", action: "list_districts", summary: "Districts (a district sees itself)",
			response: []store.District{}, handler: s.listDistricts},
		{method: "POST", path: "/cycles", action: "open_cycles",
			summary: "Open a year for every registered district (201 when any was opened, 200 when all existed)",
			roles:   office, status: http.StatusCreated, body: openCyclesRequest{}, response: usecase.YearOpened{},
			handler: s.openCycles},
		{method: "GET", path: "/cycles/:year", action: "list_cycles",
			summary: "A year's overview, one row per district", response: []usecase.CycleRow{}, handler: s.listCycles},
		{method: "GET", path: cycle, action: "get_cycle",
			summary: "A district's year: state, latest evaluation, findings, history", response: usecase.CycleView{},
			handler: s.getCycle},
		{method: "PUT", path: cycle + "/self-assessment", action: "save_draft",
			summary: "Save a self-assessment draft (JSON or .xlsx) and evaluate it", roles: district,
			body: evaluation.Input{}, response: selfAssessmentSaved{}, upload: true, handler: s.saveSelfAssessment},
		{method: "GET", path: cycle + "/self-assessment", action: "get_draft",
			summary: "The latest saved draft with its evaluation, or its data filled into the template (?format=xlsx)",
			query:   []string{"format"}, response: usecase.SavedDraft{}, handler: s.getSelfAssessment},
		{method: "POST", path: cycle + "/self-assessment/submit", action: "submit",
			summary: "Submit the latest draft as an immutable version", roles: district,
			response: workflows.CycleState{}, handler: s.submit},
		{method: "POST", path: cycle + "/review", action: "review",
			summary: "Approve with findings, or return, a submitted self-assessment", roles: office,
			body: reviewRequest{}, response: workflows.CycleState{}, handler: s.review},
		{method: "POST", path: cycle + "/self-assessment/assemble", action: "assemble_self_assessment",
			summary: "Gather the self-assessment from the schools' accepted data and save it as a draft",
			roles:   district, response: usecase.DraftSaved{}, handler: s.assembleSelfAssessment},
		{method: "GET", path: schools, action: "school_statuses",
			summary:  "Where each school of the district stands with its own data for the year",
			response: []usecase.SchoolStatusRow{}, handler: s.schoolStatuses},
		{method: "POST", path: schools, action: "open_school_round",
			summary: "Open the year for the district's schools to fill in their own data (201 when any was " +
				"opened, 200 when all were open)", roles: district, body: openSchoolsRequest{},
			response: usecase.SchoolRoundOpened{}, status: http.StatusCreated, handler: s.openSchoolRound},
		{method: "POST", path: schools + "/:school/accept", action: "accept_school",
			summary: "Accept a school's submitted data", roles: district, response: workflows.SchoolState{},
			handler: s.acceptSchool},
		{method: "POST", path: schools + "/:school/return", action: "return_school",
			summary: "Return a school's submitted data with the reason, to be corrected", roles: district,
			body: schoolReturnRequest{}, response: workflows.SchoolState{}, handler: s.returnSchool},
		{method: "POST", path: schools + "/:school/deadline", action: "set_school_deadline",
			summary: "Give a school a new deadline", roles: district, body: schoolDeadlineRequest{},
			response: workflows.SchoolState{}, handler: s.setSchoolDeadline},
		{method: "GET", path: own, action: "get_school_form",
			summary: "The school's own data for the year: status, deadline, the district's reason, draft",
			roles:   school, response: usecase.SchoolFormView{}, handler: s.getSchoolForm},
		{method: "PUT", path: own, action: "save_school_draft",
			summary: "Save the school's own data as its draft, checked as the evaluation checks a school",
			roles:   school, body: evaluation.School{}, response: store.SchoolDraft{}, handler: s.saveSchoolDraft},
		{method: "POST", path: own + "/submit", action: "submit_school",
			summary: "Submit the school's draft to its district", roles: school, response: workflows.SchoolState{},
			handler: s.submitSchool},
		{method: "GET", path: cycle + "/findings", action: "list_cycle_findings",
			summary: "A district's findings of the year, with open ones carried over", response: []store.Finding{},
			handler: s.cycleFindings},
		{method: "POST", path: cycle + "/application", action: "apply", summary: "Apply for certification",
			roles: district, response: workflows.CycleState{}, handler: s.apply},
		{method: "POST", path: cycle + "/acceptance", action: "acceptance",
			summary: "Record the city's acceptance check (验收)", roles: office, body: decisionRequest{},
			response: workflows.CycleState{}, handler: s.acceptance},
		{method: "POST", path: cycle + "/province-result", action: "province_result",
			summary: "Record the province's result", roles: provinceSay, body: decisionRequest{},
			response: workflows.CycleState{}, handler: s.provinceResult},
		{method: "GET", path: "/cycles/:year/bulletin", action: "bulletin",
			summary: "The progress bulletin (定期通报); ?format=html: 303 to the printable page", roles: overseers,
			query: []string{"format"}, response: report.Bulletin{}, handler: s.getBulletin},
		{method: "GET", path: "/findings", action: "ledger",
			summary:  "The rectification ledger (整改台账), paginated or as .xlsx",
			query:    []string{"year", "district", "status", "severity", "overdue", "page", "per_page", "format"},
			response: usecase.LedgerPage{}, handler: s.ledger},
		{method: "GET", path: finding, action: "get_finding", summary: "A finding with its state and history",
			response: usecase.FindingView{}, handler: s.getFinding},
		{method: "POST", path: finding + "/plan", action: "plan", summary: "Give the rectification plan",
			roles: district, body: planRequest{}, response: workflows.ItemState{}, handler: s.planFinding},
		{method: "POST", path: finding + "/progress", action: "progress", summary: "Report progress with evidence",
			roles: district, body: noteRequest{}, response: workflows.ItemState{}, handler: s.reportProgress},
		{method: "POST", path: finding + "/request-close", action: "request_close",
			summary: "Ask the office to verify and close (销号)", roles: district, body: noteRequest{},
			response: workflows.ItemState{}, handler: s.requestClose},
		{method: "POST", path: finding + "/verify", action: "verify",
			summary: "Verify: close, or send back with a comment", roles: office, body: verifyRequest{},
			response: workflows.ItemState{}, handler: s.verify},
		{method: "POST", path: finding + "/extension", action: "request_extension", summary: "Request a later due date",
			roles: district, body: extensionRequest{}, response: workflows.ItemState{}, handler: s.extension},
		{method: "POST", path: finding + "/extension/decision", action: "decide_extension",
			summary: "Approve or reject the extension request", roles: office, body: extensionDecisionRequest{},
			response: workflows.ItemState{}, handler: s.extensionDecision},
		{method: "POST", path: finding + "/talks", action: "record_talk",
			summary: "Record a formal talk (约谈) or circular (通报)", roles: office, body: talkRequest{},
			response: workflows.ItemState{}, handler: s.talk},
		{method: "GET", path: plan, action: "get_plan", summary: "A district's creation plan with every version",
			response: usecase.CreationPlanView{}, handler: s.getPlan},
		{method: "PUT", path: plan, action: "submit_plan",
			summary: "Submit the creation plan or a revision, with the responsibility letter", roles: district,
			body: creationPlanRequest{}, response: workflows.CreationPlanState{}, handler: s.submitPlan},
		{method: "POST", path: plan + "/review", action: "review_plan",
			summary: "Approve or return the plan awaiting review", roles: office, body: planReviewRequest{},
			response: workflows.CreationPlanState{}, handler: s.reviewPlan},
		{method: "GET", path: "/districts/:code/progress", action: "district_progress",
			summary: "A district's multi-year report: plan, yearly progress, school ledger; " +
				"?format=html: 303 to the printable page",
			query: []string{"from", "to", "format"}, response: progress.DistrictReport{},
			handler: s.getDistrictProgress},
		{method: "GET", path: "/districts/:code/schools", action: "school_ledger",
			summary: "The school-by-school ledger across years (逐校工作台账)", query: []string{"from", "to", "school"},
			response: []progress.SchoolLedger{}, handler: s.getSchools},
		{method: "GET", path: "/progress", action: "city_progress",
			summary: "The city's multi-year report against its targets; ?format=html: 303 to the printable page",
			roles:   overseers, query: []string{"from", "to", "format"}, response: progress.CityReport{},
			handler: s.getCityProgress},
		{method: "GET", path: "/accountability", action: "accountability",
			summary: "Districts lagging, with overdue or escalated items, or repeated talks and circulars",
			roles:   overseers, query: []string{"year"}, response: usecase.AccountabilityList{},
			handler: s.getAccountability},
		{method: "GET", path: "/notifications", action: "notifications", summary: "The caller's notifications",
			roles: usecase.Roles, query: []string{"unread"}, response: []store.Notification{},
			handler: s.notifications},
		{method: "POST", path: "/notifications/:id/read", action: "read_notification",
			summary: "Mark one of the caller's own notifications read", roles: recipients, status: http.StatusNoContent,
			handler: s.readNotification},
		{method: "GET", path: "/deliveries", action: "deliveries",
			summary: "How notifications fared on the configured channels", roles: auditors, query: []string{"status"},
			response: []store.Delivery{}, handler: s.deliveries},
		{method: "GET", path: "/audit", action: "audit", summary: "The audit trail, newest first", roles: auditors,
			query: []string{"district", "target", "action", "before", "limit"}, response: []store.AuditEvent{},
			handler: s.audit},
		{method: "POST", path: "/files", action: "upload_file",
			summary: "Upload an evidence file (multipart field file)", upload: true, response: store.File{},
			status: http.StatusCreated, handler: s.uploadFile},
		{method: "GET", path: "/files/:id", action: "get_file", summary: "Download an evidence file",
			handler: s.getFile},
		{method: "POST", path: "/evaluate", action: "evaluate",
			summary: "Evaluate a self-assessment without storing it (JSON or .xlsx), by a built-in ?profile=",
			query:   []string{"profile"}, body: evaluation.Input{}, response: evaluation.Result{}, upload: true,
			handler: s.evaluate},
		{method: "GET", path: "/templates/self-assessment.xlsx", action: "template",
			summary: "The Excel self-assessment template", handler: s.template},
	}
}

// register mounts the routes under /api/v1 behind authentication, per-token rate limits, idempotency and the
// audit trail; the OpenAPI document is public.
func (s *Server) register(e *echo.Echo, ratePerSecond float64) {
	routes := s.routes()
	doc := openAPI(routes)
	e.GET("/api/v1/openapi.json", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, doc) })
	e.GET("/public/summary", s.getPublicSummary)

	// The outer body limit comes before idempotency, which reads whole bodies; routes then set their own.
	v1 := e.Group("/api/v1", middleware.BodyLimit(strconv.Itoa(UploadBodyBytes)), s.authenticate)
	if ratePerSecond > 0 {
		v1.Use(rateLimit(ratePerSecond))
	}
	v1.Use(s.idempotent)
	for _, r := range routes {
		var mw []echo.MiddlewareFunc
		if !r.upload {
			mw = append(mw, middleware.BodyLimit(strconv.Itoa(MaxBodyBytes)))
		}
		if r.secret {
			mw = append(mw, answersSecret)
		}
		if r.method != http.MethodGet {
			mw = append(mw, s.auditTrail(r.action)) // before the role check: refused attempts are recorded too
		}
		mw = append(mw, allow(r.allowed()...))
		switch {
		case strings.Contains(r.path, ":code"):
			mw = append(mw, s.scopeDistrict)
		case strings.HasPrefix(r.path, "/findings/:id"):
			mw = append(mw, s.scopeFinding)
		}
		v1.Add(r.method, r.path, r.handler, mw...).Name = r.action
	}
}

// rateLimit bounds each token's request rate (bursts of twice the rate).
func rateLimit(perSecond float64) echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(perSecond), Burst: int(2 * perSecond)}),
		IdentifierExtractor: func(c echo.Context) (string, error) {
			return strconv.FormatInt(principal(c).TokenID, 10), nil
		},
		DenyHandler: func(echo.Context, string, error) error { return echo.ErrTooManyRequests },
	})
}

// readers are the roles that read a district's data: a school reaches only its own school's routes.
var readers = []vocab.Role{vocab.RoleAdmin, vocab.RoleProvince, vocab.RoleOffice, vocab.RoleDistrict}

// allowed are the roles that may call r.
func (r route) allowed() []vocab.Role {
	if r.roles == nil {
		return readers
	}
	return r.roles
}

// RouteInfo describes an API route for tests and tools.
type RouteInfo struct {
	Method, Path, Action string
	Roles                []vocab.Role // every role allowed to call it
}

// Routes lists the API's routes with the roles each allows; paths are as mounted, e.g. /api/v1/findings/:id.
func Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range (&Server{}).routes() {
		out = append(out, RouteInfo{Method: r.method, Path: "/api/v1" + r.path, Action: r.action,
			Roles: r.allowed()})
	}
	return out
}
