package report

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"junheng/evaluation"
	"junheng/vocab"
)

// dash stands for a value that does not exist (no previous year, no base, no plan).
const dash = "—"

func pct(f float64) string { return fmt.Sprintf("%.2f%%", f*100) }

func optPct(f *float64) string {
	if f == nil {
		return dash
	}
	return pct(*f)
}

func optInt(n *int) string {
	if n == nil {
		return dash
	}
	return strconv.Itoa(*n)
}

// num shows an indicator value rounded to 4 decimals without trailing zeros (2000, not 2000.0000).
func num(n evaluation.Number) string {
	r := math.Round(float64(n)*1e4) / 1e4
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// met shows whether a target was reached; optMet shows nothing when there was no target to check.
func met(b bool) template.HTML {
	if b {
		return `<span class="ok">达成</span>`
	}
	return `<span class="bad">未达成</span>`
}

func optMet(b *bool) template.HTML {
	if b == nil {
		return ""
	}
	return met(*b)
}

// verdictZh names an evaluation's verdict; none (nothing submitted) is empty.
func verdictZh(v string) string {
	if v == "" {
		return ""
	}
	return vocab.Verdict(v).Label().Zh
}

// national names the shortfall keys; reports show the names of the national standard's indicators and items.
var national = evaluation.National2017()

func indicatorZh(key string) string {
	zh, _ := national.KeyName(key)
	return zh
}

// shortfallZh names a shortfall of Changes, "key" or "key/stage".
func shortfallZh(s string) string {
	key, stage, ok := strings.Cut(s, "/")
	if !ok {
		return indicatorZh(key)
	}
	return indicatorZh(key) + "(" + evaluation.SchoolStage(stage).NameZh() + ")"
}

func shortfallsZh(keys []string) string { return list(keys, shortfallZh) }

// list joins the names of keys with the Chinese enumeration comma, or shows a dash for none.
func list(keys []string, name func(string) string) string {
	if len(keys) == 0 {
		return dash
	}
	return strings.Join(mapStrings(keys, name), "、")
}

func mapStrings(keys []string, f func(string) string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = f(k)
	}
	return out
}

// names maps codes (of schools or districts) to names; an unknown code is shown as itself.
type names map[string]string

func (n names) Of(code string) string {
	if name, ok := n[code]; ok && name != "" {
		return name
	}
	return code
}

// Join names the codes, or shows a dash for none.
func (n names) Join(codes []string) string { return list(codes, n.Of) }

func date(t time.Time) string {
	if t.IsZero() {
		return dash
	}
	return t.Format("2006-01-02 15:04")
}
