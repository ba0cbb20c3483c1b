package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"junheng/activities"
	"junheng/evaluation"
	"junheng/progress"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// fakeAPI is what stands behind the pages' core in these tests: the workflow service (see fakeTemporal), and the
// JSON API that Mount passes other paths to, which records them.
type fakeAPI struct {
	mu    sync.Mutex
	calls []string // "METHOD path" of each request passed to the API
	// refusal, when set, is the plan workflow's answer to every Update: its validator's refusal.
	refusal error
	// hold, when set, keeps the next Update the workflow service takes waiting until it is closed; held gets the
	// Update's context when it waits. An Update whose context ended meanwhile is not taken.
	hold chan struct{}
	held chan context.Context
	// outage, when set, makes the workflow service fail: "unavailable" (its health check fails), "busy" (the
	// 2000-Update limit of a run), "bare" (any other error) or "not_ready_once" (the workflow task that took the
	// next Update failed, and the Update was not applied).
	outage string
	// timeout makes the workflow service take the next Update and still time out, as when the core's action
	// timeout passes before the Update is done.
	timeout bool
	// updates are the Updates the workflow service behind the pages' core took, started the workflows it started
	// (see fakeTemporal).
	updates []client.UpdateWorkflowOptions
	started []string
}

// openFinding is a finding in progress: the district may report progress, the office record talks.
const openFinding = "finding:2025:370211:2"

var findingPage = "/finding?id=" + url.QueryEscape(openFinding)

// newFinding is a finding still open: the district may plan it or ask for more time.
const newFinding = "finding:2025:370211:1"

var newFindingPage = "/finding?id=" + url.QueryEscape(newFinding)

// ServeHTTP is the JSON API behind Mount, which the pages do not call: it records each request passed to it and
// answers 401 without a bearer token, 404 with one.
func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	if r.Header.Get("Authorization") == "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.NotFound(w, r)
}

func (f *fakeAPI) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

func newSite(t *testing.T, opts Options) (*httptest.Server, *http.Client, *fakeAPI) {
	t.Helper()
	api := &fakeAPI{}
	if opts.Store == nil {
		opts.Store = seededStore(t)
	}
	opts.Core = newCore(t, opts.Store, api)
	srv := httptest.NewServer(Mount(api, opts))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return srv, &http.Client{Jar: jar}, api
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return send(t, c, req)
}

// send makes the request and reads the whole answer.
func send(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestSignInSessionCookieAndCSRF(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	noFollow := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}

	resp, _ := fetch(t, noFollow, "GET", srv.URL+"/district?year=2025", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"wrong"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "访问令牌无效或已停用") {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}
	resp, _ = fetch(t, noFollow, "POST", srv.URL+"/login",
		url.Values{"token": {"clerk"}, "next": {"https://evil.example/"}})
	if resp.Header.Get("Location") != "/" {
		t.Errorf("sign-in redirected to %q", resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure ||
		strings.Contains(cookie.Value, "clerk") {
		t.Fatalf("session cookie %+v", cookie)
	}

	_, page = fetch(t, c, "GET", srv.URL+"/district?year=2025", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "功能室不足") {
		t.Fatalf("workspace without CSRF field or finding:\n%s", page)
	}
	form := url.Values{"id": {newFinding}, "back": {newFindingPage}, "measures": {"改建"}}
	if resp, _ := fetch(t, c, "POST", srv.URL+"/finding/plan", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a POST without the CSRF token: %d", resp.StatusCode)
	}
	form.Set("csrf", m[1])
	_, page = fetch(t, c, "POST", srv.URL+"/finding/plan", form)
	if !strings.Contains(page, `<span class="field-error">必填</span>`) || !strings.Contains(page, "提交的数据有误") {
		t.Errorf("the core's field error is not shown next to the field:\n%s", page)
	}
	if got := api.updatesOf(workflows.UpdatePlan); len(got) != 0 {
		t.Errorf("a plan without its due date was sent: %q", got)
	}

	// Downloads are made by the pages from the core; API paths pass through Mount untouched.
	resp, page = fetch(t, c, "GET", srv.URL+"/download/template.xlsx", nil)
	if !strings.HasPrefix(page, "PK") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "self-assessment.xlsx") {
		t.Errorf("template download: %.20q %v", page, resp.Header)
	}
	// The district's multi-year report is its own, over the years asked for, printed by package report with its
	// inline style sheet.
	resp, page = fetch(t, c, "GET", srv.URL+"/progress?district=370202&from=2023", nil)
	if !strings.Contains(page, "<title>黄岛区 义务教育优质均衡发展创建进展报告 (2023–2026)</title>") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "style-src 'unsafe-inline'") ||
		strings.Contains(resp.Header.Get("Content-Security-Policy"), "script") {
		t.Errorf("progress report: %q %v", page, resp.Header)
	}
	resp, page = fetch(t, c, "GET", srv.URL+"/download/progress.xlsx", nil)
	if !strings.HasPrefix(page, "PK") || !strings.Contains(resp.Header.Get("Content-Disposition"),
		"progress-370211-2022-2026.xlsx") {
		t.Errorf("progress workbook: %.20q %v", page, resp.Header)
	}
	if resp, _ := fetch(t, c, "GET", srv.URL+"/api/v1/me", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the API behind Mount answered %d without a bearer token", resp.StatusCode)
	}

	// English on request, kept in a cookie.
	_, page = fetch(t, c, "GET", srv.URL+"/district?year=2025&lang=en", nil)
	if !strings.Contains(page, "District workspace") {
		t.Error("no English page")
	}
	_, page = fetch(t, c, "GET", srv.URL+"/district?year=2025", nil)
	if !strings.Contains(page, "District workspace") {
		t.Error("the language choice was not kept")
	}

	_, page = fetch(t, c, "GET", srv.URL+"/district?year=2025&lang=zh", nil)
	m = csrfField.FindStringSubmatch(page)
	fetch(t, c, "POST", srv.URL+"/logout", url.Values{"csrf": {m[1]}})
	if resp, _ := fetch(t, noFollow, "GET", srv.URL+"/district?year=2025",
		nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("still signed in after signing out: %d", resp.StatusCode)
	}
}

