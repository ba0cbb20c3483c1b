package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"junheng/store"
	"junheng/store/storetest"
)

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			n, err := s.Migrate(ctx)
			if err != nil || n != 0 {
				t.Fatalf("second migrate applied %d steps, err %v; want 0, nil", n, err)
			}
			cur, newest, err := s.SchemaVersion(ctx)
			if err != nil || cur != newest || cur < 1 {
				t.Fatalf("schema version %d of %d, err %v", cur, newest, err)
			}
		})
	}
}

func TestDistricts(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			if err := s.CreateDistrict(ctx, &store.District{Code: "370211", Name: "黄岛区"}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateDistrict(ctx, &store.District{Code: "370202", Name: "市南区"}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateDistrict(ctx, &store.District{Code: "370211", Name: "again"}); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("duplicate code: got %v, want ErrConflict", err)
			}
			d, err := s.District(ctx, "370211")
			if err != nil || d.Name != "黄岛区" {
				t.Fatalf("District = %+v, %v", d, err)
			}
			if _, err := s.District(ctx, "999999"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown district: got %v, want ErrNotFound", err)
			}
			all, err := s.Districts(ctx)
			if err != nil || len(all) != 2 || all[0].Code != "370202" {
				t.Fatalf("Districts = %+v, %v", all, err)
			}
		})
	}
}

func TestAuditIsFilteredAndNewestFirst(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			for i, district := range []string{"370211", "370202", "370211"} {
				e := &store.AuditEvent{Actor: "clerk", Role: "district", DistrictCode: district,
					Action: "save_draft", Target: fmt.Sprintf("cycle:2025:%s", district), Outcome: "ok", Detail: fmt.Sprint(i)}
				if err := s.AppendAudit(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Audit(ctx, store.AuditFilter{DistrictCode: "370211"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].Detail != "2" || got[1].Detail != "0" || got[0].At.IsZero() {
				t.Fatalf("Audit = %+v", got)
			}
			page, err := s.Audit(ctx, store.AuditFilter{BeforeID: got[0].ID, Limit: 1})
			if err != nil || len(page) != 1 || page[0].Detail != "1" {
				t.Fatalf("page before %d = %+v, %v", got[0].ID, page, err)
			}
		})
	}
}

func TestOpenRejectsUnknownURLAndNamesUnreachableDatabase(t *testing.T) {
	ctx := context.Background()
	if _, err := store.Open(ctx, "mysql://x", ""); err == nil || !strings.Contains(err.Error(), "JUNHENG_DATABASE_URL") {
		t.Fatalf("mysql URL: %v", err)
	}
	_, err := store.Open(ctx, "postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=2", "")
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "secret") || !store.Unavailable(err) {
		t.Fatalf("unreachable database: %v (unavailable: %v)", err, store.Unavailable(err))
	}
	if store.Unavailable(store.ErrNotFound) {
		t.Error("not found is not an outage")
	}
}

func TestFindingCountsCarryOpenItemsOver(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			now := time.Now()
			rows := []store.Finding{
				{ID: "finding:2024:370211:1", Year: 2024, DistrictCode: "370211", Seq: 1, Status: "in_progress", Overdue: true, Escalated: true},
				{ID: "finding:2024:370211:2", Year: 2024, DistrictCode: "370211", Seq: 2, Status: "closed"},
				{ID: "finding:2025:370211:1", Year: 2025, DistrictCode: "370211", Seq: 1, Status: "open"},
				{ID: "finding:2025:370211:2", Year: 2025, DistrictCode: "370211", Seq: 2, Status: "closed"},
				{ID: "finding:2025:370202:1", Year: 2025, DistrictCode: "370202", Seq: 1, Status: "awaiting_verification"},
			}
			for i := range rows {
				rows[i].Title, rows[i].Source, rows[i].Severity, rows[i].CreatedAt, rows[i].UpdatedAt = "t", "on_site", "normal", now, now
			}
			if err := s.CreateFindings(ctx, rows); err != nil {
				t.Fatal(err)
			}
			counts, err := s.FindingCountsByDistrict(ctx, 2025)
			if err != nil {
				t.Fatal(err)
			}
			want := store.FindingCounts{DistrictCode: "370211", Open: 1, Closed: 1, Overdue: 1, Escalated: 1, CarriedOver: 1}
			if counts["370211"] != want || counts["370202"].Open != 1 {
				t.Errorf("counts = %+v", counts)
			}
			ledger, total, err := s.Findings(ctx, store.FindingFilter{Year: 2025, District: "370211", OpenFromEarlier: true})
			if err != nil || total != 3 || ledger[0].ID != "finding:2024:370211:1" {
				t.Errorf("the district's findings with carried-over ones: %d %+v %v", total, ledger, err)
			}
		})
	}
}

func TestIdempotencyClaims(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			claim := func() (bool, store.IdempotentRequest) {
				ok, prior, err := s.ClaimIdempotencyKey(ctx, &store.IdempotentRequest{Principal: "7", Key: "k", RequestHash: "h",
					CreatedAt: time.Now().UTC()})
				if err != nil {
					t.Fatal(err)
				}
				return ok, prior
			}
			if ok, _ := claim(); !ok {
				t.Fatal("first claim refused")
			}
			if ok, prior := claim(); ok || prior.Status != 0 || prior.RequestHash != "h" {
				t.Fatalf("second claim: %v %+v", ok, prior)
			}
			if ok, err := s.RetakeIdempotencyKey(ctx, "7", "k", time.Now().Add(-time.Minute).UTC()); err != nil || ok {
				t.Fatalf("a fresh claim was retaken: %v %v", ok, err)
			}
			if ok, err := s.RetakeIdempotencyKey(ctx, "7", "k", time.Now().Add(time.Minute).UTC()); err != nil || !ok {
				t.Fatalf("a stale claim was not retaken: %v %v", ok, err)
			}
			if err := s.CompleteIdempotencyKey(ctx, "7", "k", 201, "application/json", []byte(`{"id":1}`)); err != nil {
				t.Fatal(err)
			}
			if ok, prior := claim(); ok || prior.Status != 201 || string(prior.Body) != `{"id":1}` {
				t.Fatalf("after completion: %v %+v", ok, prior)
			}
			if err := s.ReleaseIdempotencyKey(ctx, "7", "k"); err != nil {
				t.Fatal(err)
			}
			if ok, _ := claim(); ok {
				t.Error("release removed an answered request")
			}
		})
	}
}
