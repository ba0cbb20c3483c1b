package workflows

import (
	"fmt"
	"hash/fnv"
	"junheng/vocab"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Limits of one run: past any of them a workflow continues as new, carrying its state.
const (
	// DefaultHistoryLimit is the history length at which a run continues as new: an item escalated for years, a
	// district that saves its draft every minute, must not grow one history without bound.
	DefaultHistoryLimit = 5000
	// UpdateLimit is how many Updates a run accepts before it continues as new; Temporal refuses a run's
	// 2,001st Update, for good (history.maxTotalUpdates).
	UpdateLimit = 1500
	// updatesKept is how long the ID of a completed Update is remembered across runs.
	updatesKept = 7 * day
)

// RecentUpdates maps the IDs of the Updates completed in the last week to when they completed. Temporal
// recognises a repeated Update ID only within a run; carried through continue-as-new, this answers a retry that
// crosses one (a client retrying after a timeout with the same Idempotency-Key) without acting twice.
type RecentUpdates map[string]time.Time

// since keeps the IDs completed after t.
func (r RecentUpdates) since(t time.Time) RecentUpdates {
	out := RecentUpdates{}
	for id, at := range r {
		if at.After(t) {
			out[id] = at
		}
	}
	return out
}

// guard serialises a workflow's Update handlers and timer callbacks, which may each wait on activities and would
// otherwise interleave. It counts the Updates the run accepted and remembers those completed.
type guard struct {
	mu       workflow.Mutex
	accepted int
	done     RecentUpdates
	update   string // the ID of the Update whose handler holds the lock, "" for a timer's callback
	// manyUpdates is set when the run has accepted too many Updates to go on (see watchUpdates).
	manyUpdates bool
	// ownChanges counts the run's changes that no Update made (see event).
	ownChanges int
}

func newGuard(ctx workflow.Context, done RecentUpdates) guard {
	if done == nil {
		done = RecentUpdates{}
	}
	return guard{mu: workflow.NewMutex(ctx), done: done}
}

func (g *guard) locked(ctx workflow.Context, fn func() error) error {
	if err := g.mu.Lock(ctx); err != nil {
		return err
	}
	defer g.mu.Unlock()
	return fn()
}

// opening makes a workflow's first change: since version 1 of writtenBeforeApplied under the lock, like every
// other change, or an Update arriving with the start would copy the state while the first change is written.
func (g *guard) opening(ctx workflow.Context, fn func() error) error {
	if workflow.GetVersion(ctx, writtenBeforeApplied, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return fn()
	}
	return g.locked(ctx, fn)
}

// repeated reports whether the Update being handled already completed in an earlier run.
func (g *guard) repeated(ctx workflow.Context) bool {
	_, ok := g.done[workflow.GetCurrentUpdateInfo(ctx).ID]
	return ok
}

// longHistory reports whether Temporal suggests continuing as new (its history or its Updates near their limits)
// or the history is longer than limit events.
func (g *guard) longHistory(ctx workflow.Context, limit int) bool {
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() > limit
}

// longRun reports whether the run should continue as new: its history is long, or it has accepted UpdateLimit
// Updates.
func (g *guard) longRun(ctx workflow.Context, limit int) bool {
	return g.longHistory(ctx, limit) || g.accepted >= UpdateLimit
}

// watchUpdates sets manyUpdates once the run has accepted UpdateLimit Updates, since version 1 of change: items and
// plans continued as new on a long history only until then, and a run of theirs replays as it went.
func (g *guard) watchUpdates(ctx workflow.Context, change string) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		if workflow.Await(ctx, func() bool { return g.accepted >= UpdateLimit }) == nil {
			g.manyUpdates = workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1) == 1
		}
	})
}

// carried is what the next run remembers of the completed Updates.
func (g *guard) carried(ctx workflow.Context) RecentUpdates {
	return g.done.since(workflow.Now(ctx).Add(-updatesKept))
}

// handler is an Update with the validator that refuses what is not allowed now.
type handler struct {
	name      string
	fn        any
	validator any
}

