package web

import (
	"fmt"
	"strings"

	"junheng/evaluation"
)

// flash is a form's outcome shown once on the page the form redirects to: a message, and errors by field (or,
// for spreadsheets, by cell) in the user's language.
type flash struct {
	Form   string
	OK     bool
	Msg    string
	Fields map[string]string
	List   []string
	// Kept is the plan form as typed, and Text the self-assessment data as sent, shown again when refused.
	Kept *planForm
	Text string
	// Pending says the action may still be under way or was not done for a passing reason (a timeout, a busy or
	// unavailable service, the same key still being answered): sending the form again is the user's retry, so it
	// must go out under Key, the key it was posted with (see back and page.Idem), and act at most once.
	Pending bool
	Key     string
}

// addField shows a field's problem beside the field, or a spreadsheet's in the list, named by its cell.
func (f *flash) addField(e evaluation.Problem, en bool) {
	msg := pick(en, e.MessageZh, e.MessageEn)
	switch {
	case e.Sheet != "":
		f.List = append(f.List, cellName(e, en)+msg)
	case f.Fields[e.Field] == "":
		f.Fields[e.Field] = msg
	default:
		f.Fields[e.Field] += "; " + msg
	}
}

// cellName names a spreadsheet place as Excel users say it: 学校 工作表 第 7 行 F 列.
func cellName(e evaluation.Problem, en bool) string {
	var b strings.Builder
	if en {
		fmt.Fprintf(&b, "sheet %s", e.Sheet)
		if e.Row > 0 {
			fmt.Fprintf(&b, ", row %d", e.Row)
		}
		if e.Column != "" {
			fmt.Fprintf(&b, ", column %s", e.Column)
		}
		b.WriteString(": ")
		return b.String()
	}
	fmt.Fprintf(&b, "「%s」工作表", e.Sheet)
	if e.Row > 0 {
		fmt.Fprintf(&b, "第 %d 行", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, " %s 列", e.Column)
	}
	b.WriteString(": ")
	return b.String()
}

func pick(en bool, zh, english string) string {
	if en && english != "" {
		return english
	}
	return zh
}
