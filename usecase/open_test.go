package usecase

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
	"junheng/workflows"
)

// openTemporal records the parameters of the cycles it starts, by district.
type openTemporal struct {
	cyclesTemporal
	params map[string]workflows.CycleParams
}

func (f *openTemporal) ExecuteWorkflow(_ context.Context, _ client.StartWorkflowOptions, _ any, args ...any,
) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := args[0].(workflows.CycleParams)
	f.params[p.District] = p
	return nil, nil
}

// TestOpenYearByCity: a district's year opens with its city's calendar and policy where the city has its own,
// else with the province's, whoever opens it: the city's office or the province's.
func TestOpenYearByCity(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	if err := db.SaveOrganisation(ctx, store.Organisation{
		Provinces: []store.Province{{Code: "370000", Name: "山东省"}},
		Cities: []store.City{{Code: "370100", Name: "济南市", ProvinceCode: "370000"},
			{Code: "370200", Name: "青岛市", ProvinceCode: "370000"}},
		Districts: []store.District{{Code: "370102", Name: "历下区", CityCode: "370100"},
			{Code: "370211", Name: "黄岛区", CityCode: "370200"}},
	}, &store.AuditEvent{Actor: "a", Role: "admin", Action: "save_organisation", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	jinan := YearRules{Calendar: workflows.DefaultCalendar, Policy: workflows.DefaultPolicy()}
	jinan.Calendar.SelfAssessment = workflows.MonthDay{Month: time.November, Day: 30}
	jinan.Policy.AcceptLateSelfAssessment = false
	fake := &openTemporal{params: map[string]workflows.CycleParams{}}
	c := New(Deps{Store: db, Temporal: fake, Location: time.UTC, Calendar: workflows.DefaultCalendar,
		Policy: workflows.DefaultPolicy(), Cities: map[string]YearRules{"370100": jinan}})

	// Each opened district's self-assessment deadline, the end of 11-30 in Jinan and of 12-31 elsewhere; Jinan's
	// years alone close to late self-assessments.
	for _, tc := range []struct {
		year   int
		office string
		due    map[string]string
	}{
		{2025, "370100", map[string]string{"370102": "2025-12-01"}},
		{2025, "370200", map[string]string{"370211": "2026-01-01"}},
		{2026, "370000", map[string]string{"370102": "2026-12-01", "370211": "2027-01-01"}},
	} {
		clear(fake.params)
		a := Actor{TokenID: 1, Name: "督导室", Role: vocab.RoleOffice, Unit: tc.office}
		out, err := c.OpenYear(ctx, a, OpenYear{Year: tc.year})
		if err != nil || !slices.Equal(out.Opened, slices.Sorted(maps.Keys(tc.due))) ||
			len(fake.params) != len(tc.due) {
			t.Fatalf("%d by the office of %s: %+v, %v", tc.year, tc.office, out, err)
		}
		for district, due := range tc.due {
			p := fake.params[district]
			if p.Year != tc.year || p.Deadlines.SelfAssessment.Format(time.DateOnly) != due ||
				p.Policy.AcceptLateSelfAssessment != (district != "370102") {
				t.Errorf("%d by the office of %s: %s started with %+v", tc.year, tc.office, district, p)
			}
		}
	}
}