// The edit box starts from the saved draft, which also downloads as a workbook; the upload shows its progress.
func TestWorkspaceStartsFromSavedDraft(t *testing.T) {
	srv, c, _ := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	_, page := fetch(t, c, "GET", srv.URL+"/district?year=2026", nil)
	for _, want := range []string{
		"\n  &#34;year&#34;: 2026,\n", `href="/download/self-assessment.xlsx?year=2026"`,
		`<span class="working"><progress></progress> 正在导入…</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the workspace lacks %q:\n%s", want, page)
		}
	}
	if !strings.Contains(page, `<div id="draft-evaluation">`) {
		t.Error("the saved draft's evaluation is not shown")
	}
	// A refused save comes back with the text sent, to correct; the saved draft's evaluation stays.
	form := formOf(t, page, "/district/edit")
	form.Set("data", `{"bad":1}`)
	if _, page = fetch(t, c, "POST", srv.URL+"/district/edit", form); !strings.Contains(page,
		"{&#34;bad&#34;:1}</textarea>") || !strings.Contains(page, "未知字段") ||
		!strings.Contains(page, `<div id="draft-evaluation">`) {
		t.Errorf("the refused text is not kept:\n%s", page)
	}
	resp, data := fetch(t, c, "GET", srv.URL+"/download/self-assessment.xlsx?year=2026", nil)
	if !strings.HasPrefix(data, "PK") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "self-assessment-370211-2026.xlsx") {
		t.Errorf("data download: %q %v", data, resp.Header)
	}
}

// The office prints the city's multi-year report, a district's (the API's link names it) and the bulletin, each
// rendered by package report from the API's JSON under the printable pages' policy; the bulletin page links its
// print view, and a failed read is the usual error page.
func TestPrintablePages(t *testing.T) {
	srv, c, _ := newSite(t, Options{})
	signIn(t, srv.URL, c, "officer")
	const printable = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; " +
		"form-action 'none'; base-uri 'none'"
	for path, want := range map[string]string{
		"/progress":                   "<title>全市义务教育优质均衡发展创建进展报告 (2022–2026)</title>",
		"/progress?district=370211":   "<title>黄岛区 义务教育优质均衡发展创建进展报告 (2022–2026)</title>",
		"/bulletin?year=2025&print=1": "<td>黄岛区 (370211)</td><td>整改</td>",
	} {
		resp, page := fetch(t, c, "GET", srv.URL+path, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) || strings.Contains(page, "<script") ||
			resp.Header.Get("Content-Security-Policy") != printable {
			t.Errorf("%s: %d %v\n%s", path, resp.StatusCode, resp.Header, page)
		}
	}
	resp, page := fetch(t, c, "GET", srv.URL+"/bulletin?year=2025", nil)
	if !strings.Contains(page, `<a href="/bulletin?year=2025&print=1" id="print">打印</a>`) ||
		!strings.Contains(page, "黄岛区 (370211)") || resp.Header.Get("Content-Security-Policy") == printable {
		t.Errorf("bulletin page: %v\n%s", resp.Header, page)
	}
	resp, _ = fetch(t, c, "GET", srv.URL+"/bulletin?year=2019&print=1", nil)
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Security-Policy") == printable {
		t.Errorf("a bulletin of a year not opened: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestCrossSiteSignInRefused(t *testing.T) {
	srv, c, _ := newSite(t, Options{})
	req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader("token=clerk"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-in accepted: %v %v", resp.StatusCode, err)
	}
}

func TestSpreadsheetProblemsNameCells(t *testing.T) {
	err := usecase.InvalidInput(evaluation.Problem{Field: "schools[0].students", Sheet: "学校", Row: 7, Column: "E",
		MessageZh: "应为整数", MessageEn: "want a whole number"})
	f := result("upload", err, false, "")
	if len(f.List) != 1 || f.List[0] != "「学校」工作表第 7 行 E 列: 应为整数" {
		t.Errorf("%q", f.List)
	}
	if f := result("upload", err, true, ""); f.List[0] != "sheet 学校, row 7, column E: want a whole number" {
		t.Errorf("%q", f.List)
	}
}

func TestChartMarksCoefficientsOverTheLimit(t *testing.T) {
	var res evaluation.Result
	if err := json.Unmarshal([]byte(`{"resource":{"stages":{"primary":{"indicators":{
		"qualified_teachers_per_100":{"cv":0.62,"cv_limit":0.5}}}}}}`), &res); err != nil {
		t.Fatal(err)
	}
	charts := cvCharts([]string{"黄岛区<b>", "市南区"}, []*evaluation.Result{&res, nil}, false)
	if len(charts) != 1 || len(charts[0].Bars) != 1 || charts[0].Limit != 0.5 {
		t.Fatalf("%+v", charts)
	}
	svg := string(charts[0].SVG())
	if !strings.Contains(svg, `fill="#c0392b"`) || !strings.Contains(svg, "黄岛区&lt;b&gt;") ||
		!strings.Contains(svg, "stroke-dasharray") {
		t.Errorf("%s", svg)
	}
}

// postMultipart posts form fields (repeated keys allowed) and, when fileName is set, a file as a browser does.
func postMultipart(
	t *testing.T, c *http.Client, u string, form url.Values, fileField, fileName, content string,
) (*http.Response, string) {
	t.Helper()
	return send(t, c, multipartRequest(http.MethodPost, u, form, fileField, fileName, content))
}

// multipartRequest is a request of method with a multipart body: form fields and, when fileField is set, a file.
func multipartRequest(method, u string, form url.Values, fileField, fileName, content string) *http.Request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		io.WriteString(fw, content)
	}
	mw.Close()
	req, _ := http.NewRequest(method, u, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// planState is 黄岛区's plan: version 1 is in effect, the latest, version 2, has the given status.
func planState(latest vocab.CreationPlanStatus) workflows.CreationPlanState {
	at := func(s string) time.Time { return must(time.Parse(time.RFC3339, s)) }
	v2 := workflows.CreationPlanVersion{Version: 2, ResponsibilityFile: "file-v2", Note: "修订", Status: latest,
		SubmittedBy: "clerk", SubmittedAt: at("2025-03-01T02:00:00Z"), Plan: progress.Plan{TargetYear: 2026,
			Milestones: []progress.Milestone{{Year: 2025, Schools: []string{"S003"},
				Indicators: []string{"school_size"}, LargeClassesMax: new(2)}}}}
	if latest == vocab.PlanReturned {
		v2.DecidedBy, v2.DecidedAt, v2.Comment = "officer", at("2025-03-02T08:00:00Z"), "请补充学校"
	}
	return workflows.CreationPlanState{District: "370211", Status: latest, Approved: 1,
		Versions: []workflows.CreationPlanVersion{{
			Version: 1, ResponsibilityFile: "file-v1", Note: "首次报送", Status: vocab.PlanApproved,
			SubmittedBy: "clerk",
			SubmittedAt: at("2024-01-05T02:00:00Z"), DecidedBy: "officer", DecidedAt: at("2024-01-09T02:00:00Z"),
			Comment: "同意", Plan: progress.Plan{TargetYear: 2025, Milestones: []progress.Milestone{
				{Year: 2024, Schools: []string{"S001", "S002"}, Indicators: []string{"class_size"},
					OversizedMax: new(0)},
				{Year: 2025, Schools: []string{}, Indicators: []string{"music_art_rooms"}, Note: "全面达标"}}},
		}, v2}}
}

// recordPlan records st in the read model as the plan workflow's activity does, after any earlier record, with
// the letters it names as the district's files.
func recordPlan(t *testing.T, db *store.Store, st workflows.CreationPlanState) {
	t.Helper()
	ctx, now := context.Background(), time.Now()
	for _, v := range st.Versions {
		f := store.File{ID: v.ResponsibilityFile, DistrictCode: st.District, Name: "责任书.pdf", CreatedAt: now}
		if err := db.AddFile(ctx, &f); err != nil {
			t.Fatal(err)
		}
	}
	ev := workflows.Event{Key: fmt.Sprintf("test:%d", now.UnixNano()), Action: "plan_recorded", At: now}
	rec := workflows.CreationPlanRecord{State: st, Event: ev}
	if _, err := (&activities.Activities{Store: db}).RecordPlan(ctx, rec); err != nil {
		t.Fatal(err)
	}
}

// NewWithStartWorkflowOperation and UpdateWithStartWorkflow serve the plan workflow, which its first Update
// starts: the Update is taken as UpdateWorkflow takes it, unless the test has the workflow refuse it.
func (f *fakeTemporal) NewWithStartWorkflowOperation(client.StartWorkflowOptions, any, ...any,
) client.WithStartWorkflowOperation {
	return nil
}

func (f *fakeTemporal) UpdateWithStartWorkflow(ctx context.Context, o client.UpdateWithStartWorkflowOptions,
) (client.WorkflowUpdateHandle, error) {
	f.api.mu.Lock()
	refusal := f.api.refusal
	f.api.mu.Unlock()
	if refusal != nil {
		return nil, refusal
	}
	return f.UpdateWorkflow(ctx, o.UpdateOptions)
}

// refuse has the plan workflow refuse every Update as its validator does, naming field; kind "" accepts them.
func (f *fakeAPI) refuse(kind, field, zh string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refusal = nil
	if kind != "" {
		f.refusal = temporal.NewNonRetryableApplicationError(zh, kind, nil,
			workflows.Refusal{Field: field, MessageZh: zh, MessageEn: zh})
	}
}

// argsOf lists the inputs of the Updates named name that the workflow service took.
func argsOf[T any](f *fakeAPI, name string) []T {
	f.mu.Lock()
	defer f.mu.Unlock()
	var in []T
	for _, u := range f.updates {
		if u.UpdateName == name {
			in = append(in, u.Args[0].(T))
		}
	}
	return in
}

// fileID is the ID the file store gives content.
func fileID(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field:\n%s", page)
	}
	return m[1]
}

// A district sees its plan, the version in effect and every version, and revises the plan in milestone rows: the
// letter is stored first, blank rows are left out, school codes are split, and refused fields show on their row.
func TestDistrictPlan(t *testing.T) {
	db := seededStore(t)
	srv, c, api := newSite(t, Options{Store: db})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})

	other := planState(vocab.PlanSubmitted)
	other.District = "370202"
	recordPlan(t, db, other)
	_, page := fetch(t, c, "GET", srv.URL+"/plan?code=370202", nil) // a district always sees its own
	for _, want := range []string{
		`id="no-plan"`, "尚未报送创建方案", `<input type="hidden" name="rows" value="3">`, `name="year_2"`,
		`<a href="/plan">创建方案</a>`, `<a href="/progress">创建进展</a>`, ">报送创建方案</button>",
		`name="responsibility_file" accept=".pdf,.doc,.docx,.jpg,.jpeg,.png" required>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the empty plan page lacks %q", want)
		}
	}

	st := planState(vocab.PlanReturned)
	latest := &st.Versions[1].Plan.Milestones[0]
	latest.Indicators = append(latest.Indicators, "not_a_national_key") // a provincial profile's
	recordPlan(t, db, st)
	_, page = fetch(t, c, "GET", srv.URL+"/plan", nil)
	for _, want := range []string{
		`<strong id="plan-status"><span class="badge plan-returned bad">已退回修改</span></strong>`,
		"方案被退回 (版本 2): 请补充学校",
		// the version in effect
		`<td class="schools">S001, S002</td>`, `<td class="indicators">最大班额</td>`, "<td>≤ 0</td>", "<td>不限</td>",
		"全面达标",
		// the latest version, with a key the national standard does not name shown as it is
		`<td class="indicators">学校规模; not_a_national_key</td>`, "<td>≤ 2</td>",
		// every version
		`<tr data-version="1"><td>1</td><td><span class="badge plan-approved good">已批准</span></td><td>2025</td>`,
		`<tr data-version="2"><td>2</td>`, "<td>请补充学校</td>", "<code>file-v2</code>", "2025-03-02 16:00",
		// the form starts from the latest version, with blank rows to add milestones
		`name="target_year" value="2026"`, `name="year_0" value="2025"`, `name="schools_0" value="S003"`,
		`name="large_classes_max_0" value="2"`,
		`name="indicators_0" value="school_size" checked>`, `name="indicators_0" value="not_a_national_key" checked>`,
		`<input type="hidden" name="rows" value="4">`, `<input type="hidden" name="kept_file" value="file-v2">`,
		`name="responsibility_file" accept=".pdf,.doc,.docx,.jpg,.jpeg,.png">`, ">报送修订版本</button>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the plan page lacks %q", want)
		}
	}
	if strings.Contains(page, `name="indicators_0" value="class_size" checked`) ||
		strings.Contains(page, `id="plan-review"`) {
		t.Error("unexpected checked key or review form for a district")
	}
	csrf := csrfOf(t, page)

	form := url.Values{"rows": {"4"}, "target_year": {"2026"}, "note": {"第三版"}, "kept_file": {"file-v2"},
		"year_0": {"2024"}, "schools_0": {" S001，S002  S003 "},
		"indicators_0": {"class_size", "school_size"}, "large_classes_max_0": {"2"},
		"year_1": {""}, "schools_1": {"  "},
		"year_2": {"2026"}, "milestone_note_2": {"全面达标"}, "oversized_max_2": {"0"},
		"year_3": {""}}
	letter := "%PDF-1.4 letter"
	if resp, _ := postMultipart(t, c, srv.URL+"/plan", form, "responsibility_file", "责任书.pdf",
		letter); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a plan without the CSRF token: %d", resp.StatusCode)
	}
	if _, err := db.AnyFile(context.Background(), fileID(letter)); len(api.updates) != 0 || err == nil {
		t.Fatalf("a refused POST reached the core: %v, the letter stored: %v", api.updates, err == nil)
	}
	form.Set("csrf", csrf)
	_, page = postMultipart(t, c, srv.URL+"/plan", form, "responsibility_file", "责任书.pdf", letter)
	if i := strings.Index(page, `<div class="flash ok" role="status" data-form="plan_saved">`+
		"\n<strong>创建方案已报送, 等待督导办审核</strong>"); i < 0 ||
		i > strings.Index(page, "<h2>") {
		t.Errorf("no success message:\n%s", page)
	}
	if stored, err := db.FileFor(context.Background(), fileID(letter), "370211"); err != nil ||
		stored.Name != "责任书.pdf" {
		t.Fatalf("the letter was not stored: %+v %v", stored, err)
	}
	sent := argsOf[workflows.PlanSubmission](api, workflows.UpdateSubmitPlan)
	want := `{"target_year":2026,"milestones":[{"year":2024,"schools":["S001","S002","S003"],` +
		`"indicators":["class_size","school_size"],"large_classes_max":2},` +
		`{"year":2026,"schools":[],"indicators":[],"oversized_max":0,"note":"全面达标"}]}`
	if len(sent) != 1 || string(must(json.Marshal(sent[0].Plan))) != want || sent[0].Note != "第三版" ||
		sent[0].ResponsibilityFile != fileID(letter) {
		t.Fatalf("the plan sent\n%+v\nwant\n%s", sent, want)
	}

	// A revision without a new file sends the letter on file again.
	form.Set("note", "第四版")
	postMultipart(t, c, srv.URL+"/plan", form, "", "", "")
	if sent = argsOf[workflows.PlanSubmission](api, workflows.UpdateSubmitPlan); len(sent) != 2 ||
		sent[1].ResponsibilityFile != "file-v2" || sent[1].Note != "第四版" {
		t.Errorf("the revision without a file sent %+v", sent)
	}

	// The core's field errors show on the form row each milestone came from; what was typed is kept, and so is
	// the letter just stored.
	form.Set("year_0", "2027")
	form.Set("year_2", "2023")
	form.Set("schools_2", "S9 S9")
	form["indicators_2"] = []string{"bogus"}
	_, page = postMultipart(t, c, srv.URL+"/plan", form, "responsibility_file", "责任书.pdf", letter)
	for _, want := range []string{
		"提交的数据有误, 请按字段修正",
		`name="year_0" value="2027" size="6"></label>` +
			`<span class="field-error" data-field="milestones[0].year">不能晚于创建年度 2026</span>`,
		`<span class="field-error" data-field="milestones[2].year">应晚于上一个推进目标的年份 2027</span>`,
		`<span class="field-error" data-field="milestones[2].indicators">评估标准中没有指标或项目 &#34;bogus&#34;</span>`,
		`<span class="field-error" data-field="milestones[2].schools">&#34;S9&#34; 重复(已是第 1 项)</span>`,
		`name="schools_0" value="S001，S002  S003"`, `name="indicators_0" value="class_size" checked>`,
		`name="indicators_2" value="bogus" checked>`, `name="milestone_note_2" value="全面达标"`,
		`<textarea name="note" class="short">第四版</textarea>`,
		`<input type="hidden" name="kept_file" value="` + fileID(letter) + `">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused plan's page lacks %q", want)
		}
	}
	if strings.Contains(page, `data-field="milestones[1].`) {
		t.Error("an error was shown on the blank row")
	}
	if n := len(api.updatesOf(workflows.UpdateSubmitPlan)); n != 2 {
		t.Errorf("a refused plan reached the workflow: %d submissions", n)
	}
	// The typed form lasts one page: a reload starts from the latest version again.
	if _, page = fetch(t, c, "GET", srv.URL+"/plan", nil); !strings.Contains(page, `name="year_0" value="2025"`) ||
		strings.Contains(page, "field-error") {
		t.Error("the refused form outlived its page")
	}

	// A letter of a type not accepted is refused beside its field.
	form.Set("year_0", "2024")
	form.Set("year_2", "2026")
	form.Del("indicators_2")
	_, page = postMultipart(t, c, srv.URL+"/plan", form, "responsibility_file", "责任书.txt", "a letter")
	if !strings.Contains(page, `<span class="field-error">只接受 PDF、图片和 Office 文档(按内容识别)</span>`) {
		t.Errorf("the letter refused is not shown beside it:\n%s", page)
	}

	// A number that is not one is the page's to report; nothing reaches the core.
	form.Set("oversized_max_2", "两所")
	_, page = postMultipart(t, c, srv.URL+"/plan", form, "", "", "")
	if !strings.Contains(page, `<span class="field-error" data-field="milestones[2].oversized_max">应为整数</span>`) ||
		len(api.updatesOf(workflows.UpdateSubmitPlan)) != 2 {
		t.Errorf("a non-number was sent or not reported:\n%s", page)
	}
}

