package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

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
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("unreachable database: %v", err)
	}
}
