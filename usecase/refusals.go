package usecase

import (
	"cmp"
	"context"
	"errors"
	"time"

	"junheng/store"
)

// refused records in the audit trail an action of a that was refused or failed, the same whichever face asked,
// and marks *err as recorded so that a face does not record it again (see Audited). A change an action made is
// recorded by its workflow; a failure before the core was reached (a body that is not JSON) by the face.
func (c *Core) refused(ctx context.Context, a Actor, action, district, target string, err *error) {
	if *err == nil {
		return
	}
	ev := &store.AuditEvent{Actor: a.Name, Role: string(a.Role), DistrictCode: cmp.Or(district, a.District),
		Action: action, Target: target, RequestID: a.RequestID, Outcome: outcome(*err)}
	// The caller may be gone; the record must still be written.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if aerr := c.store.AppendAudit(actx, ev); aerr != nil {
		c.log.Error("audit entry not written", "action", action, "request_id", a.RequestID, "error", aerr)
		return // the face records it, then
	}
	*err = &recorded{*err}
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
	}
	return "error"
}
