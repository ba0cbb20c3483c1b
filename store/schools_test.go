package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"junheng/evaluation"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

func schoolData(code string, students int) evaluation.School {
	return evaluation.School{Code: code, Name: "学校" + code, Kind: evaluation.KindPrimary,
		Stages: evaluation.Stages{Primary: &evaluation.StageData{Students: students, Classes: 12,
			LargestClass: 45}},
		Facilities: evaluation.Facilities{TeachingRoomAreaM2: 3000, SportsAreaM2: 8000, MusicRooms: 2, ArtRooms: 2}}
}

// TestSchoolClaims: opening a district's year claims it per school for good; a started claim is never offered
// again, a school registered later is, and a row its workflow wrote counts as started.
func TestSchoolClaims(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			due := time.Date(2025, 12, 17, 0, 0, 0, 0, time.UTC)
			open, err := s.ClaimSchoolReturns(ctx, 2025, "370211", []string{"S2", "S1"}, due)
			if err != nil || !slices.Equal(open, []string{"S1", "S2"}) {
				t.Fatalf("first claims: %v, %v", open, err)
			}
			if err := s.SchoolReturnStarted(ctx, 2025, "S1"); err != nil {
				t.Fatal(err)
			}
			later := due.Add(48 * time.Hour)
			open, err = s.ClaimSchoolReturns(ctx, 2025, "370211", []string{"S1", "S2", "S3"}, later)
			if err != nil || !slices.Equal(open, []string{"S2", "S3"}) {
				t.Errorf("after one start and a new school: %v, %v", open, err)
			}
			if r, err := s.SchoolReturn(ctx, 2025, "S2"); err != nil || r.Status != "not_started" ||
				!r.Deadline.Equal(due) || r.Data != nil {
				t.Errorf("a claim keeps its first deadline and shows as not started: %+v, %v", r, err)
			}
			if open, err := s.ClaimSchoolReturns(ctx, 2026, "370211", []string{"S1"}, due); err != nil ||
				!slices.Equal(open, []string{"S1"}) {
				t.Errorf("another year: %v, %v", open, err)
			}
			// A start that was not marked (the process failed after it) is known once its workflow writes.
			row := &store.SchoolReturn{Year: 2025, SchoolCode: "S2", DistrictCode: "370211", Status: "not_started",
				Deadline: due, UpdatedAt: time.Now(), Written: store.Written{RecordTime: due.UnixNano(), RecordSeq: 1}}
			if err := s.RecordSchoolReturn(ctx, row, nil); err != nil {
				t.Fatal(err)
			}
			if open, err := s.ClaimSchoolReturns(ctx, 2025, "370211", []string{"S2", "S3"}, due); err != nil ||
				!slices.Equal(open, []string{"S3"}) {
				t.Errorf("a school whose workflow wrote is still to start: %v, %v", open, err)
			}
			if rs, err := s.SchoolReturns(ctx, 2025, "370211"); err != nil || len(rs) != 3 || rs[0].SchoolCode != "S1" {
				t.Errorf("the district's list: %+v, %v", rs, err)
			}
		})
	}
}

