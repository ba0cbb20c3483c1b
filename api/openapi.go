package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
	"github.com/labstack/echo/v4"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/report"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// openAPI renders the OpenAPI 3.0 document of the routes. The route table gives the operations; openapi3gen
// reflects the schemas from the Go types the handlers decode and encode, to which customize adds what reflection
// cannot see (required fields, value sets). It panics on failure: the document is built from static types, and
// TestOpenAPIDocumentIsValid builds it.
func openAPI(routes []route) []byte {
	doc, err := openAPIDoc(routes)
	if err != nil {
		panic(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return out
}

const problemJSON = "application/problem+json"

func openAPIDoc(routes []route) (*openapi3.T, error) {
	schemas := openapi3.Schemas{}
	gen := openapi3gen.NewGenerator(
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{
			ExportComponentSchemas: true, ExportTopLevelSchema: true}),
		openapi3gen.CreateTypeNameGenerator(componentName),
		openapi3gen.SchemaCustomizer(customize))
	schema := func(v any) (*openapi3.SchemaRef, error) { return gen.NewSchemaRefForValue(v, schemas) }
	problemRef, err := schema(Problem{})
	if err != nil {
		return nil, err
	}
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{Title: "junheng 均衡 API", Version: "1",
			Description: "义务教育优质均衡发展督导评估工作流 / Workflow of the county evaluations of balanced " +
				"compulsory education. 所有错误均为 application/problem+json / " +
				"Every error is application/problem+json. POST 与 PUT 可带 Idempotency-Key 以安全重试 / " +
				"POST and PUT take an Idempotency-Key for safe retries."},
		Security: openapi3.SecurityRequirements{{"bearer": {}}},
		Components: &openapi3.Components{Schemas: schemas, Responses: errorResponses(problemRef),
			SecuritySchemes: openapi3.SecuritySchemes{"bearer": {Value: openapi3.NewSecurityScheme().
				WithType("http").WithScheme("bearer").WithDescription("API 令牌 / API token (jh_…)")}}},
	}
	for _, r := range routes {
		op, err := operation(r, schema)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
		}
		doc.AddOperation("/api/v1"+openAPIPath(r.path), r.method, op)
	}
	return doc, nil
}

// opDoc is what the document says of an operation beyond the route table.
type opDoc struct {
	zh      string   // the summary in Chinese
	formats []string // the values of ?format= besides json
	printed bool     // ?format=html answers 303 See Other to the page that prints it
	media   string   // the media type of a success answer that is not JSON
	also    []int    // success statuses besides the route's own
}