// The office reviews the version awaiting review, and only that: a return sends its comment.
func TestOfficeReviewsPlan(t *testing.T) {
	db := seededStore(t)
	srv, c, api := newSite(t, Options{Store: db})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"officer"}})

	recordPlan(t, db, planState(vocab.PlanSubmitted))
	_, page := fetch(t, c, "GET", srv.URL+"/plan", nil)
	for _, want := range []string{
		`<tr data-district="370211"><td>黄岛区 (370211)</td>`, `<span class="badge plan-submitted warn">已报送待审批</span>`,
		`<tr data-district="370202"><td>市南区 (370202)</td>`, `<a href="/plan?code=370202">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the office's list lacks %q", want)
		}
	}

	_, page = fetch(t, c, "GET", srv.URL+"/plan?code=370211", nil)
	for _, want := range []string{
		`<form method="post" action="/plan/review" class="box" id="plan-review">`,
		`<input type="hidden" name="code" value="370211"><input type="hidden" name="version" value="2">`,
		`<button name="approved" value="true" id="approve-plan">批准</button>`,
		`<button name="approved" value="false" id="return-plan">`, `<div id="latest">`, `<td class="schools">S003</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the review page lacks %q", want)
		}
	}
	if strings.Contains(page, `action="/plan" enctype`) {
		t.Error("the office was offered the district's form")
	}
	csrf := csrfOf(t, page)
	review := url.Values{"code": {"370211"}, "version": {"2"}, "approved": {"false"}, "comment": {"请补充学校"}}
	if resp, _ := fetch(t, c, "POST", srv.URL+"/plan/review", review); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a review without the CSRF token: %d", resp.StatusCode)
	}
	if len(api.updates) != 0 {
		t.Fatalf("a refused review reached the core")
	}
	review.Set("csrf", csrf)
	_, page = fetch(t, c, "POST", srv.URL+"/plan/review", review)
	if got := argsOf[workflows.PlanReview](api, workflows.UpdateReviewPlan); len(got) != 1 || got[0].Version != 2 ||
		got[0].Approved || got[0].Comment != "请补充学校" || got[0].Actor.Name != "officer" {
		t.Errorf("the review sent %+v", got)
	}
	if !strings.Contains(page, "操作成功") || !strings.Contains(page, `id="plan-review"`) {
		t.Errorf("the review did not return to the plan:\n%s", page)
	}
	// A return without a comment shows the workflow's refusal next to the comment.
	api.refuse(workflows.ErrInvalid, "comment", "退回须说明理由")
	review.Set("comment", "")
	_, page = fetch(t, c, "POST", srv.URL+"/plan/review", review)
	if !strings.Contains(page,
		`<input type="text" name="comment" size="50"></label><span class="field-error">退回须说明理由</span>`) {
		t.Errorf("the comment's error is not next to it:\n%s", page)
	}

	// A decision on a version the district has since replaced is refused with the workflow's reason.
	api.refuse(workflows.ErrConflict, "", "待审核的是第 2 版(区县已重新提交), 请查看后再审核")
	review.Set("version", "1")
	_, page = fetch(t, c, "POST", srv.URL+"/plan/review", review)
	if !strings.Contains(page, `data-form="plan_review">`+"\n<strong>待审核的是第 2 版(区县已重新提交), 请查看后再审核</strong>") {
		t.Errorf("the conflict is not shown:\n%s", page)
	}
	// The core's errors on a field the form does not show are listed by it.
	api.refuse("", "", "")
	review.Set("version", "0")
	if _, page = fetch(t, c, "POST", srv.URL+"/plan/review", review); !strings.Contains(page,
		"<li>version: 须注明审核的方案版本</li>") {
		t.Errorf("the version's error is not listed:\n%s", page)
	}

	for _, status := range []vocab.CreationPlanStatus{vocab.PlanApproved, vocab.PlanReturned,
		vocab.PlanSuperseded} {
		recordPlan(t, db, planState(status))
		if _, page = fetch(t, c, "GET", srv.URL+"/plan?code=370211", nil); strings.Contains(page, `id="plan-review"`) {
			t.Errorf("review buttons on a %s version", status)
		}
	}
	if _, page = fetch(t, c, "GET", srv.URL+"/plan?code=370202", nil); !strings.Contains(page, `id="no-plan"`) ||
		strings.Contains(page, `id="plan-review"`) {
		t.Error("a district without a plan")
	}
}

