package workflows

import (
	"cmp"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"
)

// alarm is a deadline that the workflow watches: reminders before it, one overdue call at it, then optional
// repeated reminders after it. The deadline is read through due() on every wake-up, so an extension or a new
// deadline set by the office moves the live timer.
type alarm struct {
	due       func() time.Time
	reminders []time.Duration // before due, any order
	repeat    time.Duration   // after due; 0 = none
	remind    func(ctx workflow.Context, left time.Duration) error
	overdue   func(ctx workflow.Context) error
	nag       func(ctx workflow.Context) error // the repeated reminder after due
}

// run waits until stop() holds. Reminders whose time has already passed when a deadline is (re)set are skipped;
// the overdue call fires even if the deadline is already past, and handlers make it idempotent.
func (a alarm) run(ctx workflow.Context, stop func() bool) error {
	for !stop() {
		due := a.due()
		if err := a.runUntilMoved(ctx, due, stop); err != nil {
			return err
		}
	}
	return nil
}

// runUntilMoved works through one deadline's schedule; it returns when stop() holds or due() changes.
func (a alarm) runUntilMoved(ctx workflow.Context, due time.Time, stop func() bool) error {
	interrupted := func() bool { return stop() || !a.due().Equal(due) }
	if due.IsZero() {
		return workflow.Await(ctx, interrupted)
	}
	now := workflow.Now(ctx)
	for _, left := range descending(a.reminders) {
		at := due.Add(-left)
		if !at.After(now) {
			continue
		}
		if fired, err := a.sleepUntil(ctx, at, interrupted); err != nil || !fired {
			return err
		}
		if err := a.remind(ctx, left); err != nil {
			return err
		}
	}
	if fired, err := a.sleepUntil(ctx, due, interrupted); err != nil || !fired {
		return err
	}
	if err := a.overdue(ctx); err != nil {
		return err
	}
	if a.repeat <= 0 {
		return workflow.Await(ctx, interrupted)
	}
	for next := maxTime(due, workflow.Now(ctx)).Add(a.repeat); ; next = next.Add(a.repeat) {
		if fired, err := a.sleepUntil(ctx, next, interrupted); err != nil || !fired {
			return err
		}
		if err := a.nag(ctx); err != nil {
			return err
		}
	}
}

// sleepUntil waits for the instant at; it returns false when interrupted first.
func (a alarm) sleepUntil(ctx workflow.Context, at time.Time, interrupted func() bool) (bool, error) {
	d := at.Sub(workflow.Now(ctx))
	if d <= 0 {
		return !interrupted(), nil
	}
	woke, err := workflow.AwaitWithTimeout(ctx, d, interrupted)
	return !woke && err == nil, err
}

// descending returns the offsets from the furthest ahead of the deadline to the nearest.
func descending(ds []time.Duration) []time.Duration {
	out := slices.Clone(ds)
	slices.SortFunc(out, func(a, b time.Duration) int { return cmp.Compare(b, a) })
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
