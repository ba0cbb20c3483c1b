package web

import (
	"context"
	"net/http"
)

type langKey struct{}

// language reads ?lang=en|zh (and keeps it in a cookie) or the cookie; Chinese is the default.
func (s *server) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := "zh"
		if c, err := r.Cookie("junheng_lang"); err == nil && c.Value == "en" {
			lang = "en"
		}
		if q := r.URL.Query().Get("lang"); q == "en" || q == "zh" {
			lang = q
			http.SetCookie(w, s.cookie(r, "junheng_lang", q, 365*24*3600))
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey{}, lang)))
	})
}

func english(r *http.Request) bool { return r.Context().Value(langKey{}) == "en" }

func (s *server) t(r *http.Request, key string) string { return translate(english(r), key) }

func translate(en bool, key string) string {
	m, ok := catalogue[key]
	if !ok {
		return key
	}
	if en {
		return m[1]
	}
	return m[0]
}

// catalogue holds every fixed text of the pages: Chinese, English.
var catalogue = map[string][2]string{
	"app":              {"义务教育优质均衡发展县创建工作平台", "County high-quality balanced education platform"},
	"sign_in":          {"登录", "Sign in"},
	"sign_out":         {"退出", "Sign out"},
	"token":            {"访问令牌", "API token"},
	"token_hint":       {"请输入管理员发放的访问令牌(jh_ 开头)", "Enter the API token you were given (starts with jh_)"},
	"token_sign_in":    {"使用 API 令牌登录(系统集成)", "Sign in with an API token (integrations)"},
	"login_name":       {"登录名", "Login name"},
	"password":         {"密码", "Password"},
	"change_password":  {"修改密码", "Change password"},
	"current_password": {"当前密码", "Current password"},
	"new_password":     {"新密码", "New password"},
	"confirm_password": {"再次输入新密码", "New password again"},
	"password_changed": {"密码已修改", "The password is changed"},
	"to_work":          {"进入工作页面", "Go to your work"},
	"totp":             {"双重验证", "Two-step sign-in"},
	"totp_code":        {"动态验证码(已开启双重验证时填写)", "Code from your app (if two-step sign-in is on)"},
	"totp_on": {"双重验证已开启: 今后登录须输入应用显示的动态验证码",
		"Two-step sign-in is on: signing in now asks for the app's code"},
	"totp_off": {"双重验证已关闭", "Two-step sign-in is off"},
	"totp_is_on": {"双重验证已开启。关闭须输入密码; 手机丢失时请联系管理员重置密码(重置同时关闭双重验证)。",
		"Two-step sign-in is on. Turning it off takes your password; if the phone is lost, ask an " +
			"administrator to reset your password (which turns it off)."},
	"totp_setup": {"用身份验证器应用(任一 TOTP 应用)扫描二维码或输入密钥, 再输入应用显示的 6 位数字。",
		"Scan the QR code or type the key into an authenticator app (any TOTP app), then enter the 6 digits it shows."},
	"totp_key":     {"密钥", "Key"},
	"totp_enable":  {"开启双重验证", "Turn on"},
	"totp_disable": {"关闭双重验证", "Turn off"},
	"oidc_sign_in": {"统一身份认证登录", "Sign in with the unified identity"},
	"oidc_failed":  {"统一身份认证登录未完成, 请重试", "The unified sign-in did not complete; try again"},
	"oidc_unavailable": {"统一身份认证服务暂时无法访问, 请稍后重试或使用登录名和密码",
		"The unified identity service cannot be reached; try again later or use your login name and password"},
	"password_rules": {"首次登录或密码被重置后须先修改密码。新密码至少 10 个字符, 包含小写字母、大写字母、数字、符号中的至少三类, 且不含登录名。",
		"After a first sign-in or a reset, change the password first. The new one has at least 10 characters, mixes " +
			"at least three of lower case, upper case, digits and symbols, and does not contain the login name."},
	"token_invalid":       {"访问令牌无效或已停用", "The token is invalid or revoked"},
	"session_expired":     {"登录已过期, 请重新登录", "Your session has expired; sign in again"},
	"csrf_failed":         {"表单已失效, 请刷新页面后重试", "The form has expired; reload the page and retry"},
	"login_form_only":     {"只接受登录页面提交的表单(不超过 16 KiB)", "Only the sign-in form is accepted, up to 16 KiB"},
	"too_many_sign_ins":   {"访问令牌错误次数过多, 请 1 分钟后再试", "Too many wrong tokens; try again in a minute"},
	"dashboard":           {"督导办工作台", "Office dashboard"},
	"workspace":           {"区县工作台", "District workspace"},
	"ledger":              {"整改台账", "Rectification ledger"},
	"bulletin":            {"进度通报", "Progress bulletin"},
	"campaign":            {"创建进展", "Campaign progress"},
	"notifications":       {"通知", "Notifications"},
	"creation_plan":       {"创建方案", "Creation plan"},
	"no_plan":             {"尚未报送创建方案", "No creation plan has been submitted yet"},
	"plan_in_effect":      {"生效版本", "Version in effect"},
	"plan_none_in_effect": {"尚无批准生效的版本", "No version has been approved yet"},
	"plan_latest":         {"最新报送版本", "Latest version submitted"},
	"plan_versions":       {"历次版本", "Every version"},
	"plan_returned":       {"方案被退回", "The plan was returned"},
	"version":             {"版本", "Version"},
	"updated":             {"更新时间", "Updated"},
	"target_year":         {"创建目标年度", "Target year"},
	"milestones":          {"年度推进目标", "Milestones"},
	"milestone":           {"推进目标", "Milestone"},
	"milestones_hint": {"每行一个年度, 年份逐行递增且不晚于创建目标年度; 空行不报送。" +
		"学校代码用逗号或空格分隔; 上限留空表示不设上限。",
		"One year a row, each later than the one before and no later than the target year; blank rows are left out. " +
			"Separate school codes with commas or spaces; leave a limit blank for none."},
	"plan_schools":      {"达标学校(学校代码)", "Schools to bring up to standard (codes)"},
	"plan_indicators":   {"消除差距的指标", "Shortfalls to clear"},
	"oversized_max":     {"大规模学校数上限", "Most oversized schools"},
	"large_classes_max": {"有大班额的学段数上限", "Most school stages with large classes"},
	"no_limit":          {"不限", "no limit"},
	"submitted_by":      {"报送人", "Submitted by"},
	"submitted_at":      {"报送时间", "Submitted"},
	"decided_by":        {"审核人", "Decided by"},
	"decided_at":        {"审核时间", "Decided"},
	"resp_letter":       {"责任书", "Letter of responsibility"},
	"resp_letter_kept":  {"当前责任书文件编号", "Current letter, file ID"},
	"resp_letter_keep":  {"不选择新文件则沿用当前责任书", "Choose no file to keep the current letter"},
	"submit_plan":       {"报送创建方案", "Submit the plan"},
	"revise_plan":       {"报送修订版本", "Submit a revision"},
	"plan_submitted":    {"创建方案已报送, 等待督导办审核", "The plan was submitted for the office's review"},
	"review_plan":       {"审核创建方案", "Review the plan"},
	"approve_plan":      {"批准", "Approve"},
	"return_plan":       {"退回修改(须填写意见)", "Return (a comment is required)"},
	"whole_number":      {"应为整数", "must be a whole number"},
	"fix_fields":        {"请按提示修正标红的字段", "Correct the fields marked"},
	"all_districts":     {"各区(市)县", "Every district"},
	"audit":             {"操作记录", "Audit trail"},
	"year":              {"年度", "Year"},
	"show":              {"查看", "Show"},
	"district":          {"区(市)县", "District"},
	"stage":             {"阶段", "Stage"},
	"deadline":          {"截止日期", "Deadline"},
	"days_left":         {"剩余天数", "Days left"},
	"verdict":           {"评估结论", "Verdict"},
	"findings":          {"整改问题", "Findings"},
	"open":              {"未销号", "Open"},
	"closed":            {"已销号", "Closed"},
	"overdue":           {"逾期", "Overdue"},
	"late":              {"迟报", "Late"},
	"escalated":         {"挂牌督办", "Escalated"},
	"funnel":            {"各阶段区县数", "Districts by stage"},
	"share":             {"达到国家标准的区县占比", "Share of districts meeting the standard"},
	"target":            {"本年度目标", "Target"},
	"cv_charts":         {"各指标校际差异系数(虚线为上限)", "Difference coefficients by indicator (dashed line: limit)"},
	"open_year":         {"开启年度", "Open the year"},
	"year_not_open":     {"该年度尚未开启", "This year has not been opened"},
	"details":           {"详情", "Details"},
	"review":            {"审核自评", "Review the self-assessment"},
	"approve":           {"通过并下达整改问题", "Approve with findings"},
	"return":            {"退回修改", "Return"},
	"decision":          {"决定", "Decision"},
	"comment":           {"意见", "Comment"},
	"return_deadline":   {"重报截止日期", "Resubmission deadline"},
	"finding_title":     {"问题", "Problem"},
	"finding_detail":    {"问题说明", "Detail"},
	"source":            {"来源", "Source"},
	"severity":          {"严重程度", "Severity"},
	"due_date":          {"整改期限", "Due date"},
	"shortfalls_all":    {"将评估差距全部列为整改问题", "Turn every shortfall into a finding"},
	"acceptance":        {"市级验收", "City acceptance"},
	"province_result":   {"省级评估认定结果", "Province result"},
	"passed":            {"通过", "Passed"},
	"not_passed":        {"未通过", "Not passed"},
	"recommend":         {"推荐国家认定", "Recommend for national certification"},
	"province_document": {"省级认定文件(代省级录入时必附)",
		"The province's document (required when the office records it)"},
	"acceptance_report": {"验收报告(可选)", "Acceptance report (optional)"},
	"save":              {"提交", "Submit"},
	"template":          {"下载自评填报模板 (.xlsx)", "Download the template (.xlsx)"},
	"upload":            {"上传填好的模板", "Upload the filled template"},
	"my_data":           {"下载已保存的数据 (.xlsx)", "Download my saved data (.xlsx)"},
	"importing":         {"正在导入…", "Importing…"},
	"upload_hint": {"支持 .xlsx 模板或同结构的 .json 文件; 上传即保存为草稿并立即评估",
		"An .xlsx template or a .json file of the same data; saved as a draft and evaluated at once"},
	"edit_data":             {"直接编辑数据 (JSON)", "Edit the data (JSON)"},
	"save_draft":            {"保存草稿并评估", "Save draft and evaluate"},
	"submit_sa":             {"正式提交自评", "Submit the self-assessment"},
	"working":               {"正在处理, 请稍候…", "Working, please wait…"},
	"evaluation":            {"评估结果", "Evaluation"},
	"draft_eval":            {"草稿评估结果 (尚未提交)", "Draft evaluation (not submitted)"},
	"submitted_eval":        {"已提交版本的评估结果", "Evaluation of the submitted version"},
	"schools":               {"学校达标情况 (红色为未达标)", "Schools (failing cells in red)"},
	"school":                {"学校", "School"},
	"students":              {"在校生", "Students"},
	"met":                   {"达标项", "Met"},
	"indicator":             {"指标", "Indicator"},
	"cv":                    {"差异系数", "Coefficient"},
	"limit":                 {"上限", "Limit"},
	"government":            {"政府保障程度", "Government guarantee"},
	"quality":               {"教育质量", "Education quality"},
	"item":                  {"项目", "Item"},
	"actual":                {"实际", "Actual"},
	"required":              {"要求", "Required"},
	"shortfalls":            {"差距清单", "Shortfalls"},
	"standard":              {"评估标准", "Standard"},
	"cv_mean":               {"综合差异系数(各项平均)", "Combined coefficient (mean of the indicators)"},
	"basic_2012_conditions": {"其他条件", "Other conditions"},
	"provincial_standard":   {"县域内学校均达到省定办学基本标准", "Every school meets the provincial basic standard"},
	"government_score": {"县级人民政府推进义务教育均衡发展工作评估得分",
		"Score of the county government's work for balanced education"},
	"public_satisfaction": {"公众满意度", "Public satisfaction"},
	"monitor":             {"基本均衡监测(2012 年标准)", "Basic-balance monitoring (2012 standard)"},
	"monitor_hint": {"已通过基本均衡认定的区县每年按《县域义务教育均衡发展督导评估暂行办法》(教督〔2012〕3号)自查: " +
		"上传按模板填写的 .xlsx(含“基本均衡监测”表和学校表最后四列)或 .json, 只生成监测报告, 不保存、不提交",
		"A district certified for basic balance checks itself each year against the 2012 standard (教督〔2012〕3号): " +
			"upload the template (.xlsx, with the 基本均衡监测 sheet and the last four columns of the schools sheet) " +
			"or a .json file; this makes a monitoring report only, nothing is saved or submitted"},
	"monitor_run": {"生成监测报告", "Make the monitoring report"},
	"monitor_note": {"本报告按 2012 年基本均衡标准计算, 未保存, 也不影响本年度优质均衡评估。",
		"Computed under the 2012 basic-balance standard; not saved, and no part of this year's evaluation."},
	"back_to_workspace": {"返回本年度工作台", "Back to the year's workspace"},
	"other_district":    {"文件中的区县代码为 %s, 应为本区县 %s", "the file is for district %s; yours is %s"},
	"no_shortfalls":     {"无差距", "No shortfalls"},
	"plan":              {"整改方案", "Plan"},
	"measures":          {"整改措施", "Measures"},
	"resp_unit":         {"责任单位", "Responsible unit"},
	"resp_person":       {"责任人", "Responsible person"},
	"progress":          {"报告整改进展", "Report progress"},
	"note":              {"说明", "Note"},
	"evidence":          {"佐证材料", "Evidence"},
	"request_close":     {"申请销号", "Request closing"},
	"extension":         {"申请延期", "Request an extension"},
	"new_due":           {"申请的新期限", "Requested due date"},
	"reason":            {"理由", "Reason"},
	"verify":            {"核验", "Verify"},
	"accept_close":      {"核验通过, 销号", "Verified: close"},
	"reject_close":      {"未通过, 退回整改", "Not verified: send back"},
	"talk":              {"记录约谈/通报", "Record a talk or circular"},
	"talk_kind":         {"类型", "Kind"},
	"talk_talk":         {"约谈", "Formal talk"},
	"talk_circular":     {"通报", "Circular"},
	"ext_decide":        {"延期申请决定", "Decide the extension"},
	"approve_ext":       {"同意延期", "Approve"},
	"reject_ext":        {"不同意", "Reject"},
	"apply":             {"申请认定", "Apply for certification"},
	"status":            {"状态", "Status"},
	"all":               {"全部", "All"},
	"filter":            {"筛选", "Filter"},
	"export_xlsx":       {"导出 Excel", "Export .xlsx"},
	"print":             {"打印", "Print"},
	"history":           {"操作记录", "History"},
	"time":              {"时间", "Time"},
	"actor":             {"操作人", "By"},
	"action":            {"操作", "Action"},
	"outcome":           {"结果", "Outcome"},
	"none":              {"暂无", "None"},
	"saved":             {"已保存", "Saved"},
	"done":              {"操作成功", "Done"},
	"still_processing": {"该操作正在处理, 请稍候刷新页面查看结果",
		"This action is still being processed; reload the page shortly to see the result"},
	"form_changed": {"此表单已提交过, 改动后的再次提交未执行; 请刷新页面后重新填写",
		"This form was already sent, so the changed resend was not carried out; reload the page and fill it in again"},
	"opened":    {"年度已开启", "The year is open"},
	"yes":       {"是", "yes"},
	"no":        {"否", "no"},
	"plan_due":  {"方案报送期限", "Plan due"},
	"unread":    {"未读", "unread"},
	"generated": {"生成时间", "Generated"},
	"page":      {"页", "page"},
	"prev":      {"上一页", "Previous"},
	"next":      {"下一页", "Next"},

	// A form's action that may still be under way, where sending the form again is safe (see flash.Pending);
	// a page the API could not serve for the same passing reasons.
	"pending": {"系统繁忙或暂时不可用, 操作可能仍在处理中: 请稍候刷新页面查看结果; 重新提交本表单不会重复办理",
		"The system is busy or unavailable and the action may still be in progress: reload the page shortly to see " +
			"the result; submitting this form again will not act twice"},
	"unavailable": {"系统繁忙或暂时不可用, 请稍后刷新页面", "The system is busy or unavailable; reload the page shortly"},
}
