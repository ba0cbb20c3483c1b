package web

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"junheng/evaluation"
	"junheng/progress"
	"junheng/usecase"
	"junheng/vocab"
)

// planRow is one milestone row of the plan form, as typed.
type planRow struct {
	Year, Schools, Oversized, Large, Note string
	Indicators                            []string
}

func (r planRow) blank() bool {
	return strings.TrimSpace(r.Year+r.Schools+r.Oversized+r.Large+r.Note) == "" && len(r.Indicators) == 0
}

// planForm is the plan form's content: pre-filled from the latest version, or what the district typed when the
// API refused it (carried across the redirect in the flash).
type planForm struct {
	TargetYear, Note string
	// File is the responsibility letter sent when no new file is chosen: the latest version's, or one uploaded
	// with a submission the API then refused.
	File string
	Rows []planRow
}

// planBlankRows is how many empty milestone rows the form offers for new milestones.
const planBlankRows = 3

// maxPlanRows bounds the rows read from a posted form.
const maxPlanRows = 60

type planData struct {
	Code      string
	Plan      *usecase.CreationPlanView    // nil while the district has no plan
	InEffect  *usecase.CreationPlanVersion // the approved version in effect
	Latest    *usecase.CreationPlanVersion
	Review    bool // the latest version awaits the office's review
	Form      *planForm
	Keys      []planKey
	Districts []planListRow // the office's list, when no district is named
}

type planKey struct {
	Key, NameZh, NameEn string
}

type planListRow struct {
	Code, Name string
	Plan       *usecase.CreationPlanView
}

// planKeys are the shortfall keys a milestone may name, in the order the standard lists them.
var planKeys = func() []planKey {
	p := evaluation.National2017()
	order := p.ShortfallKeys()
	keys := progress.IndicatorKeys(p)
	rank := func(k string) int {
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(rank(a), rank(b)) })
	out := make([]planKey, len(keys))
	for i, k := range keys {
		zh, en := p.KeyName(k)
		out[i] = planKey{Key: k, NameZh: zh, NameEn: en}
	}
	return out
}()

// KeysFor is the key list offered in a row: the standard's, and any other key the row already names (from a
// provincial profile), so that a revision does not drop it unseen.
func (d planData) KeysFor(row planRow) []planKey {
	keys := d.Keys
	for _, k := range row.Indicators {
		if !slices.ContainsFunc(d.Keys, func(pk planKey) bool { return pk.Key == k }) {
			keys = append(slices.Clip(keys), planKey{Key: k, NameZh: k, NameEn: k})
		}
	}
	return keys
}

// KeyName is what a shortfall key is called.
func (p *page) KeyName(key string) string {
	for _, k := range planKeys {
		if k.Key == key {
			return p.Pick(k.NameZh, k.NameEn)
		}
	}
	return key
}

func planURL(code string) string { return "/plan?code=" + url.QueryEscape(code) }

// plan shows a district's creation plan: its status, the version in effect, every version, and the form to
// submit or revise it (a district) or to review it (the office). The office, the province and admins without a
// district named get the list of districts with their plans' status.
func (s *server) plan(w http.ResponseWriter, r *http.Request) {
	me := current(r).me
	code := r.URL.Query().Get("code")
	if me.District() != "" {
		code = me.District()
	}
	if code == "" {
		s.planList(w, r)
		return
	}
	// A district without a plan yet shows the empty form; one beyond the person's reach is unknown.
	if err := s.opts.Core.Sees(r.Context(), actor(r), code); err != nil {
		s.coreError(w, r, err)
		return
	}
	d := planData{Code: code, Keys: planKeys}
	switch v, err := s.opts.Core.CreationPlan(r.Context(), actor(r), code); {
	case errors.Is(err, usecase.ErrNotFound):
	case err != nil:
		s.coreError(w, r, err)
		return
	default:
		d.Plan = &v
		for i := range v.Versions { // oldest first
			if v.Versions[i].Version == v.ApprovedVersion {
				d.InEffect = &v.Versions[i]
			}
			d.Latest = &v.Versions[i]
		}
		d.Review = d.Latest != nil && d.Latest.Status == string(vocab.PlanSubmitted)
	}
	if me.Role == "district" {
		d.Form = s.planFormOf(r, d.Latest)
	}
	s.render(w, r, http.StatusOK, "plan", "creation_plan", 0, d)
}