// TestSchoolReturnWrites: a later write wins and a late retry never takes a row back; saving shows a draft and
// stops once submitted; a submission copies the draft as it is when the row is written, a return keeps it.
func TestSchoolReturnWrites(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			t0 := time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC)
			due := time.Date(2025, 12, 17, 0, 0, 0, 0, time.UTC)
			write := func(status string, at time.Time, seq int, key string, submit bool) error {
				t.Helper()
				k := key
				row := &store.SchoolReturn{Year: 2025, SchoolCode: "S1", DistrictCode: "370211", Status: status,
					Deadline: due, Submissions: seq / 2, UpdatedAt: time.Now(),
					Written: store.Written{RecordTime: at.UnixNano(), RecordSeq: seq}}
				ev := &store.AuditEvent{Actor: "x", Role: "school", Action: status, Target: "school:2025:370211:S1",
					Outcome: "ok", EventKey: &k}
				if submit {
					return s.SubmitSchoolReturn(ctx, row, ev)
				}
				return s.RecordSchoolReturn(ctx, row, ev)
			}
			get := func() store.SchoolReturn {
				t.Helper()
				r, err := s.SchoolReturn(ctx, 2025, "S1")
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			save := func(students int) error {
				return s.SaveSchoolDraft(ctx, &store.SchoolDraft{Year: 2025, SchoolCode: "S1", DistrictCode: "370211",
					Data: schoolData("S1", students), EnteredBy: "校长"}, nil)
			}
			if err := save(500); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a draft before the year is open: %v, want ErrNotFound", err)
			}
			if _, err := s.ClaimSchoolReturns(ctx, 2025, "370211", []string{"S1"}, due); err != nil {
				t.Fatal(err)
			}
			if err := write("submitted", t0, 2, "k0", true); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a submission without a draft: %v, want ErrNotFound", err)
			}
			if err := save(500); err != nil {
				t.Fatal(err)
			}
			if got := get().Status; got != "draft" {
				t.Errorf("after a save: %s, want draft", got)
			}
			if err := write("not_started", t0, 1, "k1", false); err != nil || get().Status != "draft" {
				t.Errorf("the workflow's opening hides the draft: %s, %v", get().Status, err)
			}
			if err := save(510); err != nil {
				t.Fatal(err)
			}
			if err := write("submitted", t0.Add(time.Hour), 2, "k2", true); err != nil {
				t.Fatal(err)
			}
			r := get()
			if r.Status != "submitted" || r.Data == nil || r.Data.Stages.Primary.Students != 510 || !r.Started {
				t.Fatalf("submitted: %+v", r)
			}
			if err := save(999); !errors.Is(err, store.ErrSchoolLocked) {
				t.Errorf("a save after the submission: %v, want ErrSchoolLocked", err)
			}
			if d, err := s.SchoolDraft(ctx, 2025, "S1"); err != nil || d.Data.Stages.Primary.Students != 510 {
				t.Errorf("the draft after a refused save: %+v, %v", d, err)
			}
			if err := write("not_started", t0, 1, "k1", false); err != nil || get().Status != "submitted" {
				t.Errorf("a late retry took the row back to %s (%v)", get().Status, err)
			}
			if err := write("returned", t0.Add(2*time.Hour), 3, "k3", false); err != nil {
				t.Fatal(err)
			}
			if r := get(); r.Status != "returned" || r.Data == nil || r.Data.Stages.Primary.Students != 510 {
				t.Errorf("a return keeps the submitted data: %+v", r)
			}
			if err := save(520); err != nil || get().Status != "returned" {
				t.Errorf("a returned school saves again and stays returned: %s, %v", get().Status, err)
			}
			// A retried submission changes nothing: the row holds a later write.
			if err := write("submitted", t0.Add(time.Hour), 2, "k2", true); err != nil ||
				get().Data.Stages.Primary.Students != 510 {
				t.Errorf("a retried submission copied the draft again: %v", err)
			}
			if err := write("submitted", t0.Add(3*time.Hour), 4, "k4", true); err != nil {
				t.Fatal(err)
			}
			accepted := &store.SchoolReturn{Year: 2025, SchoolCode: "S1", DistrictCode: "370211", Status: "accepted",
				Deadline: due, UpdatedAt: time.Now(),
				Written: store.Written{RecordTime: t0.Add(4 * time.Hour).UnixNano(), RecordSeq: 5}}
			if err := s.RecordSchoolReturn(ctx, accepted, nil); err != nil {
				t.Fatal(err)
			}
			list, err := s.SchoolReturnsIn(ctx, 2025, "370211", vocab.SchoolAccepted)
			if err != nil || len(list) != 1 || list[0].Data == nil || list[0].Data.Stages.Primary.Students != 520 {
				t.Errorf("accepted with the resubmitted data: %+v, %v", list, err)
			}
			if rs, err := s.SchoolReturns(ctx, 2025, "370211"); err != nil || len(rs) != 1 || rs[0].Data != nil {
				t.Errorf("the list leaves the data out: %+v, %v", rs, err)
			}
			events, err := s.Audit(ctx, store.AuditFilter{Target: "school:2025:370211:S1"})
			if err != nil || len(events) != 4 {
				t.Errorf("audit: %d events, %v; want 4 (each retry once, the refused submission none)",
					len(events), err)
			}
		})
	}
}
