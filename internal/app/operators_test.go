//go:build temporalui

package app

import (
	"io"
	"junheng/vocab"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
)

// TestOperatorsView opens Temporal's Web UI at /admin/temporal/ as the administrator, in Chromium, and finds the
// district's cycle in the list of workflows, without a Content-Security-Policy violation. The view reaches the
// embedded server with its key; it refuses the office and every write.
func TestOperatorsView(t *testing.T) {
	exe := chromium(t)
	p := start(t, testConfig(t, t.TempDir(), ""))
	defer p.Close()
	base := "http://" + p.Addr.String()
	openOneDistrict(t, p, time.Hour)
	cycleID := vocab.CycleID(2025, codeA)
	adminToken := newToken(t, p.Store, vocab.RoleAdmin, "")

	signedIn := func(token string) *http.Client {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.PostForm(base+"/login", url.Values{"token": {token}})
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("sign-in: %v %v", resp, err)
		}
		resp.Body.Close()
		return c
	}
	get := func(c *http.Client, method, path string) (*http.Response, string) {
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	admin := signedIn(adminToken)
	list := "/admin/temporal/api/v1/namespaces/default/workflows"
	if resp, body := get(admin, "GET", list); resp.StatusCode != http.StatusOK || !strings.Contains(body, cycleID) {
		t.Errorf("the administrator's list of workflows: %d %.300s", resp.StatusCode, body)
	}
	if resp, _ := get(signedIn(newToken(t, p.Store, vocab.RoleOffice, "")), "GET", list); resp.StatusCode !=
		http.StatusNotFound {
		t.Errorf("the office: %d, want 404", resp.StatusCode)
	}
	terminate := "/admin/temporal/api/v1/namespaces/default/workflows/" + url.PathEscape(cycleID) + "/terminate"
	if resp, _ := get(admin, "POST", terminate); resp.StatusCode < 400 {
		t.Errorf("terminate through the view: %d", resp.StatusCode)
	}
	if _, body := get(admin, "GET", "/admin/temporal/api/v1/settings"); !strings.Contains(body,
		`"DisableWriteActions":true`) {
		t.Errorf("the UI's settings: %.300s", body)
	}
	resp, _ := get(admin, "GET", "/admin/temporal/")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "'sha256-") {
		t.Errorf("the view's page: %d, policy %q", resp.StatusCode, csp)
	}

	tab := startChromium(t, exe, 2*time.Minute) // chromedp enables the log, where the browser reports violations
	var mu sync.Mutex
	var violations []string
	err := chromedp.Listen(tab, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			mu.Lock()
			violations = append(violations, e.Entry.Text)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	b := browser{t: t, ctx: tab, base: base}
	b.signIn(adminToken, "/admin/temporal/namespaces/default/workflows", `#svelte`)
	seen := `document.body.innerText.includes(` + "`" + cycleID + "`" + `)`
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](seen)); err != nil {
		b.fail("the view never showed %s: %v", cycleID, err)
	}
	b.shot("operators-view")
	mu.Lock()
	defer mu.Unlock()
	if len(violations) > 0 {
		t.Errorf("Content-Security-Policy violations: %q", violations)
	}
}
