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
	guard     *guard // the callbacks run under its lock
	due       func() time.Time
	reminders []time.Duration // before due, any order
	repeat    time.Duration   // after due; 0 = none
	remind    func(ctx workflow.Context, left time.Duration) error
	overdue   func(ctx workflow.Context) error
	nag       func(ctx workflow.Context) error // the repeated reminder after due
	// remindUnlocked is how reminders ran before version 1 of firesCurrentOnly: without the lock.
	remindUnlocked bool
}

// Since version 1 an alarm's callback runs only if the deadline it was set for still holds once it has the lock:
// a handler that held the lock when the timer fired may have moved the deadline or ended the wait (a reminder
// or a nag for an item just closed, a deadline just extended).
const firesCurrentOnly = "alarm-fires-for-current-deadline-only"

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
		if fired, err := sleepUntil(ctx, at, interrupted); err != nil || !fired {
			return err
		}
		err := a.fire(ctx, interrupted, a.remindUnlocked, func() error { return a.remind(ctx, left) })
		if err != nil {
			return err
		}
	}
	if fired, err := sleepUntil(ctx, due, interrupted); err != nil || !fired {
		return err
	}
	if err := a.fire(ctx, interrupted, false, func() error { return a.overdue(ctx) }); err != nil {
		return err
	}
	if a.repeat <= 0 {
		return workflow.Await(ctx, interrupted)
	}
	for next := maxTime(due, workflow.Now(ctx)).Add(a.repeat); ; next = next.Add(a.repeat) {
		if fired, err := sleepUntil(ctx, next, interrupted); err != nil || !fired {
			return err
		}
		if err := a.fire(ctx, interrupted, false, func() error { return a.nag(ctx) }); err != nil {
			return err
		}
	}
}

// fire runs a callback under the lock (see firesCurrentOnly).
func (a alarm) fire(ctx workflow.Context, interrupted func() bool, unlocked bool, fn func() error) error {
	if workflow.GetVersion(ctx, firesCurrentOnly, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		if unlocked {
			return fn()
		}
		return a.guard.locked(ctx, fn)
	}
	return a.guard.locked(ctx, func() error {
		if interrupted() {
			return nil
		}
		return fn()
	})
}

// Since version 1 the timer of a wait that ended before it fired is cancelled (the updatabletimer pattern of
// Temporal's samples): a deadline months away would otherwise still fire for nothing after every move.
const cancelsEndedTimers = "cancel-timers-of-ended-waits"

// sleepUntil waits for the instant at; it returns false when interrupted first.
func sleepUntil(ctx workflow.Context, at time.Time, interrupted func() bool) (bool, error) {
	d := at.Sub(workflow.Now(ctx))
	if d <= 0 {
		return !interrupted(), nil
	}
	if workflow.GetVersion(ctx, cancelsEndedTimers, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		woke, err := workflow.AwaitWithTimeout(ctx, d, interrupted)
		return !woke && err == nil, err
	}
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	timer := workflow.NewTimer(timerCtx, d)
	if err := workflow.Await(ctx, func() bool { return timer.IsReady() || interrupted() }); err != nil {
		return false, err
	}
	return !interrupted(), nil
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
