package usecase

import (
	"context"
	"slices"
	"testing"
	"time"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// twoCities registers a province with two cities, Qingdao (370200: 370211) and Jinan (370100: 370102), each
// district with its year, one finding and one notification to its office.
func twoCities(t *testing.T, db *store.Store) {
	t.Helper()
	ctx := context.Background()
	org := store.Organisation{
		Provinces: []store.Province{{Code: "370000", Name: "山东省"}},
		Cities: []store.City{{Code: "370200", Name: "青岛市", ProvinceCode: "370000"},
			{Code: "370100", Name: "济南市", ProvinceCode: "370000"}},
		Districts: []store.District{{Code: "370211", Name: "黄岛区", CityCode: "370200"},
			{Code: "370102", Name: "历下区", CityCode: "370100"}},
		Schools: []store.School{{Code: "3702110001", Name: "一小", DistrictCode: "370211"}},
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SaveOrganisation(ctx, org, &store.AuditEvent{Actor: "t", Role: "admin", Action: "import", Outcome: "ok"}))
	now := time.Now().UTC()
	_, err := db.ClaimSchoolReturns(ctx, 2025, "370211", []string{"3702110001"}, now.AddDate(0, 0, 15))
	must(err)
	for _, d := range org.Districts {
		must(db.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: d.Code, Stage: "rectification",
			UpdatedAt: now}, nil))
		must(db.CreateFindings(ctx, []store.Finding{{ID: vocab.FindingID(2025, d.Code, 1), Year: 2025,
			DistrictCode: d.Code, Seq: 1, Title: "t", Source: "on_site", Severity: "normal", Status: "open",
			CreatedAt: now, UpdatedAt: now}}))
		for _, to := range []string{"office", "province"} {
			n := &store.Notification{Key: to + d.Code, Recipient: to, DistrictCode: d.Code, Year: 2025,
				Kind: "submitted"}
			_, err := db.AddNotification(ctx, n)
			must(err)
			if to == "office" {
				must(db.RecordDelivery(ctx, &store.Delivery{NotificationID: n.ID, Channel: "webhook:ops",
					Status: store.Delivered, Attempts: 1}))
			}
		}
	}
}