var idemField = regexp.MustCompile(`name="idem" value="([^"]*)"`)

// formKeyOf is the idempotency key of the first form on page that posts to action.
func formKeyOf(t *testing.T, page, action string) string {
	t.Helper()
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s:\n%s", action, page)
	}
	form, _, _ := strings.Cut(page[i:], "</form>")
	m := idemField.FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("the form posting to %s has no key:\n%s", action, form)
	}
	return m[1]
}

// findingForm is the form of page that posts to /finding/<action> for openFinding, as rendered, filled in with
// fields.
func findingForm(t *testing.T, page, action string, fields url.Values) url.Values {
	t.Helper()
	form := url.Values{"csrf": {csrfOf(t, page)}, "idem": {formKeyOf(t, page, "/finding/"+action)},
		"id": {openFinding}, "back": {findingPage}}
	maps.Copy(form, fields)
	return form
}

// counts are the progress reports and talks the workflow service took.
func (f *fakeAPI) counts() (progress, talks int) {
	return len(f.updatesOf(workflows.UpdateReportProgress)), len(f.updatesOf(workflows.UpdateRecordTalk))
}

// photo is an evidence file the core accepts (a JPEG, by its content).
const photo = "\xff\xd8\xff\xe0 photo"

// A progress report sent twice from one rendered form (a double click, a resent form) is recorded once, with its
// evidence; a form without a valid key still acts, without one.
func TestResentFindingFormActsOnce(t *testing.T) {
	db := seededStore(t)
	srv, c, api := newSite(t, Options{Store: db})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})

	// Every form that acts (all but signing out) carries its own key, fresh on every render.
	seen := map[string]bool{}
	var page string
	for range 2 {
		_, page = fetch(t, c, "GET", srv.URL+findingPage, nil)
		keys := idemField.FindAllStringSubmatch(page, -1)
		if forms := strings.Count(page, `<form method="post"`) - 1; forms < 3 || len(keys) != forms {
			t.Fatalf("%d keys for %d forms:\n%s", len(keys), forms, page)
		}
		for _, k := range keys {
			if !formKeyPattern.MatchString(k[1]) || seen[k[1]] {
				t.Errorf("key %q is malformed or repeated", k[1])
			}
			seen[k[1]] = true
		}
	}

	form := findingForm(t, page, "progress", url.Values{"note": {"已完成改造"}})
	key := form.Get("idem")
	for range 2 {
		_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "evidence", "照片.jpg", photo)
		if !strings.Contains(page, `<div class="flash ok" role="status" data-form="progress:`+openFinding+`">`) {
			t.Fatalf("the report did not succeed:\n%s", page)
		}
	}
	if got := api.updatesOf(workflows.UpdateReportProgress); len(got) != 1 || !strings.HasPrefix(got[0], "1:"+key+":") {
		t.Fatalf("the report's Updates %q, want one under the form's key", got)
	}
	api.mu.Lock()
	note := api.updates[0].Args[0].(workflows.NoteInput)
	api.mu.Unlock()
	if len(note.Evidence) != 1 {
		t.Fatalf("the report's evidence %q", note.Evidence)
	}
	if f, err := db.FileFor(context.Background(), note.Evidence[0], "370211"); err != nil || f.Name != "照片.jpg" {
		t.Errorf("the evidence is not the district's file: %+v %v", f, err)
	}

	// The same form sent again with another file, or another note, is not acted on.
	_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "evidence", "照片.jpg", photo+" other")
	if progress, _ := api.counts(); !strings.Contains(page, "此表单已提交过") || progress != 1 {
		t.Errorf("a resend with another file acted or is not explained (%d reports):\n%s", progress, page)
	}
	form.Set("note", "另一条进展")
	_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "", "", "")
	if progress, _ := api.counts(); !strings.Contains(page, "此表单已提交过") || progress != 1 {
		t.Errorf("a changed resend acted or is not explained (%d reports):\n%s", progress, page)
	}

	// A page from before the keys, or a key that is not one of ours, acts without a key.
	before, _ := api.counts()
	for _, bad := range []string{"", key + "A", key[:21] + ".", strings.Repeat("A", 300)} {
		if bad == "" {
			form.Del("idem")
		} else {
			form.Set("idem", bad)
		}
		_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "", "", "")
		if !strings.Contains(page, "操作成功") {
			t.Errorf("the form with key %q failed:\n%s", bad, page)
		}
	}
	if got := api.updatesOf(workflows.UpdateReportProgress)[before:]; !slices.Equal(got, []string{"", "", "", ""}) {
		t.Errorf("the forms without a valid key made Updates %q, want 4 without an ID", got)
	}
}

