package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"junheng/progress"
	"junheng/vocab"
	"junheng/workflows"
)

// The small city of the campaign test: three districts over three consecutive years.
const (
	campA = "370281" // large classes in two schools in 2023, all fixed in 2024, certified in 2024
	campB = "370282" // meets from the start; submits nothing after 2023
	campC = "370283" // meets in 2023, then a school gets a large class and stays so; misses its plan
)

// largeClass gives a school's stage a class over the limit (45 pupils in primary, 50 in junior).
func largeClass(school, stage string, size int) func(map[string]any) {
	return func(m map[string]any) {
		for _, s := range m["schools"].([]any) {
			s := s.(map[string]any)
			if s["code"] == school {
				s["stages"].(map[string]any)[stage].(map[string]any)["largest_class"] = size
			}
		}
	}
}

func edits(year int, fs ...func(map[string]any)) func(map[string]any) {
	return func(m map[string]any) {
		m["year"] = year
		for _, f := range fs {
			f(m)
		}
	}
}

// TestCampaignOverHTTP runs three consecutive years of a small city over HTTP on the embedded server: creation
// plans submitted, returned, approved and revised; yearly data; one district certified. It then checks the
// district and city reports against figures worked out by hand, the accountability list and the public page.
func TestCampaignOverHTTP(t *testing.T) {
	for name, url := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(t, t.TempDir(), url)
			cfg.Policy = filepath.Join(t.TempDir(), "policy.yaml")
			policy := "public: {enabled: true, title: 示范市创建进展, sections: [city_targets, certified_districts]}\n"
			if err := os.WriteFile(cfg.Policy, []byte(policy), 0o600); err != nil {
				t.Fatal(err)
			}
			p := start(t, cfg)
			defer p.Close()
			base := "http://" + p.Addr.String()
			as := func(role vocab.Role, district string) httpClient {
				return httpClient{t: t, base: base, token: newToken(t, p.Store, role, district)}
			}
			admin, office, province :=
				as(vocab.RoleAdmin, ""), as(vocab.RoleOffice, ""), as(vocab.RoleProvince, "")
			for code, name := range map[string]string{campA: "崂山区", campB: "李沧区", campC: "城阳区"} {
				admin.ok("POST", "/api/v1/districts", map[string]string{"code": code, "name": name}, nil)
			}
			clerk := map[string]httpClient{campA: as(vocab.RoleDistrict, campA),
				campB: as(vocab.RoleDistrict, campB),
				campC: as(vocab.RoleDistrict, campC)}

			plans(t, office, clerk)

			deadlines := map[string]string{"self_assessment": time.Now().AddDate(1, 0, 0).Format(time.DateOnly),
				"city_review": time.Now().AddDate(1, 1, 0).Format(time.DateOnly),
				"application": time.Now().AddDate(1, 2, 0).Format(time.DateOnly)}
			submit := func(year int, code string, edit func(map[string]any)) {
				path := fmt.Sprintf("/api/v1/cycles/%d/districts/%s", year, code)
				clerk[code].ok("PUT", path+"/self-assessment", sampleJSON(t, code, edits(year, edit)), nil)
				clerk[code].ok("POST", path+"/self-assessment/submit", nil, nil)
			}
			for _, year := range []int{2023, 2024, 2025} {
				office.ok("POST", "/api/v1/cycles", map[string]any{"year": year, "deadlines": deadlines}, nil)
			}
			submit(2023, campA, edits(2023, largeClass("S001", "primary", 50), largeClass("S003", "junior", 55)))
			submit(2023, campB, noEdit)
			submit(2023, campC, noEdit)
			submit(2024, campA, noEdit)
			submit(2024, campC, largeClass("S001", "primary", 48))
			submit(2025, campC, largeClass("S001", "primary", 48))

			// A is certified in 2024.
			cycleA := "/api/v1/cycles/2024/districts/" + campA
			office.ok("POST", cycleA+"/review", map[string]any{"decision": "approve"}, nil)
			clerk[campA].ok("POST", cycleA+"/application", nil, nil)
			office.ok("POST", cycleA+"/acceptance", map[string]any{"passed": true, "comment": "验收通过"}, nil)
			var st workflows.CycleState
			province.ok("POST", cycleA+"/province-result", map[string]any{"passed": true, "comment": "通过"}, &st)
			if st.Stage != vocab.StageCertified {
				t.Fatalf("A in 2024: %+v", st)
			}
			// C's 2025 shortfalls become findings, and the office holds a talk and a circular on one of them.
			cycleC := "/api/v1/cycles/2025/districts/" + campC
			office.ok("POST", cycleC+"/review", map[string]any{"decision": "approve"}, &st)
			if len(st.Findings) == 0 {
				t.Fatalf("C has no findings: %+v", st)
			}
			for _, kind := range []string{"talk", "circular"} {
				office.ok("POST", "/api/v1/findings/"+st.Findings[0]+"/talks",
					map[string]string{"kind": kind, "note": "整改不力"}, nil)
			}

			checkDistrictReports(t, office, clerk)
			checkCityReport(t, office)
			checkAccountability(t, office)
			checkPublicSummary(t, base)
		})
	}
}