// TestCityScope: a city's office sees and acts only on its city's districts (the others answer 404, as another
// district's data does to a district), the province sees every city's, a school no district's, and an
// administrator of a city manages only the people of their city.
func TestCityScope(t *testing.T) {
	for dialect, db := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			twoCities(t, db)
			c := New(Deps{Store: db})
			qingdao := Actor{Name: "青岛督导办", Role: vocab.RoleOffice, Unit: "370200"}
			jinan := Actor{Name: "济南督导办", Role: vocab.RoleOffice, Unit: "370100"}
			province := Actor{Name: "省督导办", Role: vocab.RoleProvince, Unit: "370000"}
			school := Actor{Name: "一小", Role: vocab.RoleSchool, Unit: "3702110001"}

			for _, tc := range []struct {
				who      Actor
				district string
				want     Kind
			}{
				{qingdao, "370211", ""}, {qingdao, "370102", NotFound}, {jinan, "370211", NotFound},
				{province, "370211", ""}, {province, "370102", ""}, {school, "370211", NotFound},
			} {
				if _, err := c.Cycle(ctx, tc.who, 2025, tc.district); kindOf(err) != tc.want {
					t.Errorf("%s reads %s's year: %v, want %q", tc.who.Name, tc.district, err, tc.want)
				}
				if _, err := c.Finding(ctx, tc.who, vocab.FindingID(2025, tc.district, 1)); kindOf(err) != tc.want {
					t.Errorf("%s reads %s's finding: %v, want %q", tc.who.Name, tc.district, err, tc.want)
				}
			}
			for who, want := range map[*Actor][]string{&qingdao: {"370211"}, &jinan: {"370102"},
				&province: {"370102", "370211"}} {
				rows, err := c.Overview(ctx, *who, 2025)
				var years []string
				for _, r := range rows {
					years = append(years, r.DistrictCode)
				}
				slices.Sort(years)
				ledger, _ := c.Ledger(ctx, *who, LedgerFilter{Year: 2025}, 0, 0)
				var items []string
				for _, f := range ledger.Findings {
					items = append(items, f.DistrictCode)
				}
				slices.Sort(items)
				ns, _ := c.Notifications(ctx, *who, false)
				var notes []string
				for _, n := range ns {
					notes = append(notes, n.DistrictCode)
				}
				slices.Sort(notes)
				ds, _ := c.Districts(ctx, *who)
				var names []string
				for _, d := range ds {
					names = append(names, d.Code)
				}
				if err != nil || !slices.Equal(years, want) || !slices.Equal(items, want) ||
					!slices.Equal(notes, want) || !slices.Equal(names, want) {
					t.Errorf("%s: years %v, ledger %v, notifications %v, districts %v (%v); want %v",
						who.Name, years, items, notes, names, err, want)
				}
			}
			everyone := Actor{Name: "管理员", Role: vocab.RoleAdmin}
			for who, want := range map[*Actor]int{&qingdao: 1, &jinan: 1, &everyone: 2} {
				if ds, err := c.Deliveries(ctx, *who, ""); err != nil || len(ds) != want {
					t.Errorf("%s sees %d deliveries (%v), want %d", who.Name, len(ds), err, want)
				}
			}
			for who, want := range map[*Actor]Kind{&qingdao: "", &province: "", &jinan: NotFound, &school: Forbidden} {
				if _, err := c.SchoolReturnOf(ctx, *who, 2025, "3702110001"); kindOf(err) != want {
					t.Errorf("%s reads the school's return: %v, want %q", who.Name, err, want)
				}
			}
			if _, err := c.CreateDistrict(ctx, qingdao, NewDistrict{Code: "370103", Name: "市中区",
				City: "370100"}); kindOf(err) != NotFound {
				t.Errorf("Qingdao registers a district of Jinan: %v", err)
			}
			if d, err := c.CreateDistrict(ctx, qingdao, NewDistrict{Code: "370212", Name: "崂山区"}); err != nil ||
				d.CityCode != "370200" {
				t.Errorf("Qingdao registers its own district: %+v %v", d, err)
			}

			admin := Actor{Name: "青岛管理员", Role: vocab.RoleAdmin, Unit: "370200"}
			if _, err := c.OpenAccount(ctx, admin, AccountRequest{Login: "lixia", Name: "历下",
				Role: vocab.RoleDistrict, Unit: "370102"}); kindOf(err) != NotFound {
				t.Errorf("Qingdao's administrator opens an account in Jinan: %v", err)
			}
			for _, req := range []AccountRequest{
				{Login: "huangdao", Name: "黄岛", Role: vocab.RoleDistrict, Unit: "370211"},
				{Login: "yixiao", Name: "一小", Role: vocab.RoleSchool, Unit: "3702110001"},
			} {
				if _, err := c.OpenAccount(ctx, admin, req); err != nil {
					t.Errorf("Qingdao's administrator opens %s: %v", req.Login, err)
				}
			}
			evs, err := db.Audit(ctx, store.AuditFilter{Action: "create_account", Outcome: "ok"})
			if err != nil || len(evs) != 2 || evs[0].Actor != "青岛管理员" || evs[0].ActorUnit != "370200" {
				t.Errorf("the audit trail names the administrator's unit: %+v %v", evs, err)
			}
			if _, err := c.IssueToken(ctx, admin, TokenRequest{Role: vocab.RoleAdmin, Name: "x"}); !hasField(err,
				"unit") {
				t.Errorf("Qingdao's administrator issues a deployment's token: %v", err)
			}
			if _, err := c.IssueToken(ctx, admin, TokenRequest{Role: vocab.RoleOffice, Unit: "370100",
				Name: "x"}); kindOf(err) != NotFound {
				t.Errorf("Qingdao's administrator issues a token of Jinan's office: %v", err)
			}
			if _, err := c.UploadFile(ctx, jinan, NewFile{Name: "a.pdf", District: "370211"}); kindOf(err) != NotFound {
				t.Errorf("Jinan's office files a document for Huangdao: %v", err)
			}
			root := Actor{Name: "cli", Role: vocab.RoleSystem}
			if _, err := CreateAccount(ctx, db, root, AccountRequest{Login: "lixia", Name: "历下",
				Role: vocab.RoleDistrict, Unit: "370102"}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.ResetAccountPassword(ctx, admin, "lixia"); !hasField(err, "login") {
				t.Errorf("Qingdao's administrator resets a Jinan password: %v", err)
			}
			accs, err := c.Accounts(ctx, admin)
			var logins []string
			for _, acc := range accs {
				logins = append(logins, acc.Login)
			}
			slices.Sort(logins)
			if err != nil || !slices.Equal(logins, []string{"huangdao", "yixiao"}) {
				t.Errorf("Qingdao's administrator lists %v %v", logins, err)
			}

			// A school whose year is under way stays with its district until the district accepts its data.
			move := NewUnit{Level: store.LevelSchool, Code: "3702110001", Name: "一小", Parent: "370212"}
			if err := c.SaveUnit(ctx, everyone, move); !hasField(err, "parent") {
				t.Errorf("a school moved mid-year: %v", err)
			}
			if err := db.RecordSchoolReturn(ctx, &store.SchoolReturn{Year: 2025, SchoolCode: "3702110001",
				DistrictCode: "370211", Status: string(vocab.SchoolAccepted), UpdatedAt: time.Now(),
				Written: store.Written{RecordSeq: 1}}, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.SaveUnit(ctx, everyone, move); err != nil {
				t.Errorf("a school moved once accepted: %v", err)
			}
		})
	}
}