// A double click: the browser abandons the first send and makes a second while the first is handled. The second
// says the action is under way; the first still acts, and a resend then shows it done, acting no more.
func TestDoubleClick(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	_, page := fetch(t, c, "GET", srv.URL+findingPage, nil)
	form := findingForm(t, page, "progress", url.Values{"note": {"进展"}})
	hold, held := make(chan struct{}), make(chan context.Context)
	api.mu.Lock()
	api.hold, api.held = hold, held
	api.mu.Unlock()
	ctx, abandon := context.WithCancel(context.Background())
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/finding/progress", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	first := <-held
	abandon()
	select {
	case <-first.Done():
		t.Error("abandoning the page cut off its action")
	case <-time.After(200 * time.Millisecond): // the server notices a closed connection well within this
	}
	_, page = fetch(t, c, "POST", srv.URL+"/finding/progress", form)
	close(hold)
	if !strings.Contains(page, "该操作正在处理, 请稍候刷新页面查看结果") {
		t.Errorf("the second send does not say the first is under way:\n%s", page)
	}
	// Resent until the first send is done, the form then shows its outcome.
	for deadline := time.Now().Add(5 * time.Second); strings.Contains(page, "该操作正在处理") &&
		time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		_, page = fetch(t, c, "POST", srv.URL+"/finding/progress", form)
	}
	if progress, _ := api.counts(); progress != 1 || !strings.Contains(page, "操作成功") {
		t.Errorf("the sends made %d progress reports; the resend after the first was done:\n%s", progress, page)
	}
}

// A finding's date is the end of that day in the deployment's zone; a malformed one is named beside its field,
// once the core has found that the caller may act on the finding.
func TestFindingDates(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	signIn(t, srv.URL, c, "clerk")
	_, page := fetch(t, c, "GET", srv.URL+newFindingPage, nil)
	form := formOf(t, page, "/finding/plan")
	form.Set("measures", "改建")
	form.Set("due_date", "31.03.2026")
	_, page = fetch(t, c, "POST", srv.URL+"/finding/plan", form)
	if !strings.Contains(page, `<span class="field-error">日期格式应为 2026-03-31 或 RFC 3339 时间</span>`) {
		t.Errorf("a malformed date is not named beside its field:\n%s", page)
	}
	form = formOf(t, page, "/finding/plan")
	form.Set("measures", "改建")
	form.Set("due_date", "2026-03-31")
	fetch(t, c, "POST", srv.URL+"/finding/plan", form)
	api.mu.Lock()
	var plans []workflows.PlanInput
	for _, u := range api.updates {
		if u.UpdateName == workflows.UpdatePlan {
			plans = append(plans, u.Args[0].(workflows.PlanInput))
		}
	}
	api.mu.Unlock()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	if len(plans) != 1 || !plans[0].DueDate.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, shanghai)) ||
		plans[0].Measures != "改建" {
		t.Errorf("plans sent %+v", plans)
	}

	// The office may not plan: it is told so, whatever the date.
	signIn(t, srv.URL, c, "officer")
	_, page = fetch(t, c, "GET", srv.URL+newFindingPage, nil)
	form = url.Values{"csrf": {csrfOf(t, page)}, "id": {newFinding}, "back": {newFindingPage},
		"due_date": {"31.03.2026"}}
	if _, page = fetch(t, c, "POST", srv.URL+"/finding/plan", form); !strings.Contains(page, "当前角色无权进行此操作") ||
		strings.Contains(page, "日期格式") {
		t.Errorf("the office's plan with a malformed date:\n%s", page)
	}
}

