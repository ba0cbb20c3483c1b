package activities

import (
	"context"
	"errors"
	"time"

	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// Activities implements the school returns' contract too.
var _ workflows.SchoolActivities = (*Activities)(nil)

// RecordSchool mirrors a school's return to the read model with its audit event; a submission also copies the
// school's current draft into the return, in the same transaction.
func (a *Activities) RecordSchool(ctx context.Context, r workflows.SchoolRecord) error {
	s := r.State
	row := &store.SchoolReturn{Year: s.Year, SchoolCode: s.School, DistrictCode: s.District, Status: string(s.Status),
		Deadline: s.Deadline.UTC(), Data: r.Data, Reason: s.Reason, ByDistrict: s.ByDistrict, Late: s.Late,
		Overdue: s.Overdue, Submissions: s.Submissions, SubmittedAt: timePtr(s.SubmittedAt),
		UpdatedAt: time.Now().UTC(), Written: written(r.Event, s.EventsCount)}
	ev := auditEvent(r.Event, s.District, vocab.SchoolID(s.Year, s.District, s.School))
	if !r.CopyDraft {
		return a.Store.RecordSchoolReturn(ctx, row, ev)
	}
	err := a.Store.SubmitSchoolReturn(ctx, row, ev)
	if errors.Is(err, store.ErrNotFound) {
		// The core submits only a school that saved a draft, and drafts are never deleted: retrying cannot help.
		return nonRetryable(err, "draft of school %s for %d", s.School, s.Year)
	}
	return err
}
