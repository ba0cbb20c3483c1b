package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"junheng/evaluation"
	"junheng/progress"
)

// A district's creation plan (创建方案) as GET /api/v1/districts/{code}/plan answers it.
type planDetail struct {
	DistrictCode    string        `json:"district_code"`
	Status          string        `json:"status"`
	Version         int           `json:"version"`
	ApprovedVersion int           `json:"approved_version"`
	TargetYear      int           `json:"target_year"`
	UpdatedAt       time.Time     `json:"updated_at"`
	Versions        []planVersion `json:"versions"`
}

type planVersion struct {
	Version            int           `json:"version"`
	TargetYear         int           `json:"target_year"`
	ResponsibilityFile string        `json:"responsibility_file"`
	Note               string        `json:"note"`
	Status             string        `json:"status"`
	SubmittedBy        string        `json:"submitted_by"`
	SubmittedAt        time.Time     `json:"submitted_at"`
	DecidedBy          string        `json:"decided_by"`
	DecidedAt          *time.Time    `json:"decided_at"`
	Comment            string        `json:"comment"`
	Plan               progress.Plan `json:"plan"`
}

// version is the plan's version number n, or nil.
func (d *planDetail) version(n int) *planVersion {
	for i := range d.Versions {
		if d.Versions[i].Version == n {
			return &d.Versions[i]
		}
	}
	return nil
}

// latest is the newest version, or nil before the first submission.
func (d *planDetail) latest() *planVersion {
	var l *planVersion
	for i := range d.Versions {
		if l == nil || d.Versions[i].Version > l.Version {
			l = &d.Versions[i]
		}
	}
	return l
}

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
	Plan      *planDetail  // nil while the district has no plan
	InEffect  *planVersion // the approved version in effect
	Latest    *planVersion
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
	Plan       *planDetail
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

func planPath(code string) string { return "/api/v1/districts/" + url.PathEscape(code) + "/plan" }

func planURL(code string) string { return "/plan?code=" + url.QueryEscape(code) }

// plan shows a district's creation plan: its status, the version in effect, every version, and the form to
// submit or revise it (a district) or to review it (the office). The office, the province and admins without a
// district named get the list of districts with their plans' status.
func (s *server) plan(w http.ResponseWriter, r *http.Request) {
	me := current(r).me
	code := r.URL.Query().Get("code")
	if me.District != "" {
		code = me.District
	}
	if code == "" {
		s.planList(w, r)
		return
	}
	d := planData{Code: code, Keys: planKeys}
	var detail planDetail
	switch rep := s.get(r, planPath(code), &detail); {
	case rep.status == http.StatusNotFound:
	case !rep.ok():
		s.apiError(w, r, rep)
		return
	default:
		d.Plan = &detail
		d.InEffect = detail.version(detail.ApprovedVersion)
		d.Latest = detail.latest()
		d.Review = d.Latest != nil && d.Latest.Status == "submitted"
	}
	if me.Role == "district" {
		d.Form = s.planFormOf(r, d.Latest)
	}
	s.render(w, r, http.StatusOK, "plan", "creation_plan", 0, d)
}