// The ledger shows the rows its filters select, a page at a time, a district its own rows only; its export keeps
// the filters, and a year that is not one is named beside its field.
func TestLedger(t *testing.T) {
	db := seededStore(t)
	now := time.Now().UTC()
	var more []store.Finding // a page's worth of another district's, ahead of 黄岛区's in the ledger's order
	var ids []string
	for i := 1; i <= 50; i++ {
		more = append(more, store.Finding{ID: fmt.Sprintf("finding:2024:370202:%d", i), Year: 2024,
			DistrictCode: "370202", Seq: i, Title: "图书不足", Source: "self_assessment", Severity: "serious",
			Status: "open", CreatedAt: now, UpdatedAt: now})
		ids = append(ids, more[i-1].ID)
	}
	if err := db.CreateFindings(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	srv, c, _ := newSite(t, Options{Store: db})
	row := regexp.MustCompile(`<tr data-finding="([^"]+)">`)
	f1 := "finding:2025:370211:1"
	check := func(path string, want ...string) string {
		t.Helper()
		_, page := fetch(t, c, "GET", srv.URL+path, nil)
		var got []string
		for _, m := range row.FindAllStringSubmatch(page, -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: rows %q, want %q", path, got, want)
		}
		return page
	}
	signIn(t, srv.URL, c, "officer")
	if page := check("/ledger", ids...); !strings.Contains(page, `<a href="/ledger?page=2">`) ||
		strings.Contains(page, "page=0") {
		t.Errorf("the first page does not link to the next:\n%s", page)
	}
	if page := check("/ledger?page=2", f1, openFinding); !strings.Contains(page, `<a href="/ledger?page=1">`) {
		t.Errorf("the second page does not link to the first:\n%s", page)
	}
	if page := check("/ledger?status=in_progress&page=1", openFinding); !strings.Contains(page,
		`href="/download/ledger.xlsx?status=in_progress"`) {
		t.Errorf("the export does not keep the filter:\n%s", page)
	}
	check("/ledger?year=2025&severity=normal", f1, openFinding)
	check("/ledger?district=370211&overdue=true")
	if page := check("/ledger?year=2O25"); !strings.Contains(page,
		`<span class="field-error">应为年份, 如 2025</span>`) {
		t.Errorf("a year that is not one:\n%s", page)
	}
	signIn(t, srv.URL, c, "clerk")
	check("/ledger?district=370202", f1, openFinding)
}

// A plan, a talk and an upload sent twice from one rendered form each act once, and each send shows success.
func TestResentFormsActOnce(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})

	_, page := fetch(t, c, "GET", srv.URL+"/plan", nil)
	key := formKeyOf(t, page, "/plan")
	form := url.Values{"csrf": {csrfOf(t, page)}, "idem": {key}, "rows": {"1"}, "target_year": {"2026"},
		"year_0": {"2025"}, "schools_0": {"S001 S002"}, "indicators_0": {"class_size"}}
	for range 2 {
		_, page = postMultipart(t, c, srv.URL+"/plan", form, "responsibility_file", "责任书.pdf", "%PDF-1.4 letter")
		if !strings.Contains(page, "创建方案已报送, 等待督导办审核") {
			t.Fatalf("the plan was not submitted:\n%s", page)
		}
	}
	if sent := argsOf[workflows.PlanSubmission](api, workflows.UpdateSubmitPlan); len(sent) != 1 ||
		sent[0].ResponsibilityFile != fileID("%PDF-1.4 letter") {
		t.Errorf("one form submitted %+v", sent)
	}

	_, page = fetch(t, c, "GET", srv.URL+"/district?year=2026", nil)
	form = url.Values{"csrf": {csrfOf(t, page)}, "idem": {formKeyOf(t, page, "/district/upload")}, "year": {"2026"}}
	for range 2 {
		_, page = postMultipart(t, c, srv.URL+"/district/upload", form, "file", "data.json", draftJSON(t))
		if !strings.Contains(page, "已保存") {
			t.Fatalf("the upload was not saved:\n%s", page)
		}
	}
	if got := api.updatesOf(workflows.UpdateSaveDraft); len(got) != 1 {
		t.Errorf("one upload saved %d drafts", len(got))
	}

	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"officer"}})
	_, page = fetch(t, c, "GET", srv.URL+findingPage, nil)
	form = findingForm(t, page, "talks", url.Values{"kind": {"talk"}, "note": {"约谈区长"}})
	for range 2 {
		if _, page = fetch(t, c, "POST", srv.URL+"/finding/talks", form); !strings.Contains(page, "操作成功") {
			t.Fatalf("the talk was not recorded:\n%s", page)
		}
	}
	if _, talks := api.counts(); talks != 1 {
		t.Errorf("one form recorded %d talks", talks)
	}
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// formOf is the form of page that posts to action as a browser sends it before anything is typed: its hidden
// fields, the CSRF token and the key among them.
func formOf(t *testing.T, page, action string) url.Values {
	t.Helper()
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s:\n%s", action, page)
	}
	form, _, _ := strings.Cut(page[i:], "</form>")
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(form, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// checkKept checks the page a pending outcome sent the browser to: the flash of the form named name says msg and
// nothing of keys, the form posting to action carries key again, and every other form a well-formed key of its own.
func checkKept(t *testing.T, page, action, name, key, msg string) {
	t.Helper()
	if !strings.Contains(page, `data-form="`+name+`">`+"\n<strong>"+msg+"</strong>") {
		t.Errorf("%s: the flash does not say %q:\n%s", name, msg, page)
	}
	if strings.Contains(page, "Idempotency-Key") || strings.Contains(page, "幂等键") {
		t.Errorf("%s: the page speaks of keys:\n%s", name, page)
	}
	if got := formKeyOf(t, page, action); got != key {
		t.Errorf("%s: the form came back with key %q, want the one it was sent with, %q", name, got, key)
	}
	keys := idemField.FindAllStringSubmatch(page, -1)
	kept := 0
	for _, k := range keys {
		switch {
		case k[1] == key:
			kept++
		case !formKeyPattern.MatchString(k[1]):
			t.Errorf("%s: malformed key %q", name, k[1])
		}
	}
	if kept != 1 {
		t.Errorf("%s: %d of the page's %d forms carry the kept key", name, kept, len(keys))
	}
}

func (f *fakeAPI) setOutage(kind string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outage = kind
}

const pendingMsg = "系统繁忙或暂时不可用, 操作可能仍在处理中: 请稍候刷新页面查看结果; 重新提交本表单不会重复办理"

// An Update whose workflow task failed (Temporal's WorkflowNotReady: it was not applied) is sent again by the
// core, under the same ID: the user sees it done, and it was taken once.
func TestUpdateNotReadyIsSentAgain(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	_, page := fetch(t, c, "GET", srv.URL+findingPage, nil)
	form := findingForm(t, page, "progress", url.Values{"note": {"已完成改造"}})
	api.setOutage("not_ready_once")
	_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "evidence", "照片.jpg", photo)
	if got := api.updatesOf(workflows.UpdateReportProgress); len(got) != 1 || !strings.Contains(page, "操作成功") {
		t.Errorf("the report made Updates %q:\n%s", got, page)
	}
}