var opDocs = map[string]opDoc{
	"me":                  {zh: "当前调用者的身份与角色"},
	"create_token":        {zh: "签发 API 令牌(只显示一次: 用相同 Idempotency-Key 重试得 409)"},
	"create_district":     {zh: "登记区县"},
	"list_districts":      {zh: "区县列表(区县用户只见本区)"},
	"open_cycles":         {zh: "为每个已登记区县开启年度(有新开启为 201, 均已存在为 200)", also: []int{http.StatusOK}},
	"list_cycles":         {zh: "年度总览, 每区一行"},
	"get_cycle":           {zh: "区县的年度: 状态、最新评估、问题、历史"},
	"save_draft":          {zh: "保存自评草稿(JSON 或 .xlsx)并评估"},
	"get_draft":           {zh: "最新自评草稿, 为 JSON 或填入模板的 .xlsx(?format=xlsx)", formats: []string{"xlsx"}},
	"submit":              {zh: "将最新草稿提交为不可更改的版本"},
	"review":              {zh: "市级评估: 通过并列出问题, 或退回"},
	"list_cycle_findings": {zh: "区县本年度的问题, 含往年未销号的"},
	"apply":               {zh: "申请认定"},
	"acceptance":          {zh: "记录市级验收结果"},
	"province_result":     {zh: "记录省级评估结果"},
	"bulletin":            {zh: "定期进度通报", formats: []string{"xlsx"}, printed: true},
	"ledger":              {zh: "整改台账, 分页或 .xlsx", formats: []string{"xlsx"}},
	"get_finding":         {zh: "问题及其状态与历史"},
	"plan":                {zh: "提交整改方案"},
	"progress":            {zh: "报告整改进展及佐证"},
	"request_close":       {zh: "申请市教育督导室核验销号"},
	"verify":              {zh: "核验: 销号, 或附意见退回"},
	"request_extension":   {zh: "申请延期"},
	"decide_extension":    {zh: "批准或驳回延期申请"},
	"record_talk":         {zh: "记录约谈或通报"},
	"get_plan":            {zh: "区县创建方案及其各版本"},
	"submit_plan":         {zh: "提交创建方案或修订稿, 附责任书"},
	"review_plan":         {zh: "审核待审的创建方案: 批准或退回"},
	"district_progress":   {zh: "区县多年度报告: 方案、逐年进展、逐校台账", formats: []string{"xlsx"}, printed: true},
	"school_ledger":       {zh: "跨年度的逐校工作台账"},
	"city_progress":       {zh: "全市对照目标的多年度报告", formats: []string{"xlsx"}, printed: true},
	"accountability":      {zh: "进度滞后、问题逾期或挂牌督办、多次约谈通报的区县"},
	"notifications":       {zh: "调用者的通知"},
	"read_notification":   {zh: "将调用者本人的一条通知标为已读"},
	"deliveries":          {zh: "通知在各渠道的投递情况"},
	"audit":               {zh: "审计日志, 最新在前"},
	"upload_file":         {zh: "上传佐证文件(表单字段 file)"},
	"get_file":            {zh: "下载佐证文件", media: "*/*"},
	"evaluate":            {zh: "按内置标准(?profile=)评估自评数据而不保存(JSON 或 .xlsx)"},
	"template":            {zh: "Excel 自评模板", media: excel.ContentType},

	// the schools' own data (学校填报)
	"get_school_form":          {zh: "本校本年度数据: 状态、截止时间、退回理由、草稿"},
	"save_school_draft":        {zh: "保存本校数据为草稿, 按评估对学校的要求核对"},
	"submit_school":            {zh: "向区县提交本校草稿"},
	"school_statuses":          {zh: "区县各校本年度数据填报情况"},
	"open_school_round":        {zh: "开启本区县各校本年度数据填报(有新开启为 201, 均已开启为 200)", also: []int{http.StatusOK}},
	"accept_school":            {zh: "审核通过学校提交的数据"},
	"return_school":            {zh: "退回学校提交的数据并说明理由"},
	"set_school_deadline":      {zh: "为学校另定填报截止时间"},
	"assemble_self_assessment": {zh: "由各校审核通过的数据汇总自评并保存为草稿"},
}

var formatMedia = map[string]string{"xlsx": excel.ContentType}

func operation(r route, schema func(any) (*openapi3.SchemaRef, error)) (*openapi3.Operation, error) {
	d, ok := opDocs[r.action]
	if !ok {
		return nil, fmt.Errorf("opDocs has no %s", r.action)
	}
	roles := roleNames(r.allowed())
	op := &openapi3.Operation{OperationID: r.action, Summary: d.zh + " / " + r.summary,
		Description: "角色 / Roles: " + strings.Join(roles, ", "), Extensions: map[string]any{"x-roles": roles},
		Responses: openapi3.NewResponses()}
	for _, seg := range strings.Split(r.path, "/") {
		if name, ok := strings.CutPrefix(seg, ":"); ok {
			op.AddParameter(pathParameter(r.path, name))
		}
	}
	formats := d.formats
	if d.printed {
		formats = append(slices.Clip(formats), "html")
	}
	for _, q := range r.query {
		p, err := queryParameter(r.action, q, formats)
		if err != nil {
			return nil, err
		}
		op.AddParameter(p)
	}
	if r.method != http.MethodGet {
		op.AddParameter(openapi3.NewHeaderParameter(headerIdempotencyKey).
			WithDescription("重试时带相同的键, 操作只执行一次 / Retry with the same key: the action runs once").
			WithSchema(openapi3.NewStringSchema().WithMaxLength(200)))
	}
	body, err := requestBody(r, schema)
	if err != nil {
		return nil, err
	}
	op.RequestBody = body
	content, err := successContent(r, d, schema)
	if err != nil {
		return nil, err
	}
	for _, status := range append([]int{cmp.Or(r.status, http.StatusOK)}, d.also...) {
		op.AddResponse(status, openapi3.NewResponse().WithDescription(successText[status]).WithContent(content))
	}
	if d.printed {
		see := openapi3.NewResponse().WithDescription("?format=html: 转至打印页面(需登录) / " +
			"To the printable page (signed in)")
		see.Headers = openapi3.Headers{"Location": {Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: "页面 / The page", Schema: openapi3.NewStringSchema().NewRef()}}}}
		op.AddResponse(http.StatusSeeOther, see)
	}
	for _, status := range errorStatuses(r) {
		ref := &openapi3.ResponseRef{Ref: "#/components/responses/" + errorName(status)}
		op.Responses.Set(strconv.Itoa(status), ref)
	}
	return op, nil
}

