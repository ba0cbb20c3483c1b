package usecase

import (
	"context"
	"slices"
	"testing"
	"time"

	"junheng/evaluation"
	"junheng/progress"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// reportsCore is a core over a city of two districts in 2025: 370211 in rectification, whose accepted version 1
// does not meet the standard and whose version 2 (submitted since) does, with an overdue finding; 370202
// certified.
func reportsCore(t *testing.T) *Core {
	t.Helper()
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := time.Now().UTC()
	steps := []error{
		db.CreateDistrict(ctx, &store.District{Code: "370211", Name: "黄岛区"}),
		db.CreateDistrict(ctx, &store.District{Code: "370202", Name: "市南区"}),
		db.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: "370211", Stage: "rectification", Version: 2,
			Verdict: "meets", ReviewedVersion: 1, UpdatedAt: now}, nil),
		db.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: "370202", Stage: "certified", Version: 1,
			Verdict: "meets", ReviewedVersion: 1, UpdatedAt: now}, nil),
		db.Submit(ctx, &store.Submission{Year: 2025, DistrictCode: "370211", DraftID: 1,
			Evaluation: evaluation.Result{Verdict: evaluation.DoesNotMeet}, Verdict: "does_not_meet",
			ShortfallKeys: "a,b"}),
		db.Submit(ctx, &store.Submission{Year: 2025, DistrictCode: "370211", DraftID: 2,
			Evaluation: evaluation.Result{Verdict: evaluation.Meets}, Verdict: "meets", ShortfallKeys: "a"}),
		db.Submit(ctx, &store.Submission{Year: 2025, DistrictCode: "370202", DraftID: 3,
			Evaluation: evaluation.Result{Verdict: evaluation.Meets}, Verdict: "meets"}),
		db.CreateFindings(ctx, []store.Finding{{ID: vocab.FindingID(2025, "370211", 1), Year: 2025,
			DistrictCode: "370211", Seq: 1, Title: "t", Status: "open", Overdue: true, CreatedAt: now,
			UpdatedAt: now}}),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	return New(Deps{Store: db, Location: time.UTC, Rules: progress.DefaultRules()})
}

// TestReportSpans: the core decides who sees a report before it reads the span asked for (another district's
// report is not there, whatever the years; a district may not read the city's), then the span rule: from no
// later than to, at most twenty years, and what the face could not read is answered alone.
func TestReportSpans(t *testing.T) {
	c := reportsCore(t)
	ctx := context.Background()
	clerk := Actor{Role: vocab.RoleDistrict, Unit: "370211"}
	office := Actor{Role: vocab.RoleOffice}
	var unread Fields
	unread.Add("to", "年度应为 2000 至 2100 之间的整数", "must be a year from 2000 to 2100")
	for _, tc := range []struct {
		actor    Actor
		district string
		years    Years
		want     Kind
		fields   []string
	}{
		{clerk, "370202", Years{From: 2025, To: 2020}, NotFound, nil},
		{office, "370299", Years{From: 2025, To: 2020}, NotFound, nil}, // not registered
		{clerk, "370211", Years{From: 2025, To: 2020}, Invalid, []string{"from"}},
		{office, "370211", Years{From: 2000, To: 2025}, Invalid, []string{"from"}},
		{office, "370211", Years{From: 2030, Malformed: unread}, Invalid, []string{"to"}},
		{office, "370211", Years{From: 2006, To: 2025}, "", nil},
	} {
		_, err := c.DistrictProgress(ctx, tc.actor, tc.district, tc.years)
		if kindOf(err) != tc.want || !slices.Equal(fieldsOf(err), tc.fields) {
			t.Errorf("%+v on %s over %+v: %v, want %q %v", tc.actor, tc.district, tc.years, err, tc.want, tc.fields)
		}
	}
	r, err := c.DistrictProgress(ctx, clerk, "370211", Years{})
	if err != nil || r.From != 2025 || r.To != 2025 || len(r.Years) != 1 || r.Plan != nil {
		t.Errorf("the default span is the years with cycles: %+v %v", r, err)
	}
	if _, err := c.CityProgress(ctx, clerk, Years{From: 2025, To: 2020}); kindOf(err) != Forbidden {
		t.Errorf("a district reads the city's report: %v", err)
	}
	city, err := c.CityProgress(ctx, Actor{Role: vocab.RoleProvince}, Years{})
	if err != nil || len(city.Districts) != 2 || len(city.Years) != 1 || city.Years[0].Year != 2025 {
		t.Errorf("the city's report: %+v %v", city, err)
	}
	if schools, err := c.SchoolLedger(ctx, clerk, "370211", Years{}, "none"); err != nil || len(schools) != 0 {
		t.Errorf("the ledger of a school not reported: %+v %v", schools, err)
	}
}