// plans: A's plan is returned, resubmitted and approved, then revised (the approved version stays in effect
// until the revision is approved); C's plan is approved as it is.
func plans(t *testing.T, office httpClient, clerk map[string]httpClient) {
	t.Helper()
	letter := func(c httpClient) string {
		var f struct{ ID string }
		c.upload("POST", "/api/v1/files", "file", "责任书.pdf", []byte("%PDF-1.4\nresponsibility\n")).decode(t, &f)
		return f.ID
	}
	zero := 0
	planA := map[string]any{"target_year": 2024, "responsibility_file": letter(clerk[campA]),
		"milestones": []map[string]any{
			{"year": 2024, "schools": []string{"S001", "S003"}, "indicators": []string{"class_size"},
				"large_classes_max": zero}}}
	pathA := "/api/v1/districts/" + campA + "/plan"

	bad := clerk[campA].do("PUT", pathA, map[string]any{"target_year": 2024,
		"milestones": []map[string]any{{"year": 2025}}})
	if bad.status != 422 || !bytes.Contains(bad.body, []byte(`"field":"responsibility_file"`)) ||
		!bytes.Contains(bad.body, []byte(`"field":"milestones[0].year"`)) {
		t.Errorf("a bad plan: %d %s", bad.status, bad.body)
	}
	if r := clerk[campC].do("PUT", pathA, planA); r.status != 404 {
		t.Errorf("C submitting A's plan: %d", r.status)
	}
	var ps workflows.CreationPlanState
	clerk[campA].ok("PUT", pathA, planA, &ps)
	if r := office.do("POST", pathA+"/review", map[string]any{"version": 1, "approved": false}); r.status != 422 ||
		!bytes.Contains(r.body, []byte(`"field":"comment"`)) {
		t.Errorf("a return without a comment: %d %s", r.status, r.body)
	}
	office.ok("POST", pathA+"/review", map[string]any{"version": 1, "approved": false, "comment": "请补充分年度目标"}, nil)
	clerk[campA].ok("PUT", pathA, planA, nil)
	office.ok("POST", pathA+"/review", map[string]any{"version": 2, "approved": true, "comment": "同意"}, nil)
	revision := map[string]any{"target_year": 2025, "responsibility_file": planA["responsibility_file"],
		"milestones": []map[string]any{{"year": 2025}}, "note": "推迟一年"}
	clerk[campA].ok("PUT", pathA, revision, &ps)
	if r := clerk[campA].do("POST", pathA+"/review", map[string]any{"version": 3, "approved": true}); r.status != 403 {
		t.Errorf("a district approving its own plan: %d", r.status)
	}
	var detail struct {
		Status          string
		ApprovedVersion int `json:"approved_version"`
		TargetYear      int `json:"target_year"`
		Versions        []struct {
			Version int
			Status  string
			Plan    progress.Plan
			Comment string
		}
	}
	office.ok("GET", pathA, nil, &detail)
	statuses := []string{}
	for _, v := range detail.Versions {
		statuses = append(statuses, v.Status)
	}
	if detail.Status != "submitted" || detail.ApprovedVersion != 2 || detail.TargetYear != 2024 ||
		!slices.Equal(statuses, []string{"returned", "approved", "submitted"}) ||
		detail.Versions[0].Comment != "请补充分年度目标" {
		t.Errorf("A's plan history: %+v", detail)
	}

	planC := map[string]any{"target_year": 2025, "responsibility_file": letter(clerk[campC]),
		"milestones": []map[string]any{
			{"year": 2024, "schools": []string{"S001"}, "large_classes_max": zero}, {"year": 2025}}}
	clerk[campC].ok("PUT", "/api/v1/districts/"+campC+"/plan", planC, nil)
	office.ok("POST", "/api/v1/districts/"+campC+"/plan/review",
		map[string]any{"version": 1, "approved": true, "comment": "同意"}, nil)
}