var successText = map[int]string{http.StatusOK: "成功 / OK", http.StatusCreated: "已创建 / Created",
	http.StatusNoContent: "已完成 / Done"}

func pathParameter(routePath, name string) *openapi3.Parameter {
	p := openapi3.NewPathParameter(name)
	switch {
	case name == "year":
		return p.WithDescription("年度 / Year").WithSchema(openapi3.NewIntegerSchema().WithMin(2000).WithMax(2200))
	case name == "school":
		return p.WithDescription("学校标识码(10 位) / School code (10 digits)").
			WithSchema(openapi3.NewStringSchema())
	case name == "code":
		return p.WithDescription("区县代码 / District code (GB/T 2260)").
			WithSchema(openapi3.NewStringSchema().WithPattern(usecase.DistrictCode.String()))
	case strings.HasPrefix(routePath, "/notifications/"):
		return p.WithDescription("通知编号 / Notification ID").WithSchema(openapi3.NewInt64Schema())
	case strings.HasPrefix(routePath, "/files/"):
		return p.WithDescription("文件编号, 即内容的 SHA-256 / File ID, its content's SHA-256").
			WithSchema(openapi3.NewStringSchema())
	}
	return p.WithDescription("问题编号, 如 finding:2025:370211:3 / Finding ID, e.g. finding:2025:370211:3").
		WithSchema(openapi3.NewStringSchema())
}

// queryParameter describes a query parameter; formats are the route's answers besides JSON.
func queryParameter(action, name string, formats []string) (*openapi3.Parameter, error) {
	p := openapi3.NewQueryParameter(name)
	integer := func(min, max float64) *openapi3.Schema {
		s := openapi3.NewIntegerSchema().WithMin(min)
		if max > 0 {
			s.WithMax(max)
		}
		return s
	}
	switch name {
	case "format":
		return p.WithDescription("应答格式 / Answer format").WithSchema(openapi3.NewStringSchema().
			WithEnum(enumOf(append([]string{"json"}, formats...)...)...)), nil
	case "year":
		return p.WithDescription("年度 / Year").WithSchema(integer(2000, 2200)), nil
	case "from", "to":
		return p.WithDescription("起止年度 / First and last year").WithSchema(integer(2000, 2100)), nil
	case "page":
		return p.WithDescription("页码 / Page").WithSchema(integer(1, 0)), nil
	case "per_page", "limit":
		return p.WithDescription("条数上限 / At most this many").WithSchema(integer(1, 500)), nil
	case "before":
		return p.WithDescription("只列此编号之前的 / Only entries before this ID").WithSchema(integer(1, 0)), nil
	case "overdue":
		return p.WithDescription("只列逾期或未逾期的 / Overdue ones only, or others only").
			WithSchema(openapi3.NewBoolSchema()), nil
	case "unread":
		return p.WithDescription("只列未读的 / Unread ones only").WithSchema(openapi3.NewBoolSchema()), nil
	case "district":
		return p.WithDescription("区县代码 / District code").
			WithSchema(openapi3.NewStringSchema().WithPattern(usecase.DistrictCode.String())), nil
	case "severity":
		return p.WithDescription("严重程度 / Severity").
			WithSchema(openapi3.NewStringSchema().WithEnum(severities...)), nil
	case "status":
		values := itemStatuses
		if action == "deliveries" {
			values = deliveryStatuses
		}
		return p.WithDescription("状态 / Status").WithSchema(openapi3.NewStringSchema().WithEnum(values...)), nil
	case "profile":
		return p.WithDescription("内置评估标准 / Built-in standard").WithSchema(openapi3.NewStringSchema().
			WithEnum(enumOf(evaluation.BuiltinNames()...)...)), nil
	case "school":
		return p.WithDescription("学校代码 / School code").WithSchema(openapi3.NewStringSchema()), nil
	case "target":
		return p.WithDescription("对象, 如 cycle:2025:370211 / Target, e.g. cycle:2025:370211").
			WithSchema(openapi3.NewStringSchema()), nil
	case "action":
		return p.WithDescription("操作, 即 operationId / Action: an operationId").
			WithSchema(openapi3.NewStringSchema()), nil
	}
	return nil, fmt.Errorf("query parameter %s is not described", name)
}

