// Package activities holds the side effects the workflows ask for: evaluating and storing self-assessments,
// storing findings, mirroring workflow state to the read model with its audit trail, and notifications. Each
// exported method of Activities is one activity, named as in the workflows package's contract.
package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"junheng/evaluation"
	"junheng/notify"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// Activities holds the activities' dependencies.
type Activities struct {
	Store    *store.Store
	Profile  evaluation.Profile
	Channels []notify.Routed // where notifications are delivered; none = stored only
	Location *time.Location  // how times are shown in delivered messages
	Log      *slog.Logger
}

// Activities implements the workflows' contract; a changed signature on either side fails the build.
var _ workflows.Activities = (*Activities)(nil)

// EvaluateDraft answers a stored draft's evaluation. The API evaluated the draft once, before storing it with its
// result; a draft an earlier release stored without one is evaluated here and the result recorded on it.
func (a *Activities) EvaluateDraft(ctx context.Context, in workflows.DraftInput) (workflows.DraftResult, error) {
	d, err := a.draft(ctx, in.DraftID, in.Year, in.District)
	if err != nil {
		return workflows.DraftResult{}, err
	}
	if d.Evaluation != nil {
		return workflows.DraftResult{DraftID: d.ID, Verdict: d.Verdict, Shortfalls: d.Shortfalls}, nil
	}
	res, err := a.evaluate(d.Data)
	if err != nil {
		return workflows.DraftResult{}, err
	}
	if err := a.Store.SetDraftEvaluation(ctx, d.ID, res); err != nil {
		return workflows.DraftResult{}, err
	}
	return workflows.DraftResult{DraftID: d.ID, Verdict: string(res.Verdict), Shortfalls: len(res.Shortfalls)}, nil
}

// SubmitSnapshot freezes a draft as the cycle's next immutable version, with its evaluation.
func (a *Activities) SubmitSnapshot(ctx context.Context, in workflows.SnapshotInput) (workflows.SnapshotResult, error) {
	d, err := a.draft(ctx, in.DraftID, in.Year, in.District)
	if err != nil {
		return workflows.SnapshotResult{}, err
	}
	// Evaluate again rather than trust the draft's stored result: the snapshot must match this binary's engine.
	res, err := a.evaluate(d.Data)
	if err != nil {
		return workflows.SnapshotResult{}, err
	}
	sub := &store.Submission{Year: in.Year, DistrictCode: in.District, DraftID: d.ID, Data: d.Data, Evaluation: res,
		Verdict: string(res.Verdict), ShortfallKeys: shortfallKeys(res), Late: in.Late, SubmittedBy: in.Actor.Name,
		SubmittedAt: time.Now().UTC()}
	if err := a.Store.Submit(ctx, sub); err != nil {
		return workflows.SnapshotResult{}, err
	}
	ids := make([]string, len(res.Shortfalls))
	for i, s := range res.Shortfalls {
		ids[i] = s.ID
	}
	return workflows.SnapshotResult{Version: sub.Version, Verdict: sub.Verdict, ShortfallIDs: ids}, nil
}

