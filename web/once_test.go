package web

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"junheng/store"
	"junheng/workflows"
)

// TestFormOutcomeKeptOnce: a form acts once for its key. Its resend, also to another process of the site, gets
// the first outcome without acting; the same key sent with other content is refused as a changed form.
func TestFormOutcomeKeptOnce(t *testing.T) {
	db := seededStore(t)
	srv, c, fake := newSite(t, Options{Store: db})
	other, _, _ := newSite(t, Options{Store: db})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	_, page := fetch(t, c, "GET", srv.URL+"/district?year=2026", nil)
	form := formOf(t, page, "/district/edit")
	form.Set("data", draftJSON(t))
	for _, site := range []string{srv.URL, srv.URL, other.URL} {
		if _, page = fetch(t, c, "POST", site+"/district/edit", form); !strings.Contains(page, "已保存") {
			t.Fatalf("the save was not answered as saved:\n%s", page)
		}
	}
	if saves := fake.updatesOf(workflows.UpdateSaveDraft); len(saves) != 1 {
		t.Errorf("one form saved %d drafts: %q", len(saves), saves)
	}
	// The seeded draft is the first; the form's is the second, and no resend stored a third.
	if _, err := db.Draft(context.Background(), 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a resend stored its data again: %v", err)
	}
	form.Set("data", strings.Replace(draftJSON(t), `"year": 2026`, `"year":2026`, 1))
	if _, page = fetch(t, c, "POST", srv.URL+"/district/edit", form); !strings.Contains(page, "此表单已提交过") {
		t.Errorf("a changed form under the same key was not refused:\n%s", page)
	}
	if saves := fake.updatesOf(workflows.UpdateSaveDraft); len(saves) != 1 {
		t.Errorf("the changed form acted: %d saves", len(saves))
	}
}

// TestRefusedFormAudited: a form the core refuses is in the audit trail, as the same refusal through the API is.
func TestRefusedFormAudited(t *testing.T) {
	db := seededStore(t)
	srv, c, _ := newSite(t, Options{Store: db})
	fetch(t, c, "POST", srv.URL+"/login", url.Values{"token": {"clerk"}})
	_, page := fetch(t, c, "GET", srv.URL+"/district?year=2026", nil)
	form := formOf(t, page, "/district/edit")
	form.Set("data", strings.Replace(draftJSON(t), `"370211"`, `"370202"`, 1)) // another district's data
	resp, _ := fetch(t, c, "POST", srv.URL+"/district/edit", form)
	events, err := db.Audit(context.Background(), store.AuditFilter{Action: "save_draft"})
	if err != nil || len(events) != 1 || events[0].Outcome != "invalid" || events[0].Actor != "clerk" ||
		events[0].RequestID == "" || events[0].RequestID != resp.Request.Response.Header.Get("X-Request-Id") {
		t.Errorf("audit %+v, %v", events, err)
	}
}
