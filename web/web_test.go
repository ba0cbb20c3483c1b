package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
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

	"junheng/api"
	"junheng/evaluation"
	"junheng/workflows"

	"go.temporal.io/sdk/client"
)

// fakeAPI answers the few API routes the tests touch and records what the pages sent.
type fakeAPI struct {
	mu    sync.Mutex
	calls []string // "METHOD path Authorization body"
	// plan answers GET /api/v1/districts/370211/plan (404 when empty); planProblem, when set, is the 422 answer
	// to PUT of the plan.
	plan, planProblem string
	// keys lists the Idempotency-Key of every POST and PUT ("" when none came); first holds the first answer to
	// each key, as the API does (api/idempotency.go), so only what acts reaches serve and calls.
	keys  []string
	first map[string]*firstAnswer
	// progress and talks are the progress reports and talks of openFinding; the history has one row for each.
	progress, talks int
	// hold, when set, keeps the next progress report waiting until it is closed; held gets its context when it
	// waits. A report whose request was cancelled meanwhile fails as the API's does (500, forgetting its key).
	hold chan struct{}
	held chan context.Context
	// outage, when set, answers every POST and PUT without acting, as the API does when the workflow service is
	// down or busy: "unavailable" or "busy" is a 503 of that problem type, "in_progress" the 409 of a key still
	// being answered, "bare" a 503 without a body (a proxy's). readsDown answers reads but GET /me 503 likewise.
	outage    string
	readsDown bool
	// timeout makes the next progress report act and still answer 503, as the API does when its action timeout
	// passes before the workflow has taken the Update. reported holds the keys of the reports that acted: the
	// API derives the Update's ID from the key, so the workflow takes a resent report once.
	timeout  bool
	reported map[string]bool
	// updates are the Updates the workflow service behind the pages' core took (see fakeTemporal).
	updates []client.UpdateWorkflowOptions
}

// unavailable writes the API's 503 problem of kind, in its words (which speak of the Idempotency-Key).
func unavailable(w http.ResponseWriter, kind string) {
	switch kind {
	case "bare":
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	case "in_progress":
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"type":"urn:junheng:problem:in_progress","status":409,`+
			`"detail_zh":"相同幂等键的请求正在处理, 请稍后重试","detail":"a request with this Idempotency-Key is still being answered"}`)
		return
	case "busy":
		w.Header().Set("Retry-After", "5")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, `{"type":"urn:junheng:problem:%s","status":503,"detail_zh":"请稍后用相同的 Idempotency-Key 重试",`+
		`"detail":"retry later with the same Idempotency-Key"}`, kind)
}

// firstAnswer is the fake API's record of a request with an Idempotency-Key; rec is nil while it is answered.
type firstAnswer struct {
	hash [32]byte
	rec  *httptest.ResponseRecorder
}

// openFinding is a finding in progress: the district may report progress, the office record talks.
const openFinding = "finding:2025:370211:2"

var findingPage = "/finding?id=" + url.QueryEscape(openFinding)

func (f *fakeAPI) set(plan, problem string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.plan, f.planProblem = plan, problem
}

// ServeHTTP answers a POST or PUT with an Idempotency-Key once, as the API does: a repeat of the same request
// gets the first answer, a different request under the key 422, a repeat while the first is answered 409.
func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		f.serve(w, r)
		return
	}
	f.mu.Lock()
	outage := f.outage
	if outage != "" {
		f.keys = append(f.keys, key)
	}
	f.mu.Unlock()
	if outage != "" {
		unavailable(w, outage)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	hash := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
	id := caller(r) + " " + key
	f.mu.Lock()
	f.keys = append(f.keys, key)
	if f.first == nil {
		f.first = map[string]*firstAnswer{}
	}
	first := f.first[id]
	if key != "" && first == nil {
		f.first[id] = &firstAnswer{hash: hash}
	}
	var replay *httptest.ResponseRecorder
	if first != nil {
		replay = first.rec
	}
	f.mu.Unlock()
	problem := func(status int, kind string) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"type":"urn:junheng:problem:%s","status":%d,"detail_zh":"幂等键","detail":"key"}`, kind, status)
	}
	switch {
	case key == "":
		f.serve(w, r)
	case first == nil:
		rec := httptest.NewRecorder()
		f.serve(rec, r)
		f.mu.Lock()
		f.first[id].rec = rec
		if rec.Code >= 500 {
			delete(f.first, id) // its resend acts
		}
		f.mu.Unlock()
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	case first.hash != hash:
		problem(http.StatusUnprocessableEntity, "idempotency_key_reused")
	case replay == nil:
		problem(http.StatusConflict, "in_progress")
	default:
		maps.Copy(w.Header(), replay.Header())
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(replay.Code)
		w.Write(replay.Body.Bytes())
	}
}