// A progress report the core gives up on after its action timeout while the workflow still records it: the page
// comes back with the report's form under the key it was sent with, so that sending it again, as the page
// says the user may, records it once. Every other form gets a fresh key, and a reload starts afresh.
func TestTimedOutReportResentActsOnce(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	_, page := fetch(t, c, "GET", srv.URL+findingPage, nil)
	form := findingForm(t, page, "progress", url.Values{"note": {"已完成改造"}})
	key := form.Get("idem")
	api.mu.Lock()
	api.timeout = true
	api.mu.Unlock()
	_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "evidence", "照片.jpg", photo)
	checkKept(t, page, "/finding/progress", "progress:"+openFinding, key, pendingMsg)
	for _, other := range []string{"/finding/request-close", "/finding/extension"} {
		if got := formKeyOf(t, page, other); got == key {
			t.Errorf("the form posting to %s got the report's key", other)
		}
	}

	// The user sends the form again as the page renders it, with the same note and photo.
	form.Set("idem", formKeyOf(t, page, "/finding/progress"))
	_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "evidence", "照片.jpg", photo)
	if got := api.updatesOf(workflows.UpdateReportProgress); len(got) != 1 || !strings.Contains(page, "操作成功") {
		t.Errorf("the resent report made Updates %q:\n%s", got, page)
	}
	if _, page = fetch(t, c, "GET", srv.URL+findingPage, nil); strings.Contains(page, key) {
		t.Error("the kept key outlived the page that followed the form")
	}
}

// Every form that acts comes back under the key it was sent with when the API was busy, unavailable, answered
// without a body, or was still answering the key; the flash says so without the API's words on keys.
func TestPendingFormsKeepTheirKeys(t *testing.T) {
	db := seededStore(t)
	srv, c, api := newSite(t, Options{Store: db})
	recordPlan(t, db, planState(vocab.PlanSubmitted))
	f1 := "finding:2025:370211:1"
	cases := []struct {
		user, page, action, name string
		fields                   url.Values
		file                     string // the form's file field, if a file is chosen
	}{
		{"clerk", "/district?year=2026", "/district/upload", "upload", nil, "file"},
		{"clerk", "/district?year=2026", "/district/edit", "edit", url.Values{"data": {draftJSON(t)}}, ""},
		{"clerk", "/district?year=2026", "/district/submit", "submit", nil, ""},
		{"clerk", "/district?year=2025", "/district/apply", "apply", nil, ""},
		{"clerk", newFindingPage, "/finding/plan", "plan:" + f1,
			url.Values{"measures": {"改建"}, "due_date": {"2026-03-31"}}, ""},
		{"clerk", newFindingPage, "/finding/extension", "extension:" + f1,
			url.Values{"reason": {"施工"}, "due_date": {"2026-06-30"}}, ""},
		{"clerk", findingPage, "/finding/progress", "progress:" + openFinding, url.Values{"note": {"进展"}}, ""},
		{"clerk", findingPage, "/finding/request-close", "request-close:" + openFinding, nil, "evidence"},
		{"clerk", "/plan", "/plan", "plan", url.Values{"target_year": {"2026"}, "year_0": {"2026"}},
			"responsibility_file"},
		{"officer", "/office?year=2025", "/office/open", "open", nil, ""},
		{"officer", "/office/district?year=2024&code=370211", "/office/review", "review",
			url.Values{"decision": {"approve"}}, ""},
		{"officer", "/office/district?year=2023&code=370211", "/office/decision", "acceptance",
			url.Values{"passed": {"true"}}, ""},
		{"officer", "/office/district?year=2022&code=370211", "/office/decision", "province",
			url.Values{"passed": {"true"}}, ""},
		{"officer", findingPage, "/finding/talks", "talks:" + openFinding, url.Values{"kind": {"talk"}}, ""},
		{"officer", "/plan?code=370211", "/plan/review", "plan_review", url.Values{"approved": {"true"}}, ""},
	}
	kinds := map[string]string{"unavailable": pendingMsg, "busy": pendingMsg, "bare": pendingMsg,
		"in_progress": "该操作正在处理, 请稍候刷新页面查看结果"}
	for kind, msg := range kinds {
		for _, tc := range cases {
			fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {tc.user}})
			_, page := fetch(t, c, "GET", srv.URL+tc.page, nil)
			form := formOf(t, page, tc.action)
			maps.Copy(form, tc.fields)
			// A file of a type the pages' core accepts.
			name, content := "a.pdf", "%PDF-1.4 file"
			if tc.name == "upload" { // read by the pages' core before it reaches the workflow service
				name, content = "a.json", draftJSON(t)
			}
			if kind == "in_progress" {
				// The first send of the form is under way: the pages' own record of its key says so.
				claimForm(t, db, tc.user, form.Get("idem"))
			}
			api.setOutage(kind)
			if tc.file != "" {
				_, page = postMultipart(t, c, srv.URL+tc.action, form, tc.file, name, content)
			} else {
				_, page = fetch(t, c, "POST", srv.URL+tc.action, form)
			}
			api.setOutage("")
			checkKept(t, page, tc.action, tc.name, form.Get("idem"), msg)
		}
	}
}

// A form the API refused for its content comes back with a fresh key: the user changes what was sent, which
// under the old key the API would refuse as a different request.
func TestRefusedFormGetsAFreshKey(t *testing.T) {
	db := seededStore(t)
	srv, c, api := newSite(t, Options{Store: db})
	recordPlan(t, db, planState(vocab.PlanSubmitted))
	api.refuse(workflows.ErrInvalid, "comment", "退回须说明理由") // as the plan workflow refuses a return without one
	for _, tc := range []struct{ user, page, action, error string }{
		{"clerk", newFindingPage, "/finding/plan", `<span class="field-error">必填</span>`},
		{"officer", "/plan?code=370211", "/plan/review", `<span class="field-error">退回须说明理由</span>`},
	} {
		fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {tc.user}})
		_, page := fetch(t, c, "GET", srv.URL+tc.page, nil)
		form := formOf(t, page, tc.action) // no measures' due date, no reason to return the plan
		_, page = fetch(t, c, "POST", srv.URL+tc.action, form)
		if !strings.Contains(page, tc.error) {
			t.Errorf("%s: the refusal is not shown:\n%s", tc.action, page)
		}
		if got := formKeyOf(t, page, tc.action); got == form.Get("idem") || !formKeyPattern.MatchString(got) {
			t.Errorf("%s: the refused form came back with key %q", tc.action, got)
		}
	}
}

// A page the API cannot serve for a passing reason says so, not in the API's words on keys.
func TestUnavailablePage(t *testing.T) {
	db := seededStore(t)
	srv, c, _ := newSite(t, Options{Store: db})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	if err := db.Close(); err != nil { // the database is gone
		t.Fatal(err)
	}
	resp, page := fetch(t, c, "GET", srv.URL+"/notifications", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "系统繁忙或暂时不可用, 请稍后刷新页面") ||
		strings.Contains(page, "Idempotency-Key") {
		t.Errorf("%d:\n%s", resp.StatusCode, page)
	}
}

// Every passing failure of the core (Temporal unavailable or busy, or any other error) gets the pending message,
// in English too.
func TestPendingMessages(t *testing.T) {
	busy := usecase.WorkflowError(serviceerror.NewFailedPrecondition(
		"The limit on the total number of distinct updates in this workflow has been reached (2000)."))
	for _, err := range []error{usecase.ErrUnavailable, busy, errors.New("connection reset")} {
		f := result("submit", err, true, "")
		if !f.Pending || !strings.HasPrefix(f.Msg, "The system is busy or unavailable") {
			t.Errorf("%v: %+v", err, f)
		}
		if f := result("submit", err, false, ""); f.Msg != pendingMsg {
			t.Errorf("%v: %q", err, f.Msg)
		}
	}
}