// on builds Update name of a workflow whose state is *state. The validator (check) refuses bad input and what the
// state does not allow now; Temporal skips it on replay, so it may change between releases. The handler answers
// an Update that completed in an earlier run with the current state; otherwise, under the lock, it checks again
// only the state that may have moved while it waited (recheck, nil when none can: the stage, a status, the draft,
// a pending extension, the plan version), then acts. The handler is replayed: a change to recheck or act needs
// workflow.GetVersion.
func on[T, S any](g *guard, state *S, name string, check, recheck, act func(workflow.Context, T) error) handler {
	return handler{
		name: name,
		validator: func(ctx workflow.Context, in T) error {
			if g.repeated(ctx) {
				return nil
			}
			return check(ctx, in)
		},
		fn: func(ctx workflow.Context, in T) (S, error) {
			g.accepted++
			if g.repeated(ctx) {
				return *state, nil
			}
			err := g.locked(ctx, func() error {
				g.update = workflow.GetCurrentUpdateInfo(ctx).ID
				defer func() { g.update = "" }()
				if recheck != nil {
					if err := recheck(ctx, in); err != nil {
						return err
					}
				}
				return act(ctx, in)
			})
			if err == nil {
				g.done[workflow.GetCurrentUpdateInfo(ctx).ID] = workflow.Now(ctx)
			}
			return *state, err
		},
	}
}

func setUpdates(ctx workflow.Context, hs []handler) error {
	for _, h := range hs {
		opts := workflow.UpdateHandlerOptions{Validator: h.validator}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.fn, opts); err != nil {
			return err
		}
	}
	return nil
}

// notice is a notification a change sends.
type notice struct {
	to           Recipient
	kind, zh, en string
}

// Since version 1 a change is written to the read model (write, retried until it succeeds) before it becomes the
// state, and notified after: a query, an alarm or a notice never shows a change that is not written. Until then a
// change became the state first, and its notices were sent before it was written.
const writtenBeforeApplied = "change-written-before-applied"

// Since version 1 an action's database work runs inside the workflow task that takes its Update: the activities
// that read or store what it decides run as local activities (see work), and the notices a change sends are
// stored in the transaction that writes it. An Update then costs one workflow task and a history event per
// database call, where each regular activity cost six more events and a round trip through the task queue.
const oneTaskPerAction = "action-in-one-workflow-task"

func inOneTask(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, oneTaskPerAction, workflow.DefaultVersion, 1) == 1
}

// work runs an activity that reads or writes the database for an action: since oneTaskPerAction as a local
// activity (see local); before, as a regular activity.
func work(ctx workflow.Context, activity string, in any) workflow.Future {
	if inOneTask(ctx) {
		return local(ctx, activity, in)
	}
	return workflow.ExecuteActivity(activityCtx(ctx), activity, in)
}

// local runs an activity that reads or writes the database as a local activity, retried until it succeeds.
func local(ctx workflow.Context, activity string, in any) workflow.Future {
	return workflow.ExecuteLocalActivity(localCtx(ctx), activity, in)
}

// writer writes a change with the notifications it sends (nil before oneTaskPerAction, which sent them apart).
type writer func(ctx workflow.Context, ns []Notification) (Recorded, error)

// recordWith is the writer running activity (by run: local or work) on the record that with returns, the
// notifications set on it.
func recordWith(run func(workflow.Context, string, any) workflow.Future, activity string,
	with func([]Notification) any) writer {
	return func(ctx workflow.Context, ns []Notification) (Recorded, error) {
		var done Recorded
		err := run(ctx, activity, with(ns)).Get(ctx, &done)
		return done, err
	}
}

// change makes next the state *state: it writes it, shows it in the search attributes (show) and sends its
// notices (letter addresses them), in the order its version gives.
func change[S any](ctx workflow.Context, o *outbox, state *S, next S, write writer,
	show func(workflow.Context) error, letter func(notice) Notification, notices []notice) error {
	send := func() error {
		for _, n := range notices {
			if err := o.notify(ctx, letter(n)); err != nil {
				return err
			}
		}
		return nil
	}
	if workflow.GetVersion(ctx, writtenBeforeApplied, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		*state = next
		if err := send(); err != nil {
			return err
		}
		if _, err := write(ctx, nil); err != nil {
			return err
		}
		return show(ctx)
	}
	if !inOneTask(ctx) {
		if _, err := write(ctx, nil); err != nil {
			return err
		}
		*state = next
		if err := show(ctx); err != nil {
			return err
		}
		return send()
	}
	letters := make([]Notification, len(notices))
	for i, n := range notices {
		letters[i] = o.keyed(ctx, letter(n))
	}
	done, err := write(ctx, letters)
	if err != nil {
		return err
	}
	*state = next
	if err := show(ctx); err != nil {
		return err
	}
	for _, key := range done.Deliver {
		o.deliver(ctx, key)
	}
	return nil
}

