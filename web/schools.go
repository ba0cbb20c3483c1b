package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"junheng/evaluation"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

// Schools fill in their own data (学校填报) on /school; their district follows them on /district/schools, reads
// each school's submitted data on /district/school and accepts, returns or gives more time there, then gathers
// the accepted data into its self-assessment. Both views of a school's data are the one page "school", so that its
// figures are rendered by one partial (school-fields).

// figure is one figure of a school's form, named by its JSON name in package evaluation.
type figure struct {
	Key      string
	Whole    bool // a count; otherwise an amount (m², yuan), decimals allowed
	Optional bool // a pointer in the evaluation's data: left empty, it is not given
}

// The figures of a stage, of a senior stage and of facilities are read from the evaluation's own types, so that
// the form asks for exactly what the evaluation reads; each needs a label (school_f_<key>) in the catalogue.
var (
	stageFigures    = figuresOf(reflect.TypeFor[evaluation.StageData]())
	seniorFigures   = figuresOf(reflect.TypeFor[evaluation.SeniorData]())
	facilityFigures = figuresOf(reflect.TypeFor[evaluation.Facilities]())
)

// figuresOf lists the numeric fields of t; a nested part (a stage's own facilities) is a group of its own.
func figuresOf(t reflect.Type) []figure {
	var out []figure
	for f := range t.Fields() {
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft, optional := f.Type, f.Type.Kind() == reflect.Pointer
		if optional {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.Int:
			out = append(out, figure{Key: key, Whole: true, Optional: optional})
		case reflect.Float64:
			out = append(out, figure{Key: key, Optional: optional})
		}
	}
	return out
}

// combined says a kind has more than one stage: such a school may give its facilities per compulsory stage.
func combined(k evaluation.Kind) bool { return len(k.Stages()) > 1 }

// schoolFields is a school's form: the figures the evaluation asks of a school of its kind, by group.
type schoolFields struct {
	Form     string // the form whose field errors show beside the fields
	ReadOnly bool
	Kind     evaluation.Kind
	KindName string
	Kinds    []option
	Combined bool // facilities may be given per stage
	PerStage bool // they are
	Groups   []figureGroup
}

type option struct {
	Value, Label string
	Selected     bool
}

// figureGroup is a stage, the whole school's facilities, or a stage's own facilities; Path names it as the core's
// field errors do (stages.primary, facilities, stages.primary.facilities).
type figureGroup struct {
	Path, Title string
	Stage       evaluation.SchoolStage // the stage the group belongs to; "" for the whole school
	Facilities  bool
	Inputs      []figureInput
}

type figureInput struct {
	Name, Label, Value string
	Whole, Optional    bool
}

// groupsOf are the groups of a school of kind k, as a form may send them: its stages, the whole school's
// facilities and, for a combined school, each compulsory stage's own.
func groupsOf(k evaluation.Kind) []figureGroup {
	var gs []figureGroup
	for _, g := range k.Stages() {
		fs := stageFigures
		if g == evaluation.Senior {
			fs = seniorFigures
		}
		gs = append(gs, figureGroup{Path: "stages." + string(g), Stage: g, Inputs: inputsOf("stages."+string(g), fs)})
	}
	gs = append(gs, figureGroup{Path: "facilities", Facilities: true, Inputs: inputsOf("facilities", facilityFigures)})
	if combined(k) {
		for _, g := range k.Stages() {
			if g != evaluation.Senior {
				at := "stages." + string(g) + ".facilities"
				gs = append(gs, figureGroup{Path: at, Stage: g, Facilities: true,
					Inputs: inputsOf(at, facilityFigures)})
			}
		}
	}
	return gs
}

func inputsOf(at string, fs []figure) []figureInput {
	in := make([]figureInput, len(fs))
	for i, f := range fs {
		in[i] = figureInput{Name: at + "." + f.Key, Label: f.Key, Whole: f.Whole, Optional: f.Optional}
	}
	return in
}