// The office records the province's result with the province's document: the page uploads the file, then sends
// the result naming it (the workflow refuses the office's record without one).
func TestOfficeSendsTheProvincesDocument(t *testing.T) {
	db := seededStore(t)
	srv, c, api := newSite(t, Options{Store: db})
	signIn(t, srv.URL, c, "officer")
	_, page := fetch(t, c, "GET", srv.URL+"/office/district?year=2022&code=370211", nil)
	form := formOf(t, page, "/office/decision")
	form.Set("passed", "true")
	postMultipart(t, c, srv.URL+"/office/decision", form, "report", "省级认定文件.pdf", "%PDF-1.4 document")
	sent := api.updates
	if len(sent) != 1 || sent[0].UpdateName != workflows.UpdateRecordProvinceResult {
		t.Fatalf("the province's result: %+v", sent)
	}
	in := sent[0].Args[0].(workflows.DecisionInput)
	stored, err := db.FileFor(context.Background(), in.ReportFile, "370211") // shared once the result was taken
	if !in.Passed || err != nil || stored.Name != "省级认定文件.pdf" {
		t.Errorf("the province's document: %+v %+v %v", in, stored, err)
	}
	// The district downloads it, under its own name; a file that is not its own does not exist for it.
	signIn(t, srv.URL, c, "clerk")
	resp, data := fetch(t, c, "GET", srv.URL+"/download/file?id="+url.QueryEscape(in.ReportFile), nil)
	if data != "%PDF-1.4 document" || !strings.Contains(resp.Header.Get("Content-Disposition"),
		url.PathEscape("省级认定文件.pdf")) {
		t.Errorf("the district's download: %q %v", data, resp.Header)
	}
	if resp, _ := fetch(t, c, "GET", srv.URL+"/download/file?id=unknown", nil); resp.StatusCode != 404 {
		t.Errorf("an unknown file: %d", resp.StatusCode)
	}
}

// An item that does not apply to the district (a stage it has no pupils in), or whose pay figures are missing,
// reads so in the page's language.
func TestPlainSummaries(t *testing.T) {
	for _, tc := range []struct {
		en   bool
		in   string
		want string
	}{
		{false, "primary=not_applicable; junior=0.97", "primary=不适用; junior=0.97"},
		{false, "= true", "= 是"},
		{true, "primary=not_applicable; junior=0.97", "primary=not applicable; junior=0.97"},
		// Item 8 passed on the yes/no alone.
		{false, evaluation.DeclaredFiguresMissing, "已声明, 未填报金额"},
		{true, evaluation.DeclaredFiguresMissing, "declared, figures missing"},
	} {
		if got := (&page{En: tc.en}).Plain(tc.in); got != tc.want {
			t.Errorf("Plain(%q), English %v = %q, want %q", tc.in, tc.en, got, tc.want)
		}
	}
}

// TestBasicBalanceMonitoring: the district's page makes the 2012 monitoring report from an uploaded file: the
// combined coefficient of each stage against its limit and the three conditions in place of the 2017 checklists.
// The form carries no idempotency key (nothing is kept), and a file of another district is refused.
func TestBasicBalanceMonitoring(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	_, page := fetch(t, c, "GET", srv.URL+"/district?year=2026", nil)
	form := regexp.MustCompile(`(?s)<form[^>]*id="monitor-form".*?</form>`).FindString(page)
	if form == "" || strings.Contains(form, `name="idem"`) {
		t.Fatalf("monitoring form %q", form)
	}
	data, err := os.ReadFile("../evaluation/testdata/basic-2012.json")
	if err != nil {
		t.Fatal(err)
	}
	fields := url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]}, "year": {"2026"}}
	resp, report := postMultipart(t, c, srv.URL+"/district/monitor", fields, "file", "basic.json", string(data))
	for _, want := range []string{`<tr class="cv-mean" data-stage="primary"><th>综合差异系数(各项平均)</th>`,
		// hand-worked in evaluation/basic2012_test.go: mean 0.216866 against 0.65 and 0.55
		`<td class="pass">0.2169</td><td>≤ 0.65</td>`, `<td class="pass">0.2169</td><td>≤ 0.55</td>`,
		`<th>每百名学生拥有计算机台数</th>`, `id="basic-2012"`, `<td class="pass">90%</td><td>≥ 85%</td>`,
		"评估标准: basic-2012"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q (%d):\n%s", want, resp.StatusCode, report)
		}
	}
	if strings.Contains(report, "政府保障") || strings.Contains(report, "达标项") {
		t.Error("the 2012 report shows the 2017 checklists or met counts")
	}
	if len(api.updates) != 0 {
		t.Errorf("the monitoring report acted: Updates %v", api.updates)
	}
	other := strings.Replace(string(data), `"370211"`, `"370202"`, 1)
	resp, page = postMultipart(t, c, srv.URL+"/district/monitor", fields, "file", "basic.json", other)
	if !strings.Contains(page, "文件中的区县代码为 370202, 应为本区县 370211") || resp.Request.URL.Path != "/district" {
		t.Errorf("another district's file: %s\n%s", resp.Request.URL, page)
	}
}

// TestSessionsSharedAndKept: a session lives in the store, so a second process of the site serves the person
// signed in on the first, shows the outcome of a form posted there, and a restarted one still knows them. The
// browser's ID is not what the store keeps.
func TestSessionsSharedAndKept(t *testing.T) {
	db := seededStore(t)
	first, c, _ := newSite(t, Options{Store: db})
	second, _, _ := newSite(t, Options{Store: db})
	fetch(t, c, "POST", first.URL+"/login", url.Values{"token": {"clerk"}})
	u, _ := url.Parse(first.URL)
	var id string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			id = ck.Value
		}
	}
	if id == "" {
		t.Fatal("no session cookie")
	}
	if _, err := db.Session(context.Background(), id); err == nil {
		t.Error("the store keeps the browser's session ID itself")
	}
	other := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, page := fetch(t, other, "GET", second.URL+"/district?year=2025", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "功能室不足") {
		t.Fatalf("the second process does not know the session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A form posted to the first process; its outcome shows on the page the second serves.
	form := formOf(t, page, "/district/apply")
	if resp, _ := fetch(t, other, "POST", first.URL+"/district/apply", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", resp.StatusCode)
	}
	if _, page = fetch(t, other, "GET", second.URL+"/district?year=2025", nil); !strings.Contains(page,
		`data-form="apply"`) {
		t.Errorf("the outcome of the form is not shown by the other process:\n%s", page)
	}
	if _, page = fetch(t, other, "GET", first.URL+"/district?year=2025", nil); strings.Contains(page,
		`data-form="apply"`) {
		t.Error("the outcome is shown twice")
	}
	restarted, _, _ := newSite(t, Options{Store: db})
	if resp, _ := fetch(t, other, "GET", restarted.URL+"/district?year=2025", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("a restart signed the person out: %d", resp.StatusCode)
	}
	m := csrfField.FindStringSubmatch(page)
	fetch(t, other, "POST", restarted.URL+"/logout", url.Values{"csrf": {m[1]}})
	if resp, _ := fetch(t, other, "GET", first.URL+"/district?year=2025", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out on one process, still signed in on another: %d", resp.StatusCode)
	}
}