var binary = openapi3.NewStringSchema().WithFormat("binary")

// requestBody is the JSON body of a route and, for uploads, a workbook or a multipart form.
func requestBody(r route, schema func(any) (*openapi3.SchemaRef, error)) (*openapi3.RequestBodyRef, error) {
	content := openapi3.Content{}
	if r.body != nil {
		ref, err := schema(r.body)
		if err != nil {
			return nil, err
		}
		content[echo.MIMEApplicationJSON] = openapi3.NewMediaType().WithSchemaRef(ref)
	}
	if r.upload {
		form := openapi3.NewObjectSchema().WithProperty("file", binary).WithRequired([]string{"file"})
		if r.body != nil { // a self-assessment: the filled template, sent as it is or as a form
			content[excel.ContentType] = openapi3.NewMediaType().WithSchema(binary)
		} else { // an evidence file, which the office may file for a district
			district := openapi3.NewStringSchema().WithPattern(usecase.DistrictCode.String())
			district.Description = "区县代码(市教育督导室上传时) / District code (office uploads)"
			form.WithProperty("district", district)
		}
		content[echo.MIMEMultipartForm] = openapi3.NewMediaType().WithSchema(form)
	}
	if len(content) == 0 {
		return nil, nil
	}
	return &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithContent(content)}, nil
}

// successContent is the success answer's: JSON, and the other formats the route renders.
func successContent(r route, d opDoc, schema func(any) (*openapi3.SchemaRef, error)) (openapi3.Content, error) {
	content := openapi3.Content{}
	if r.response != nil {
		ref, err := schema(r.response)
		if err != nil {
			return nil, err
		}
		content[echo.MIMEApplicationJSON] = openapi3.NewMediaType().WithSchemaRef(ref)
	}
	for _, f := range d.formats {
		content[formatMedia[f]] = openapi3.NewMediaType().WithSchema(binary)
	}
	if d.media != "" {
		content[d.media] = openapi3.NewMediaType().WithSchema(binary)
	}
	if len(content) == 0 {
		return nil, nil
	}
	return content, nil
}

// errorStatuses are a route's error answers: those of the middleware it passes (authentication and its throttle,
// the body limit, Idempotency-Key, roles, the district's scope) and of its handler.
func errorStatuses(r route) []int {
	s := []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusServiceUnavailable} // every route reads the database
	if len(r.allowed()) < len(usecase.Roles) {
		s = append(s, http.StatusForbidden)
	}
	if strings.Contains(r.path, "/:") {
		s = append(s, http.StatusNotFound) // unknown, or another district's
	}
	switch {
	case r.method != http.MethodGet: // a workflow's refusal or a key in use; the body limit; invalid fields
		s = append(s, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity)
	case len(r.query) > 0:
		s = append(s, http.StatusUnprocessableEntity)
	}
	if r.upload && r.body != nil {
		s = append(s, http.StatusUnsupportedMediaType) // neither JSON nor a workbook
	}
	slices.Sort(s)
	return s
}

// errorTexts describe the error answers, each a Problem.
var errorTexts = map[int]string{
	http.StatusUnauthorized: "未提供有效的访问令牌 / A valid bearer token is required",
	http.StatusForbidden:    "当前角色无权进行此操作 / The caller's role may not do this",
	http.StatusNotFound:     "资源不存在, 或属于其他区县 / No such resource, or another district's",
	http.StatusConflict: "与当前状态冲突(reasons 列出原因), 或相同 Idempotency-Key 的请求仍在处理 / " +
		"Refused in the current state (reasons lists why), or a request with this Idempotency-Key is in progress",
	http.StatusRequestEntityTooLarge: "请求内容超过大小限制 / The body is larger than allowed",
	http.StatusUnsupportedMediaType:  "请以 JSON 或 .xlsx 提交 / Send JSON or an .xlsx workbook",
	http.StatusUnprocessableEntity:   "数据有误, errors 逐项列出 / Invalid input: errors lists every failing field",
	http.StatusTooManyRequests:       "请求过于频繁, 见 Retry-After / Too many requests: see Retry-After",
	http.StatusInternalServerError:   "服务器内部错误, 请凭 request_id 联系管理员 / Internal error: quote request_id",
	http.StatusServiceUnavailable: "数据库或工作流服务暂时不可用, 请用相同的 Idempotency-Key 重试 / The database or " +
		"the workflow service is unavailable: retry with the same Idempotency-Key",
}

