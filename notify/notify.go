// Package notify delivers stored notifications through the channels a deployment configures: a generic JSON
// webhook, the WeCom and DingTalk group robots, and SMTP email. A Channel sends one message once; retrying is the
// caller's job (a Temporal activity), so every error says whether retrying can help (see IsPermanent).
package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Message is one notification to deliver. The JSON tags are the generic webhook's body.
type Message struct {
	Key       string    `json:"key"`              // unique id of the notification; receivers can drop repeats by it
	Recipient string    `json:"recipient"`        // "office" (a city's), "province", "district" or "school"
	District  string    `json:"district"`         // district code, e.g. "370211"
	City      string    `json:"city,omitempty"`   // the district's city, for the office's messages
	School    string    `json:"school,omitempty"` // the school's code, for a school's messages
	Year      int       `json:"year"`
	Target    string    `json:"target"` // e.g. "cycle:2025:370211" or "finding:2025:370211:3"
	Kind      string    `json:"kind"`   // reminder, overdue, escalation, returned, verified, …
	TitleZh   string    `json:"title_zh"`
	TitleEn   string    `json:"title_en"`
	At        time.Time `json:"at"` // shown to people in its own location: pass it in the deployment's time zone
}

// Channel delivers messages one way.
type Channel interface {
	Name() string                              // type:name from the configuration, e.g. "webhook:ops"
	Send(ctx context.Context, m Message) error // nil = delivered; see IsPermanent
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying will not fix.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether retrying cannot help: a 4xx answer other than 408 and 429, a robot refusing the
// request, an SMTP 5xx reply, a recipient without an address. Anything else (5xx, timeouts, refused
// connections, rate limits) may pass on a later attempt.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// label is a channel's name; it is also its String so that printing a channel never shows a URL or secret.
type label string

func (l label) Name() string   { return string(l) }
func (l label) String() string { return string(l) }

// wrap prefixes err with the channel's name, keeping its permanence.
func (l label) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", l, err)
}

// details are the facts every human-readable format lists under the titles.
func details(m Message) []string {
	var lines []string
	if m.District != "" {
		lines = append(lines, "区县 District: "+m.District)
	}
	return append(lines,
		fmt.Sprintf("年度 Year: %d", m.Year),
		"类型 Kind: "+m.Kind,
		"事项 Target: "+m.Target,
		"时间 Time: "+m.At.Format("2006-01-02 15:04 -07:00"))
}

// markdownText renders m for the group robots: the Chinese title as a heading, the English title, then the details
// as quotes joined by sep (DingTalk merges consecutive lines into one paragraph, WeCom keeps them).
func markdownText(m Message, sep string) string {
	return "### " + m.TitleZh + "\n\n" + m.TitleEn + "\n\n> " + strings.Join(details(m), sep+"> ")
}