// fakeTokens are the tokens the fake API knows, by ID.
var fakeTokens = map[int64]string{1: "clerk", 2: "officer", 3: "admin"}

// caller is who a request comes from, as "Bearer <token>": its bearer token, or the token whose ID the pages sent
// it for (api.ForToken).
func caller(r *http.Request) string {
	if id, ok := api.TokenFor(r.Context()); ok {
		return "Bearer " + fakeTokens[id]
	}
	return r.Header.Get("Authorization")
}

// serve answers the routes the tests touch, each request acting.
func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path+" "+caller(r)+" "+string(body))
	plan, planProblem, down := f.plan, f.planProblem, f.readsDown
	f.mu.Unlock()
	token := strings.TrimPrefix(caller(r), "Bearer ")
	if token != "clerk" && token != "officer" && token != "admin" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if down && r.Method == http.MethodGet && r.URL.Path != "/api/v1/me" {
		unavailable(w, "unavailable")
		return
	}
	problem := func(body string) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, body)
	}
	switch r.Method + " " + r.URL.Path {
	case "GET /api/v1/districts":
		io.WriteString(w, `[{"code":"370211","name":"黄岛区"},{"code":"370202","name":"市南区"}]`)
	case "GET /api/v1/districts/370211/plan":
		if plan == "" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, plan)
	case "GET /api/v1/districts/370202/plan":
		http.NotFound(w, r)
	case "POST /api/v1/files":
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"file-new"}`)
	case "PUT /api/v1/districts/370211/plan":
		if planProblem != "" {
			problem(planProblem)
			return
		}
		io.WriteString(w, `{"district":"370211","status":"submitted"}`)
	case "POST /api/v1/districts/370211/plan/review":
		var req struct {
			Version int
			Comment string
		}
		if json.Unmarshal(body, &req) == nil && req.Version != 2 {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusConflict)
			io.WriteString(w, `{"status":409,"detail_zh":"待审核的是第 2 版(区县已重新提交), 请查看后再审核",`+
				`"detail":"version 2 is the one waiting"}`)
			return
		}
		if req.Comment == "" {
			problem(`{"status":422,"detail_zh":"提交的数据有误",` +
				`"errors":[{"field":"comment","message_zh":"退回须说明理由","message_en":"say why"}]}`)
			return
		}
		io.WriteString(w, `{"district":"370211","status":"returned"}`)
	case "GET /api/v1/templates/self-assessment.xlsx":
		w.Header().Set("Content-Disposition", `attachment; filename="self-assessment.xlsx"`)
		io.WriteString(w, "PK-template")
	case "GET /api/v1/files/letter-1":
		w.Header().Set("Content-Disposition", `attachment; filename="责任书.pdf"`)
		io.WriteString(w, "%PDF-letter")
	case "GET /api/v1/districts/370211/progress":
		if r.URL.Query().Get("format") == "xlsx" {
			w.Header().Set("Content-Disposition", `attachment; filename="progress.xlsx"`)
			io.WriteString(w, "PK-progress")
			return
		}
		// The years asked for, or the API's own: the page shows which it passed on.
		fmt.Fprintf(w, `{"district":"370211","name":"黄岛区","from":%s,"to":%s,`+
			`"generated_at":"2025-06-01T09:00:00+08:00","plan":null,"years":[{"year":2025,"submitted":true,`+
			`"verdict":"meets","schools":4,"non_compliant":["S1"]}],"schools":[]}`,
			cmp.Or(r.URL.Query().Get("from"), "2024"), cmp.Or(r.URL.Query().Get("to"), "2025"))
	case "GET /api/v1/progress":
		io.WriteString(w, `{"from":2024,"to":2025,"generated_at":"2025-06-01T09:00:00+08:00","years":[{"year":2025,`+
			`"districts":2,"meeting":1,"certified":0,"share":0.5,"target":0.4,"target_met":true,"at_risk":[],`+
			`"late":[],"lagging":["370202"]}],"districts":[{"district":"370202","name":"市南区","target_year":2026,`+
			`"years":[]}]}`)
	case "GET /api/v1/cycles/2025/bulletin":
		io.WriteString(w, `{"year":2025,"generated_at":"2025-06-01T09:00:00+08:00","districts":2,"meeting":1,`+
			`"certified":0,"meeting_share":0.5,"target":0.4,"target_met":true,"stages":{"rectification":2},`+
			`"rows":[{"district":"370211","district_name":"黄岛区","stage":"rectification","late":true,`+
			`"overdue":false,"verdict":"meets","short_indicators":[],"findings":{"open":1,"closed":0,"overdue":0,`+
			`"escalated":0,"carried_over":0}}]}`)
	case "GET /api/v1/cycles/2026/districts/370211/self-assessment": // ?format=xlsx
		w.Header().Set("Content-Disposition", `attachment; filename="self-assessment-370211-2026.xlsx"`)
		io.WriteString(w, "PK-data")
	case "GET /api/v1/findings/" + openFinding:
		f.mu.Lock()
		history := slices.Repeat([]string{`{"actor":"clerk","role":"district","action":"progress"}`}, f.progress)
		history = append(history,
			slices.Repeat([]string{`{"actor":"officer","role":"office","action":"talks"}`}, f.talks)...)
		fmt.Fprintf(w, `{"id":%q,"year":2025,"district_code":"370211","title":"班额超标","status":"in_progress",
			"talks":%d,"state":{"progress_reports":%d},"history":[%s]}`,
			openFinding, f.talks, f.progress, strings.Join(history, ","))
		f.mu.Unlock()
	case "POST /api/v1/findings/" + openFinding + "/progress":
		f.mu.Lock()
		hold, held := f.hold, f.held
		f.hold = nil // only the first report waits, so a second one that acts shows up instead of waiting too
		f.mu.Unlock()
		if hold != nil {
			held <- r.Context()
			<-hold
			if r.Context().Err() != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
		key := r.Header.Get("Idempotency-Key")
		f.mu.Lock()
		timeout := f.timeout
		f.timeout = false
		if key == "" || !f.reported[key] {
			f.progress++
		}
		if key != "" {
			if f.reported == nil {
				f.reported = map[string]bool{}
			}
			f.reported[key] = true
		}
		f.mu.Unlock()
		if timeout {
			unavailable(w, "unavailable")
			return
		}
		io.WriteString(w, `{"status":"in_progress"}`)
	case "POST /api/v1/findings/" + openFinding + "/talks":
		f.mu.Lock()
		f.talks++
		f.mu.Unlock()
		io.WriteString(w, `{"status":"in_progress"}`)
	case "POST /api/v1/findings/finding:2025:370211:1/plan":
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"status":422,"detail":"the request has invalid fields","detail_zh":"提交的数据有误, 请按字段修正",
			"errors":[{"field":"due_date","message_zh":"必填","message_en":"required"}]}`)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAPI) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

