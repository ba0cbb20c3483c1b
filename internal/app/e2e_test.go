package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"junheng/api"
	"junheng/evaluation"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// client speaks to a started process over HTTP as one token.
type httpClient struct {
	t     *testing.T
	base  string
	token string
}

type reply struct {
	status int
	body   []byte
	header http.Header
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (c httpClient) do(method, path string, body any, header ...string) reply {
	c.t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: data, header: resp.Header}
}

// printedAt checks that the API sends a browser asking for a printable page (?format=html) to page, and that page,
// signed in with the same token, prints what contains want.
func (c httpClient) printedAt(path, page, want string) {
	c.t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := browser.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page {
		c.t.Errorf("%s: %d to %q, want 303 to %s", path, resp.StatusCode, resp.Header.Get("Location"), page)
		return
	}
	if resp, err = browser.PostForm(c.base+"/login", url.Values{"token": {c.token}}); err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp, err = browser.Get(c.base + page); err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(want)) {
		c.t.Errorf("%s: %d\n%s", page, resp.StatusCode, body)
	}
}

// ok sends a request that must succeed (2xx) and decodes its answer into out (if not nil).
func (c httpClient) ok(method, path string, body, out any, header ...string) {
	c.t.Helper()
	r := c.do(method, path, body, header...)
	if r.status >= 300 {
		c.t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
	}
	if out != nil {
		r.decode(c.t, out)
	}
}

func (c httpClient) upload(method, path, field, name string, content []byte) reply {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile(field, name)
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest(method, c.base+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: data, header: resp.Header}
}