// fieldsOf is the form of a school of kind k showing values (by field name) in the language of en; perStage
// says the facilities are given per stage. A read-only form shows only the stages and facilities given.
func fieldsOf(k evaluation.Kind, values map[string]string, perStage, readOnly, en bool, form string) schoolFields {
	f := schoolFields{Form: form, ReadOnly: readOnly, Kind: k, KindName: pick(en, k.NameZh(), k.NameEn()),
		Combined: combined(k), PerStage: perStage && combined(k)}
	for _, kind := range evaluation.Kinds {
		f.Kinds = append(f.Kinds, option{Value: string(kind), Label: pick(en, kind.NameZh(), kind.NameEn()),
			Selected: kind == k})
	}
	for _, g := range groupsOf(k) {
		perStageGroup := g.Facilities && g.Stage != ""
		given := slices.ContainsFunc(g.Inputs, func(in figureInput) bool { return values[in.Name] != "" })
		if readOnly && (!given || g.Facilities && perStageGroup != f.PerStage) {
			continue // read, a form shows what the school gave
		}
		switch {
		case perStageGroup:
			g.Title = pick(en, g.Stage.NameZh(), g.Stage.NameEn()) + " · " + translate(en, "school_stage_facilities")
		case g.Facilities:
			g.Title = translate(en, "school_facilities")
		default:
			g.Title = pick(en, g.Stage.NameZh(), g.Stage.NameEn())
		}
		for i, in := range g.Inputs {
			g.Inputs[i].Label, g.Inputs[i].Value = translate(en, "school_f_"+in.Label), values[in.Name]
		}
		f.Groups = append(f.Groups, g)
	}
	return f
}

// valuesOf are the figures of data by field name, as the form shows them.
func valuesOf(data *evaluation.School) (values map[string]string, perStage bool) {
	values = map[string]string{}
	if data == nil {
		return values, false
	}
	raw, err := json.Marshal(data)
	var doc map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil {
		return values, false
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, w := range v {
				walk(strings.TrimPrefix(at+"."+k, "."), w)
			}
		case float64:
			values[at] = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	walk("", doc)
	for _, g := range evaluation.CompulsoryStages {
		if d := stageOf(data, g); d != nil && d.Facilities != nil {
			perStage = true
		}
	}
	return values, perStage
}

func stageOf(data *evaluation.School, g evaluation.SchoolStage) *evaluation.StageData {
	if g == evaluation.Junior {
		return data.Stages.Junior
	}
	return data.Stages.Primary
}

// readSchool reads a school's data of kind k from its form. A stage left wholly blank is left out (the school
// does not have it); in a stage filled in, and in the facilities, a blank figure is missing unless optional. The
// figures the page cannot read are named in malformed, and the rest is not worth saving then.
func readSchool(form url.Values, k evaluation.Kind) (data evaluation.School, malformed usecase.Fields) {
	doc := map[string]any{"kind": string(k)}
	perStage := combined(k) && form.Get("facilities_per_stage") == "1"
	skipped := map[evaluation.SchoolStage]bool{}
	for _, g := range groupsOf(k) {
		if g.Facilities && (g.Stage != "") != perStage || skipped[g.Stage] {
			continue
		}
		blank := !slices.ContainsFunc(g.Inputs, func(in figureInput) bool {
			return strings.TrimSpace(form.Get(in.Name)) != ""
		})
		if blank && !g.Facilities {
			skipped[g.Stage] = true
			continue
		}
		for _, in := range g.Inputs {
			v := strings.TrimSpace(form.Get(in.Name))
			if in.Optional && v == "" {
				continue
			}
			if v == "" {
				malformed.Required(in.Name, v)
				continue
			}
			if in.Whole {
				n, err := strconv.Atoi(v)
				if err != nil {
					malformed.Add(in.Name, translate(false, "whole_number"), translate(true, "whole_number"))
				}
				setPath(doc, in.Name, n)
			} else {
				n, err := strconv.ParseFloat(v, 64)
				if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
					malformed.Add(in.Name, translate(false, "school_number"), translate(true, "school_number"))
				}
				setPath(doc, in.Name, n)
			}
		}
	}
	raw, err := json.Marshal(doc)
	if err == nil {
		err = json.Unmarshal(raw, &data)
	}
	if err != nil { // every figure was read as a finite number: not expected
		malformed.Add("stages", err.Error(), err.Error())
	}
	return data, malformed
}

// setPath sets the value at a dotted path of doc, making the objects on the way.
func setPath(doc map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, k := range parts[:len(parts)-1] {
		next, ok := doc[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			doc[k] = next
		}
		doc = next
	}
	doc[parts[len(parts)-1]] = v
}

// schoolPage is one school's data for a year: the school's own page, or the district's (Review) with its
// decisions.
type schoolPage struct {
	Review     bool
	Code, Name string
	District   string
	Opened     bool
	Return     store.SchoolReturn // the return as mirrored; zero before opened
	Fields     schoolFields
	Editable   bool // the school may save
	CanSubmit  bool // the school has a draft to submit
	HasData    bool // the district's page: the school has submitted (or the district entered) data
	Deadline   time.Time
	Done       bool // submitted or accepted: no days left to count
	Overdue    bool
	DaysLeft   int
}