// Since version 1 a change no Update made is keyed by its rank among such changes of the run, not by the count of
// all changes. The write of a workflow task that is lost (its worker died before completing it) is done once more
// when the task is retried, and the retried task also handles the Updates that arrived meanwhile: handled first, as
// Updates are, one that changes the state moves the count of a timer's change, or of a year's opening, past the
// count it was first written with, and the trail would hold that change twice.
const ownChangesCounted = "own-changes-keyed-by-own-count"

// event describes a change for the audit trail, at the workflow's time. Its key is unique per workflow and change
// and stable when the write is retried, so a retry writes it once. A change an Update made is keyed by the Update's
// ID (the client's Idempotency-Key) and its content: the same action retried after a backup was restored, when the
// restored workflow no longer knew it, is recorded once. A timer's change (or the opening) is keyed by its rank
// among the run's changes that no Update made (see ownChangesCounted), its run and its content: a Reset's changes
// (a new run counting again from the reset point) stand beside those they replace.
func (g *guard) event(ctx workflow.Context, target string, count int, who vocab.Actor, action, detail string) Event {
	h := fnv.New64a()
	for _, s := range []string{who.Name, string(who.Role), action, detail} {
		_, _ = h.Write([]byte(s))
		_, _ = h.Write([]byte{0})
	}
	if workflow.GetVersion(ctx, writtenBeforeApplied, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		// Until then the key was the count: a write retried across this release keeps its key.
		return Event{Key: fmt.Sprintf("%s:%d", target, count), Actor: who, Action: action, Detail: detail,
			At: workflow.Now(ctx)}
	}
	key := fmt.Sprintf("%s:update:%s:%016x", target, g.update, h.Sum64())
	if g.update == "" {
		_, _ = h.Write([]byte(workflow.GetInfo(ctx).WorkflowExecution.RunID))
		key = fmt.Sprintf("%s:%d:%016x", target, count, h.Sum64())
		if workflow.GetVersion(ctx, ownChangesCounted, workflow.DefaultVersion, 1) == 1 {
			g.ownChanges++
			key = fmt.Sprintf("%s:own:%d:%016x", target, g.ownChanges, h.Sum64())
		}
	}
	return Event{Key: key, Actor: who, Action: action, Detail: detail, At: workflow.Now(ctx)}
}

// maxText is the longest free text (a comment, a note, measures, a reason, a title) an Update takes, in
// characters; a feedback report may be ten times as long. Tests tighten it to show that a stricter validator
// leaves running workflows replaying.
var maxText = 2000

// checkText refuses free text longer than limit characters.
func checkText(field, s string, limit int) error {
	if n := utf8.RuneCountInString(s); n > limit {
		return invalid(field, fmt.Sprintf("%s 不超过 %d 字(现为 %d 字)", field, limit, n),
			fmt.Sprintf("%s is longer than %d characters (%d)", field, limit, n))
	}
	return nil
}

// checkTexts checks several fields, each against maxText.
func checkTexts(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if err := checkText(fields[i], fields[i+1], maxText); err != nil {
			return err
		}
	}
	return nil
}

// Search attributes are upserted since version 1 only when they change: each upsert is a history event.
const changedSearchAttributesOnly = "upsert-changed-search-attributes"

// show sets the search attributes operators find a workflow by.
func show(ctx workflow.Context, year int, district, stage string, overdue bool) error {
	all := []temporal.SearchAttributeUpdate{attrYear.ValueSet(int64(year)), attrDistrict.ValueSet(district),
		attrStage.ValueSet(stage), attrOverdue.ValueSet(overdue)}
	if workflow.GetVersion(ctx, changedSearchAttributesOnly, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return workflow.UpsertTypedSearchAttributes(ctx, all...)
	}
	have := workflow.GetTypedSearchAttributes(ctx)
	var changed []temporal.SearchAttributeUpdate
	if v, ok := have.GetInt64(attrYear); !ok || v != int64(year) {
		changed = append(changed, all[0])
	}
	if v, ok := have.GetKeyword(attrDistrict); !ok || v != district {
		changed = append(changed, all[1])
	}
	if v, ok := have.GetKeyword(attrStage); !ok || v != stage {
		changed = append(changed, all[2])
	}
	if v, ok := have.GetBool(attrOverdue); !ok || v != overdue {
		changed = append(changed, all[3])
	}
	if len(changed) == 0 {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx, changed...)
}
