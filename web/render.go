package web

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"junheng/evaluation"
)

// page is what every template gets: the user, the language, the CSRF token, the form outcome to show, and the
// page's own data.
type page struct {
	Title string
	En    bool
	Me    principal
	CSRF  string
	Flash *flash
	URL   *url.URL
	Year  int
	Data  any
	loc   *time.Location
}

// T translates a catalogue key.
func (p *page) T(key string) string { return translate(p.En, key) }

// Pick is the Chinese or the English of an API text.
func (p *page) Pick(zh, en string) string { return pick(p.En, zh, en) }

// Err is the error of a field of form, if the last POST of that form failed on it.
func (p *page) Err(form, field string) string {
	if p.Flash == nil || p.Flash.Form != form {
		return ""
	}
	return p.Flash.Fields[field]
}

// Idem is the idempotency key for the form named form (as its handler names its outcome): the key it was just
// posted with when that action may still be under way, so that sending it again acts at most once; otherwise a
// fresh one.
func (p *page) Idem(form string) string {
	if f := p.Flash; f != nil && f.Pending && f.Key != "" && f.Form == form {
		return f.Key
	}
	return newFormKey()
}

// FlashOf is the outcome of form, if it was the last one posted.
func (p *page) FlashOf(form string) *flash {
	if p.Flash == nil || p.Flash.Form != form {
		return nil
	}
	return p.Flash
}

// Date shows a time as a date in the deployment's zone; deadlines are stored as the first instant after the
// day, so the day shown is the last one allowed.
func (p *page) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(p.loc).Add(-time.Nanosecond).Format("2006-01-02")
}

// When shows a moment to the minute.
func (p *page) When(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(p.loc).Format("2006-01-02 15:04")
}

// Indicator is the name of a resource indicator of the national standard, or its key if unknown.
func (p *page) Indicator(key string) string {
	if ind, ok := indicators[key]; ok {
		return p.Pick(ind.NameZh, ind.NameEn)
	}
	return key
}

// orderedIndicators lists a stage's indicator keys in the national standard's order; keys a provincial profile
// adds come after, sorted.
func orderedIndicators(m map[string]*evaluation.IndicatorResult) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if ind, ok := indicators[k]; ok {
			return ind.rank
		}
		return len(indicators)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	return keys
}

type indicator struct {
	evaluation.Indicator
	rank int
}

var indicators = func() map[string]indicator {
	m := map[string]indicator{}
	for i, ind := range evaluation.National2017().Indicators {
		m[ind.Key] = indicator{ind, i}
	}
	return m
}()

// formatNum shows up to 4 decimals without trailing zeros.
func formatNum(f float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", f), "0"), ".")
}

// Plain shows an evaluation summary ("= true", "primary ≥ 1; junior ≥ 0.95") with yes/no and "not applicable" in the
// page's language.
func (p *page) Plain(summary string) string {
	if p.En {
		return plainEn.Replace(summary)
	}
	return plainZh.Replace(summary)
}

// The declared-only teacher-pay value (evaluation.DeclaredFiguresMissing) comes first, so that it is replaced whole.
var (
	plainZh = strings.NewReplacer(evaluation.DeclaredFiguresMissing, "已声明, 未填报金额", "true", "是", "false", "否",
		"not_applicable", "不适用")
	plainEn = strings.NewReplacer(evaluation.DeclaredFiguresMissing, "declared, figures missing",
		"not_applicable", "not applicable")
)

// Lang is the current URL with lang set, for the language switch.
func (p *page) Lang(lang string) string {
	u := *p.URL
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

func (s *server) funcs() template.FuncMap {
	return template.FuncMap{
		"pct":       func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
		"num":       formatNum,
		"esc":       url.QueryEscape,
		"hasPrefix": strings.HasPrefix,
		"stages":    func() []evaluation.Stage { return []evaluation.Stage{evaluation.Primary, evaluation.Junior} },
		"ordered":   orderedIndicators,
		"list":      func(v ...string) []string { return v },
		"inc":       func(i int) int { return i + 1 },
		"float":     func(n evaluation.Number) float64 { return float64(n) },
		// dict passes several values to a partial template: dict "p" $p "f" .Findings.
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
		"val": func(vs evaluation.Values, key string) string {
			if v, ok := vs.Get(key); ok {
				return formatNum(v)
			}
			return ""
		},
		"checklists": func(e *evaluation.Result) map[string]evaluation.ChecklistResult {
			return map[string]evaluation.ChecklistResult{"government": e.Government, "quality": e.Quality}
		},
		// srcKey and action name catalogue entries whose keys differ from the API's words.
		"srcKey": func(source string) string {
			if source == "self_assessment" {
				return "self_assessment_src"
			}
			return source
		},
		"action": func(a string) string { return strings.ReplaceAll(a, "-", "_") },
		// pendingExtension is known on a finding's own page only; lists link there to decide.
		"pendingExtension": func(f any) bool {
			d, ok := f.(findingDetail)
			return ok && d.State.Extension != nil
		},
		"has": func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
	}
}

// parsePages parses each page together with the layout and the shared partials.
func parsePages(funcs template.FuncMap) map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		pages[strings.TrimSuffix(base, ".html")] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n))
	}
	return pages
}

// render writes a page; it renders into a buffer first so that a template error is a clean 500.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name, titleKey string, year int, data any) {
	p := &page{En: english(r), URL: r.URL, Year: year, Data: data, loc: s.opts.Location}
	p.Title = p.T(titleKey)
	if sess, ok := r.Context().Value(sessionKey{}).(*session); ok {
		p.Me, p.CSRF, p.Flash = sess.me, sess.csrf, s.sessions.takeFlash(sess)
	}
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, p); err != nil {
		s.opts.Logger.Error("page failed", "page", name, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// back stores a form's outcome and sends the browser back to the page it came from (post/redirect/get). A
// pending outcome keeps the form's own key (not an upload's derived one) for the form rendered there.
func (s *server) back(w http.ResponseWriter, r *http.Request, f *flash, to string) {
	if f.Pending {
		f.Key = requestKey(r)
	}
	s.sessions.setFlash(current(r), f)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// apiError renders a failed read as a page with the API's message.
func (s *server) apiError(w http.ResponseWriter, r *http.Request, rep reply) {
	f := outcome("", rep, english(r), "")
	if f.Pending { // no form to send again: its message would speak of one
		f.Msg = translate(english(r), "unavailable")
	}
	status := rep.status
	if status < 400 {
		status = http.StatusBadGateway
	}
	s.render(w, r, status, "error", "app", 0, f)
}