// CreateFindings stores the findings of an approved review: shortfalls of the reviewed version, titled by their
// message, and the office's own findings. Vetoes and a missing prerequisite are serious; other shortfalls normal.
func (a *Activities) CreateFindings(ctx context.Context, in workflows.FindingsInput) ([]workflows.FindingInfo, error) {
	sub, err := a.Store.Submission(ctx, in.Year, in.District, in.SnapshotVersion)
	if err != nil {
		return nil, nonRetryable(err, "submission %d of %d/%s", in.SnapshotVersion, in.Year, in.District)
	}
	shortfalls := make(map[string]evaluation.Shortfall, len(sub.Evaluation.Shortfalls))
	for _, s := range sub.Evaluation.Shortfalls {
		shortfalls[s.ID] = s
	}
	now := time.Now().UTC()
	rows := make([]store.Finding, 0, len(in.Findings))
	ids := make([]string, 0, len(in.Findings))
	for _, r := range in.Findings {
		f := store.Finding{ID: r.ID, Year: in.Year, DistrictCode: in.District, Seq: r.Seq,
			Status: string(vocab.ItemOpen), CreatedAt: now, UpdatedAt: now}
		if r.ShortfallID != "" {
			s, ok := shortfalls[r.ShortfallID]
			if !ok {
				return nil, nonRetryable(store.ErrNotFound, "shortfall %s in submission %d", r.ShortfallID, sub.Version)
			}
			f.ShortfallID, f.Title, f.Detail = s.ID, s.MessageZh, s.MessageEn
			f.Source, f.Severity = string(vocab.SourceSelfAssessment), string(vocab.SeverityNormal)
			if s.Part == evaluation.PartVeto || s.Part == evaluation.PartPrerequisite {
				f.Severity = string(vocab.SeveritySerious)
			}
		} else {
			f.Title, f.Detail, f.Source, f.Severity = r.New.Title, r.New.Detail, string(r.New.Source),
				string(r.New.Severity)
			if !r.New.DueDate.IsZero() {
				due := r.New.DueDate.UTC()
				f.DueDate = &due
			}
		}
		rows = append(rows, f)
		ids = append(ids, f.ID)
	}
	if err := a.Store.CreateFindings(ctx, rows); err != nil {
		return nil, err
	}
	stored, err := a.Store.FindingsByID(ctx, ids) // what is stored wins: a retry returns the first attempt's rows
	if err != nil {
		return nil, corrupt(err, "findings of %d/%s", in.Year, in.District)
	}
	return findingInfos(stored), nil
}

// OpenSeriousFindings lists the district's serious findings not yet closed, of any year.
func (a *Activities) OpenSeriousFindings(ctx context.Context, district string) ([]workflows.FindingInfo, error) {
	fs, err := a.Store.OpenSeriousFindings(ctx, district)
	if err != nil {
		return nil, corrupt(err, "serious findings of %s", district)
	}
	return findingInfos(fs), nil
}

// RecordCycle mirrors a cycle's state to the read model with its audit event and notifications.
func (a *Activities) RecordCycle(ctx context.Context, r workflows.CycleRecord) (workflows.Recorded, error) {
	s := r.State
	c := store.CycleOf(s)
	c.Written = written(r.Event, s.EventsCount)
	ns := notifications(r.Notifications)
	err := a.Store.RecordCycle(ctx, c, auditEvent(r.Event, s.District, vocab.CycleID(s.Year, s.District)), ns...)
	return a.recorded(ctx, ns, err)
}

// RecordItem mirrors a rectification item's state to the read model with its audit event and notifications.
func (a *Activities) RecordItem(ctx context.Context, r workflows.ItemRecord) (workflows.Recorded, error) {
	s := r.State
	f := &store.Finding{ID: s.ID, Year: s.Year, DistrictCode: s.District, Seq: s.Seq, Title: s.Title,
		Source: string(s.Source), Severity: string(s.Severity), Status: string(s.Status), PlanDue: timePtr(s.PlanDue),
		DueDate: timePtr(s.DueDate), Overdue: s.Overdue, Escalated: s.Escalated, Talks: s.Talks, Circulars: s.Circulars,
		State: &s, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: time.Now().UTC(), ClosedAt: timePtr(s.ClosedAt),
		Written: written(r.Event, s.EventsCount)}
	ns := notifications(r.Notifications)
	return a.recorded(ctx, ns, a.Store.RecordFinding(ctx, f, auditEvent(r.Event, s.District, s.ID), ns...))
}