// planFormOf is what the form shows: what was typed, when the last submission was refused, or else the latest
// version, with blank rows to add milestones.
func (s *server) planFormOf(r *http.Request, latest *usecase.CreationPlanVersion) *planForm {
	f := &planForm{}
	if fl := current(r).flash; fl != nil && fl.Form == "plan" && fl.Kept != nil {
		*f = *fl.Kept
		f.Rows = slices.Clone(f.Rows)
	} else if latest != nil {
		f.TargetYear = strconv.Itoa(latest.Plan.TargetYear)
		f.Note, f.File = latest.Note, latest.ResponsibilityFile
		for _, m := range latest.Plan.Milestones {
			row := planRow{Year: strconv.Itoa(m.Year), Schools: strings.Join(m.Schools, ", "),
				Indicators: m.Indicators, Note: m.Note}
			if m.OversizedMax != nil {
				row.Oversized = strconv.Itoa(*m.OversizedMax)
			}
			if m.LargeClassesMax != nil {
				row.Large = strconv.Itoa(*m.LargeClassesMax)
			}
			f.Rows = append(f.Rows, row)
		}
	}
	blank := 0
	for i := len(f.Rows) - 1; i >= 0 && f.Rows[i].blank(); i-- {
		blank++
	}
	for ; blank < planBlankRows; blank++ {
		f.Rows = append(f.Rows, planRow{})
	}
	return f
}

// planList is every district with where its plan stands, for the office.
func (s *server) planList(w http.ResponseWriter, r *http.Request) {
	districts, err := s.opts.Core.Districts(r.Context(), actor(r))
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	d := planData{}
	for _, dist := range districts {
		row := planListRow{Code: dist.Code, Name: dist.Name}
		switch v, err := s.opts.Core.CreationPlan(r.Context(), actor(r), dist.Code); {
		case err == nil:
			row.Plan = &v
		case !errors.Is(err, usecase.ErrNotFound):
			s.coreError(w, r, err)
			return
		}
		d.Districts = append(d.Districts, row)
	}
	s.render(w, r, http.StatusOK, "plan", "creation_plan", 0, d)
}

// readPlanForm reads the posted form as typed.
func readPlanForm(r *http.Request) *planForm {
	f := r.PostForm
	form := &planForm{TargetYear: strings.TrimSpace(f.Get("target_year")), Note: f.Get("note"),
		File: strings.TrimSpace(f.Get("kept_file"))}
	n, _ := strconv.Atoi(f.Get("rows"))
	for i := range min(max(n, 0), maxPlanRows) {
		at := func(name string) string { return f.Get(fmt.Sprintf("%s_%d", name, i)) }
		row := planRow{Year: strings.TrimSpace(at("year")), Schools: strings.TrimSpace(at("schools")),
			Oversized: strings.TrimSpace(at("oversized_max")), Large: strings.TrimSpace(at("large_classes_max")),
			Note: at("milestone_note")}
		for _, k := range f[fmt.Sprintf("indicators_%d", i)] {
			if k = strings.TrimSpace(k); k != "" && !slices.Contains(row.Indicators, k) {
				row.Indicators = append(row.Indicators, k)
			}
		}
		form.Rows = append(form.Rows, row)
	}
	return form
}

// splitCodes splits a list of school codes typed with commas (either width), 、, semicolons or spaces.
func splitCodes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\u3000' ||
			r == '\t' || r == '\n' || r == '\r'
	})
}

// request turns the typed form into the core's plan, skipping blank rows; rows[i] is the form row of
// milestones[i]. Numbers that are not whole numbers are the page's to report, by form field.
func (f *planForm) request(en bool) (plan progress.Plan, rows []int, bad map[string]string) {
	bad = map[string]string{}
	whole := func(field, v string) (int, bool) {
		n, err := strconv.Atoi(v)
		if err != nil {
			bad[field] = translate(en, "whole_number")
		}
		return n, err == nil
	}
	if f.TargetYear != "" {
		plan.TargetYear, _ = whole("target_year", f.TargetYear)
	}
	plan.Milestones = []progress.Milestone{}
	for i, row := range f.Rows {
		if row.blank() {
			continue
		}
		at := fmt.Sprintf("milestones[%d].", i)
		m := progress.Milestone{
			Schools: splitCodes(row.Schools), Indicators: row.Indicators, Note: strings.TrimSpace(row.Note),
		}
		if m.Schools == nil {
			m.Schools = []string{}
		}
		if m.Indicators == nil {
			m.Indicators = []string{}
		}
		if row.Year != "" {
			m.Year, _ = whole(at+"year", row.Year)
		}
		if row.Oversized != "" {
			if n, ok := whole(at+"oversized_max", row.Oversized); ok {
				m.OversizedMax = &n
			}
		}
		if row.Large != "" {
			if n, ok := whole(at+"large_classes_max", row.Large); ok {
				m.LargeClassesMax = &n
			}
		}
		plan.Milestones = append(plan.Milestones, m)
		rows = append(rows, i)
	}
	return plan, rows, bad
}

