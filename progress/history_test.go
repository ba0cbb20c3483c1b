package progress

import (
	"testing"
	"time"
)

var cst = time.FixedZone("CST", 8*3600)

// submission is a submitted year as the read model has it.
func submission(district string, y Year) SubmissionRow {
	return SubmissionRow{Year: y.Year, DistrictCode: district, Data: *y.Input, Evaluation: *y.Result}
}

func planVersion(targetYear int, decided time.Time) PlanRow {
	return PlanRow{Plan: Plan{TargetYear: targetYear}, DecidedAt: &decided}
}

// History over 2023–2024 (and 2022, the baseline) at noon on 1 June 2024 in the city's zone.
//
//	A  certified in 2020, before the span: certified from the baseline on. Submitted 2023, reviewed; 2024's
//	   self-assessment is due in December: pending. Plans approved in 2021 and, at 04:00 on 1 January 2024 in
//	   the city (still 2023 in UTC), revised: 2022 and 2023 are judged against the first.
//	B  no cycle at all: every year of the span is pending, the baseline is left alone.
func TestHistory(t *testing.T) {
	const a, b = "370201", "370202"
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, cst)
	rows := Rows{
		Districts: []DistrictRow{{Code: a, Name: "市南区"}, {Code: b, Name: "市北区"}},
		Cycles: []CycleRow{
			{Year: 2020, DistrictCode: a, Certified: true},
			{Year: 2023, DistrictCode: a, ReviewedVersion: 1,
				SelfAssessmentDeadline: time.Date(2023, 12, 31, 0, 0, 0, 0, cst)},
			{Year: 2024, DistrictCode: a,
				SelfAssessmentDeadline: time.Date(2024, 12, 31, 0, 0, 0, 0, cst)},
		},
		Submissions: []SubmissionRow{submission(a, submitted(t, 2023, with(t)))},
		Plans: map[string][]PlanRow{a: {
			planVersion(2025, time.Date(2021, 5, 1, 0, 0, 0, 0, cst)),
			planVersion(2026, time.Date(2023, 12, 31, 20, 0, 0, 0, time.UTC)),
		}},
	}
	ds := History(rows, "", 2023, 2024, now)
	if len(ds) != 2 || ds[0].Code != a || ds[0].Name != "市南区" || ds[1].Code != b {
		t.Fatalf("districts %s", show(ds))
	}
	want := map[string][]Year{
		a: {{Year: 2022, Certified: true}, {Year: 2023, Reviewed: true}, {Year: 2024, Pending: true}},
		b: {{Year: 2023, Pending: true}, {Year: 2024, Pending: true}},
	}
	for _, d := range ds {
		if len(d.Years) != len(want[d.Code]) {
			t.Fatalf("%s: years %s", d.Code, show(d.Years))
		}
		for i, y := range d.Years {
			w := want[d.Code][i]
			if y.Year != w.Year || y.Certified != w.Certified || y.Pending != w.Pending || y.Reviewed != w.Reviewed ||
				(y.Result != nil) != (d.Code == a && y.Year == 2023) || (y.Input == nil) != (y.Result == nil) {
				t.Errorf("%s %d: %+v", d.Code, w.Year, y)
			}
		}
	}
	pa := ds[0]
	if pa.Plan == nil || pa.Plan.TargetYear != 2026 || len(pa.PlanFor) != 2 ||
		pa.PlanFor[2022].TargetYear != 2025 || pa.PlanFor[2023].TargetYear != 2025 {
		t.Errorf("plans: now %s, earlier %s", show(pa.Plan), show(pa.PlanFor))
	}
	if ds[1].Plan != nil || ds[1].PlanFor != nil {
		t.Errorf("B has no plan: %s", show(ds[1]))
	}
	// In UTC the revision came in 2023, which is then judged against it.
	utc := History(rows, a, 2023, 2024, now.UTC())
	if len(utc) != 1 || utc[0].Code != a || len(utc[0].PlanFor) != 1 || utc[0].PlanFor[2022] == nil {
		t.Errorf("only A, in UTC: %s", show(utc))
	}
}

// The reports leave out the baseline year History adds, and the schools reported only in it.
func TestReportsLeaveOutTheBaseline(t *testing.T) {
	d := District{Code: "370201", Name: "市南区", Plan: &Plan{TargetYear: 2025},
		Years: []Year{submitted(t, 2022, with(t, primary(t, "X01"))), submitted(t, 2023, with(t))}}
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, cst)
	r := NewDistrictReport(d, 2023, 2023, DefaultRules(), now)
	if r.District != d.Code || r.Name != d.Name || r.From != 2023 || r.To != 2023 || !r.GeneratedAt.Equal(now) ||
		len(r.Years) != 1 || r.Years[0].Year != 2023 || len(r.Schools) == 0 {
		t.Fatalf("district report %s", show(r))
	}
	for _, l := range r.Schools {
		if l.Code == "X01" || l.Years[0].Year != 2023 {
			t.Errorf("school %s", show(l))
		}
	}
	c := NewCityReport([]District{d}, []int{2023}, DefaultRules(), now)
	if c.From != 2023 || c.To != 2023 || len(c.Years) != 1 || len(c.Districts) != 1 ||
		c.Districts[0].TargetYear != 2025 || len(c.Districts[0].Years) != 1 || c.Districts[0].Years[0].Year != 2023 {
		t.Errorf("city report %s", show(c))
	}
}