// callsTo lists the bodies the pages sent to method and path, oldest first.
func (f *fakeAPI) callsTo(method, path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if m, rest, _ := strings.Cut(c, " "); m == method {
			if p, rest, _ := strings.Cut(rest, " "); p == path {
				_, body, _ := strings.Cut(strings.TrimPrefix(rest, "Bearer "), " ")
				out = append(out, body)
			}
		}
	}
	return out
}

func newSite(t *testing.T, opts Options) (*httptest.Server, *http.Client, *fakeAPI) {
	t.Helper()
	api := &fakeAPI{}
	if opts.Store == nil {
		opts.Store = seededStore(t)
	}
	opts.Core = newCore(opts.Store, api)
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
	form := url.Values{"id": {"finding:2025:370211:1"}, "back": {"/district?year=2025"}, "measures": {"改建"}}
	if resp, _ := fetch(t, c, "POST", srv.URL+"/finding/plan", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a POST without the CSRF token: %d", resp.StatusCode)
	}
	form.Set("csrf", m[1])
	_, page = fetch(t, c, "POST", srv.URL+"/finding/plan", form)
	if !strings.Contains(page, `<span class="field-error">必填</span>`) || !strings.Contains(page, "提交的数据有误") {
		t.Errorf("the API's field error is not shown next to the field:\n%s", page)
	}
	if sent := api.callsTo("POST", "/api/v1/findings/finding:2025:370211:1/plan"); len(sent) != 1 ||
		!strings.Contains(sent[0], `"measures":"改建"`) {
		t.Errorf("the plan sent %q", sent)
	}

	// Downloads come from the API with the session's token; API paths pass through Mount untouched.
	resp, page = fetch(t, c, "GET", srv.URL+"/download/template.xlsx", nil)
	if page != "PK-template" || !strings.Contains(resp.Header.Get("Content-Disposition"), "self-assessment.xlsx") {
		t.Errorf("template download: %q %v", page, resp.Header)
	}
	// The district's multi-year report is its own, over the years asked for, printed by package report from the
	// API's JSON with its inline style sheet.
	resp, page = fetch(t, c, "GET", srv.URL+"/progress?district=370202&from=2023", nil)
	if !strings.Contains(page, "<title>黄岛区 义务教育优质均衡发展创建进展报告 (2023–2025)</title>") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "style-src 'unsafe-inline'") ||
		strings.Contains(resp.Header.Get("Content-Security-Policy"), "script") {
		t.Errorf("progress report: %q %v", page, resp.Header)
	}
	if _, page = fetch(t, c, "GET", srv.URL+"/download/progress.xlsx", nil); page != "PK-progress" {
		t.Errorf("progress workbook: %q", page)
	}
	if _, page = fetch(t, c, "GET", srv.URL+"/download/file?id=letter-1", nil); page != "%PDF-letter" {
		t.Errorf("a file through the pages: %q", page)
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
	if data != "PK-data" ||
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
		"/progress":                   "<title>全市义务教育优质均衡发展创建进展报告 (2024–2025)</title>",
		"/progress?district=370211":   "<title>黄岛区 义务教育优质均衡发展创建进展报告 (2024–2025)</title>",
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
	resp, _ = fetch(t, c, "GET", srv.URL+"/bulletin?year=2024&print=1", nil)
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Security-Policy") == printable {
		t.Errorf("a bulletin the API does not have: %d %v", resp.StatusCode, resp.Header)
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
	rep := reply{status: 422, body: []byte(`{"status":422,"detail_zh":"提交的数据有误","errors":[
		{"field":"schools[0].students","sheet":"学校","row":7,"column":"E",` +
		`"message_zh":"应为整数","message_en":"want a whole number"}]}`)}
	f := outcome("upload", rep, false, "")
	if len(f.List) != 1 || f.List[0] != "「学校」工作表第 7 行 E 列: 应为整数" {
		t.Errorf("%q", f.List)
	}
	if f := outcome("upload", rep, true, ""); f.List[0] != "sheet 学校, row 7, column E: want a whole number" {
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

// planJSON is a plan whose version 1 is in effect and whose latest version 2 has the given status.
func planJSON(latest string) string {
	return `{"district_code":"370211","status":"` + latest + `","version":2,"approved_version":1,"target_year":2025,
		"updated_at":"2025-03-02T08:00:00Z","versions":[
		{"district_code":"370211","version":1,"target_year":2025,"responsibility_file":"file-v1","note":"首次报送",
		 "status":"approved","submitted_by":"clerk","submitted_at":"2024-01-05T02:00:00Z","decided_by":"officer",
		 "decided_at":"2024-01-09T02:00:00Z","comment":"同意",
		 "plan":{"target_year":2025,"milestones":[
			{"year":2024,"schools":["S001","S002"],"indicators":["class_size"],"oversized_max":0},
			{"year":2025,"schools":[],"indicators":["music_art_rooms"],"note":"全面达标"}]}},
		{"district_code":"370211","version":2,"target_year":2026,"responsibility_file":"file-v2","note":"修订",
		 "status":"` + latest + `","submitted_by":"clerk","submitted_at":"2025-03-01T02:00:00Z",` +
		map[bool]string{
			true:  `"decided_by":"officer","decided_at":"2025-03-02T08:00:00Z","comment":"请补充学校",`,
			false: "",
		}[latest == "returned"] + `
		 "plan":{"target_year":2026,"milestones":[
			{"year":2025,"schools":["S003"],"indicators":["school_size","not_a_national_key"],` +
		`"large_classes_max":2}]}}]}`
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
// letter is uploaded first, blank rows are left out, school codes are split, and refused fields show on their row.
func TestDistrictPlan(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})

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
	if got := api.callsTo("GET", "/api/v1/districts/370202/plan"); len(got) != 0 {
		t.Errorf("a district read another district's plan")
	}

	api.set(planJSON("returned"), "")
	_, page = fetch(t, c, "GET", srv.URL+"/plan", nil)
	for _, want := range []string{
		`<strong id="plan-status"><span class="badge plan-returned bad">已退回</span></strong>`,
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
	if resp, _ := postMultipart(t, c, srv.URL+"/plan", form, "responsibility_file", "责任书.pdf",
		"%PDF-1.4 letter"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a plan without the CSRF token: %d", resp.StatusCode)
	}
	if n := len(api.callsTo("POST", "/api/v1/files")) +
		len(api.callsTo("PUT", "/api/v1/districts/370211/plan")); n != 0 {
		t.Fatalf("a refused POST reached the API %d times", n)
	}
	form.Set("csrf", csrf)
	_, page = postMultipart(t, c, srv.URL+"/plan", form, "responsibility_file", "责任书.pdf", "%PDF-1.4 letter")
	if i := strings.Index(page, `<div class="flash ok" role="status" data-form="plan_saved">`+
		"\n<strong>创建方案已报送, 等待督导办审核</strong>"); i < 0 ||
		i > strings.Index(page, "<h2>") {
		t.Errorf("no success message:\n%s", page)
	}
	uploads, puts := api.callsTo("POST", "/api/v1/files"), api.callsTo("PUT", "/api/v1/districts/370211/plan")
	if len(uploads) != 1 || !strings.Contains(uploads[0], "%PDF-1.4 letter") ||
		!strings.Contains(uploads[0], `name="file"; filename="责任书.pdf"`) {
		t.Fatalf("the letter was not uploaded: %q", uploads)
	}
	want := `{"milestones":[{"year":2024,"schools":["S001","S002","S003"],"indicators":["class_size","school_size"],` +
		`"large_classes_max":2},` +
		`{"year":2026,"schools":[],"indicators":[],"oversized_max":0,"note":"全面达标"}],` +
		`"note":"第三版","responsibility_file":"file-new","target_year":2026}`
	if len(puts) != 1 || puts[0] != want {
		t.Fatalf("the plan sent\n%s\nwant\n%s", puts, want)
	}

	// A revision without a new file sends the letter on file again.
	form.Set("note", "第四版")
	postMultipart(t, c, srv.URL+"/plan", form, "", "", "")
	if puts := api.callsTo("PUT", "/api/v1/districts/370211/plan"); len(puts) != 2 ||
		!strings.Contains(puts[1], `"responsibility_file":"file-v2"`) ||
		len(api.callsTo("POST", "/api/v1/files")) != 1 {
		t.Errorf("the revision without a file sent %q", puts)
	}

	// The API's field errors show on the form row each milestone came from; what was typed is kept, and so is
	// the letter just uploaded.
	api.set(planJSON("returned"), `{"status":422,"detail":"the request has invalid fields",`+
		`"detail_zh":"提交的数据有误, 请按字段修正","errors":[
		{"field":"milestones[0].year","message_zh":"应晚于基本均衡认定年份","message_en":"too early"},
		{"field":"milestones[1].indicators[0]","message_zh":"未知的指标","message_en":"unknown key"},
		{"field":"milestones[1].schools[1]","message_zh":"学校代码重复","message_en":"repeated"},
		{"field":"plan.other","message_zh":"其他问题","message_en":"other"}]}`)
	_, page = postMultipart(t, c, srv.URL+"/plan", form, "responsibility_file", "责任书.pdf", "%PDF-1.4 letter")
	for _, want := range []string{
		"提交的数据有误, 请按字段修正", "<li>plan.other: 其他问题</li>",
		`name="year_0" value="2024" size="6"></label>` +
			`<span class="field-error" data-field="milestones[0].year">应晚于基本均衡认定年份</span>`,
		`<span class="field-error" data-field="milestones[2].indicators">未知的指标</span>`,
		`<span class="field-error" data-field="milestones[2].schools">学校代码重复</span>`,
		`name="schools_0" value="S001，S002  S003"`, `name="indicators_0" value="class_size" checked>`,
		`name="milestone_note_2" value="全面达标"`,
		`<textarea name="note" class="short">第四版</textarea>`, `<input type="hidden" name="kept_file" value="file-new">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused plan's page lacks %q", want)
		}
	}
	if strings.Contains(page, `data-field="milestones[1].`) {
		t.Error("an error was shown on the blank row")
	}
	// The typed form lasts one page: a reload starts from the latest version again.
	if _, page = fetch(t, c, "GET", srv.URL+"/plan", nil); !strings.Contains(page, `name="year_0" value="2025"`) ||
		strings.Contains(page, "field-error") {
		t.Error("the refused form outlived its page")
	}

	// A number that is not one is the page's to report; nothing reaches the API.
	before := len(api.callsTo("PUT", "/api/v1/districts/370211/plan"))
	form.Set("oversized_max_2", "两所")
	_, page = postMultipart(t, c, srv.URL+"/plan", form, "", "", "")
	if !strings.Contains(page, `<span class="field-error" data-field="milestones[2].oversized_max">应为整数</span>`) ||
		len(api.callsTo("PUT", "/api/v1/districts/370211/plan")) != before {
		t.Errorf("a non-number was sent or not reported:\n%s", page)
	}
}

// The office reviews the version awaiting review, and only that: a return sends its comment.
func TestOfficeReviewsPlan(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"officer"}})

	api.set(planJSON("submitted"), "")
	_, page := fetch(t, c, "GET", srv.URL+"/plan", nil)
	for _, want := range []string{
		`<tr data-district="370211"><td>黄岛区 (370211)</td>`, `<span class="badge plan-submitted warn">待审核</span>`,
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
	if n := len(api.callsTo("POST", "/api/v1/districts/370211/plan/review")); n != 0 {
		t.Fatalf("a refused review reached the API")
	}
	review.Set("csrf", csrf)
	_, page = fetch(t, c, "POST", srv.URL+"/plan/review", review)
	if got := api.callsTo("POST", "/api/v1/districts/370211/plan/review"); len(got) != 1 ||
		got[0] != `{"approved":false,"comment":"请补充学校","version":2}` {
		t.Errorf("the review sent %q", got)
	}
	if !strings.Contains(page, "操作成功") || !strings.Contains(page, `id="plan-review"`) {
		t.Errorf("the review did not return to the plan:\n%s", page)
	}
	// A return without a comment shows the API's error next to the comment.
	review.Set("comment", "")
	_, page = fetch(t, c, "POST", srv.URL+"/plan/review", review)
	if !strings.Contains(page,
		`<input type="text" name="comment" size="50"></label><span class="field-error">退回须说明理由</span>`) {
		t.Errorf("the comment's error is not next to it:\n%s", page)
	}

	// A decision on a version the district has since replaced is refused with the API's reason.
	review.Set("version", "1")
	_, page = fetch(t, c, "POST", srv.URL+"/plan/review", review)
	if !strings.Contains(page, `data-form="plan_review">`+"\n<strong>待审核的是第 2 版(区县已重新提交), 请查看后再审核</strong>") {
		t.Errorf("the conflict is not shown:\n%s", page)
	}

	for _, status := range []string{"approved", "returned", "superseded"} {
		api.set(planJSON(status), "")
		if _, page = fetch(t, c, "GET", srv.URL+"/plan?code=370211", nil); strings.Contains(page, `id="plan-review"`) {
			t.Errorf("review buttons on a %s version", status)
		}
	}
	api.set("", "")
	if _, page = fetch(t, c, "GET", srv.URL+"/plan?code=370211", nil); !strings.Contains(page, `id="no-plan"`) ||
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

// sentKeys is the Idempotency-Key of each POST and PUT since the first n.
func (f *fakeAPI) sentKeys(n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.keys[n:])
}