// planField is the form's field that shows the core's error on path: a milestone's on the form row it came from
// (blank rows are not sent, so milestones[1] may be row 3), a school's or a key's on its row's list; "" for a path
// the form has no place for.
func planField(path string, rows []int) string {
	switch path {
	case "target_year", "responsibility_file", "note", "milestones":
		return path
	case "file": // the letter's upload
		return "responsibility_file"
	}
	rest, ok := strings.CutPrefix(path, "milestones[")
	index, name, closed := strings.Cut(rest, "].")
	i, err := strconv.Atoi(index)
	if !ok || !closed || err != nil || i < 0 || i >= len(rows) {
		return ""
	}
	switch name, _, _ = strings.Cut(name, "["); name { // schools[1] is the row's schools
	case "year", "schools", "indicators", "oversized_max", "large_classes_max", "note":
		return fmt.Sprintf("milestones[%d].%s", rows[i], name)
	}
	return ""
}

// placed is result for a form that shows some fields' errors beside them: place names the form's field for the
// core's path, and the errors on paths it has none for ("") are listed by path.
func placed(form string, err error, en bool, ok string, place func(path string) string) *flash {
	f := result(form, err, en, ok)
	var e *usecase.Error
	if !errors.As(err, &e) || f.Pending {
		return f
	}
	f.Fields = map[string]string{}
	for _, p := range e.Fields {
		if field := place(p.Field); field != "" {
			f.addField(evaluation.Problem{Field: field, MessageZh: p.MessageZh, MessageEn: p.MessageEn}, en)
		} else {
			f.List = append(f.List, p.Field+": "+pick(en, p.MessageZh, p.MessageEn))
		}
	}
	return f
}

// submitPlan sends the district's plan or revision, once for the form's key: the responsibility letter is stored
// first when one is chosen, otherwise the letter already on file is sent again.
func (s *server) submitPlan(w http.ResponseWriter, r *http.Request) {
	sess, en := current(r), english(r)
	code := sess.me.District()
	if code == "" {
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
		return
	}
	form := readPlanForm(r)
	plan, rows, bad := form.request(en)
	if len(bad) > 0 {
		s.back(w, r, &flash{Form: "plan", Msg: s.t(r, "fix_fields"), Fields: bad, Kept: form}, "/plan#plan-form")
		return
	}
	letter, ok := s.formFile(w, r, "responsibility_file")
	if !ok {
		return
	}
	content := append(fmt.Appendf(nil, "%#v\n%q\n", *form, letter.name), letter.data...)
	f := s.once(r, "plan", content, func(ctx context.Context, key string) *flash {
		refused := func(err error) *flash {
			f := placed("plan", err, en, "", func(path string) string { return planField(path, rows) })
			f.Kept = form
			return f
		}
		if letter.name != "" {
			file, err := s.opts.Core.UploadFile(ctx, actor(r), usecase.NewFile{Name: letter.name, District: code,
				Content: bytes.NewReader(letter.data)})
			if err != nil {
				return refused(err)
			}
			form.File = file.ID // kept on the form, should the plan be refused
		}
		_, err := s.opts.Core.SubmitCreationPlan(ctx, actor(r), key, code, usecase.CreationPlanSubmission{
			Plan: plan, ResponsibilityFile: form.File, Note: form.Note})
		if err != nil {
			return refused(err)
		}
		return result("plan_saved", nil, en, s.t(r, "plan_submitted"))
	})
	if f.OK {
		s.back(w, r, f, "/plan")
		return
	}
	if f.Kept == nil { // a changed form, or one still under way: once answered without acting
		f.Kept = form
	}
	s.back(w, r, f, "/plan#plan-form")
}

// reviewPlan sends the office's approval or return of the version awaiting review, once for the form's key. The
// form names the version the office read, so that a decision never lands on a revision the district sent in the
// meantime.
func (s *server) reviewPlan(w http.ResponseWriter, r *http.Request) {
	code := r.PostFormValue("code")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in := usecase.CreationPlanReview{Version: version, Approved: r.PostFormValue("approved") == "true",
		Comment: r.PostFormValue("comment")}
	f := s.once(r, "plan_review", fmt.Appendf(nil, "%q %#v", code, in), func(ctx context.Context, key string) *flash {
		_, err := s.opts.Core.ReviewCreationPlan(ctx, actor(r), key, code, in)
		return placed("plan_review", err, english(r), s.t(r, "done"), func(path string) string {
			if path == "comment" { // only the comment has a field of its own
				return path
			}
			return ""
		})
	})
	s.back(w, r, f, planURL(code))
}
