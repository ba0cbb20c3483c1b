package usecase

import (
	"context"
	"testing"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// TestWhoReadsNotifications: each reads its own notifications (the province and admins the office's), only the
// recipients mark one read, and only admins and the office see the deliveries, refused before the status is read.
func TestWhoReadsNotifications(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, n := range []store.Notification{{Key: "office", Recipient: "office"},
		{Key: "province", Recipient: "province", DistrictCode: "370211"},
		{Key: "370211", Recipient: "district", DistrictCode: "370211"},
		{Key: "370202", Recipient: "district", DistrictCode: "370202"}} {
		n.Year, n.Kind = 2025, "reminder"
		if _, err := db.AddNotification(ctx, &n); err != nil {
			t.Fatal(err)
		}
		ids[n.Key] = n.ID
	}
	c := New(Deps{Store: db})
	office, province := Actor{Role: vocab.RoleOffice}, Actor{Role: vocab.RoleProvince}
	clerk := Actor{Role: vocab.RoleDistrict, Unit: "370211"}
	for a, want := range map[Actor]string{office: "office", province: "province", clerk: "370211"} {
		ns, err := c.Notifications(ctx, a, false)
		if err != nil || len(ns) != 1 || ns[0].ID != ids[want] {
			t.Errorf("%+v reads %+v (%v), want the %s one", a, ns, err, want)
		}
	}
	for _, tc := range []struct {
		actor Actor
		note  string
		want  Kind
	}{
		{province, "office", NotFound}, {Actor{Role: vocab.RoleAdmin}, "office", Forbidden},
		{office, "province", NotFound}, {province, "province", ""},
		{office, "370211", NotFound}, {clerk, "370202", NotFound}, {clerk, "office", NotFound},
		{clerk, "370211", ""}, {office, "office", ""},
	} {
		if err := c.ReadNotification(ctx, tc.actor, ids[tc.note]); kindOf(err) != tc.want ||
			(tc.want == "") != (err == nil) {
			t.Errorf("%+v marking the %s notification read: %v, want %q", tc.actor, tc.note, err, tc.want)
		}
	}
	if unread, _ := c.Notifications(ctx, office, true); len(unread) != 0 {
		t.Errorf("the office's notification is still unread: %+v", unread)
	}
	for _, tc := range []struct {
		actor  Actor
		status string
		want   Kind
	}{
		{clerk, "nonsense", Forbidden}, {province, "nonsense", Forbidden},
		{office, "nonsense", Invalid}, {office, store.Failed, ""},
	} {
		if _, err := c.Deliveries(ctx, tc.actor, tc.status); kindOf(err) != tc.want {
			t.Errorf("%+v reading the %q deliveries: %v, want %q", tc.actor, tc.status, err, tc.want)
		}
	}
}
