package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"junheng/evaluation"
	"junheng/usecase"
	"junheng/vocab"
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

// Label names a word of the vocabulary of kind stage, status, plan, severity, source, verdict or role; v is the
// word, typed or as the string a form or list carries.
func (p *page) Label(kind string, v any) string { return vocab.LabelOf(kind, fmt.Sprint(v)).In(p.En) }

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
// DaysLeft counts whole days to t; negative when it has passed.
func (p *page) DaysLeft(t time.Time) int { return int(time.Until(t).Hours() / 24) }

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

// orderedIndicators lists a stage's indicator keys in the order of the built-in standard that judged them (the
// national one for a provincial profile); keys a provincial profile adds come after, sorted.
func orderedIndicators(m map[string]*evaluation.IndicatorResult, standard string) []string {
	p, ok := evaluation.Builtin(standard)
	if !ok {
		p = evaluation.National2017()
	}
	rank := func(k string) int {
		if i := slices.IndexFunc(p.Indicators, func(ind evaluation.Indicator) bool { return ind.Key == k }); i >= 0 {
			return i
		}
		return len(p.Indicators)
	}
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	return keys
}

// indicators are the indicators of every built-in standard by key (a key names one indicator in all of them).
var indicators = func() map[string]evaluation.Indicator {
	m := map[string]evaluation.Indicator{}
	for _, name := range evaluation.BuiltinNames() {
		p, _ := evaluation.Builtin(name)
		for _, ind := range p.Indicators {
			m[ind.Key] = ind
		}
	}
	return m
}()

// besides shows an actual value and its limit with enough decimals to differ when they differ (evaluation.Beside);
// a rate as a percentage.
func besides(actual, limit evaluation.Number, pct bool) [2]string {
	d := 4
	if pct {
		d = 1
	}
	a, l := evaluation.Beside(float64(actual), float64(limit), d, pct)
	if pct {
		a, l = a+"%", l+"%"
	}
	return [2]string{a, l}
}

// meanRow is the combined coefficient of a stage under the mean rule (the 2012 standard): the mean of the
// indicators' coefficients against the stage's limit; Passes is the engine's judgement.
type meanRow struct {
	Mean, Limit string
	Passes      bool
}

func meanOf(e *evaluation.Result, g evaluation.SchoolStage) *meanRow {
	st := e.Resource.Stages[g]
	if st == nil || st.CVMean == nil || len(st.Indicators) == 0 {
		return nil
	}
	var limit evaluation.Number
	for _, ind := range st.Indicators {
		limit = ind.CVLimit // every indicator of a stage carries the stage's limit
		break
	}
	b := besides(*st.CVMean, limit, false)
	return &meanRow{Mean: b[0], Limit: b[1], Passes: !fails(e, "cv_mean", g)}
}

// fails reports whether the evaluation found the district short on key (in stage g; "" for a district-wide item):
// the pages show the engine's judgement rather than compare the figures again.
func fails(e *evaluation.Result, key string, g evaluation.SchoolStage) bool {
	return slices.ContainsFunc(e.Shortfalls, func(s evaluation.Shortfall) bool { return s.Key == key && s.Stage == g })
}

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
		"stages": func() []evaluation.SchoolStage {
			return []evaluation.SchoolStage{evaluation.Primary, evaluation.Junior}
		},
		"ordered": orderedIndicators,
		"beside":  besides,
		"meanOf":  meanOf,
		"fails":   fails,
		"list":    func(v ...string) []string { return v },
		"inc":     func(i int) int { return i + 1 },
		"float":   func(n evaluation.Number) float64 { return float64(n) },
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
		// action names the catalogue entry of an action, whose key differs from the API's word.
		"action": func(a string) string { return strings.ReplaceAll(a, "-", "_") },
		// pendingExtension is known on a finding's own page only; lists link there to decide.
		"pendingExtension": func(f any) bool {
			d, ok := f.(usecase.FindingView)
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
		var err error
		p.Me, p.CSRF = sess.me, sess.csrf
		if p.Flash, err = s.sessions.takeFlash(r.Context(), sess); err != nil {
			// Shown now all the same; it may show once more.
			s.opts.Logger.Warn("flash not cleared", "error", err)
		}
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
	if err := s.sessions.setFlash(r.Context(), current(r), f); err != nil {
		s.unavailable(w, r, err)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// coreError renders a failed view as a page with the core's message.
func (s *server) coreError(w http.ResponseWriter, r *http.Request, err error) {
	f := result("", err, english(r), "")
	status := http.StatusInternalServerError
	var e *usecase.Error
	switch {
	case f.Pending: // no form to send again: its message would speak of one
		f.Msg, status = translate(english(r), "unavailable"), http.StatusServiceUnavailable
	case errors.As(err, &e) && e.Kind == usecase.NotFound:
		status = http.StatusNotFound
	case errors.As(err, &e) && e.Kind == usecase.Forbidden:
		status = http.StatusForbidden
	case errors.As(err, &e):
		status = http.StatusBadRequest
	}
	if status >= 500 {
		s.opts.Logger.Error("page failed", "path", r.URL.Path, "error", err)
	}
	s.render(w, r, status, "error", "app", 0, f)
}