// RecordPlan mirrors a district's creation plan to the read model with its audit event and notifications: the
// plan row and every version (a district has a few, and a new submission also changes the status of the one it
// supersedes).
func (a *Activities) RecordPlan(ctx context.Context, r workflows.CreationPlanRecord) (workflows.Recorded, error) {
	s := r.State
	p := &store.Plan{DistrictCode: s.District, Status: string(s.Status), ApprovedVersion: s.Approved,
		State: s, UpdatedAt: time.Now().UTC(), Written: written(r.Event, s.EventsCount)}
	versions := make([]store.PlanVersion, len(s.Versions))
	for i, v := range s.Versions {
		versions[i] = store.PlanVersion{DistrictCode: s.District, Version: v.Version, TargetYear: v.Plan.TargetYear,
			Plan: v.Plan, ResponsibilityFile: v.ResponsibilityFile, Note: v.Note, Status: string(v.Status),
			SubmittedBy: v.SubmittedBy, SubmittedAt: v.SubmittedAt.UTC(), DecidedBy: v.DecidedBy,
			DecidedAt: timePtr(v.DecidedAt), Comment: v.Comment}
		p.Version = v.Version
		if v.Version == s.Approved {
			p.TargetYear = v.Plan.TargetYear
		}
	}
	ns := notifications(r.Notifications)
	ev := auditEvent(r.Event, s.District, vocab.CreationPlanID(s.District))
	return a.recorded(ctx, ns, a.Store.RecordPlan(ctx, p, versions, ev, ns...))
}

// Notify stores a notification for its recipient, once per key, and answers how many channels are to deliver it.
func (a *Activities) Notify(ctx context.Context, n workflows.Notification) (int, error) {
	stored := notifications([]workflows.Notification{n})
	if _, err := a.Store.AddNotification(ctx, &stored[0]); err != nil {
		return 0, err
	}
	m, err := a.message(ctx, stored[0])
	if err != nil {
		return 0, err
	}
	return len(notify.Route(a.Channels, m)), nil
}

// notifications are the rows that store ns.
func notifications(ns []workflows.Notification) []store.Notification {
	out := make([]store.Notification, len(ns))
	for i, n := range ns {
		out[i] = store.Notification{Key: n.Key, Recipient: string(n.Recipient), DistrictCode: n.District,
			Year: n.Year, Target: n.Target, Kind: n.Kind, TitleZh: n.TitleZh, TitleEn: n.TitleEn,
			CreatedAt: time.Now().UTC()}
	}
	return out
}

// recorded answers a record written (err nil) with the notifications ns: the keys of those a channel is to
// deliver.
func (a *Activities) recorded(ctx context.Context, ns []store.Notification, err error) (workflows.Recorded, error) {
	var out workflows.Recorded
	if err != nil || len(a.Channels) == 0 {
		return out, err
	}
	for _, n := range ns {
		m, err := a.message(ctx, n)
		if err != nil {
			return workflows.Recorded{}, err
		}
		if len(notify.Route(a.Channels, m)) > 0 {
			out.Deliver = append(out.Deliver, n.Key)
		}
	}
	return out, nil
}

// Deliver sends a stored notification through each of its channels that does not have it yet, recording every
// outcome. A channel that fails in a way retrying may fix makes the activity fail, so Temporal retries it; on the
// last attempt, or for a permanent error, the failure is recorded as final for the office to see.
func (a *Activities) Deliver(ctx context.Context, key string) error {
	n, err := a.Store.NotificationByKey(ctx, key)
	if err != nil {
		return err
	}
	done, err := a.Store.DeliveriesOf(ctx, n.ID)
	if err != nil {
		return err
	}
	m, err := a.message(ctx, n)
	if err != nil {
		return err
	}
	lastAttempt := activity.GetInfo(ctx).Attempt >= workflows.DeliveryAttempts
	var retry error
	for _, ch := range notify.Route(a.Channels, m) {
		d := done[ch.Name()]
		if d.Status == store.Delivered || d.Status == store.Failed {
			continue
		}
		d.NotificationID, d.Channel, d.Attempts = n.ID, ch.Name(), d.Attempts+1
		d.Status, d.LastError = store.Delivered, ""
		if err := ch.Send(ctx, m); err != nil {
			d.Status, d.LastError = store.Retrying, err.Error()
			if notify.IsPermanent(err) || lastAttempt {
				d.Status = store.Failed
			} else {
				retry = errors.Join(retry, err)
			}
			a.Log.Warn("notification not delivered", "channel", ch.Name(), "key", key, "status", d.Status, "error", err)
		}
		if err := a.Store.RecordDelivery(ctx, &d); err != nil {
			return err
		}
	}
	return retry
}

