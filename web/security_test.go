package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// noRedirect stops a client at the first answer, so that its Location and cookies can be read.
func noRedirect(c *http.Client) *http.Client {
	stop := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &http.Client{Jar: c.Jar, CheckRedirect: stop}
}

func signIn(t *testing.T, srv string, c *http.Client, token string) {
	t.Helper()
	resp, _ := fetch(t, noRedirect(c), "POST", srv+"/login", url.Values{"token": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: %d", token, resp.StatusCode)
	}
}

// Large bodies leave nothing in the temporary directory: a multipart or oversized sign-in is refused unread, and
// the files of a signed-in upload over 8 MiB (or of a GET that carries one) are removed after the answer.
func TestUploadsLeaveNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where mime/multipart spools the files it does not keep in memory
	srv, c, _ := newSite(t, Options{})
	big := strings.Repeat("x", 40<<20) // past the 32 MiB that Request.FormValue keeps in memory

	resp, err := c.Do(multipartRequest("POST", srv.URL+"/login", url.Values{"token": {"clerk"}}, "file", "a.bin", big))
	if err == nil { // the server may close the connection before the client has sent everything
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("a multipart sign-in answered %d", resp.StatusCode)
		}
	}
	padded := url.Values{"token": {"clerk"}, "pad": {strings.Repeat("x", 20<<10)}}
	resp, page := fetch(t, c, "POST", srv.URL+"/login", padded)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "只接受登录页面提交的表单") {
		t.Errorf("an oversized sign-in: %d", resp.StatusCode)
	}
	resp, page = fetch(t, c, "POST", srv.URL+"/login?lang=en", padded)
	if !strings.Contains(page, "Only the sign-in form is accepted") {
		t.Errorf("an oversized sign-in in English: %d", resp.StatusCode)
	}

	signIn(t, srv.URL, c, "clerk")
	_, page = fetch(t, c, "GET", srv.URL+"/district?year=2026", nil)
	form := url.Values{"csrf": {csrfOf(t, page)}, "year": {"2026"}, "idem": {formKeyOf(t, page, "/district/upload")}}
	resp, _ = send(t, c, multipartRequest("POST", srv.URL+"/district/upload", form, "file", "data.xlsx", big[:10<<20]))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the upload: %d", resp.StatusCode)
	}
	// A page that reads ?year= with FormValue would parse a multipart body sent with a GET as well.
	send(t, c, multipartRequest("GET", srv.URL+"/district?year=2026", nil, "file", "a.bin", big))

	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left, _ := os.ReadDir(tmp)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("left in the temporary directory: %v", left)
		}
	}
}

var escapes = []string{
	"https://evil.example/", "//evil.example/x", "/\\evil.example/x", "\\\\evil.example", "/\t/evil.example",
	"/\n/evil.example", "/\r\n/evil.example", "/%09/x\t", "javascript:alert(1)", "http:/evil.example", "", "district",
	" /district", "/\x00", "/x\x7f", "/x\u0085", "/%zz",
}

func TestLocalPath(t *testing.T) {
	for _, p := range []string{"/", "/district?year=2025", "/finding?id=finding%3A2025%3A370211%3A2#plan", "/a/b/",
		"/office/district?year=2025&code=370211", "/%2F%2Fevil.example", "/a:b", "/进展"} {
		if got := localPath(p); got != p {
			t.Errorf("localPath(%q) = %q, want it kept", p, got)
		}
	}
	for _, p := range escapes {
		if got := localPath(p); got != "/" {
			t.Errorf("localPath(%q) = %q, want /", p, got)
		}
	}

	// Both places that redirect to a path from the request use it.
	srv, c, _ := newSite(t, Options{})
	form := url.Values{"token": {"clerk"}, "next": {"/\\evil.example/x"}}
	resp, _ := fetch(t, noRedirect(c), "POST", srv.URL+"/login", form)
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Errorf("sign-in redirected to %q", loc)
	}
	_, page := fetch(t, c, "GET", srv.URL+"/district?year=2025", nil)
	form = url.Values{"csrf": {csrfOf(t, page)}, "id": {"finding:2025:370211:1"}, "back": {"/\\/evil.example"}}
	if resp, _ := fetch(t, noRedirect(c), "POST", srv.URL+"/finding/plan", form); resp.Header.Get("Location") != "/" {
		t.Errorf("a finding form redirected to %q", resp.Header.Get("Location"))
	}
}

