package usecase

import (
	"strings"
	"time"

	"junheng/evaluation"
)

// Fields collects the failing fields of one input, to be answered all at once.
type Fields []evaluation.Problem

// Add names a failing field with its message in Chinese and English.
func (f *Fields) Add(field, zh, en string) {
	*f = append(*f, evaluation.Problem{Field: field, MessageZh: zh, MessageEn: en})
}

// Required names field when value is blank.
func (f *Fields) Required(field, value string) {
	if strings.TrimSpace(value) == "" {
		f.Add(field, "必填", "required")
	}
}

// Err is the Invalid error listing the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return InvalidInput(f...)
}

// When reads a date or a timestamp. A date ("2026-03-31") means the end of that day in the deployment's time
// zone, as policy deadlines do ("by 31 March"); a timestamp (RFC 3339) is taken as it is.
func (c *Core) When(f *Fields, field, value string) time.Time {
	if value == "" {
		return time.Time{}
	}
	if d, err := time.ParseInLocation(time.DateOnly, value, c.loc); err == nil {
		return d.AddDate(0, 0, 1)
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		f.Add(field, "日期格式应为 2026-03-31 或 RFC 3339 时间", "want a date like 2026-03-31 or an RFC 3339 timestamp")
	}
	return t
}
