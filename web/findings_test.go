package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"junheng/store"
	"junheng/workflows"
)

// findingsTable is the findings table of page, or "" when it has none.
func findingsTable(page string) string {
	i := strings.Index(page, `<table class="findings">`)
	if i < 0 {
		return ""
	}
	table, _, _ := strings.Cut(page[i:], "</table>")
	return table
}

// findingRow is the row of finding id in table, or "" when it has none.
func findingRow(table, id string) string {
	i := strings.Index(table, `<tr data-finding="`+id+`">`)
	if i < 0 {
		return ""
	}
	row, _, _ := strings.Cut(table[i:], "</tr>")
	return row
}

var (
	titleLink = regexp.MustCompile(`<td><a href="([^"]+)">`)
	openLink  = regexp.MustCompile(`<a href="([^"]+)" class="open">处理</a>`)
)

// link is the first link of s that re finds, or "".
func link(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// findingOf is the finding whose page href (as a page renders it) opens; "" when it opens another page.
func findingOf(t *testing.T, href string) string {
	t.Helper()
	u, err := url.Parse(html.UnescapeString(href))
	if err != nil || u.Path != "/finding" {
		t.Errorf("%q is not a link to a finding's page", href)
		return ""
	}
	return u.Query().Get("id")
}

// A district's findings are a list, for the district and for the office: each row links to the finding's page and
// says when the finding was last acted on, and carries no form; the actions are on the finding's page, whose forms
// come back to it with their outcome. An outcome sent back to the list (by a page from before) shows in the row.
func TestFindingsAreAList(t *testing.T) {
	db := seededStore(t)
	acted := time.Date(2025, 6, 1, 2, 30, 0, 0, time.UTC) // 10:30 in Shanghai
	closing := store.Finding{ID: "finding:2025:370211:3", Year: 2025, DistrictCode: "370211", Seq: 3,
		Title: "体育场地不足", Source: "on_site", Severity: "serious", Status: "awaiting_verification",
		CreatedAt: acted, UpdatedAt: acted}
	if err := db.CreateFindings(context.Background(), []store.Finding{closing}); err != nil {
		t.Fatal(err)
	}
	closingPage := "/finding?id=" + url.QueryEscape(closing.ID)
	srv, c, _ := newSite(t, Options{Store: db})
	ids := []string{newFinding, openFinding, closing.ID}
	row := regexp.MustCompile(`<tr data-finding="([^"]+)">`)
	list := func(path string) (page, table string) {
		t.Helper()
		_, page = fetch(t, c, "GET", srv.URL+path, nil)
		table = findingsTable(page)
		var got []string
		for _, m := range row.FindAllStringSubmatch(table, -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, ids) {
			t.Fatalf("%s: findings %q, want %q:\n%s", path, got, ids, page)
		}
		if strings.Contains(table, "<form") || strings.Contains(table, "<input") || strings.Contains(table, "<button") {
			t.Errorf("%s: the findings list carries forms:\n%s", path, table)
		}
		if !strings.Contains(table, "<th>最近操作</th>") {
			t.Errorf("%s: the list has no last action column:\n%s", path, table)
		}
		for _, id := range ids {
			r := findingRow(table, id)
			if findingOf(t, link(titleLink, r)) != id || findingOf(t, link(openLink, r)) != id {
				t.Errorf("%s: the row of %s does not link to its page:\n%s", path, id, r)
			}
		}
		if r := findingRow(table, closing.ID); !strings.Contains(r, `<td class="last-action">2025-06-01 10:30</td>`) ||
			!strings.Contains(r, `<td class="status">待核验</td>`) {
			t.Errorf("%s: the row of a finding last acted on at 2025-06-01 10:30 (Shanghai):\n%s", path, r)
		}
		return page, table
	}

	// The district's workspace lists its findings; each finding's page has the actions its status allows.
	signIn(t, srv.URL, c, "clerk")
	_, table := list("/district?year=2025")
	href := link(openLink, findingRow(table, closing.ID))
	if _, page := fetch(t, c, "GET", srv.URL+html.UnescapeString(href), nil); !strings.Contains(page,
		"<h1>体育场地不足</h1>") {
		t.Errorf("the link %s does not open the finding's page:\n%s", href, page)
	}
	for _, tc := range []struct {
		page    string
		actions []string
	}{
		{newFindingPage, []string{"plan", "extension"}},
		{findingPage, []string{"progress", "request-close", "extension"}},
		{closingPage, []string{"extension"}},
	} {
		_, page := fetch(t, c, "GET", srv.URL+tc.page, nil)
		for _, a := range tc.actions {
			if form := formOf(t, page, "/finding/"+a); form.Get("back") != tc.page || form.Get("idem") == "" {
				t.Errorf("%s: the form of %s comes back to %q, key %q", tc.page, a, form.Get("back"),
					form.Get("idem"))
			}
		}
		if !strings.Contains(page, `<a href="/district?year=2025" id="findings-link">整改问题</a>`) {
			t.Errorf("%s: no link back to the list:\n%s", tc.page, page)
		}
	}

	// A plan sent from the finding's page comes back to it, its problem beside its field.
	_, page := fetch(t, c, "GET", srv.URL+newFindingPage, nil)
	form := formOf(t, page, "/finding/plan")
	form.Set("measures", "改建")
	resp, _ := fetch(t, noRedirect(c), "POST", srv.URL+"/finding/plan", form)
	if got := resp.Header.Get("Location"); got != newFindingPage {
		t.Fatalf("the plan came back to %q, want %q", got, newFindingPage)
	}
	_, page = fetch(t, c, "GET", srv.URL+newFindingPage, nil)
	if !strings.Contains(page, `data-form="plan:`+newFinding+`">`) ||
		!strings.Contains(page, `<span class="field-error">必填</span>`) {
		t.Errorf("the finding's page does not show the plan's outcome:\n%s", page)
	}

	// A form of a page from before, sent back to the list: its outcome shows in the finding's row.
	form = formOf(t, page, "/finding/extension")
	form.Set("back", "/district?year=2025")
	form.Set("reason", "施工")
	form.Set("due_date", "2026-06-30")
	_, page = fetch(t, c, "POST", srv.URL+"/finding/extension", form)
	if r := findingRow(findingsTable(page), newFinding); !strings.Contains(r,
		`<div class="flash ok" role="status" data-form="extension:`+newFinding+`">`) {
		t.Errorf("the outcome sent back to the list is not in the finding's row:\n%s", page)
	}

	// The office's page of the district lists the same findings; the office acts on the finding's page.
	signIn(t, srv.URL, c, "officer")
	page, _ = list("/office/district?year=2025&code=370211")
	// Its link to the audit trail names the year's cycle (escaped once, not twice).
	audit := link(regexp.MustCompile(`<a href="(/audit\?[^"]+)">`), page)
	if u, err := url.Parse(html.UnescapeString(audit)); err != nil || u.Query().Get("target") != "cycle:2025:370211" {
		t.Errorf("the audit link %q", audit)
	}
	_, page = fetch(t, c, "GET", srv.URL+"/ledger?year=2025", nil)
	if r := findingRow(page, closing.ID); findingOf(t, link(titleLink, r)) != closing.ID {
		t.Errorf("the ledger's row does not link to the finding's page:\n%s", r)
	}
	_, page = fetch(t, c, "GET", srv.URL+closingPage, nil)
	for _, a := range []string{"verify", "talks"} {
		if form := formOf(t, page, "/finding/"+a); form.Get("back") != closingPage {
			t.Errorf("the office's form of %s comes back to %q", a, form.Get("back"))
		}
	}
	if !strings.Contains(page, `<a href="/office/district?year=2025&code=370211" id="findings-link">`) {
		t.Errorf("the office's finding page does not link back to the list:\n%s", page)
	}
}

// dateNames are the names of the pages' date fields.
var dateNames = `self_assessment|city_review|application|deadline|due_date`

// Every date field of every page is a text field typed and sent as YYYY-MM-DD, whatever the browser's language,
// and the office's review reads it as that day.
func TestDateFieldsAreYYYYMMDD(t *testing.T) {
	srv, c, api := newSite(t, Options{})
	dateField := regexp.MustCompile(`<input type="text" name="(` + dateNames + `)" ` +
		`pattern="\\d\{4\}-\\d\{2\}-\\d\{2\}" placeholder="YYYY-MM-DD" ` +
		`title="(日期格式 YYYY-MM-DD|Date as YYYY-MM-DD)">`)
	anyDate := regexp.MustCompile(`<input[^>]* name="(` + dateNames + `)"`)
	var fields []string
	for _, tc := range []struct {
		user  string
		pages []string
	}{
		{"officer", []string{"/office?year=2025&lang=en", "/office?year=2025&lang=zh",
			"/office/district?year=2024&code=370211", "/office/district?year=2025&code=370211", "/ledger",
			"/bulletin?year=2025", "/plan?code=370211", findingPage, newFindingPage, "/notifications"}},
		{"clerk", []string{"/district?year=2025", "/district?year=2026", newFindingPage, findingPage, "/ledger",
			"/plan", "/notifications"}},
	} {
		signIn(t, srv.URL, c, tc.user)
		for _, path := range tc.pages {
			resp, page := fetch(t, c, "GET", srv.URL+path, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d", tc.user, path, resp.StatusCode)
			}
			if strings.Contains(page, `type="date"`) {
				t.Errorf("%s %s has a date input, which follows the browser's language", tc.user, path)
			}
			good := dateField.FindAllStringSubmatch(page, -1)
			if all := anyDate.FindAllString(page, -1); len(all) != len(good) {
				t.Errorf("%s %s: %d of its %d date fields are not for YYYY-MM-DD:\n%q", tc.user, path,
					len(all)-len(good), len(all), all)
			}
			for _, m := range good {
				fields = append(fields, m[1])
			}
		}
	}
	// The office opens a year (three deadlines, twice: in Chinese and English), reviews a submission (a deadline to
	// return it, a finding's due date); a district plans a finding or asks for more time.
	want := []string{"self_assessment", "city_review", "application", "self_assessment", "city_review",
		"application", "deadline", "due_date", "due_date", "due_date", "due_date"}
	if !slices.Equal(fields, want) {
		t.Errorf("date fields %q, want %q", fields, want)
	}

	// The office's review reads its dates as the end of those days in the deployment's zone.
	signIn(t, srv.URL, c, "officer")
	_, page := fetch(t, c, "GET", srv.URL+"/office/district?year=2024&code=370211", nil)
	form := formOf(t, page, "/office/review")
	form.Set("decision", "return")
	form.Set("comment", "补充数据")
	form.Set("deadline", "2026-03-31")
	form.Set("title", "功能室不足")
	form.Set("due_date", "2026-06-30")
	if _, page = fetch(t, c, "POST", srv.URL+"/office/review", form); !strings.Contains(page,
		`<div class="flash ok" role="status" data-form="review">`) {
		t.Fatalf("the review was not sent:\n%s", page)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	sent := argsOf[workflows.ReviewInput](api, workflows.UpdateReview)
	if len(sent) != 1 || !sent[0].Deadline.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, shanghai)) ||
		len(sent[0].Findings) != 1 || !sent[0].Findings[0].DueDate.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, shanghai)) {
		t.Errorf("reviews sent %+v", sent)
	}
}
