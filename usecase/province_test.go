package usecase

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"junheng/progress"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// twoCitiesInStages registers Shandong's Qingdao (five districts) and Jinan (three), and Nanjing of another
// province, with their 2025 years in several stages: 黄岛区 and 历下区 wait for the province, 崂山区 is certified
// in 2025 and 平度市 in 2024 (no 2025 year), 胶州市 has no year at all.
func twoCitiesInStages(t *testing.T, db *store.Store) {
	t.Helper()
	ctx := context.Background()
	org := store.Organisation{
		Provinces: []store.Province{{Code: "370000", Name: "山东省"}, {Code: "320000", Name: "江苏省"}},
		Cities: []store.City{{Code: "370200", Name: "青岛市", ProvinceCode: "370000"},
			{Code: "370100", Name: "济南市", ProvinceCode: "370000"},
			{Code: "320100", Name: "南京市", ProvinceCode: "320000"}},
		Districts: []store.District{{Code: "370211", Name: "黄岛区", CityCode: "370200"},
			{Code: "370212", Name: "崂山区", CityCode: "370200"}, {Code: "370213", Name: "即墨区", CityCode: "370200"},
			{Code: "370214", Name: "胶州市", CityCode: "370200"}, {Code: "370215", Name: "平度市", CityCode: "370200"},
			{Code: "370102", Name: "历下区", CityCode: "370100"}, {Code: "370103", Name: "市中区", CityCode: "370100"},
			{Code: "370104", Name: "槐荫区", CityCode: "370100"}, {Code: "320102", Name: "玄武区", CityCode: "320100"}},
	}
	if err := db.SaveOrganisation(ctx, org,
		&store.AuditEvent{Actor: "t", Role: "admin", Action: "import", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	for _, cy := range []struct {
		year     int
		district string
		stage    vocab.CycleStage
	}{
		{2024, "370215", vocab.StageCertified}, {2024, "370211", vocab.StageNotApplied},
		{2025, "370211", vocab.StageProvinceReview}, {2025, "370212", vocab.StageCertified},
		{2025, "370213", vocab.StageSelfAssessment}, {2025, "370102", vocab.StageProvinceReview},
		{2025, "370103", vocab.StageRectification}, {2025, "370104", vocab.StageCityReview},
		{2025, "320102", vocab.StageProvinceReview},
	} {
		if err := db.RecordCycle(ctx, &store.Cycle{Year: cy.year, DistrictCode: cy.district, Stage: string(cy.stage),
			UpdatedAt: time.Now().UTC()}, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestProvinceDashboard: the province sees each of its cities' districts by stage, the applications waiting for
// it, and the certified share (a certification of an earlier year counting) against the city's own target or the
// province's; a deployment's administrator sees every city; a city's office, a district and a school may not.
func TestProvinceDashboard(t *testing.T) {
	for dialect, db := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			twoCitiesInStages(t, db)
			qingdao := YearRules{Progress: progress.Rules{Targets: map[int]float64{2023: 0.2, 2025: 0.4}}}
			c := New(Deps{Store: db, Rules: progress.Rules{Targets: map[int]float64{2024: 0.5}},
				Cities: map[string]YearRules{"370200": qingdao}})

			for _, a := range []Actor{{Role: vocab.RoleOffice, Unit: "370200"},
				{Role: vocab.RoleDistrict, Unit: "370211"}, {Role: vocab.RoleSchool, Unit: "3702110001"}} {
				if _, err := c.ProvinceDashboard(ctx, a, 2025); kindOf(err) != Forbidden {
					t.Errorf("%s %s reads the province's dashboard: %v", a.Role, a.Unit, err)
				}
			}

			province := Actor{Name: "省督导办", Role: vocab.RoleProvince, Unit: "370000"}
			d, err := c.ProvinceDashboard(ctx, province, 0) // the latest year with cycles
			if err != nil {
				t.Fatal(err)
			}
			if d.Year != 2025 || len(d.Cities) != 2 {
				t.Fatalf("year %d, cities %+v", d.Year, d.Cities)
			}
			half, twoFifths := 0.5, 0.4
			want := []CityStanding{
				{Code: "370100", Name: "济南市", Districts: 3, Stages: map[string]int{"province_review": 1,
					"rectification": 1, "city_review": 1},
					Waiting:   []Application{{DistrictCode: "370102", DistrictName: "历下区"}},
					Certified: 0, Share: 0, Target: &half, TargetMet: false},
				// 2 of 5 is exactly the target of 40%: met.
				{Code: "370200", Name: "青岛市", Districts: 5, Stages: map[string]int{"province_review": 1,
					"certified": 1, "self_assessment": 1}, NotOpened: 2,
					Waiting:   []Application{{DistrictCode: "370211", DistrictName: "黄岛区"}},
					Certified: 2, Share: 0.4, Target: &twoFifths, TargetMet: true},
			}
			for i, w := range want {
				if !reflect.DeepEqual(d.Cities[i], w) {
					t.Errorf("city %d:\n got %+v\nwant %+v", i, standingOf(d.Cities[i]), standingOf(w))
				}
			}
			total := d.Total
			if total.Districts != 8 || total.NotOpened != 2 || total.Certified != 2 || len(total.Waiting) != 2 ||
				total.Stages["province_review"] != 2 || total.Target == nil || *total.Target != 0.5 ||
				total.TargetMet || total.Share != 0.25 {
				t.Errorf("total %+v", standingOf(total))
			}

			// A year before: 平度市 certified, 黄岛区 not applied, the rest not opened; Qingdao's 2023 target.
			d, err = c.ProvinceDashboard(ctx, province, 2024)
			if err != nil || d.Cities[1].Certified != 1 || d.Cities[1].NotOpened != 3 ||
				*d.Cities[1].Target != 0.2 || !d.Cities[1].TargetMet || d.Cities[0].NotOpened != 3 {
				t.Errorf("2024: %+v %v", d, err)
			}
			if _, err := c.ProvinceDashboard(ctx, province, 2030); kindOf(err) != NotFound {
				t.Errorf("a year not opened: %v", err)
			}

			admin := Actor{Name: "管理员", Role: vocab.RoleAdmin}
			d, err = c.ProvinceDashboard(ctx, admin, 2025)
			if err != nil || len(d.Cities) != 3 || d.Cities[0].Code != "320100" || d.Total.Districts != 9 ||
				len(d.Total.Waiting) != 3 {
				t.Errorf("the deployment's administrator: %+v %v", d, err)
			}
		})
	}
}

// standingOf shows a city's line in a failure.
func standingOf(s CityStanding) string {
	target := "none"
	if s.Target != nil {
		target = fmt.Sprint(*s.Target)
	}
	return fmt.Sprintf("%s %s districts %d stages %v not opened %d waiting %v certified %d share %v target %s met %v",
		s.Code, s.Name, s.Districts, s.Stages, s.NotOpened, s.Waiting, s.Certified, s.Share, target, s.TargetMet)
}

// TestProvinceDashboardDoesNotGrowWithTheProvince: the dashboard reads as many statements for 2 cities as for 20.
func TestProvinceDashboardDoesNotGrowWithTheProvince(t *testing.T) {
	counts := map[int]int64{}
	for _, n := range []int{2, 20} {
		db, ctx := storetest.SQLite(t), context.Background()
		org := store.Organisation{Provinces: []store.Province{{Code: "370000", Name: "山东省"}}}
		for i := range n {
			city := fmt.Sprintf("37%02d00", i+1)
			org.Cities = append(org.Cities, store.City{Code: city, Name: "市" + city, ProvinceCode: "370000"})
			for j := range 3 {
				org.Districts = append(org.Districts,
					store.District{Code: fmt.Sprintf("37%02d%02d", i+1, j+1), Name: "区", CityCode: city})
			}
		}
		err := db.SaveOrganisation(ctx, org, &store.AuditEvent{Actor: "t", Role: "admin", Action: "import"})
		for _, dist := range org.Districts {
			if err == nil {
				err = db.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: dist.Code,
					Stage: string(vocab.StageProvinceReview)}, nil)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		cities := map[string]YearRules{}
		for _, ct := range org.Cities {
			cities[ct.Code] = YearRules{Progress: progress.Rules{Targets: map[int]float64{2025: 0.5}}}
		}
		c := New(Deps{Store: db, Cities: cities})
		before := db.Queries()
		d, err := c.ProvinceDashboard(ctx, Actor{Role: vocab.RoleProvince, Unit: "370000"}, 0)
		if err != nil || len(d.Cities) != n || len(d.Total.Waiting) != 3*n {
			t.Fatalf("%d cities: %+v %v", n, d, err)
		}
		counts[n] = db.Queries() - before
	}
	t.Logf("%d statements for 2 cities, %d for 20", counts[2], counts[20])
	if counts[2] != counts[20] || counts[2] > 7 {
		t.Errorf("%d statements for 2 cities, %d for 20", counts[2], counts[20])
	}
}