func checkDistrictReports(t *testing.T, office httpClient, clerk map[string]httpClient) {
	t.Helper()
	var a progress.DistrictReport
	clerk[campA].ok("GET", "/api/v1/districts/"+campA+"/progress?from=2023&to=2025", nil, &a)
	if len(a.Years) != 3 || a.Plan == nil || a.Plan.ApprovedVersion != 2 || a.Plan.Approved.TargetYear != 2024 {
		t.Fatalf("A's report: %+v", a)
	}
	y23, y24 := a.Years[0], a.Years[1]
	if !slices.Equal(y23.NonCompliant, []string{"S001", "S003"}) || y23.LargeClasses.Now != 2 ||
		y23.Verdict != "does_not_meet" {
		t.Errorf("A in 2023: %+v", y23)
	}
	// Both of 2023's non-compliant schools comply in 2024: 2 of 2, the milestone is met, and A is certified.
	if b := y24.BroughtUp; b == nil || b.Base != 2 || b.Count != 2 || b.Share == nil || *b.Share != 1 || !b.Met {
		t.Errorf("A's 2024 brought-up measure: %+v", y24.BroughtUp)
	}
	if y24.Milestone == nil || !y24.Milestone.Met || !y24.Certified || len(y24.Flags) != 0 {
		t.Errorf("A in 2024: milestone %+v, certified %v, flags %+v", y24.Milestone, y24.Certified, y24.Flags)
	}
	if len(a.Schools) != 4 || a.Schools[0].Code != "S001" || a.Schools[0].Years[1].Changes == nil ||
		!slices.Equal(a.Schools[0].Years[1].Changes.Resolved, []string{"class_size/primary"}) {
		t.Errorf("A's school ledger: %+v", a.Schools)
	}
	var s001 []progress.SchoolLedger
	clerk[campA].ok("GET", "/api/v1/districts/"+campA+"/schools?school=S001", nil, &s001)
	if len(s001) != 1 || len(s001[0].Years[0].Shortfalls) != 1 ||
		s001[0].Years[0].Shortfalls[0].Needed["largest_class"] != -5 {
		t.Errorf("S001's ledger: %+v", s001)
	}
	// A report that starts after A's certification still shows A certified, with nothing to flag.
	var later progress.DistrictReport
	clerk[campA].ok("GET", "/api/v1/districts/"+campA+"/progress?from=2025&to=2025", nil, &later)
	if len(later.Years) != 1 || !later.Years[0].Certified || len(later.Years[0].Flags) != 0 || len(later.Schools) != 0 {
		t.Errorf("A's 2025 report: %+v", later)
	}
	if r := clerk[campA].do("GET", "/api/v1/districts/"+campC+"/progress", nil); r.status != 404 {
		t.Errorf("A reading C's report: %d", r.status)
	}

	var c progress.DistrictReport
	office.ok("GET", "/api/v1/districts/"+campC+"/progress?from=2023&to=2025", nil, &c)
	c24, c25 := c.Years[1], c.Years[2]
	if b := c24.BroughtUp; b == nil || b.Base != 0 || b.Share != nil || !b.Met ||
		!slices.Equal(b.Worse, []string{"S001"}) {
		t.Errorf("C's 2024 measure: %+v", c24.BroughtUp)
	}
	if !hasFlag(c24.Flags, progress.FlagSchoolsWorse) || !hasFlag(c24.Flags, progress.FlagMilestoneMissed) ||
		!hasFlag(c24.Flags, progress.FlagLargeClassesUp) || c24.Milestone == nil || c24.Milestone.Met {
		t.Errorf("C in 2024: %+v", c24)
	}
	// 2025 is C's target year and the year large classes must be gone.
	if !hasFlag(c25.Flags, progress.FlagTargetYearMissed) || !hasFlag(c25.Flags, progress.FlagNotEliminated) ||
		!hasFlag(c25.Flags, progress.FlagBroughtUpShort) {
		t.Errorf("C in 2025: %+v", c25.Flags)
	}
	r := office.do("GET", "/api/v1/districts/"+campC+"/progress?format=xlsx", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/vnd.openxmlformats") ||
		len(r.body) < 500 {
		t.Errorf("C's report as xlsx: %d %s", r.status, r.header.Get("Content-Type"))
	}
	office.printedAt("/api/v1/districts/"+campC+"/progress?from=2023&to=2025&format=html",
		"/progress?district="+campC+"&from=2023&to=2025", "义务教育优质均衡发展创建进展报告 (2023–2025)")
	if r := office.do("GET", "/api/v1/districts/"+campC+"/progress?from=2026&to=2024", nil); r.status != 422 ||
		!bytes.Contains(r.body, []byte(`"field":"from"`)) {
		t.Errorf("a reversed range: %d %s", r.status, r.body)
	}
}

func checkCityReport(t *testing.T, office httpClient) {
	t.Helper()
	var city progress.CityReport
	office.ok("GET", "/api/v1/progress?from=2023&to=2025", nil, &city)
	if len(city.Years) != 3 || len(city.Districts) != 3 {
		t.Fatalf("city report: %+v", city)
	}
	// 2023: B and C meet, 2 of 3 ≥ 30%. 2024: A certified only (B submitted nothing, C fell short), 1 of 3 against
	// 2023's 30%: met. 2025: A still certified, C short, B silent: 1 of 3 against 100%: not met, C at risk.
	want := []struct {
		meeting, certified int
		met                bool
	}{{2, 0, true}, {1, 1, true}, {1, 1, false}}
	for i, w := range want {
		y := city.Years[i]
		if y.Meeting != w.meeting || y.Certified != w.certified || y.TargetMet != w.met || y.Districts != 3 {
			t.Errorf("city in %d: %+v, want %+v", y.Year, y, w)
		}
	}
	if y := city.Years[2]; !slices.Equal(y.AtRisk, []string{campC}) || !slices.Contains(y.Lagging, campC) {
		t.Errorf("city in 2025: at risk %v, lagging %v", y.AtRisk, y.Lagging)
	}
	if r := office.do("GET", "/api/v1/progress?format=xlsx", nil); r.status != 200 || len(r.body) < 500 {
		t.Errorf("city report as xlsx: %d", r.status)
	}
	office.printedAt("/api/v1/progress?format=html", "/progress", "全市义务教育优质均衡发展创建进展报告")
}

func checkAccountability(t *testing.T, office httpClient) {
	t.Helper()
	var list struct {
		Year int
		Rows []struct {
			District         string
			Reasons          []string
			Talks, Circulars int
		}
	}
	office.ok("GET", "/api/v1/accountability?year=2025", nil, &list)
	if list.Year != 2025 || len(list.Rows) == 0 || list.Rows[0].District != campC ||
		!slices.Equal(list.Rows[0].Reasons, []string{"lagging", "repeated"}) || list.Rows[0].Talks != 1 ||
		list.Rows[0].Circulars != 1 {
		t.Errorf("accountability list: %+v", list)
	}
	for _, r := range list.Rows {
		// A is certified; B has submitted nothing for 2025, but its deadline is still ahead.
		if r.District == campA || r.District == campB {
			t.Errorf("%s on the accountability list: %+v", r.District, r)
		}
	}
}

// checkPublicSummary: the page shows the city's counts and the certified district, and nothing else: no district
// code, no other district, no school, no coefficient.
func checkPublicSummary(t *testing.T, base string) {
	t.Helper()
	anon := httpClient{t: t, base: base}
	for _, format := range []string{"html", "json"} {
		r := anon.do("GET", "/public/summary?format="+format, nil)
		if r.status != 200 || !bytes.Contains(r.body, []byte("崂山区")) || !bytes.Contains(r.body, []byte("示范市创建进展")) {
			t.Fatalf("public summary as %s: %d %s", format, r.status, r.body)
		}
		for _, secret := range []string{campA, campB, campC, "李沧区", "城阳区", "S001", "实验小学", "class_size", "整改", "约谈"} {
			if bytes.Contains(r.body, []byte(secret)) {
				t.Errorf("the public summary as %s shows %q", format, secret)
			}
		}
	}
}

func hasFlag(fs []progress.Flag, key string) bool {
	return slices.ContainsFunc(fs, func(f progress.Flag) bool { return f.Key == key })
}