// settled says whether every request with a key has been answered.
func (f *fakeAPI) settled() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.first {
		if a.rec == nil {
			return false
		}
	}
	return true
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

func (f *fakeAPI) counts() (keys, progress, talks int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.keys), f.progress, f.talks
}

// A progress report sent twice from one rendered form (a double click, a resent form) is recorded once, with its
// evidence stored once; a form without a valid key still acts, without one.
func TestResentFindingFormActsOnce(t *testing.T) {
	srv, c, api := newSite(t, Options{})
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
	n, _, _ := api.counts()
	for range 2 {
		_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "evidence", "照片.jpg", "JPEG-photo")
		if !strings.Contains(page, `<div class="flash ok" role="status" data-form="progress:`+openFinding+`">`) {
			t.Fatalf("the report did not succeed:\n%s", page)
		}
	}
	if !strings.Contains(page, "<tr><th>报告整改进展</th><td>1</td></tr>") || strings.Count(page, "<td>progress</td>") != 1 {
		t.Errorf("the resent report was recorded twice:\n%s", page)
	}
	if got := api.callsTo("POST", "/api/v1/files"); len(got) != 1 {
		t.Errorf("the evidence was stored %d times", len(got))
	}
	file := key + ":file:evidence"
	if got := api.sentKeys(n); !slices.Equal(got, []string{file, key, file, key}) {
		t.Errorf("keys sent %q, want the upload's and the report's, twice", got)
	}

	// The same form sent again with other content is not acted on.
	form.Set("note", "另一条进展")
	_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "", "", "")
	if _, progress, _ := api.counts(); !strings.Contains(page, "此表单已提交过") || progress != 1 {
		t.Errorf("a changed resend acted or is not explained (%d reports):\n%s", progress, page)
	}

	// A page from before the keys, or a key that is not one of ours, acts without a key.
	n, before, _ := api.counts()
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
	if got, _, _ := api.counts(); got-n != 4 || !slices.Equal(api.sentKeys(n), []string{"", "", "", ""}) {
		t.Errorf("a missing or invalid key was sent: %q", api.sentKeys(n))
	}
	if _, after, _ := api.counts(); after != before+4 {
		t.Errorf("%d of 4 forms without a valid key acted", after-before)
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
	for deadline := time.Now().Add(5 * time.Second); !api.settled() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if _, progress, _ := api.counts(); progress != 1 {
		t.Errorf("the abandoned send made %d progress reports", progress)
	}
	_, page = fetch(t, c, "POST", srv.URL+"/finding/progress", form)
	if !strings.Contains(page, "操作成功") || !strings.Contains(page, "<th>报告整改进展</th><td>1</td>") {
		t.Errorf("the resend after the first was done:\n%s", page)
	}
}

