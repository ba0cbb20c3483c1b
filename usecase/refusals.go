package usecase

import (
	"cmp"
	"context"
	"errors"
	"time"
)

// refused records in the audit trail an action of a that was refused or failed, the same whichever face asked,
// and marks *err as recorded so that a face does not record it again (see Audited). A change an action made is
// recorded by its workflow; a failure before the core was reached (a body that is not JSON) by the face.
func (c *Core) refused(ctx context.Context, a Actor, action, district, target string, err *error) {
	if *err == nil {
		return
	}
	if c.record(ctx, a, action, cmp.Or(district, a.District()), target, outcome(*err), "") == nil {
		*err = &recorded{*err}
	} // else the face records it
}

// record writes an entry of the audit trail on its own: a refusal, or a sign-in. Changes the core makes itself
// (accounts) are written with the change (Actor.event).
func (c *Core) record(ctx context.Context, a Actor, action, district, target, outcome, detail string) error {
	ev := a.event(action, district, target)
	ev.Outcome, ev.Detail = outcome, detail
	// The caller may be gone; the record must still be written.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := c.store.AppendAudit(actx, ev)
	if err != nil {
		c.log.Error("audit entry not written", "action", action, "request_id", a.RequestID, "error", err)
	}
	return err
}

// recorded is an error the core has written to the audit trail.
type recorded struct{ error }

func (r *recorded) Unwrap() error { return r.error }

// Audited says err was written to the audit trail by the core.
func Audited(err error) bool {
	var r *recorded
	return errors.As(err, &r)
}

// outcome is how the audit trail names what became of an action that was not done.
func outcome(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return "error"
	}
	switch e.Kind {
	case Forbidden:
		return "forbidden"
	case NotFound:
		return "not_found"
	case Refused, Ended:
		return "refused"
	case Invalid, TooLarge:
		return "invalid"
	case Unauthenticated:
		return "unauthenticated"
	}
	return "error"
}