// newToken creates a token straight in the store, as `junheng token create` does.
func newToken(t *testing.T, db *store.Store, role vocab.Role, unit string) string {
	t.Helper()
	token, hash := usecase.NewToken()
	if err := db.CreateToken(context.Background(), &store.Token{Name: string(role) + unit, Role: string(role),
		UnitCode: unit, Hash: hash, CreatedAt: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	return token
}

// sampleJSON is the sample district's data for district code, edited.
func sampleJSON(t *testing.T, code string, edit func(map[string]any)) []byte {
	t.Helper()
	return editedSample(t, func(m map[string]any) {
		m["district"] = map[string]any{"code": code, "name": "区" + code}
		edit(m)
	})
}

// editedSample is the sample district's data with edit applied to its JSON object.
func editedSample(t *testing.T, edit func(map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../evaluation/testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, _ := json.Marshal(m)
	return out
}

// sampleInput is editedSample as the API reads it, to store as a draft.
func sampleInput(t *testing.T, edit func(map[string]any)) evaluation.Input {
	t.Helper()
	in, err := evaluation.Decode(bytes.NewReader(editedSample(t, edit)))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func noEdit(map[string]any) {}

func dropRecognition(m map[string]any) { delete(m, "recognition_rate") }

const (
	codeA = "370211" // goes all the way to certified
	codeB = "370202" // returned, resubmitted, refused at application, not applied
)

// TestYearOverHTTP drives two districts through a year over HTTP against the embedded server, then checks the
// authorisation of every route for every role, idempotent retries and the bulletin's figures.
func TestYearOverHTTP(t *testing.T) {
	for name, url := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := start(t, testConfig(t, t.TempDir(), url))
			defer p.Close()
			base := "http://" + p.Addr.String()
			as := func(role vocab.Role, district string) httpClient {
				return httpClient{t: t, base: base, token: newToken(t, p.Store, role, district)}
			}
			admin, office, province :=
				as(vocab.RoleAdmin, ""), as(vocab.RoleOffice, ""), as(vocab.RoleProvince, "")
			admin.ok("POST", "/api/v1/districts", map[string]string{"code": codeA, "name": "黄岛区"}, nil)
			admin.ok("POST", "/api/v1/districts", map[string]string{"code": codeB, "name": "市南区"}, nil)
			clerkA, clerkB := as(vocab.RoleDistrict, codeA), as(vocab.RoleDistrict, codeB)

			now := time.Now()
			deadline := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
			var opened struct{ Opened, Existing []string }
			office.ok("POST", "/api/v1/cycles", map[string]any{"year": 2025, "deadlines": map[string]string{
				"self_assessment": deadline(30 * time.Second), "city_review": deadline(31 * time.Second),
				"application": deadline(45 * time.Second)}}, &opened)
			if len(opened.Opened) != 2 {
				t.Fatalf("opened %+v", opened)
			}
			office.ok("POST", "/api/v1/cycles", map[string]any{"year": 2025}, &opened)
			if len(opened.Opened) != 0 || len(opened.Existing) != 2 {
				t.Fatalf("opening twice: %+v", opened)
			}
			cycleA, cycleB := "/api/v1/cycles/2025/districts/"+codeA, "/api/v1/cycles/2025/districts/"+codeB
			waitFor(t, p.Store, codeA, func(c store.Cycle) bool { return c.Stage == "self_assessment" })
			waitFor(t, p.Store, codeB, func(c store.Cycle) bool { return c.Stage == "self_assessment" })

			// Bad data is refused field by field and changes nothing.
			bad := clerkA.do("PUT", cycleA+"/self-assessment", []byte(`{"district":{"code":"370211","name":"x"},`+
				`"year":2025,"schools":[{"code":"S1","kind":"castle"}]}`))
			if bad.status != 422 || !bytes.Contains(bad.body, []byte(`"field":"schools[0].kind"`)) {
				t.Fatalf("bad self-assessment: %d %s", bad.status, bad.body)
			}

			// The blank template, uploaded as it is, is refused naming sheets, rows and columns.
			tmpl := clerkA.do("GET", "/api/v1/templates/self-assessment.xlsx", nil)
			if tmpl.status != 200 || !bytes.HasPrefix(tmpl.body, []byte("PK")) {
				t.Fatalf("template: %d", tmpl.status)
			}
			blank := clerkA.do("POST", "/api/v1/evaluate", tmpl.body, "Content-Type",
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			var blankProblem api.Problem
			blank.decode(t, &blankProblem)
			if blank.status != 422 || len(blankProblem.Errors) == 0 || blankProblem.Errors[0].Sheet == "" {
				t.Fatalf("blank template: %d %s", blank.status, blank.body)
			}
			if up := clerkA.upload("PUT", cycleA+"/self-assessment", "file", "自评.xlsx", tmpl.body); up.status != 422 {
				t.Errorf("blank template as a draft: %d %s", up.status, up.body)
			}

			// District A: a failing draft, submitted, approved with a finding from on-site inspection.
			var draft struct {
				Evaluation struct{ Verdict string }
				State      workflows.CycleState
			}
			clerkA.ok("PUT", cycleA+"/self-assessment", sampleJSON(t, codeA, dropRecognition), &draft)
			if draft.Evaluation.Verdict != "does_not_meet" || draft.State.DraftID == 0 {
				t.Fatalf("draft A: %+v", draft)
			}
			// Evaluated once, by the API, and stored with the draft before the workflow took it.
			if d, err := p.Store.Draft(context.Background(), draft.State.DraftID); err != nil ||
				d.Evaluation == nil || d.Evaluation.Verdict != evaluation.DoesNotMeet || d.Verdict != "does_not_meet" {
				t.Errorf("the stored draft: %v, evaluated %v, verdict %s", err, d.Evaluation != nil, d.Verdict)
			}
			clerkA.ok("POST", cycleA+"/self-assessment/submit", nil, nil)
			var st workflows.CycleState
			var report store.File
			office.upload("POST", "/api/v1/files", "file", "反馈报告.pdf",
				[]byte("%PDF-1.4\nfeedback\n")).decode(t, &report)
			if clerkA.do("GET", "/api/v1/files/"+report.ID, nil).status != 404 {
				t.Error("a district read an office-only file")
			}
			office.ok("POST", cycleA+"/review", map[string]any{
				"decision": "approve", "comment": "请整改", "shortfalls": []string{},
				"findings": []map[string]any{{"title": "功能室不足", "source": "on_site", "severity": "normal"}},
				"report":   map[string]string{"text": "反馈报告", "file": report.ID}}, &st)
			if got := clerkA.do("GET", "/api/v1/files/"+report.ID, nil); got.status != 200 ||
				!bytes.Contains(got.body, []byte("feedback")) {
				t.Errorf("district A reading its feedback report: %d", got.status)
			}
			if st.Stage != vocab.StageRectification || len(st.Findings) != 1 {
				t.Fatalf("A after review: %+v", st)
			}
			findingA := "/api/v1/findings/" + st.Findings[0]

			// District B: submitted, returned, resubmitted, approved with its shortfalls as findings.
			clerkB.ok("PUT", cycleB+"/self-assessment", sampleJSON(t, codeB, dropRecognition), nil)
			clerkB.ok("POST", cycleB+"/self-assessment/submit", nil, nil)
			office.ok("POST", cycleB+"/review", map[string]any{"decision": "return", "comment": "数据不全",
				"deadline": deadline(time.Hour)}, &st)
			if st.Stage != vocab.StageSelfAssessment {
				t.Fatalf("B after return: %+v", st)
			}
			clerkB.ok("PUT", cycleB+"/self-assessment", sampleJSON(t, codeB, dropRecognition), nil)
			clerkB.ok("POST", cycleB+"/self-assessment/submit", nil, nil)
			office.ok("POST", cycleB+"/review", map[string]any{"decision": "approve"}, &st)
			if len(st.Findings) == 0 {
				t.Fatal("B has no findings")
			}
			refusal := clerkB.do("POST", cycleB+"/application", nil)
			var prob api.Problem
			refusal.decode(t, &prob)
			if refusal.status != 409 || len(prob.Reasons) == 0 || prob.Reasons[0].Key != "does_not_meet" ||
				prob.DetailZh == "" {
				t.Fatalf("B's application: %d %s", refusal.status, refusal.body)
			}

			// A's finding: plan, progress with evidence (retried idempotently), rejected once, then closed.
			var file store.File
			up := clerkA.upload("POST", "/api/v1/files", "file", "验收报告.pdf", []byte("%PDF-1.4\nreport\n"))
			if up.status != 201 {
				t.Fatalf("upload: %d %s", up.status, up.body)
			}
			up.decode(t, &file)
			var item workflows.ItemState
			clerkA.ok("POST", findingA+"/plan", map[string]any{"measures": "改建功能室", "responsible_unit": "区教育局",
				"responsible_person": "张三", "due_date": now.AddDate(0, 2, 0).Format(time.DateOnly)}, &item)
			progress := map[string]any{"note": "已开工", "evidence": []string{file.ID}}
			first := clerkA.do("POST", findingA+"/progress", progress, "Idempotency-Key", "progress-1")
			retry := clerkA.do("POST", findingA+"/progress", progress, "Idempotency-Key", "progress-1")
			reused := clerkA.do("POST", findingA+"/progress", map[string]any{"note": "别的"},
				"Idempotency-Key", "progress-1")
			if first.status != 200 || retry.status != 200 || !bytes.Equal(first.body, retry.body) ||
				retry.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("idempotent retry: %d %s / %d %s", first.status, first.body, retry.status, retry.body)
			}
			if reused.status != 422 {
				t.Errorf("a key reused for another request: %d %s", reused.status, reused.body)
			}
			clerkA.ok("POST", findingA+"/request-close", map[string]any{"note": "已完工"}, nil)
			office.ok("POST", findingA+"/verify", map[string]any{"accepted": false, "comment": "缺少验收材料"}, &item)
			if item.Status != vocab.ItemInProgress || item.ProgressReports != 1 {
				t.Fatalf("after the rejected verification: %+v", item)
			}
			clerkA.ok("POST", findingA+"/request-close", map[string]any{"note": "补充材料",
				"evidence": []string{file.ID}}, nil)
			office.ok("POST", findingA+"/verify", map[string]any{"accepted": true, "comment": "同意销号"}, &item)
			if item.Status != vocab.ItemClosed {
				t.Fatalf("A's finding: %+v", item)
			}

			// A resubmits data that meets the standard, applies, passes acceptance and the province.
			clerkA.ok("PUT", cycleA+"/self-assessment", sampleJSON(t, codeA, noEdit), nil)
			clerkA.ok("POST", cycleA+"/self-assessment/submit", nil, nil)
			clerkA.ok("POST", cycleA+"/application", nil, nil)
			office.ok("POST", cycleA+"/acceptance", map[string]any{"passed": true, "comment": "验收通过"}, nil)
			province.ok("POST", cycleA+"/province-result", map[string]any{"passed": true, "recommend_national": true,
				"comment": "通过"}, &st)
			if st.Stage != vocab.StageCertified {
				t.Fatalf("A: %+v", st)
			}

			// B does not apply in time.
			waitFor(t, p.Store, codeB, func(c store.Cycle) bool { return c.Stage == "not_applied" })

			var refusals []store.AuditEvent
			office.ok("GET", "/api/v1/audit?target=cycle:2025:"+codeB+"&action=apply", nil, &refusals)
			if len(refusals) != 1 || refusals[0].Outcome != "refused" || refusals[0].Role != "district" ||
				refusals[0].RequestID == "" {
				t.Errorf("the refused application in the audit trail: %+v", refusals)
			}
			checkBulletin(t, office, p.Store)
			checkAuthorisation(t, base, p.Store, st, file.ID)
		})
	}
}

func checkBulletin(t *testing.T, office httpClient, db *store.Store) {
	t.Helper()
	var b struct {
		Districts, Meeting, Certified int
		MeetingShare                  float64 `json:"meeting_share"`
		Target                        float64
		TargetMet                     bool `json:"target_met"`
		Rows                          []struct {
			District, Stage, Verdict string
			ShortIndicators          []string `json:"short_indicators"`
			Findings                 store.FindingCounts
		}
	}
	office.ok("GET", "/api/v1/cycles/2025/bulletin", nil, &b)
	if b.Districts != 2 || b.Meeting != 1 || b.Certified != 1 || b.MeetingShare != 0.5 || b.TargetMet {
		t.Errorf("bulletin figures: %+v", b)
	}
	fs, _, _ := db.Findings(context.Background(), store.FindingFilter{Year: 2025, District: codeB})
	for _, r := range b.Rows {
		switch r.District {
		case codeA:
			if r.Stage != "certified" || r.Verdict != "meets" || r.Findings.Closed != 1 || r.Findings.Open != 0 {
				t.Errorf("bulletin row A: %+v", r)
			}
		case codeB:
			if r.Stage != "not_applied" || r.Verdict != "does_not_meet" || r.Findings.Open != len(fs) ||
				!slices.Contains(r.ShortIndicators, "not_reported") {
				t.Errorf("bulletin row B: %+v (B has %d findings)", r, len(fs))
			}
		}
	}
	if r := office.do("GET", "/api/v1/cycles/2025/bulletin?format=xlsx", nil); r.status != 200 || len(r.body) < 100 {
		t.Errorf("bulletin as xlsx: %d", r.status)
	}
	office.printedAt("/api/v1/cycles/2025/bulletin?format=html", "/bulletin?year=2025&print=1",
		"<td>市南区 ("+codeB+")</td><td>未申请认定</td>")
}

// checkAuthorisation calls every route as every role: no token is 401, a role the route does not allow is 403,
// and a district asking about another district's cycle, finding, school or file is 404.
func checkAuthorisation(t *testing.T, base string, db *store.Store, certifiedA workflows.CycleState, fileA string) {
	t.Helper()
	fs, _, _ := db.Findings(context.Background(), store.FindingFilter{Year: 2025, District: codeB})
	findingB := fs[0].ID
	notes, _ := db.Notifications(context.Background(),
		store.NotificationFilter{Recipient: "district", DistrictCode: codeB})
	// The four levels: A stays in Qingdao, B moves to Jinan; each person below acts for one unit. Those marked
	// near reach A and not B (B's data answers 404); the others reach B's, and answer about it as the person of
	// their role without a unit (who reaches everything) does.
	if err := db.SaveOrganisation(context.Background(), store.Organisation{
		Provinces: []store.Province{{Code: "370000", Name: "山东省"}},
		Cities: []store.City{{Code: "370200", Name: "青岛市", ProvinceCode: "370000"},
			{Code: "370100", Name: "济南市", ProvinceCode: "370000"}},
		Districts: []store.District{{Code: codeA, Name: "黄岛区", CityCode: "370200"},
			{Code: codeB, Name: "市南区", CityCode: "370100"}},
		Schools: []store.School{{Code: codeA + "0001", Name: "黄岛一小", DistrictCode: codeA},
			{Code: codeB + "0001", Name: "市南一小", DistrictCode: codeB}},
	}, &store.AuditEvent{Actor: "test", Role: "admin", Action: "import_organisation", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	type person struct {
		role vocab.Role
		unit string
		near bool // reaches A but not B
	}
	people := map[string]person{
		"admin": {vocab.RoleAdmin, "", false}, "admin of Qingdao": {vocab.RoleAdmin, "370200", true},
		"province": {vocab.RoleProvince, "", false}, "province of Shandong": {vocab.RoleProvince, "370000", false},
		"office": {vocab.RoleOffice, "", false}, "office of Qingdao": {vocab.RoleOffice, "370200", true},
		"office of Jinan": {vocab.RoleOffice, "370100", false}, "district": {vocab.RoleDistrict, codeA, true},
		"school": {vocab.RoleSchool, codeA + "0001", true},
	}
	tokens := map[string]httpClient{}
	for name, p := range people {
		tokens[name] = httpClient{t: t, base: base, token: newToken(t, db, p.role, p.unit)}
	}
	for _, r := range api.Routes() {
		foreign := false // does the path name district B's data?
		path := r.Path
		for param, value := range map[string]string{":year": "2025", ":code": codeB, ":school": codeB + "0001",
			":id": ""} {
			if !strings.Contains(path, param) {
				continue
			}
			if param == ":id" {
				switch {
				case strings.HasPrefix(r.Path, "/api/v1/findings/"):
					value = findingB
				case strings.HasPrefix(r.Path, "/api/v1/files/"):
					continue // files are checked below, with A's own file
				case strings.HasPrefix(r.Path, "/api/v1/notifications/"):
					value = fmt.Sprint(notes[0].ID)
				}
			}
			path = strings.Replace(path, param, value, 1)
			foreign = foreign || param != ":year"
		}
		if strings.Contains(path, ":id") {
			continue
		}
		if strings.Contains(path, "/:") { // a parameter left unsubstituted would be called with its own name
			t.Errorf("%s %s: substitute its path parameters", r.Method, path)
			continue
		}
		var body any
		if r.Method != "GET" {
			body = map[string]any{}
		}
		if got := (httpClient{t: t, base: base}).do(r.Method, path, body).status; got != 401 {
			t.Errorf("%s %s without a token: %d, want 401", r.Method, path, got)
		}
		got := map[string]int{}
		for _, name := range slices.Sorted(maps.Keys(tokens)) { // the unit-less ones first, for the twins
			got[name] = tokens[name].do(r.Method, path, body).status
		}
		for name, p := range people {
			twin := string(p.role) // the person of the same role without a unit
			allowed := slices.Contains(r.Roles, p.role)
			switch {
			case !allowed && got[name] != 403:
				t.Errorf("%s %s as %s: %d, want 403", r.Method, path, name, got[name])
			case !allowed:
			case p.near && foreign && got[name] != 404:
				t.Errorf("%s %s as %s: %d, want 404 (beyond its reach)", r.Method, path, name, got[name])
			case !p.near && foreign && p.unit != "" && got[name] != got[twin]:
				t.Errorf("%s %s as %s: %d, want %d as the %s", r.Method, path, name, got[name], got[twin], twin)
			case !foreign && (got[name] == 401 || got[name] == 403 || got[name] == 404 || got[name] >= 500):
				t.Errorf("%s %s as %s: %d, want it allowed", r.Method, path, name, got[name])
			}
		}
	}
	clerkB := httpClient{t: t, base: base, token: newToken(t, db, vocab.RoleDistrict, codeB)}
	if got := clerkB.do("GET", "/api/v1/files/"+fileA, nil).status; got != 404 {
		t.Errorf("district B reading A's file: %d, want 404", got)
	}
	for name, want := range map[string]int{"office of Qingdao": 200, "province of Shandong": 200,
		"office of Jinan": 404, "school": 403} {
		if got := tokens[name].do("GET", "/api/v1/files/"+fileA, nil).status; got != want {
			t.Errorf("the %s reading A's file: %d, want %d", name, got, want)
		}
	}
	for name, want := range map[string]string{"district": codeA, "office of Qingdao": codeA, "office of Jinan": codeB} {
		var rows []map[string]any
		tokens[name].ok("GET", "/api/v1/cycles/2025", nil, &rows)
		if len(rows) != 1 || rows[0]["district_code"] != want {
			t.Errorf("the %s's year overview shows %v, want %s alone", name, rows, want)
		}
	}
}

// waitFor polls the read model until a district's cycle satisfies cond (timers fire on the wall clock here).
func waitFor(t *testing.T, db *store.Store, district string, cond func(store.Cycle) bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := db.Cycle(context.Background(), 2025, district)
		if err == nil && cond(c) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("district %s never reached the expected state: %+v, %v", district, c, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
