package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"junheng/store"
	"junheng/store/storetest"
)

// TestMigrationNinePutsTodaysDataUnderDefaults: the districts of a deployment from before the four levels go under
// one default province and city named by the lowest district code, and the office's and province's existing
// principals belong to them, so that every office keeps seeing what it saw.
func TestMigrationNinePutsTodaysDataUnderDefaults(t *testing.T) {
	atSchema(t, 8, func(t *testing.T, ctx context.Context, s *store.Store) {
		for _, stmt := range []string{
			"INSERT INTO districts (code, name, created_at) VALUES ('370211', '黄岛区', CURRENT_TIMESTAMP)",
			"INSERT INTO districts (code, name, created_at) VALUES ('370202', '市南区', CURRENT_TIMESTAMP)",
			"INSERT INTO api_tokens (name, role, district_code, hash, created_at) " +
				"VALUES ('o', 'office', '', 'h1', CURRENT_TIMESTAMP)",
			"INSERT INTO api_tokens (name, role, district_code, hash, created_at) " +
				"VALUES ('d', 'district', '370211', 'h2', CURRENT_TIMESTAMP)",
			"INSERT INTO accounts (login, name, role, password_hash, created_by, created_at) " +
				"VALUES ('p', 'p', 'province', 'x', 'cli', CURRENT_TIMESTAMP)",
		} {
			if err := s.Exec(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		org, err := s.Organisation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(org.Provinces) != 1 || org.Provinces[0].Code != "370000" || len(org.Cities) != 1 ||
			org.Cities[0].Code != "370200" || org.Cities[0].ProvinceCode != "370000" {
			t.Fatalf("defaults: %+v", org)
		}
		for _, d := range org.Districts {
			if d.CityCode != "370200" {
				t.Errorf("district %s under %q", d.Code, d.CityCode)
			}
		}
		units := map[string]string{}
		for _, hash := range []string{"h1", "h2"} {
			tok, err := s.TokenByHash(ctx, hash)
			if err != nil {
				t.Fatal(err)
			}
			units[tok.Role] = tok.UnitCode
		}
		acc, err := s.AccountByLogin(ctx, "p")
		if err != nil {
			t.Fatal(err)
		}
		units[acc.Role] = acc.UnitCode
		want := map[string]string{"office": "370200", "district": "370211", "province": "370000"}
		for role, unit := range want {
			if units[role] != unit {
				t.Errorf("the %s's unit: %q, want %q", role, units[role], unit)
			}
		}
	})
}

// TestOrganisation: a saved tree is read back, a second save renames and moves units without doubling them, each
// unit's chain reaches its province, and the districts under a unit are those of its level below.
func TestOrganisation(t *testing.T) {
	for name, s := range storetest.Open(t) {
		t.Run(string(name), func(t *testing.T) {
			ctx := context.Background()
			o := store.Organisation{
				Provinces: []store.Province{{Code: "370000", Name: "山东省"}},
				Cities: []store.City{{Code: "370200", Name: "青岛市", ProvinceCode: "370000"},
					{Code: "370100", Name: "济南市", ProvinceCode: "370000"}},
				Districts: []store.District{{Code: "370211", Name: "黄岛区", CityCode: "370200"},
					{Code: "370102", Name: "历下区", CityCode: "370100"}},
				Schools: []store.School{{Code: "3702110001", Name: "一小", DistrictCode: "370211", Kind: "primary"}},
			}
			if err := s.SaveOrganisation(ctx, o, &store.AuditEvent{Actor: "a", Role: "admin",
				Action: "save_organisation", Outcome: "ok"}); err != nil {
				t.Fatal(err)
			}
			moved := store.Organisation{Schools: []store.School{{Code: "3702110001", Name: "第一小学",
				DistrictCode: "370211", Kind: "nine_year"}}}
			if err := s.SaveOrganisation(ctx, moved, &store.AuditEvent{Actor: "a", Role: "admin",
				Action: "save_organisation", Outcome: "ok"}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Organisation(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Cities) != 2 || len(got.Schools) != 1 || got.Schools[0].Name != "第一小学" ||
				got.Schools[0].Kind != "nine_year" {
				t.Fatalf("read back: %+v", got)
			}
			if chain := got.Tree().Chain(store.LevelSchool, "3702110001"); !slices.Equal(chain,
				[]string{"3702110001", "370211", "370200", "370000"}) {
				t.Errorf("chain: %v", chain)
			}
			if tr := got.Tree(); !tr.Has(store.LevelCity, "370100") || tr.Has(store.LevelDistrict, "370100") {
				t.Errorf("370100 is a city only")
			}
			for unit, want := range map[string][]string{"370000": {"370102", "370211"}, "370200": {"370211"},
				"370102": {"370102"}, "": {"370102", "370211"}} {
				ds, err := s.Districts(ctx, unit)
				var codes []string
				for _, d := range ds {
					codes = append(codes, d.Code)
				}
				if err != nil || !slices.Equal(codes, want) {
					t.Errorf("under %q: %v %v, want %v", unit, codes, err, want)
				}
			}
			if in, err := s.Under(ctx, "370100", "370211"); in || err != nil {
				t.Errorf("Jinan reaches Huangdao: %v %v", in, err)
			}
			// A province's schools: more rows than one statement may carry parameters for.
			many := store.Organisation{Schools: make([]store.School, 14000)}
			for i := range many.Schools {
				many.Schools[i] = store.School{Code: fmt.Sprintf("37021%05d", i), Name: "校", DistrictCode: "370211"}
			}
			if err := s.SaveOrganisation(ctx, many, &store.AuditEvent{Actor: "a", Role: "admin",
				Action: "import_organisation", Outcome: "ok"}); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Schools(ctx, "370211"); err != nil || len(got) != 14000 {
				t.Errorf("%d schools saved, %v", len(got), err)
			}
		})
	}
}