// school is a school's own page for the year: where it stands and its form.
func (s *server) school(w http.ResponseWriter, r *http.Request) {
	year, en := s.yearOf(r), english(r)
	v, err := s.opts.Core.SchoolForm(r.Context(), actor(r), year)
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	d := schoolPage{Code: v.School.Code, Name: v.School.Name, District: v.School.DistrictCode, Opened: v.Opened,
		Editable: v.Opened && v.Status != vocab.SchoolSubmitted && v.Status != vocab.SchoolAccepted}
	d.CanSubmit = d.Editable && v.Draft != nil
	if v.Return != nil {
		d.Return = *v.Return
	}
	d.Return.Status = string(v.Status)
	d.setDeadline(v.Deadline)
	// The draft, else what was submitted; a refused save shows what was typed.
	var data *evaluation.School
	switch {
	case v.Draft != nil:
		data = &v.Draft.Data
	case v.Return != nil:
		data = v.Return.Data
	}
	values, perStage := valuesOf(data)
	kind := evaluation.Kind(v.School.Kind)
	if data != nil {
		kind = data.Kind
	}
	if fl := current(r).flash; fl != nil && fl.Form == "school_save" && !fl.OK && fl.Text != "" {
		if typed, err := url.ParseQuery(fl.Text); err == nil {
			values, kind, perStage = map[string]string{}, evaluation.Kind(typed.Get("kind")), typed.Get(
				"facilities_per_stage") == "1"
			for k := range typed {
				values[k] = typed.Get(k)
			}
		}
	}
	d.Fields = fieldsOf(kind, values, perStage, !d.Editable, en, "school_save")
	s.render(w, r, http.StatusOK, "school", "school_title", year, d)
}

// setDeadline shows the deadline, the days left and whether it has passed with nothing submitted.
func (d *schoolPage) setDeadline(deadline time.Time) {
	d.Deadline, d.DaysLeft = deadline, int(time.Until(deadline).Hours()/24)
	d.Done = d.Return.Status == string(vocab.SchoolSubmitted) || d.Return.Status == string(vocab.SchoolAccepted)
	d.Overdue = d.Return.Overdue || !d.Done && !deadline.IsZero() && time.Now().After(deadline)
}

func schoolURL(year int) string { return fmt.Sprintf("/school?year=%d", year) }

// saveSchool saves the school's form as its draft, once for the form's key. A form sent with another kind than
// its stages were shown for comes back with that kind's stages to fill in; a refused one keeps what was typed.
func (s *server) saveSchool(w http.ResponseWriter, r *http.Request) {
	year, en := s.yearOf(r), english(r)
	kind := evaluation.Kind(r.PostFormValue("kind"))
	typed := url.Values{}
	for k, v := range r.PostForm {
		if k != "csrf" && k != "idem" {
			typed[k] = v
		}
	}
	f := s.once(r, "school_save", []byte(r.PostForm.Encode()), func(ctx context.Context, _ string) *flash {
		if kind != evaluation.Kind(r.PostFormValue("shown_kind")) && slices.Contains(evaluation.Kinds, kind) {
			return &flash{Form: "school_save", Msg: translate(en, "school_kind_changed")}
		}
		data, malformed := readSchool(r.PostForm, kind)
		var err error
		if len(malformed) > 0 {
			// Nothing is saved; the core still says first whether the person may save at all.
			if _, err = s.opts.Core.SchoolForm(ctx, actor(r), year); err == nil {
				err = malformed.Err()
			}
		} else {
			_, err = s.opts.Core.SaveSchoolDraft(ctx, actor(r), year, data)
		}
		out := result("school_save", err, en, translate(en, "saved"))
		// A problem of a field the form does not show (the school's code, say) is listed instead.
		shown := groupsOf(kind)
		for field, msg := range out.Fields {
			if field == "kind" || field == "stages" || slices.ContainsFunc(shown, func(g figureGroup) bool {
				return g.Path == field || slices.ContainsFunc(g.Inputs, func(in figureInput) bool {
					return in.Name == field
				})
			}) {
				continue
			}
			out.List = append(out.List, field+": "+msg)
			delete(out.Fields, field)
		}
		return out
	})
	if !f.OK {
		f.Text = typed.Encode()
	}
	s.back(w, r, f, schoolURL(year)+"#form")
}