func errorName(status int) string { return strings.ReplaceAll(http.StatusText(status), " ", "") }

// errorResponses are the shared error answers, each a Problem; 429 and 503 may say when to retry.
func errorResponses(problem *openapi3.SchemaRef) openapi3.ResponseBodies {
	retry := openapi3.Headers{"Retry-After": {Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: "几秒后重试 / Seconds to wait before retrying", Schema: openapi3.NewIntegerSchema().NewRef()}}}}
	out := openapi3.ResponseBodies{}
	for status, text := range errorTexts {
		resp := openapi3.NewResponse().WithDescription(text).
			WithContent(openapi3.NewContentWithSchemaRef(problem, []string{problemJSON}))
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			resp.Headers = retry
		}
		out[errorName(status)] = &openapi3.ResponseRef{Value: resp}
	}
	return out
}

func roleNames(roles []vocab.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

// openAPIPath turns echo's :param into OpenAPI's {param}.
func openAPIPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

func enumOf[T ~string](values ...T) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// The value sets of the API's strings, listed once. TestEnumsListEveryConstant checks each against the constants
// its package declares, and the review's decisions and the talks' kinds against what the workflows compare them
// with.
var (
	stages = enumOf(vocab.StageSelfAssessment, vocab.StageCityReview, vocab.StageRectification,
		vocab.StageCityAcceptance, vocab.StageProvinceReview, vocab.StageCertified,
		vocab.StageNotCertified, vocab.StageNotApplied)
	itemStatuses = enumOf(vocab.ItemOpen, vocab.ItemInProgress, vocab.ItemAwaitingVerification,
		vocab.ItemClosed)
	planStatuses = enumOf(vocab.PlanSubmitted, vocab.PlanApproved, vocab.PlanReturned,
		vocab.PlanSuperseded)
	severities = enumOf(vocab.SeverityNormal, vocab.SeveritySerious)
	sources    = enumOf(vocab.SourceSelfAssessment, vocab.SourceDataMonitoring, vocab.SourceThirdParty,
		vocab.SourceOnSite)
	verdicts         = enumOf(evaluation.Meets, evaluation.DoesNotMeet)
	deliveryStatuses = enumOf(store.Delivered, store.Retrying, store.Failed)
	reviewDecisions  = []any{"approve", "return"}
	talkKinds        = []any{"talk", "circular"}

	schoolStatuses = enumOf(vocab.SchoolNotStarted, vocab.SchoolDraft, vocab.SchoolSubmitted, vocab.SchoolReturned,
		vocab.SchoolAccepted)
	kinds = enumOf(evaluation.Kinds...)
)

// typeEnums are the value sets of the string types.
var typeEnums = map[reflect.Type][]any{
	reflect.TypeFor[vocab.CycleStage]():         stages,
	reflect.TypeFor[vocab.ItemStatus]():         itemStatuses,
	reflect.TypeFor[vocab.CreationPlanStatus](): planStatuses,
	reflect.TypeFor[vocab.Role](): enumOf(append(slices.Clone(usecase.Roles),
		vocab.RoleSystem)...),
	reflect.TypeFor[vocab.Severity]():         severities,
	reflect.TypeFor[vocab.Source]():           sources,
	reflect.TypeFor[vocab.SchoolStatus]():     schoolStatuses,
	reflect.TypeFor[evaluation.Kind]():        kinds,
	reflect.TypeFor[evaluation.SchoolStage](): enumOf(evaluation.Primary, evaluation.Junior, evaluation.Senior),
	reflect.TypeFor[evaluation.Verdict]():     verdicts,
	reflect.TypeFor[evaluation.Part](): enumOf(evaluation.PartVeto, evaluation.PartPrerequisite,
		evaluation.PartResource, evaluation.PartGovernment, evaluation.PartQuality, evaluation.PartRecognition),
	reflect.TypeFor[evaluation.Scope](): enumOf(evaluation.ScopeDistrict, evaluation.ScopeStage,
		evaluation.ScopeSchool),
	reflect.TypeFor[evaluation.Op](): enumOf(evaluation.AtLeast, evaluation.AtMost, evaluation.Below,
		evaluation.Equal),
}

// fieldEnums are the value sets of plain string fields, by struct and JSON name: the read model's copies of the
// types above, and request fields that the workflows check.
var fieldEnums = map[reflect.Type]map[string][]any{
	reflect.TypeFor[store.Cycle]():       {"stage": stages, "verdict": append([]any{""}, verdicts...)},
	reflect.TypeFor[store.Finding]():     {"source": sources, "severity": severities, "status": itemStatuses},
	reflect.TypeFor[store.Plan]():        {"status": planStatuses},
	reflect.TypeFor[store.PlanVersion](): {"status": planStatuses},
	reflect.TypeFor[store.Delivery]():    {"status": deliveryStatuses},
	reflect.TypeFor[store.Notification](): {"recipient": enumOf(workflows.ToProvince, workflows.ToOffice,
		workflows.ToDistrict, workflows.ToSchool)},
	reflect.TypeFor[report.BulletinRow](): {"stage": stages, "verdict": append([]any{""}, verdicts...)},
	reflect.TypeFor[reviewRequest]():      {"decision": reviewDecisions},
	reflect.TypeFor[talkRequest]():        {"kind": talkKinds},
	reflect.TypeFor[Principal]():          {"role": enumOf(usecase.Roles...)},
	// the core's request types
	reflect.TypeFor[usecase.TokenRequest](): {"role": enumOf(usecase.Roles...)},

	// the schools' own data (学校填报)
	reflect.TypeFor[store.SchoolReturn]():      {"status": schoolStatuses},
	reflect.TypeFor[store.School]():            {"kind": kinds},
	reflect.TypeFor[usecase.SchoolStatusRow](): {"kind": kinds},
}

var (
	marshalerType = reflect.TypeFor[json.Marshaler]()
	valuesType    = reflect.TypeFor[evaluation.Values]()
	amountType    = reflect.TypeFor[evaluation.Amount]()
)

// componentName names a struct's schema by its package and type, as two packages may have types of the same name
// (store.Plan and progress.Plan); the api package's own are bare. A type that encodes itself is described in
// place (customize), not as its fields.
func componentName(t reflect.Type) string {
	switch pkg := path.Base(t.PkgPath()); {
	case t.Implements(marshalerType):
		return ""
	case pkg == "api":
		return t.Name()
	default:
		return pkg + "." + t.Name()
	}
}

// customize adds to a reflected schema what reflection cannot see: the value sets, the fields always present
// (required), and the JSON of the types that encode themselves.
func customize(_ string, t reflect.Type, _ reflect.StructTag, s *openapi3.Schema) error {
	s.Enum = typeEnums[t]
	switch t {
	case valuesType: // {"indicator key": value, …}
		*s = *openapi3.NewObjectSchema().WithAdditionalProperties(openapi3.NewFloat64Schema())
	case amountType: // a number, yes or no, or null when the data is missing
		*s = openapi3.Schema{Nullable: true, OneOf: openapi3.SchemaRefs{openapi3.NewFloat64Schema().NewRef(),
			openapi3.NewBoolSchema().NewRef()}}
	}
	if t.Kind() != reflect.Struct || s.Properties == nil {
		return nil
	}
	s.Required = nil
	if err := describeFields(t, s); err != nil {
		return err
	}
	slices.Sort(s.Required)
	s.Required = slices.Compact(s.Required) // an embedded struct's field may be shadowed
	return nil
}

// describeFields adds what t's fields say to its schema: those always encoded are required (those without
// omitempty or omitzero, nor the evaluation decoder's optional, a field it does not require either), and plain
// strings may have a value set. Embedded structs' fields are t's.
func describeFields(t reflect.Type, s *openapi3.Schema) error {
	for name, values := range fieldEnums[t] {
		p := s.Properties[name]
		if p == nil || p.Value == nil {
			return fmt.Errorf("fieldEnums: %s has no field %s", t, name)
		}
		p.Value.Enum = values
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			if err := describeFields(f.Type, s); err != nil {
				return err
			}
			continue
		}
		name = cmp.Or(name, f.Name)
		omitted := slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool {
			return o == "omitempty" || o == "omitzero" || o == "optional"
		})
		if _, ok := s.Properties[name]; ok && f.IsExported() && !omitted {
			s.Required = append(s.Required, name)
		}
	}
	return nil
}