// Whatever localPath answers stays on the site, also as browsers read it.
func FuzzLocalPath(f *testing.F) {
	for _, p := range append(escapes, "/district?year=2025", "/a/b#c") {
		f.Add(p)
	}
	site, _ := url.Parse("https://junheng.example/login?next=x")
	browser := strings.NewReplacer("\\", "/", "\t", "", "\n", "", "\r", "")
	f.Fuzz(func(t *testing.T, target string) {
		got := localPath(target)
		if got != target && got != "/" {
			t.Fatalf("localPath(%q) = %q", target, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(got, "/") ||
			strings.HasPrefix(got, "//") {
			t.Fatalf("localPath(%q) = %q: not a local path (%v)", target, got, err)
		}
		if strings.ContainsFunc(got, func(c rune) bool { return c == '\\' || unicode.IsControl(c) }) {
			t.Fatalf("localPath(%q) = %q has a backslash or a control character", target, got)
		}
		seen := browser.Replace(got)
		if u, err := url.Parse(seen); err != nil || u.Host != "" || site.ResolveReference(u).Host != site.Host {
			t.Fatalf("localPath(%q) = %q leaves the site as a browser reads it: %q (%v)", target, got, seen, err)
		}
	})
}

// cookieNamed is the cookie of that name an answer sets, or nil.
func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, ck := range resp.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// Cookies are Secure when the deployment says it is reached over HTTPS, or when a trusted proxy says the request
// came over it; HSTS goes with the first only. X-Forwarded-Proto from anyone else is not believed.
func TestCookiesOverHTTPS(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name         string
		opts         Options
		proto        string
		secure, hsts bool
	}{
		{"public URL https", Options{Secure: true}, "", true, true},
		{"untrusted proxy", Options{}, "https", false, false},
		{"trusted proxy over https", Options{Proxies: loopback}, "https", true, false},
		{"trusted proxy over http", Options{Proxies: loopback}, "http", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, _ := newSite(t, tc.opts)
			do := func(method, path string, form url.Values) *http.Response {
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if tc.proto != "" {
					req.Header.Set("X-Forwarded-Proto", tc.proto)
				}
				resp, _ := send(t, noRedirect(c), req)
				if got := resp.Header.Get("Strict-Transport-Security"); (got == "max-age=31536000") != tc.hsts {
					t.Errorf("%s %s: Strict-Transport-Security %q", method, path, got)
				}
				return resp
			}
			for name, resp := range map[string]*http.Response{
				sessionCookie:  do("POST", "/login", url.Values{"token": {"clerk"}}),
				"junheng_lang": do("GET", "/login?lang=en", nil),
			} {
				if ck := cookieNamed(resp, name); ck == nil || ck.Secure != tc.secure {
					t.Errorf("cookie %s: %+v", name, ck)
				}
			}
			do("GET", "/static/style.css", nil)
			do("GET", "/district?year=2025", nil)
		})
	}
}

// Ten wrong tokens from an address, then its sign-ins are refused unchecked for a while; the address is the
// client's behind a trusted proxy and the peer's otherwise.
func TestSignInThrottled(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		var opts Options
		if trusted {
			opts.Proxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		}
		srv, c, _ := newSite(t, opts)
		attempt := func(client, token, query string) (*http.Response, string) {
			body := strings.NewReader(url.Values{"token": {token}}.Encode())
			req, _ := http.NewRequest("POST", srv.URL+"/login"+query, body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", client)
			return send(t, noRedirect(c), req)
		}
		for i := range 10 {
			if resp, _ := attempt("203.0.113.9", "jh_guess", ""); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("trusted %v: wrong token %d answered %d", trusted, i+1, resp.StatusCode)
			}
		}
		// The right token, refused unchecked.
		resp, page := attempt("203.0.113.9", "clerk", "")
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "60" ||
			!strings.Contains(page, "登录失败次数过多, 请 1 分钟后再试") || cookieNamed(resp, sessionCookie) != nil {
			t.Errorf("trusted %v: after ten wrong tokens: %d %v\n%s", trusted, resp.StatusCode, resp.Header, page)
		}
		if _, page := attempt("203.0.113.9", "clerk", "?lang=en"); !strings.Contains(page, "Too many failed sign-ins") {
			t.Errorf("trusted %v: no English message:\n%s", trusted, page)
		}
		// Behind a trusted proxy another client is not blocked; otherwise X-Forwarded-For is the client's word.
		if resp, _ := attempt("198.51.100.1", "clerk", ""); (resp.StatusCode == http.StatusSeeOther) != trusted {
			t.Errorf("trusted %v: another client's sign-in answered %d", trusted, resp.StatusCode)
		}
	}
}