// submitSchool submits the school's saved draft to its district, once for the form's key.
func (s *server) submitSchool(w http.ResponseWriter, r *http.Request) {
	year := s.yearOf(r)
	f := s.once(r, "school_submit", []byte(strconv.Itoa(year)), func(ctx context.Context, key string) *flash {
		_, err := s.opts.Core.SubmitSchool(ctx, actor(r), key, year)
		return result("school_submit", err, english(r), s.t(r, "school_submitted"))
	})
	s.back(w, r, f, schoolURL(year))
}

// districtSchoolsData is a district's schools for a year.
type districtSchoolsData struct {
	Code, Name string
	Rows       []schoolRow
	Counts     []statusCount
	// NotOpen: the district's year is not open; DefaultDeadline is the schools' deadline when none is given.
	NotOpen         bool
	DefaultDeadline time.Time
}

type schoolRow struct {
	usecase.SchoolStatusRow
	KindName string
}

type statusCount struct {
	Status string
	Count  int
}

var schoolStatuses = []vocab.SchoolStatus{vocab.SchoolNotStarted, vocab.SchoolDraft, vocab.SchoolSubmitted,
	vocab.SchoolReturned, vocab.SchoolAccepted}

// districtSchools lists where each school of the district stands, for the district (its own) and the offices
// above it (?code=), with the district's forms to open the year for its schools and to gather their data.
func (s *server) districtSchools(w http.ResponseWriter, r *http.Request) {
	year := s.yearOf(r)
	d := districtSchoolsData{Code: cmp.Or(r.URL.Query().Get("code"), current(r).me.District())}
	rows, err := s.opts.Core.SchoolStatuses(r.Context(), actor(r), year, d.Code)
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	n := map[string]int{}
	for _, row := range rows {
		k := evaluation.Kind(row.Kind)
		d.Rows = append(d.Rows, schoolRow{SchoolStatusRow: row, KindName: pick(english(r), k.NameZh(), k.NameEn())})
		n[row.Status]++
	}
	for _, st := range schoolStatuses {
		d.Counts = append(d.Counts, statusCount{Status: string(st), Count: n[string(st)]})
	}
	switch v, err := s.opts.Core.Cycle(r.Context(), actor(r), year, d.Code); {
	case errors.Is(err, usecase.ErrNotFound):
		d.NotOpen = true
	case err != nil:
		s.coreError(w, r, err)
		return
	default:
		d.Name = v.State.DistrictName
		if sa := v.State.Deadlines.SelfAssessment; !sa.IsZero() {
			d.DefaultDeadline = sa.Add(-usecase.SchoolDeadlineLead)
		}
	}
	s.render(w, r, http.StatusOK, "district_schools", "school_round", year, d)
}

func districtSchoolsURL(year int) string { return fmt.Sprintf("/district/schools?year=%d", year) }

// openSchools opens the year for every registered school of the district, once for the form's key; a blank
// deadline is the core's default.
func (s *server) openSchools(w http.ResponseWriter, r *http.Request) {
	year, en := s.yearOf(r), english(r)
	var malformed usecase.Fields
	deadline := s.opts.Core.When(&malformed, "deadline", r.PostFormValue("deadline"))
	f := s.once(r, "school_open", []byte(r.PostForm.Encode()), func(ctx context.Context, key string) *flash {
		if len(malformed) > 0 { // taken for none, it would open the year with the default deadline
			return result("school_open", malformed.Err(), en, "")
		}
		out, err := s.opts.Core.OpenSchoolRound(ctx, actor(r), key, year, current(r).me.District(), deadline)
		return result("school_open", err, en, fmt.Sprintf(translate(en, "school_opened"), len(out.Opened),
			len(out.Existing)))
	})
	s.back(w, r, f, districtSchoolsURL(year))
}

// assembleSchools gathers the district's self-assessment from its schools' accepted data, once for the form's
// key; a refusal lists the schools not accepted yet.
func (s *server) assembleSchools(w http.ResponseWriter, r *http.Request) {
	year, en := s.yearOf(r), english(r)
	f := s.once(r, "school_assemble", []byte(strconv.Itoa(year)), func(ctx context.Context, key string) *flash {
		_, err := s.opts.Core.AssembleSelfAssessment(ctx, actor(r), key, year, current(r).me.District())
		out := result("school_assemble", err, en, translate(en, "school_assembled"))
		// The page has no fields to show problems beside: each is listed, a school not accepted by its name.
		var e *usecase.Error
		if errors.As(err, &e) {
			for _, p := range e.Fields {
				msg := pick(en, p.MessageZh, p.MessageEn)
				if p.Field != "schools" {
					msg = p.Field + ": " + msg
				}
				out.List = append(out.List, msg)
			}
			out.Fields = nil
		}
		return out
	})
	s.back(w, r, f, districtSchoolsURL(year))
}