// planFormOf is what the form shows: what was typed, when the last submission was refused, or else the latest
// version, with blank rows to add milestones.
func (s *server) planFormOf(r *http.Request, latest *planVersion) *planForm {
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
	var districts []struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if rep := s.get(r, "/api/v1/districts", &districts); !rep.ok() {
		s.apiError(w, r, rep)
		return
	}
	d := planData{}
	for _, dist := range districts {
		row := planListRow{Code: dist.Code, Name: dist.Name}
		var detail planDetail
		switch rep := s.get(r, planPath(dist.Code), &detail); {
		case rep.ok():
			row.Plan = &detail
		case rep.status != http.StatusNotFound:
			s.apiError(w, r, rep)
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

// request turns the typed form into the API's plan, skipping blank rows; rows[i] is the form row of
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

// milestoneField matches the API's field names of a milestone: milestones[2].schools[0].
var milestoneField = regexp.MustCompile(`^milestones\[(\d+)\]\.([a-z_]+)`)

// planFields are the form's fields that show their own errors; the API's errors on other fields are listed.
var planFields = regexp.MustCompile(`^(target_year|responsibility_file|note|milestones|` +
	`milestones\[\d+\]\.(year|schools|indicators|oversized_max|large_classes_max|note))$`)

// placeErrors moves the API's field errors onto the form: a milestone's onto the form row it came from (blank
// rows are not sent, so milestones[1] may be row 3), a school's or a key's onto its row's list.
func placeErrors(fl *flash, rows []int) {
	fields := map[string]string{}
	add := func(field, msg string) {
		if fields[field] != "" {
			msg = fields[field] + "; " + msg
		}
		fields[field] = msg
	}
	for field, msg := range fl.Fields {
		if m := milestoneField.FindStringSubmatch(field); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i < len(rows) {
				field = fmt.Sprintf("milestones[%d].%s", rows[i], m[2])
			}
		}
		if planFields.MatchString(field) {
			add(field, msg)
		} else {
			fl.List = append(fl.List, field+": "+msg)
		}
	}
	slices.Sort(fl.List)
	fl.Fields = fields
}

// submitPlan sends the district's plan or revision: the responsibility letter is uploaded first when one is
// chosen, otherwise the letter already on file is sent again.
func (s *server) submitPlan(w http.ResponseWriter, r *http.Request) {
	sess, en := current(r), english(r)
	code := sess.me.District
	if code == "" {
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
		return
	}
	form := readPlanForm(r)
	refuse := func(fl *flash) {
		fl.Form, fl.OK, fl.Kept = "plan", false, form
		s.back(w, r, fl, "/plan#plan-form")
	}
	plan, rows, bad := form.request(en)
	if len(bad) > 0 {
		refuse(&flash{Msg: s.t(r, "fix_fields"), Fields: bad})
		return
	}
	fileID, failed, err := s.uploadFile(r, "responsibility_file")
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case failed != nil:
		fl := outcome("plan", *failed, en, "")
		// The upload's own errors (its field is "file") belong to the letter's field.
		msgs := []string{}
		for _, m := range fl.Fields {
			msgs = append(msgs, m)
		}
		if len(msgs) == 0 {
			msgs = append(msgs, fl.Msg)
		}
		slices.Sort(msgs)
		fl.Fields = map[string]string{"responsibility_file": strings.Join(msgs, "; ")}
		refuse(fl)
		return
	case fileID != "":
		form.File = fileID
	}
	body := map[string]any{"target_year": plan.TargetYear, "milestones": plan.Milestones,
		"responsibility_file": form.File, "note": form.Note}
	rep := s.putJSON(r, planPath(code), body)
	if !rep.ok() {
		fl := outcome("plan", rep, en, "")
		placeErrors(fl, rows)
		refuse(fl)
		return
	}
	s.back(w, r, outcome("plan_saved", rep, en, s.t(r, "plan_submitted")), "/plan")
}

// reviewPlan sends the office's approval or return of the version awaiting review. The form names the version
// the office read, so that a decision never lands on a revision the district sent in the meantime.
func (s *server) reviewPlan(w http.ResponseWriter, r *http.Request) {
	code := r.PostFormValue("code")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	body := map[string]any{
		"version": version, "approved": r.PostFormValue("approved") == "true", "comment": r.PostFormValue("comment"),
	}
	rep := s.postJSON(r, planPath(code)+"/review", body)
	fl := outcome("plan_review", rep, english(r), s.t(r, "done"))
	for field, msg := range fl.Fields {
		if field != "comment" { // only the comment has a field of its own
			fl.List = append(fl.List, field+": "+msg)
			delete(fl.Fields, field)
		}
	}
	slices.Sort(fl.List)
	s.back(w, r, fl, planURL(code))
}