// The CSRF token counts only in the form's body: a link cannot carry it.
func TestCSRFTokenNotFromTheQuery(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	signIn(t, srv.URL, c, "officer")
	_, page := fetch(t, c, "GET", srv.URL+findingPage, nil)
	token := csrfOf(t, page)
	form := url.Values{"id": {openFinding}, "back": {findingPage}, "kind": {"talk"}, "note": {"约谈"}}
	resp, _ := fetch(t, c, "POST", srv.URL+"/finding/talks?csrf="+url.QueryEscape(token), form)
	if _, talks := api.counts(); resp.StatusCode != http.StatusForbidden || talks != 0 {
		t.Errorf("a CSRF token in the query string: %d, %d talks", resp.StatusCode, talks)
	}
	form.Set("csrf", token)
	resp, _ = fetch(t, c, "POST", srv.URL+"/finding/talks", form)
	if _, talks := api.counts(); resp.StatusCode != http.StatusOK || talks != 1 {
		t.Errorf("a CSRF token in the body: %d, %d talks", resp.StatusCode, talks)
	}
}

// Every answer of the pages carries the content policy and nosniff; none but the static assets may be stored.
func TestPageHeaders(t *testing.T) {
	srv, c, _ := newSite(t, Options{})
	nc := noRedirect(c)
	check := func(what string, resp *http.Response, policy string, store bool) {
		t.Helper()
		h := resp.Header
		if h.Get("Content-Security-Policy") != policy || h.Get("X-Content-Type-Options") != "nosniff" ||
			(h.Get("Cache-Control") == "no-store") == store {
			t.Errorf("%s: %d %v", what, resp.StatusCode, h)
		}
	}
	const policy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
	page := func(method, path string, form url.Values) *http.Response {
		resp, _ := fetch(t, nc, method, srv.URL+path, form)
		return resp
	}
	check("static", page("GET", "/static/app.js", nil), policy, true)
	check("sign-in page", page("GET", "/login", nil), policy, false)
	check("refused sign-in", page("POST", "/login", url.Values{"token": {"wrong"}}), policy, false)
	check("signed out", page("GET", "/district", nil), policy, false)
	check("sign-in", page("POST", "/login", url.Values{"token": {"clerk"}}), policy, false)
	check("workspace", page("GET", "/district?year=2025", nil), policy, false)
	check("error page", page("GET", "/finding?id=none", nil), policy, false)
	check("refused form", page("POST", "/finding/plan", url.Values{}), policy, false)
	check("download", page("GET", "/download/template.xlsx", nil), policy, false)
	// The API's printable report keeps its inline style sheet and still runs nothing.
	check("report", page("GET", "/progress", nil), "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "+
		"frame-ancestors 'none'; form-action 'none'; base-uri 'none'", false)
}

// The templates have nothing the content policy blocks: no inline script, style or event handler.
func TestTemplatesNeedNoInlineCode(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script>|<script[^>]*>[^<]|<style|\sstyle=|\son[a-z]+=|javascript:`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templateFS, path)
		if m := inline.Find(data); m != nil {
			t.Errorf("%s: %q", path, m)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOperatorsViewIsForAdministrators: Temporal's Web UI is shown to a signed-in administrator only, for reading.
// A visitor is sent to sign in, the office and a district find nothing there, and no one may post to it.
func TestOperatorsViewIsForAdministrators(t *testing.T) {
	var served []string
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served = append(served, r.Method+" "+r.URL.Path)
		io.WriteString(w, "the operators' view")
	})
	srv, _, _ := newSite(t, Options{Operators: ui})
	page := srv.URL + "/admin/temporal/namespaces/default/workflows"
	visitor := noRedirect(&http.Client{})
	if resp, _ := fetch(t, visitor, "GET", page, nil); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Errorf("a visitor: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, token := range []string{"officer", "clerk", "admin"} {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		signIn(t, srv.URL, c, token)
		resp, body := fetch(t, c, "GET", page, nil)
		if admin := token == "admin"; admin != (resp.StatusCode == http.StatusOK && body == "the operators' view") {
			t.Errorf("%s: %d %q", token, resp.StatusCode, body)
		}
		if resp, _ := fetch(t, c, "POST", srv.URL+"/admin/temporal/api/v1/namespaces/default/workflows/x/terminate",
			url.Values{}); resp.StatusCode < 400 {
			t.Errorf("%s posted to the view: %d", token, resp.StatusCode)
		}
	}
	if want := []string{"GET /admin/temporal/namespaces/default/workflows"}; !slices.Equal(served, want) {
		t.Errorf("the view served %v, want %v", served, want)
	}
	// Without the view (a build without the tag temporalui) the path is the API's, which has no such route.
	srv, c, api := newSite(t, Options{})
	signIn(t, srv.URL, c, "admin")
	fetch(t, c, "GET", srv.URL+"/admin/temporal/", nil)
	if last := api.last(); last != "GET /admin/temporal/" {
		t.Errorf("without the view, the API was last asked %q", last)
	}
}
