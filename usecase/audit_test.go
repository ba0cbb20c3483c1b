package usecase

import (
	"context"
	"testing"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// TestWhoReadsTheAuditTrail: admins and the office read the whole trail, filtered and paged back; the province
// and the districts may not, not even their own entries.
func TestWhoReadsTheAuditTrail(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	for _, district := range []string{"370211", "370202", "370211"} {
		if err := db.AppendAudit(ctx, &store.AuditEvent{Actor: "x", DistrictCode: district, Action: "submit",
			Outcome: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	c := New(Deps{Store: db})
	for _, a := range []Actor{{Role: vocab.RoleProvince}, {Role: vocab.RoleDistrict, Unit: "370211"}} {
		if _, err := c.Audit(ctx, a, AuditFilter{District: a.District()}); kindOf(err) != Forbidden {
			t.Errorf("%+v reads the audit trail: %v", a, err)
		}
	}
	evs, err := c.Audit(ctx, Actor{Role: vocab.RoleAdmin}, AuditFilter{District: "370211"})
	if err != nil || len(evs) != 2 || evs[0].ID < evs[1].ID {
		t.Fatalf("370211's entries, newest first: %+v %v", evs, err)
	}
	older, err := c.Audit(ctx, Actor{Role: vocab.RoleOffice}, AuditFilter{District: "370211", Before: evs[0].ID})
	if err != nil || len(older) != 1 || older[0].ID != evs[1].ID {
		t.Errorf("paging back: %+v %v", older, err)
	}
}
