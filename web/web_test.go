package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"junheng/evaluation"
)

// fakeAPI answers the few API routes the tests touch and records what the pages sent.
type fakeAPI struct {
	mu    sync.Mutex
	calls []string // "METHOD path Authorization body"
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(body))
	f.mu.Unlock()
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token != "clerk" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "GET /api/v1/templates/self-assessment.xlsx":
		w.Header().Set("Content-Disposition", `attachment; filename="self-assessment.xlsx"`)
		io.WriteString(w, "PK-template")
	case "GET /api/v1/districts/370211/progress":
		if r.URL.Query().Get("format") == "xlsx" {
			w.Header().Set("Content-Disposition", `attachment; filename="progress.xlsx"`)
			io.WriteString(w, "PK-progress")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		io.WriteString(w, "<!doctype html><style>h1{}</style><h1>黄岛区 创建进展报告</h1>")
	case "GET /api/v1/me":
		io.WriteString(w, `{"name":"clerk","role":"district","district":"370211"}`)
	case "GET /api/v1/cycles/2025/districts/370211":
		io.WriteString(w, `{"state":{"stage":"rectification","district_name":"黄岛区"},"findings":[
			{"id":"finding:2025:370211:1","title":"功能室不足","source":"on_site","severity":"normal","status":"open"}],"history":[]}`)
	case "GET /api/v1/cycles/2026/districts/370211":
		io.WriteString(w, `{"state":{"stage":"self_assessment","district_name":"黄岛区","draft_id":7},"findings":[],"history":[]}`)
	case "GET /api/v1/cycles/2026/districts/370211/self-assessment":
		if r.URL.Query().Get("format") == "xlsx" {
			w.Header().Set("Content-Disposition", `attachment; filename="self-assessment-370211-2026.xlsx"`)
			io.WriteString(w, "PK-data")
			return
		}
		io.WriteString(w, `{"district":{"code":"370211","name":"黄岛区"},"year":2026}`)
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

func newSite(t *testing.T, opts Options) (*httptest.Server, *http.Client, *fakeAPI) {
	t.Helper()
	api := &fakeAPI{}
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
	noFollow := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, _ := fetch(t, noFollow, "GET", srv.URL+"/district?year=2025", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"wrong"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "访问令牌无效或已停用") {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}
	resp, _ = fetch(t, noFollow, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}, "next": {"https://evil.example/"}})
	if resp.Header.Get("Location") != "/" {
		t.Errorf("sign-in redirected to %q", resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure || strings.Contains(cookie.Value, "clerk") {
		t.Fatalf("session cookie %+v", cookie)
	}

	_, page = fetch(t, c, "GET", srv.URL+"/district?year=2025", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "功能室不足") {
		t.Fatalf("workspace without CSRF field or finding:\n%s", page)
	}
	if got := api.last(); !strings.HasPrefix(got, "GET /api/v1/cycles/2025/districts/370211 Bearer clerk") {
		t.Errorf("the page read %q", got)
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
	if !strings.Contains(api.calls[len(api.calls)-2], `"measures":"改建"`) {
		t.Errorf("the plan sent %q", api.calls[len(api.calls)-2])
	}

	// Downloads come from the API with the session's token; API paths pass through Mount untouched.
	resp, page = fetch(t, c, "GET", srv.URL+"/download/template.xlsx", nil)
	if page != "PK-template" || !strings.Contains(resp.Header.Get("Content-Disposition"), "self-assessment.xlsx") {
		t.Errorf("template download: %q %v", page, resp.Header)
	}
	// The district's multi-year report is its own, printable with the report's inline style sheet.
	resp, page = fetch(t, c, "GET", srv.URL+"/progress", nil)
	if !strings.Contains(page, "黄岛区 创建进展报告") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "style-src 'unsafe-inline'") ||
		strings.Contains(resp.Header.Get("Content-Security-Policy"), "script") {
		t.Errorf("progress report: %q %v", page, resp.Header)
	}
	if _, page = fetch(t, c, "GET", srv.URL+"/download/progress.xlsx", nil); page != "PK-progress" {
		t.Errorf("progress workbook: %q", page)
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
	if resp, _ := fetch(t, noFollow, "GET", srv.URL+"/district?year=2025", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("still signed in after signing out: %d", resp.StatusCode)
	}
}

// The edit box starts from the saved draft, which also downloads as a workbook; the upload shows its progress.
func TestWorkspaceStartsFromSavedDraft(t *testing.T) {
	srv, c, _ := newSite(t, Options{})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	_, page := fetch(t, c, "GET", srv.URL+"/district?year=2026", nil)
	for _, want := range []string{"\n  &#34;year&#34;: 2026\n}</textarea>", `href="/download/self-assessment.xlsx?year=2026"`,
		`<span class="working"><progress></progress> 正在导入…</span>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the workspace lacks %q:\n%s", want, page)
		}
	}
	resp, data := fetch(t, c, "GET", srv.URL+"/download/self-assessment.xlsx?year=2026", nil)
	if data != "PK-data" || !strings.Contains(resp.Header.Get("Content-Disposition"), "self-assessment-370211-2026.xlsx") {
		t.Errorf("data download: %q %v", data, resp.Header)
	}
}

func TestSecureCookieOption(t *testing.T) {
	srv, c, _ := newSite(t, Options{SecureCookies: true})
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	if ck := resp.Cookies(); len(ck) == 0 || !ck[0].Secure {
		t.Errorf("cookie not Secure: %+v", ck)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader("token=clerk"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-in accepted: %v %v", resp.StatusCode, err)
	}
}

func TestSpreadsheetProblemsNameCells(t *testing.T) {
	rep := reply{status: 422, body: []byte(`{"status":422,"detail_zh":"提交的数据有误","errors":[
		{"field":"schools[0].students","sheet":"学校","row":7,"column":"E","message_zh":"应为整数","message_en":"want a whole number"}]}`)}
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
	if !strings.Contains(svg, `fill="#c0392b"`) || !strings.Contains(svg, "黄岛区&lt;b&gt;") || !strings.Contains(svg, "stroke-dasharray") {
		t.Errorf("%s", svg)
	}
}