// districtSchool is one school's data as its district (or an office above it, with &district=) reads it, with
// the district's decisions.
func (s *server) districtSchool(w http.ResponseWriter, r *http.Request) {
	year, en, q := s.yearOf(r), english(r), r.URL.Query()
	district := cmp.Or(q.Get("district"), current(r).me.District())
	rows, err := s.opts.Core.SchoolStatuses(r.Context(), actor(r), year, district)
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	i := slices.IndexFunc(rows, func(row usecase.SchoolStatusRow) bool { return row.SchoolCode == q.Get("code") })
	if i < 0 {
		s.coreError(w, r, usecase.ErrNotFound)
		return
	}
	row := rows[i]
	d := schoolPage{Review: true, Code: row.SchoolCode, Name: row.SchoolName, District: district, Opened: row.Opened,
		Return: row.SchoolReturn}
	if row.Opened {
		full, err := s.opts.Core.SchoolReturnOf(r.Context(), actor(r), year, row.SchoolCode)
		if err != nil {
			s.coreError(w, r, err)
			return
		}
		d.Return.Data, d.HasData = full.Data, full.Data != nil
	}
	d.setDeadline(row.Deadline)
	values, perStage := valuesOf(d.Return.Data)
	kind := evaluation.Kind(row.Kind)
	if d.HasData {
		kind = d.Return.Data.Kind
	}
	d.Fields = fieldsOf(kind, values, perStage, true, en, "")
	s.render(w, r, http.StatusOK, "school", "school_round", year, d)
}

func districtSchoolURL(year int, code string) string {
	return fmt.Sprintf("/district/school?year=%d&code=%s", year, url.QueryEscape(code))
}

// decideSchool is the district's accept, return (with its reason) or new deadline for one school, once for the
// form's key.
func (s *server) decideSchool(w http.ResponseWriter, r *http.Request) {
	year, en, code := s.yearOf(r), english(r), r.PostFormValue("code")
	core, action := s.opts.Core, r.PathValue("action")
	var malformed usecase.Fields
	var act func(ctx context.Context, key string) error
	switch action {
	case "accept":
		act = func(ctx context.Context, key string) error {
			_, err := core.AcceptSchool(ctx, actor(r), key, year, code)
			return err
		}
	case "return":
		act = func(ctx context.Context, key string) error {
			_, err := core.ReturnSchool(ctx, actor(r), key, year, code, r.PostFormValue("reason"))
			return err
		}
	case "deadline":
		deadline := core.When(&malformed, "deadline", r.PostFormValue("deadline"))
		act = func(ctx context.Context, key string) error {
			_, err := core.SetSchoolDeadline(ctx, actor(r), key, year, code, deadline)
			return err
		}
	default:
		http.NotFound(w, r)
		return
	}
	form := "school_" + action
	f := s.once(r, form, []byte(r.PostForm.Encode()), func(ctx context.Context, key string) *flash {
		err := act(ctx, key)
		// A malformed date goes to the core as none, so that the core still checks first that the person may act
		// on the school; its refusal of no date then gives way to the page's reading of the date.
		var e *usecase.Error
		if errors.As(err, &e) && e.Kind == usecase.Invalid && len(malformed) > 0 {
			err = malformed.Err()
		}
		return result(form, err, en, translate(en, "school_"+action+"_done"))
	})
	s.back(w, r, f, districtSchoolURL(year, code))
}

// enterSchools takes the schools of a workbook the district has just saved as its draft as the district's own
// entry of their data (under the save's key), and says on f what became of them. The draft is saved whatever
// happens here, so a failure is a second message, not the form's outcome.
func (s *server) enterSchools(ctx context.Context, r *http.Request, f *flash, key string, year int,
	district string, in evaluation.Input,
) {
	en := english(r)
	out, err := s.opts.Core.EnterSchoolsFromWorkbook(ctx, actor(r), key, year, district, in)
	if err != nil {
		// A resend of the form shows its first outcome: the way to try again is another upload, not the
		// pending message's resend.
		failed := result(f.Form, err, en, "")
		if failed.Pending {
			failed.Msg = translate(en, "school_busy")
		}
		f.List = append(f.List, fmt.Sprintf(translate(en, "school_enter_failed"), failed.Msg))
		f.List = append(f.List, failed.List...)
		return
	}
	f.List = append(f.List, fmt.Sprintf(translate(en, "school_entered"), len(out.Entered), len(out.Kept),
		len(out.Skipped)))
}
