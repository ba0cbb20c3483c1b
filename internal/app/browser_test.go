package app

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

// browser is one user's tab in its own browser context (own cookies), bound to the test's deadline.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// step bounds one action, so a page that never shows what is awaited fails the test quickly.
func (b browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, 30*time.Second)
}

func (b browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail("%v", err)
	}
}

// wait waits for an element, naming it if it never shows.
func (b browser) wait(sel string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(sel)); err != nil {
		b.fail("waiting for %s: %v", sel, err)
	}
}

// fail ends the test with a screenshot of the page as it is, for the CI artifacts.
func (b browser) fail(format string, args ...any) {
	b.t.Helper()
	if png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.MkdirAll(screenshots, 0o755)
		_ = os.WriteFile(filepath.Join(screenshots, "failure.png"), png, 0o644)
	}
	b.t.Fatalf(format, args...)
}

// open loads a page and waits for an element of it.
func (b browser) open(path, ready string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(b.base+path)); err != nil {
		b.fail("open %s: %v", path, err)
	}
	b.wait(ready)
}

// send clicks a form's button and waits for the page the form redirects to, then for an element of it.
func (b browser) send(button, ready string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(button, chromedp.NodeVisible)); err != nil {
		b.fail("click %s: %v", button, err)
	}
	b.wait(ready)
}

func (b browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(sel, chromedp.NodeVisible))
	if err != nil {
		b.fail("text of %s: %v", sel, err)
	}
	return s
}

// value is a form field's value, shown or not.
func (b browser) value(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(sel, chromedp.NodeReady))
	if err != nil {
		b.fail("value of %s: %v", sel, err)
	}
	return s
}

// signIn signs in with an API token, in the sign-in page's form for integrations (the operators' view test).
func (b browser) signIn(token, next, ready string) {
	b.t.Helper()
	b.open("/login?next="+url.QueryEscape(next), `#token-sign-in summary`)
	b.do(chromedp.Click(`#token-sign-in summary`, chromedp.NodeVisible),
		chromedp.SendKeys(`#token-sign-in input[name=token]`, token, chromedp.NodeVisible))
	b.send(`#token-sign-in button`, ready)
}

// signInUnified signs in through the unified identity provider, which vouches for the person it has queued.
func (b browser) signInUnified(next, ready string) {
	b.t.Helper()
	b.open("/login?next="+url.QueryEscape(next), `#oidc-sign-in`)
	b.send(`#oidc-sign-in`, ready)
}

// signInFirst signs a person in with the first password an administrator gave them, which the site has them
// change before anything else, then opens next.
func (b browser) signInFirst(login, first, chosen, next, ready string) {
	b.t.Helper()
	b.open("/login?next="+url.QueryEscape(next), `#login input[name=login]`)
	b.do(chromedp.SendKeys(`#login input[name=login]`, login), chromedp.SendKeys(`#login input[name=password]`, first))
	b.send(`#login button`, `#password input[name=current]`)
	b.do(chromedp.SendKeys(`#password input[name=current]`, first),
		chromedp.SendKeys(`#password input[name=password]`, chosen),
		chromedp.SendKeys(`#password input[name=confirm]`, chosen))
	b.send(`#password button`, `.flash.ok[data-form=password]`)
	b.open(next, ready)
}

// startChromium starts headless Chromium for the test, closed after it or after limit, and returns its first tab.
func startChromium(t *testing.T, exe string, limit time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(1366, 900))...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	return tab
}

// screenshots is artifacts/screenshots at the repository root, where CI collects them.
var screenshots = filepath.Join("..", "..", "artifacts", "screenshots")

