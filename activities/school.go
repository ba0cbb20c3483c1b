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

// RecordSchool mirrors a school's return to the read model with its audit event and notifications; a submission
// also copies the school's current draft into the return, in the same transaction.
func (a *Activities) RecordSchool(ctx context.Context, r workflows.SchoolRecord) (workflows.Recorded, error) {
	s := r.State
	row := &store.SchoolReturn{Year: s.Year, SchoolCode: s.School, DistrictCode: s.District, Status: string(s.Status),
		Deadline: s.Deadline.UTC(), Data: r.Data, Reason: s.Reason, ByDistrict: s.ByDistrict, Late: s.Late,
		Overdue: s.Overdue, Submissions: s.Submissions, SubmittedAt: timePtr(s.SubmittedAt),
		UpdatedAt: time.Now().UTC(), Written: written(r.Event, s.EventsCount)}
	ev := auditEvent(r.Event, s.District, vocab.SchoolID(s.Year, s.District, s.School))
	ns := notifications(r.Notifications)
	if !r.CopyDraft {
		return a.recorded(ctx, ns, a.Store.RecordSchoolReturn(ctx, row, ev, ns...))
	}
	err := a.Store.SubmitSchoolReturn(ctx, row, ev, ns...)
	if errors.Is(err, store.ErrNotFound) {
		// The core submits only a school that saved a draft, and drafts are never deleted: retrying cannot help.
		return workflows.Recorded{}, nonRetryable(err, "draft of school %s for %d", s.School, s.Year)
	}
	return a.recorded(ctx, ns, err)
}