// message is n as the channels see it: an office's notification names the district's city, by which the
// channel file routes it; a school's names the school.
func (a *Activities) message(ctx context.Context, n store.Notification) (notify.Message, error) {
	m := notify.Message{Key: n.Key, Recipient: n.Recipient, District: n.DistrictCode, Year: n.Year,
		Target: n.Target, Kind: n.Kind, TitleZh: n.TitleZh, TitleEn: n.TitleEn, At: n.CreatedAt.In(a.Location)}
	switch n.Recipient {
	case string(workflows.ToOffice):
		d, err := a.Store.District(ctx, n.DistrictCode)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return m, err
		}
		m.City = d.CityCode
	case string(workflows.ToSchool):
		m.School = n.Target[strings.LastIndex(n.Target, ":")+1:]
	}
	return m, nil
}

func (a *Activities) draft(ctx context.Context, id int64, year int, district string) (store.Draft, error) {
	d, err := a.Store.Draft(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (d.Year != year || d.DistrictCode != district)) {
		return d, nonRetryable(store.ErrNotFound, "draft %d of %d/%s", id, year, district)
	}
	return d, corrupt(err, "draft %d", id)
}

// evaluate runs the engine on stored input. The API validated the input before storing it, so a failure here
// is a bug or a profile change, not something a retry would fix.
func (a *Activities) evaluate(in evaluation.Input) (evaluation.Result, error) {
	res, err := evaluation.Evaluate(in, a.Profile)
	if err != nil {
		return evaluation.Result{}, nonRetryable(err, "evaluation")
	}
	return res, nil
}

// shortfallKeys lists the distinct keys of the items that fall short, in the order the evaluation reports them.
func shortfallKeys(res evaluation.Result) string {
	var keys []string
	for _, s := range res.Shortfalls {
		if !slices.Contains(keys, s.Key) {
			keys = append(keys, s.Key)
		}
	}
	return strings.Join(keys, ",")
}

func findingInfos(fs []store.Finding) []workflows.FindingInfo {
	out := make([]workflows.FindingInfo, len(fs))
	for i, f := range fs {
		out[i] = workflows.FindingInfo{ID: f.ID, Seq: f.Seq, Title: f.Title, Severity: vocab.Severity(f.Severity),
			Source: vocab.Source(f.Source)}
		if f.DueDate != nil {
			out[i].DueDate = *f.DueDate
		}
	}
	return out
}

// auditEvent is a workflow's change for the audit trail, at the workflow's time of the change (the write may
// come later, after a database stall).
func auditEvent(ev workflows.Event, district, target string) *store.AuditEvent {
	key := ev.Key
	return &store.AuditEvent{At: ev.At.UTC(), Actor: ev.Actor.Name, Role: string(ev.Actor.Role),
		ActorUnit: ev.Actor.Unit, DistrictCode: district, Action: ev.Action, Target: target,
		RequestID: ev.Actor.RequestID, Outcome: "ok", Detail: ev.Detail, EventKey: &key}
}

// written orders a workflow's writes by the time of the change, then by its count of changes. A write without a
// time (none is made without one) orders by its count alone.
func written(ev workflows.Event, count int) store.Written {
	w := store.Written{RecordSeq: count}
	if !ev.At.IsZero() {
		w.RecordTime = ev.At.UnixNano()
	}
	return w
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonRetryable(err error, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...)+": "+err.Error(), "Permanent", err)
}

// corrupt marks a read's error non-retryable when a stored value did not decode (store.ErrCorrupt): a retry would
// read the same row. Other errors, and nil, are returned as they are.
func corrupt(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrCorrupt) {
		return nonRetryable(err, format, args...)
	}
	return err
}