// shot writes a full-page screenshot of the key page name.
func (b browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.MkdirAll(screenshots, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// chromium finds a Chromium or Chrome binary: $JUNHENG_CHROMIUM, or one on the PATH. Without one the test is
// skipped, or fails in CI.
func chromium(t *testing.T) string {
	if p := os.Getenv("JUNHENG_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found (install Debian's chromium package or set JUNHENG_CHROMIUM)")
	}
	t.Skip("no Chromium found: install Debian's chromium package or set JUNHENG_CHROMIUM")
	return ""
}

// TestPagesInBrowser drives the pages in headless Chromium: a clerk uploads the blank template and sees the cells
// to fill, uploads a filled workbook with a failing school and sees it marked, uploads the fixed workbook and
// submits; the office returns it, the clerk saves the data loaded into the edit box and resubmits, the office
// approves with a finding; the clerk plans it and asks to close it; the office verifies; the dashboard shows the
// new state. The pages are the process's own, served beside its API.
func TestPagesInBrowser(t *testing.T) {
	exe := chromium(t)
	_ = os.Remove(filepath.Join(screenshots, "failure.png")) // left by an earlier failed run
	provider, err := mockoidc.Run()                          // the province's unified identity provider
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = provider.Shutdown() }()
	cfg := testConfig(t, t.TempDir(), "")
	cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret, cfg.OIDCClaim =
		provider.Issuer(), provider.ClientID, provider.ClientSecret, "preferred_username"
	p := start(t, cfg)
	defer p.Close()
	apiURL := &url.URL{Scheme: "http", Host: p.Addr.String()}

	const code = codeA
	admin := httpClient{t: t, base: apiURL.String(), token: newToken(t, p.Store, vocab.RoleAdmin, "")}
	admin.ok("POST", "/api/v1/districts", map[string]string{"code": code, "name": "黄岛区"}, nil)
	clerkToken := newToken(t, p.Store, vocab.RoleDistrict, code)
	cli := usecase.Actor{Name: "test", Role: vocab.RoleSystem}
	clerkAccount, err := usecase.CreateAccount(context.Background(), p.Store, cli, usecase.AccountRequest{
		Login: "13800000001", Name: "黄岛区教育局 张三", Role: vocab.RoleDistrict, District: code})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := usecase.CreateAccount(context.Background(), p.Store, cli, usecase.AccountRequest{
		Login: "office01", Name: "市督导办 李四", Role: vocab.RoleOffice}); err != nil {
		t.Fatal(err)
	}
	provider.QueueUser(&mockoidc.MockUser{Subject: "li-si", PreferredUsername: "office01"})
	// A school of the district, and the province's office, each signing in with a first password.
	school := code + "0001"
	if err := p.Store.SaveOrganisation(context.Background(), store.Organisation{Schools: []store.School{
		{Code: school, Name: "黄岛区第一小学", DistrictCode: code, Kind: "primary"}}},
		&store.AuditEvent{Actor: "test", Role: "admin", Action: "import_organisation", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	firsts := map[string]string{}
	for login, req := range map[string]usecase.AccountRequest{
		"13900000001": {Name: "黄岛区第一小学 王五", Role: vocab.RoleSchool, Unit: school},
		"13700000001": {Name: "省督导办 赵六", Role: vocab.RoleProvince},
	} {
		req.Login = login
		acc, err := usecase.CreateAccount(context.Background(), p.Store, cli, req)
		if err != nil {
			t.Fatal(err)
		}
		firsts[login] = acc.Password
	}
	clerkPassword := clerkAccount.Password
	tmpl := httpClient{t: t, base: apiURL.String(), token: clerkToken}.do("GET",
		"/api/v1/templates/self-assessment.xlsx", nil)

	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	blank := write("自评模板.xlsx", tmpl.body)
	// The clerk's workbooks: the sample data filled into the template, as Excel saves it.
	workbook := func(edit func(map[string]any)) []byte {
		in, err := evaluation.Decode(bytes.NewReader(sampleJSON(t, code, edit)))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := excel.Write(&buf, in); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	failing := write("failing.xlsx", workbook(func(m map[string]any) {
		school := m["schools"].([]any)[1].(map[string]any) // S002: too few qualified teachers in primary
		school["stages"].(map[string]any)["primary"].(map[string]any)["qualified_teachers"] = 1
	}))
	fixed := write("fixed.xlsx", workbook(noEdit))

	browserCtx := startChromium(t, exe, 3*time.Minute)
	user := func() browser {
		c, _ := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext()) // cancelled with browserCtx
		// The first run creates the tab and ties it to its context: run it on c, not on a step's shorter one.
		if err := chromedp.Do(c); err != nil {
			t.Fatal(err)
		}
		return browser{t: t, ctx: c, base: apiURL.String()}
	}
	office, clerk, head, province := user(), user(), user(), user()

	// The office opens the year with deadlines ahead of the test's clock.
	office.signInUnified("/office?year=2025", `#open-year`)
	day := func(days int) string { return time.Now().AddDate(0, 0, days).Format(time.DateOnly) }
	office.do(chromedp.SetValue(`#open-year input[name=self_assessment]`, day(30)),
		chromedp.SetValue(`#open-year input[name=city_review]`, day(60)),
		chromedp.SetValue(`#open-year input[name=application]`, day(90)))
	office.send(`#open-year button`, `.flash.ok[data-form=open]`)
	waitFor(t, p.Store, code, func(c store.Cycle) bool { return c.Stage == "self_assessment" })

	// The clerk uploads the blank template: every empty cell is named by sheet, row and column.
	clerk.signInFirst("13800000001", clerkPassword, "Clerk-Pass-2025", "/district?year=2025", `#upload`)
	clerk.do(chromedp.SetUploadFiles(`#upload input[type=file]`, []string{blank}))
	clerk.send(`#upload button`, `.flash.err[data-form=upload] .problems li`)
	if msg := clerk.text(`.flash.err[data-form=upload]`); !strings.Contains(msg, "工作表") {
		t.Errorf("the blank template's errors do not name cells: %q", msg)
	}
	clerk.shot("01-district-template-errors")

	// A workbook with a failing school: the school's row and its failing cell are marked, and the saved data
	// downloads as the same workbook.
	clerk.do(chromedp.SetUploadFiles(`#upload input[type=file]`, []string{failing}))
	clerk.send(`#upload button`, `#draft-evaluation table[data-stage=primary] tr.fail[data-school=S002] `+
		`td.fail[data-indicator=qualified_teachers_per_100]`)
	clerk.wait(`#my-data`)
	clerk.shot("02-district-failing-school")
	saved := httpClient{t: t, base: apiURL.String(), token: clerkToken}.do("GET",
		"/api/v1/cycles/2025/districts/"+code+"/self-assessment?format=xlsx", nil)
	in, err := excel.Import(bytes.NewReader(saved.body), int64(len(saved.body)), evaluation.National2017())
	if err != nil || in.Schools[1].Stages.Primary.QualifiedTeachers != 1 ||
		!strings.Contains(saved.header.Get("Content-Disposition"), "self-assessment-"+code+"-2025.xlsx") {
		t.Errorf("the saved data downloads as %v %v (%d)", err, saved.header, saved.status)
	}

	// Fixed, saved and submitted.
	clerk.do(chromedp.SetUploadFiles(`#upload input[type=file]`, []string{fixed}))
	clerk.send(`#upload button`, `#submit button`)
	clerk.do(chromedp.WaitNotPresent(`#draft-evaluation tr.fail`)) // the fixed data passes at once
	clerk.send(`#submit button`, `.flash.ok[data-form=submit]`)
	if s := clerk.text(`#stage`); s != "市级评估" {
		t.Fatalf("after submitting the stage shows %q", s)
	}

	// The office returns it with a comment and a new deadline.
	review := "/office/district?year=2025&code=" + code
	office.open(review, `#review`)
	office.do(chromedp.SendKeys(`#review input[name=comment]`, "学校数据不全, 请补充"),
		chromedp.SetValue(`#review input[name=deadline]`, day(20)))
	office.send(`#return`, `.flash.ok[data-form=review]`)

	// The clerk sees the return, opens the edit box holding the saved data, saves it again and resubmits.
	clerk.open("/district?year=2025", `.returned`)
	if s := clerk.text(`.returned`); !strings.Contains(s, "学校数据不全") {
		t.Errorf("the workspace shows the return as %q", s)
	}
	if v := clerk.value(`#edit textarea`); !strings.Contains(v, `"qualified_teachers": 9`) {
		t.Errorf("the edit box holds %q, not the saved data", v)
	}
	clerk.do(chromedp.Click(`details:has(#edit) > summary`, chromedp.NodeVisible))
	clerk.send(`#edit button`, `#submit button`)
	clerk.send(`#submit button`, `.flash.ok[data-form=submit]`)

	// The office approves with a finding from on-site inspection.
	office.open(review, `#review`)
	office.do(chromedp.SendKeys(`#review input[name=comment]`, "同意, 请整改"),
		chromedp.SendKeys(`#review input[name=title]`, "功能室不足"),
		chromedp.SetValue(`#review select[name=source]`, "on_site"),
		chromedp.SetValue(`#review input[name=due_date]`, day(60)))
	office.shot("03-office-review")
	office.send(`#approve`, `.flash.ok[data-form=review]`)
	if s := office.text(`#stage`); s != "整改" {
		t.Fatalf("after approval the stage shows %q", s)
	}

	// The clerk opens the finding from the workspace's list, plans it on its page, then asks to close it; the list
	// shows it awaiting verification.
	clerk.open("/district?year=2025", `table.findings a.open`)
	clerk.send(`table.findings a.open`, `form.plan`)
	clerk.do(chromedp.SendKeys(`form.plan input[name=measures]`, "改建音乐、美术功能室"),
		chromedp.SendKeys(`form.plan input[name=responsible_unit]`, "区教育局"),
		chromedp.SendKeys(`form.plan input[name=responsible_person]`, "张三"),
		chromedp.SetValue(`form.plan input[name=due_date]`, day(50)))
	clerk.send(`form.plan button`, `form.request-close`)
	clerk.do(chromedp.SendKeys(`form.request-close input[name=note]`, "已完工, 附验收报告"),
		chromedp.SetUploadFiles(`form.request-close input[name=evidence]`,
			[]string{write("验收报告.pdf", []byte("%PDF-1.4\nreport\n"))}))
	clerk.send(`form.request-close button`, `.flash.ok[data-form^="request-close:"]`)
	clerk.open("/district?year=2025", `table.findings td.status`)
	if s := clerk.text(`table.findings td.status`); s != "待核验" {
		t.Fatalf("after asking to close, the finding shows %q", s)
	}
	clerk.shot("04-district-findings")

	// The office opens the finding from the district's page, verifies and closes it.
	office.open(review, `table.findings a.open`)
	office.send(`table.findings a.open`, `form.verify`)
	office.send(`form.verify button[value=true]`, `.flash.ok[data-form^="verify:"]`)
	office.open(review, `table.findings td.status`)
	if s := office.text(`table.findings td.status`); s != "已销号" {
		t.Fatalf("after verification the finding shows %q", s)
	}

	// The dashboard shows the district in rectification with its finding closed, and the charts.
	office.open("/office?year=2025", `#districts tr[data-district="`+code+`"]`)
	row := `#districts tr[data-district="` + code + `"]`
	if s := office.text(row + ` td.stage`); !strings.Contains(s, "整改") {
		t.Errorf("dashboard stage: %q", s)
	}
	if s := strings.Join(strings.Fields(office.text(row+` td.counts`)), ""); s != "0/1/0" {
		t.Errorf("dashboard findings open/closed/overdue: %q", s)
	}
	office.wait(`.charts svg.chart`)
	office.shot("05-office-dashboard")

	office.open("/ledger?year=2025", `#ledger`)
	office.shot("06-ledger")
	office.open("/bulletin?year=2025", `#summary`)
	office.shot("07-bulletin")
	office.open("/audit?target="+url.QueryEscape("cycle:2025:"+code), `table.history`)
	office.shot("08-audit")
	clerk.open("/notifications", `main table`)
	clerk.shot("09-district-notifications")
	office.open("/progress", `svg`)
	office.shot("10-city-progress")
	clerk.open("/progress", `svg`)
	clerk.shot("11-district-progress")
	clerk.open("/plan", `main form`)
	clerk.shot("12-district-plan")

	// The district, certified for basic balance, monitors itself under the 2012 standard: the report answers the
	// form, with each stage's combined coefficient against its limit.
	basic, err := filepath.Abs("../../evaluation/testdata/basic-2012.json")
	if err != nil {
		t.Fatal(err)
	}
	clerk.open("/district?year=2025", `#monitor-form`)
	clerk.do(chromedp.SetUploadFiles(`#monitor-form input[type=file]`, []string{basic}))
	clerk.send(`#monitor-form button`, `#monitor-report tr.cv-mean[data-stage=junior] td.pass`)
	if got := clerk.text(`#basic-2012`); !strings.Contains(got, "公众满意度") {
		t.Errorf("the 2012 conditions read %q", got)
	}
	clerk.shot("13-district-basic-monitoring")

	// School → district → city → province. The district opens the round for its schools; the school's person
	// signs in with a first password, changes it, fills the school's rows and submits them; the district accepts
	// them, applies; the city's office passes its acceptance; the province finds the application on its own
	// dashboard and certifies the district.
	clerk.open("/district/schools?year=2025", `#open`)
	clerk.do(chromedp.SetValue(`#open input[name=deadline]`, day(10)))
	clerk.send(`#open button`, `.flash.ok[data-form=school_open]`)
	head.signInFirst("13900000001", firsts["13900000001"], "School-Pass-2025", "/school?year=2025", `#form`)
	figures := map[string]string{"students": "600", "classes": "14", "largest_class": "45",
		"qualified_teachers": "40", "backbone_teachers": "8", "pe_art_teachers": "6"}
	for key, v := range figures {
		head.do(chromedp.SetValue(`#form input[name="stages.primary.`+key+`"]`, v))
	}
	for key, v := range map[string]string{"teaching_room_area_m2": "5400", "sports_area_m2": "6000",
		"equipment_value_yuan": "1500000", "multimedia_rooms": "14", "music_rooms": "2", "art_rooms": "2"} {
		head.do(chromedp.SetValue(`#form input[name="facilities.`+key+`"]`, v))
	}
	head.send(`#form > button`, `.flash.ok[data-form=school_save]`)
	head.send(`#submit button`, `.flash.ok[data-form=school_submit]`)
	if s := head.text(`#status`); !strings.Contains(s, "已提交待审核") {
		t.Errorf("after submitting, the school's status shows %q", s)
	}
	head.shot("14-school-form")

	clerk.open("/district/schools?year=2025", `tr[data-school="`+school+`"][data-status=submitted] a`)
	clerk.shot("15-district-schools")
	clerk.send(`tr[data-school="`+school+`"] a`, `#accept button`)
	clerk.send(`#accept button`, `.flash.ok[data-form=school_accept]`)
	clerk.open("/district?year=2025", `#apply button`)
	clerk.send(`#apply button`, `.flash.ok[data-form=apply]`)

	office.open(review, `#decision-acceptance`)
	office.send(`#decision-acceptance button[value=true]`, `.flash.ok[data-form=acceptance]`)

	province.signInFirst("13700000001", firsts["13700000001"], "Province-Pass-2025", "/province?year=2025",
		`#cities .waiting a`)
	province.shot("16-province-dashboard")
	province.send(`#cities .waiting a`, `#decision-province`)
	province.send(`#decision-province button[value=true]`, `.flash.ok[data-form=province]`)
	if s := province.text(`#stage`); s != "已认定" {
		t.Errorf("after the province's result the stage shows %q", s)
	}
	province.shot("17-province-result")
}
