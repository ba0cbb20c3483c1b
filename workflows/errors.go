package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// Error types carried by a refused Update, so the API can answer 409, 422 or 403 with the reason.
const (
	ErrConflict  = "Conflict"  // not allowed in the current stage or state
	ErrInvalid   = "Invalid"   // the data is wrong (a date in the past, an unknown key)
	ErrForbidden = "Forbidden" // this actor may not do this
)

// Refusal explains a refused Update in Chinese and English; Reasons lists each unmet condition where there are
// several (an application that does not meet the standard and has a serious item open).
type Refusal struct {
	Field     string   `json:"field,omitempty"`
	MessageZh string   `json:"message_zh"`
	MessageEn string   `json:"message_en"`
	Reasons   []Reason `json:"reasons,omitempty"`
}

// Reason is one unmet condition.
type Reason struct {
	Key       string `json:"key"`
	MessageZh string `json:"message_zh"`
	MessageEn string `json:"message_en"`
}

func refuse(kind, field, zh, en string, reasons ...Reason) error {
	return temporal.NewNonRetryableApplicationError(en, kind, nil,
		Refusal{Field: field, MessageZh: zh, MessageEn: en, Reasons: reasons})
}

func conflict(zh, en string) error { return refuse(ErrConflict, "", zh, en) }

func invalid(field, zh, en string) error { return refuse(ErrInvalid, field, zh, en) }

func forbidden(zh, en string) error { return refuse(ErrForbidden, "", zh, en) }

// AsRefusal extracts the refusal from an error returned by an Update call.
func AsRefusal(err error) (kind string, r Refusal, ok bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return "", Refusal{}, false
	}
	switch appErr.Type() {
	case ErrConflict, ErrInvalid, ErrForbidden:
	default:
		return "", Refusal{}, false
	}
	if appErr.HasDetails() {
		_ = appErr.Details(&r)
	}
	return appErr.Type(), r, true
}