// A plan, a talk and an upload sent twice from one rendered form each act once, and each send shows success.
func TestResentFormsActOnce(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})

	_, page := fetch(t, c, "GET", srv.URL+"/plan", nil)
	key := formKeyOf(t, page, "/plan")
	form := url.Values{"csrf": {csrfOf(t, page)}, "idem": {key}, "rows": {"1"}, "target_year": {"2026"},
		"year_0": {"2025"}, "schools_0": {"S001 S002"}, "indicators_0": {"class_size"}}
	n, _, _ := api.counts()
	for range 2 {
		_, page = postMultipart(t, c, srv.URL+"/plan", form, "responsibility_file", "责任书.pdf", "%PDF-1.4 letter")
		if !strings.Contains(page, "创建方案已报送, 等待督导办审核") {
			t.Fatalf("the plan was not submitted:\n%s", page)
		}
	}
	puts, files := api.callsTo("PUT", "/api/v1/districts/370211/plan"), api.callsTo("POST", "/api/v1/files")
	if len(puts) != 1 || len(files) != 1 {
		t.Errorf("%d versions and %d letters from one form", len(puts), len(files))
	}
	letter := key + ":file:responsibility_file"
	if got := api.sentKeys(n); !slices.Equal(got, []string{letter, key, letter, key}) {
		t.Errorf("keys sent %q", got)
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
	if _, _, talks := api.counts(); talks != 1 || strings.Count(page, "<td>talks</td>") != 1 {
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

// A progress report the API gives up on after its action timeout (503) while the workflow still records it: the
// page comes back with the report's form under the key it was sent with, so that sending it again, as the page
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
	n, _, _ := api.counts()
	_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "evidence", "照片.jpg", "JPEG-photo")
	checkKept(t, page, "/finding/progress", "progress:"+openFinding, key, pendingMsg)
	for _, other := range []string{"/finding/request-close", "/finding/extension"} {
		if got := formKeyOf(t, page, other); got == key {
			t.Errorf("the form posting to %s got the report's key", other)
		}
	}

	// The user sends the form again as the page renders it, with the same note and photo.
	form.Set("idem", formKeyOf(t, page, "/finding/progress"))
	_, page = postMultipart(t, c, srv.URL+"/finding/progress", form, "evidence", "照片.jpg", "JPEG-photo")
	if _, progress, _ := api.counts(); progress != 1 || !strings.Contains(page, "操作成功") ||
		!strings.Contains(page, "<th>报告整改进展</th><td>1</td>") {
		t.Errorf("the resent report made %d reports:\n%s", progress, page)
	}
	file := key + ":file:evidence"
	if got := api.sentKeys(n); !slices.Equal(got, []string{file, key, file, key}) {
		t.Errorf("keys sent %q, want the upload's and the report's, twice", got)
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
	api.set(planJSON("submitted"), "")
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
		{"clerk", "/district?year=2025", "/finding/plan", "plan:" + f1, url.Values{"measures": {"改建"}}, ""},
		{"clerk", "/district?year=2025", "/finding/extension", "extension:" + f1, url.Values{"reason": {"施工"}}, ""},
		{"clerk", findingPage, "/finding/progress", "progress:" + openFinding, url.Values{"note": {"进展"}}, ""},
		{"clerk", findingPage, "/finding/request-close", "request-close:" + openFinding, nil, "evidence"},
		{"clerk", "/plan", "/plan", "plan", url.Values{"target_year": {"2026"}}, "responsibility_file"},
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
			name, content := "a.xlsx", "PK-data"
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
	srv, c, api := newSite(t, Options{})
	api.set(planJSON("submitted"), "")
	for _, tc := range []struct{ user, page, action, error string }{
		{"clerk", "/district?year=2025", "/finding/plan", `<span class="field-error">必填</span>`},
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
	srv, c, api := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	api.mu.Lock()
	api.readsDown = true
	api.mu.Unlock()
	resp, page := fetch(t, c, "GET", srv.URL+findingPage, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "系统繁忙或暂时不可用, 请稍后刷新页面") ||
		strings.Contains(page, "Idempotency-Key") {
		t.Errorf("%d:\n%s", resp.StatusCode, page)
	}
}

// Every 5xx, in the API's words or none, gets the pending message, in English too.
func TestPendingMessages(t *testing.T) {
	for _, kind := range []string{"unavailable", "busy", "bare"} {
		rec := httptest.NewRecorder()
		unavailable(rec, kind)
		rep := reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		if got := outcome("submit", rep, true, "").Msg; !strings.HasPrefix(got, "The system is busy or unavailable") {
			t.Errorf("%s: %q", kind, got)
		}
	}
	if got := outcome("submit", reply{status: http.StatusInternalServerError}, false, "").Msg; got != pendingMsg {
		t.Errorf("500: %q", got)
	}
}

// The office records the province's result with the province's document: the page uploads the file, then sends
// the result naming it (the workflow refuses the office's record without one).
func TestOfficeSendsTheProvincesDocument(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	signIn(t, srv.URL, c, "officer")
	_, page := fetch(t, c, "GET", srv.URL+"/office/district?year=2022&code=370211", nil)
	form := formOf(t, page, "/office/decision")
	form.Set("passed", "true")
	postMultipart(t, c, srv.URL+"/office/decision", form, "report", "省级认定文件.pdf", "%PDF-1.4")
	if up := api.callsTo("POST", "/api/v1/files"); len(up) != 1 || !strings.Contains(up[0], "省级认定文件.pdf") {
		t.Errorf("the upload: %q", up)
	}
	sent := api.callsTo("POST", "/api/v1/cycles/2022/districts/370211/province-result")
	if len(sent) != 1 || !strings.Contains(sent[0], `"report_file":"file-new"`) {
		t.Errorf("the province's result: %q", sent)
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
	if len(api.keys) != 0 || len(api.updates) != 0 {
		t.Errorf("the monitoring report acted: keys %q, Updates %v", api.keys, api.updates)
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
