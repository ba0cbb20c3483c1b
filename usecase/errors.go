package usecase

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"

	"junheng/evaluation"
	"junheng/workflows"
)

// Kind is why an action was not done, and what a face answers for it.
type Kind string

// The kinds of Error. Their names are the API's problem types (urn:junheng:problem:<kind>).
const (
	Invalid     Kind = "invalid"     // the input: every failing field is named
	Forbidden   Kind = "forbidden"   // the caller's role may not do this
	NotFound    Kind = "not_found"   // nothing there, or not the caller's to see
	Refused     Kind = "conflict"    // the state does not allow it now
	Ended       Kind = "ended"       // the cycle or item has ended
	TooLarge    Kind = "too_large"   // an upload over its limit
	Unavailable Kind = "unavailable" // a passing outage: retry with the same key
	Busy        Kind = "busy"        // the workflow is moving to a new run: retry in a few seconds
	// Unauthenticated: a sign-in refused (wrong login or password, a locked or disabled account).
	Unauthenticated Kind = "unauthenticated"
)

// Error is an action or a view refused, with its message in Chinese and English and, for invalid input, every
// failing field (by path, and for spreadsheets by sheet, row and column).
type Error struct {
	Kind      Kind
	MessageZh string
	MessageEn string
	Fields    []evaluation.Problem
	// Reasons lists each unmet condition of a refused action (an application refused for several reasons).
	Reasons []workflows.Reason
}

func (e *Error) Error() string {
	msg := e.MessageEn
	for _, f := range e.Fields {
		msg += fmt.Sprintf("; %s: %s (%s)", f.Field, f.MessageEn, f.MessageZh)
	}
	return msg
}

// RetryAfterBusy is how long a caller waits before retrying a Busy action, in seconds.
const RetryAfterBusy = 5

// InvalidInput is an Invalid error listing every failing field.
func InvalidInput(fields ...evaluation.Problem) *Error {
	return &Error{Kind: Invalid, MessageZh: "提交的数据有误, 请按字段修正", MessageEn: "the request has invalid fields",
		Fields: fields}
}

// ErrNotFound, ErrForbidden and ErrUnavailable need no more words; the faces use them for their own checks too.
var (
	ErrNotFound    = &Error{Kind: NotFound, MessageZh: "未找到请求的资源", MessageEn: "the requested resource does not exist"}
	ErrForbidden   = &Error{Kind: Forbidden, MessageZh: "当前角色无权进行此操作", MessageEn: "your role may not do this"}
	ErrUnavailable = &Error{Kind: Unavailable,
		MessageZh: "工作流服务暂时不可用或处理超时; 已受理的操作不会丢失, 请稍后用相同的 Idempotency-Key 重试",
		MessageEn: "the workflow service is unavailable or the action timed out; nothing accepted is lost: " +
			"retry later with the same Idempotency-Key"}
	errEnded = &Error{Kind: Ended, MessageZh: "该流程已结束, 不能再操作", MessageEn: "this cycle or item has ended"}
	errBusy  = &Error{Kind: Busy,
		MessageZh: "该流程正在转入新的运行, 请 5 秒后用相同的 Idempotency-Key 重试; 已受理的操作不会丢失",
		MessageEn: "this workflow is moving to a new run: retry in 5 seconds with the same Idempotency-Key; " +
			"nothing accepted is lost"}
)

// WorkflowError maps what Temporal answered to an Error: a validator's refusal with its reasons; an unknown
// workflow to NotFound; an ended one to Ended; a run that takes no more Updates to Busy; an unreachable Temporal
// or a timeout to Unavailable. Anything else is returned as it is.
func WorkflowError(err error) error {
	if kind, r, ok := workflows.AsRefusal(err); ok {
		e := &Error{Kind: Refused, MessageZh: r.MessageZh, MessageEn: r.MessageEn, Reasons: r.Reasons}
		switch kind {
		case workflows.ErrInvalid:
			e.Kind = Invalid
		case workflows.ErrForbidden:
			e.Kind = Forbidden
		}
		if r.Field != "" {
			e.Fields = []evaluation.Problem{{Field: r.Field, MessageZh: r.MessageZh, MessageEn: r.MessageEn}}
		}
		return e
	}
	var notFound *serviceerror.NotFound
	var limited *serviceerror.FailedPrecondition
	switch {
	case errors.As(err, &limited) && strings.Contains(limited.Error(), "limit on the total number of distinct updates"):
		// Temporal's limit of Updates per run: the workflow is continuing as new, and the new run takes them.
		return errBusy
	case errors.As(err, &notFound) && strings.Contains(notFound.Error(), "already completed"):
		return errEnded
	case errors.As(err, &notFound):
		return ErrNotFound
	case unavailable(err):
		return ErrUnavailable
	}
	return err
}

func unavailable(err error) bool {
	var unavail *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &unavail) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded)
}
