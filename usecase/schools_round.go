package usecase

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"junheng/evaluation"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// SchoolDeadlineLead is how long before the district's self-assessment deadline its schools' data is due by
// default: time for the district to check, return and gather it.
const SchoolDeadlineLead = 15 * 24 * time.Hour

// SchoolRoundOpened is a district's year opened for its schools: the deadline, the schools whose workflow this
// call started and those started before.
type SchoolRoundOpened struct {
	Year     int       `json:"year"`
	District string    `json:"district"`
	Deadline time.Time `json:"deadline"`
	Opened   []string  `json:"opened"`
	Existing []string  `json:"existing"`
}

// OpenSchoolRound opens year for every registered school of the district: each school's workflow is started once,
// claimed in the database for good (as OpenYear claims districts), so a retry, with any key, starts nothing
// twice, and a school registered later gets its own when the district opens the year again. deadline zero is
// SchoolDeadlineLead before the district's self-assessment deadline.
func (c *Core) OpenSchoolRound(ctx context.Context, a Actor, key string, year int, district string,
	deadline time.Time,
) (_ SchoolRoundOpened, err error) {
	defer c.refused(ctx, a, "open_school_round", district, vocab.CycleID(year, district), &err)
	out := SchoolRoundOpened{Year: year, District: district, Opened: []string{}, Existing: []string{}}
	cy, err := c.cycle(ctx, a, year, district, vocab.RoleDistrict)
	if err != nil {
		return out, err
	}
	if deadline.IsZero() {
		deadline = cy.SelfAssessmentDeadline.Add(-SchoolDeadlineLead)
	}
	out.Deadline = deadline
	if !deadline.After(time.Now()) {
		return out, InvalidInput(evaluation.Problem{Field: "deadline", MessageZh: "学校填报截止时间须晚于现在",
			MessageEn: "the schools' deadline must be in the future"})
	}
	dist, schools, err := c.districtSchools(ctx, district)
	if err != nil {
		return out, err
	}
	if len(schools) == 0 {
		return out, &Error{Kind: Refused, MessageZh: "本区县尚未登记学校", MessageEn: "the district has no schools registered"}
	}
	if err := c.temporalUp(ctx); err != nil {
		return out, err
	}
	codes := make([]string, len(schools))
	for i, sc := range schools {
		codes[i] = sc.Code
	}
	unstarted, err := c.store.ClaimSchoolReturns(ctx, year, district, codes, deadline)
	if err != nil {
		return out, err
	}
	policy := c.rulesOf(dist.CityCode).Policy
	names := make(map[string]string, len(schools))
	for _, sc := range schools {
		names[sc.Code] = sc.Name
	}
	out.Opened, out.Existing, err = startClaimed(ctx, codes, unstarted, func(ctx context.Context, code string) (
		bool, error,
	) {
		return c.startSchool(ctx, workflows.SchoolParams{Year: year, District: district, DistrictName: dist.Name,
			School: code, SchoolName: names[code], Deadline: deadline, Reminders: policy.DistrictReminders,
			OpenedBy: a.workflow()})
	})
	return out, err
}

// startSchool starts a school's claimed workflow and marks the claim started, also when Temporal already runs
// it (an earlier attempt got that far).
func (c *Core) startSchool(ctx context.Context, p workflows.SchoolParams) (bool, error) {
	started, err := c.startOnce(ctx, vocab.SchoolID(p.Year, p.District, p.School), workflows.WorkflowSchoolReturn, p)
	if err != nil {
		return false, err
	}
	return started, c.store.SchoolReturnStarted(ctx, p.Year, p.School)
}

// AssembleSelfAssessment gathers the district's self-assessment for year from its schools' accepted data and
// the district-level parts of its latest draft (government, quality, recognition, vetoes, the certification year,
// the 2012 conditions), and saves it as a new draft, evaluated and recorded like any (SaveDraft). Refused, naming
// them, while a registered school's data is not accepted.
func (c *Core) AssembleSelfAssessment(ctx context.Context, a Actor, key string, year int, district string,
) (_ DraftSaved, err error) {
	defer func() {
		if !Audited(err) { // a refusal of SaveDraft is in the trail already
			c.refused(ctx, a, "assemble_self_assessment", district, vocab.CycleID(year, district), &err)
		}
	}()
	var out DraftSaved
	if _, err := c.cycle(ctx, a, year, district, vocab.RoleDistrict); err != nil {
		return out, err
	}
	dist, schools, err := c.districtSchools(ctx, district)
	if err != nil {
		return out, err
	}
	accepted, err := c.store.SchoolReturnsIn(ctx, year, district, vocab.SchoolAccepted)
	if err != nil {
		return out, err
	}
	in := evaluation.Input{District: evaluation.District{Code: district, Name: dist.Name}, Year: year}
	var f Fields
	if len(schools) == 0 {
		f.Add("schools", "本区县尚未登记学校", "the district has no schools registered")
	}
	for _, sc := range schools {
		i := slices.IndexFunc(accepted, func(r store.SchoolReturn) bool { return r.SchoolCode == sc.Code })
		if i < 0 || accepted[i].Data == nil {
			f.Add("schools", fmt.Sprintf("学校 %s(%s)的数据尚未审核通过", sc.Name, sc.Code),
				fmt.Sprintf("the data of school %s (%s) is not accepted yet", sc.Name, sc.Code))
			continue
		}
		in.Schools = append(in.Schools, *accepted[i].Data)
	}
	if err := f.Err(); err != nil {
		return out, err
	}
	switch base, err := c.LatestDraft(ctx, a, year, district); {
	case err == nil:
		d := base.Data
		in.District.Name = cmp.Or(d.District.Name, in.District.Name)
		in.Government, in.Quality, in.RecognitionRate, in.Vetoes = d.Government, d.Quality, d.RecognitionRate, d.Vetoes
		in.BasicBalanceCertifiedYear, in.Basic2012 = d.BasicBalanceCertifiedYear, d.Basic2012
	case !errors.Is(err, ErrNotFound):
		return out, err
	}
	return c.SaveDraft(ctx, a, key, year, district, in)
}

// WithSchoolsOwnData is the district's workbook in with the rows of each school whose own data is submitted or
// accepted replaced by that data: a school's own submission stands over the district's figures for it, in the
// district's draft as in the school's return. The faces call it before saving a workbook (SaveDraft), and enter
// the other schools after (EnterSchoolsFromWorkbook).
func (c *Core) WithSchoolsOwnData(ctx context.Context, a Actor, year int, district string, in evaluation.Input,
) (evaluation.Input, error) {
	if err := c.may(ctx, a, district, vocab.RoleDistrict); err != nil {
		return in, err
	}
	own, err := c.store.SchoolReturnsIn(ctx, year, district, vocab.SchoolSubmitted, vocab.SchoolAccepted)
	if err != nil {
		return in, err
	}
	in.Schools = slices.Clone(in.Schools)
	for i, sc := range in.Schools {
		j := slices.IndexFunc(own, func(r store.SchoolReturn) bool { return r.SchoolCode == sc.Code })
		if j >= 0 && own[j].Data != nil {
			in.Schools[i] = *own[j].Data
		}
	}
	return in, nil
}

// SchoolsEntered says what became of each school of a workbook the district entered.
type SchoolsEntered struct {
	Entered []string `json:"entered"` // taken as the district's entry, accepted
	Kept    []string `json:"kept"`    // the school's own data is submitted or accepted: it stands
	Skipped []string `json:"skipped"` // not a registered school of the district, or its year is not open
}

// EnterSchoolsFromWorkbook enters, after the district has saved a whole workbook as its draft, each school of it
// whose own data is not submitted or accepted (enter_school), so that the schools the district filled in itself
// count as accepted. Each school's Update has its own key derived from key, so a retry enters each once.
func (c *Core) EnterSchoolsFromWorkbook(ctx context.Context, a Actor, key string, year int, district string,
	in evaluation.Input,
) (_ SchoolsEntered, err error) {
	defer c.refused(ctx, a, "enter_schools", district, vocab.CycleID(year, district), &err)
	out := SchoolsEntered{Entered: []string{}, Kept: []string{}, Skipped: []string{}}
	if err := c.may(ctx, a, district, vocab.RoleDistrict); err != nil {
		return out, err
	}
	if err := inputError(evaluation.Validate(in, c.profile)); err != nil {
		return out, err
	}
	schools, err := c.store.Schools(ctx, district)
	if err != nil {
		return out, err
	}
	returns, err := c.store.SchoolReturns(ctx, year, district)
	if err != nil {
		return out, err
	}
	status := make(map[string]vocab.SchoolStatus, len(returns))
	for _, r := range returns {
		status[r.SchoolCode] = vocab.SchoolStatus(r.Status)
	}
	var mu sync.Mutex
	add := func(list *[]string, code string) {
		mu.Lock()
		defer mu.Unlock()
		*list = append(*list, code)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, data := range in.Schools {
		st, opened := status[data.Code]
		registered := slices.ContainsFunc(schools, func(s store.School) bool { return s.Code == data.Code })
		switch {
		case !registered || !opened:
			add(&out.Skipped, data.Code)
			continue
		case st == vocab.SchoolSubmitted || st == vocab.SchoolAccepted:
			add(&out.Kept, data.Code)
			continue
		}
		g.Go(func() error {
			var res workflows.SchoolState
			err := c.act(gctx, a, schoolKey(key, data.Code), vocab.SchoolID(year, district, data.Code),
				workflows.UpdateEnterSchool, workflows.SchoolEntryInput{Actor: a.workflow(), Data: data}, &res)
			var e *Error
			switch {
			case err == nil:
				add(&out.Entered, data.Code)
			case errors.As(err, &e) && (e.Kind == Refused || e.Kind == Ended):
				add(&out.Kept, data.Code) // the school submitted, or was accepted, meanwhile
			default:
				return err
			}
			return nil
		})
	}
	err = g.Wait()
	for _, l := range []*[]string{&out.Entered, &out.Kept, &out.Skipped} {
		slices.Sort(*l)
	}
	return out, err
}

// schoolKey is the key of one school's Update within an action on many under key.
func schoolKey(key, school string) string {
	if key == "" {
		return ""
	}
	return key + ":" + school
}

// districtSchools is a district with its registered schools.
func (c *Core) districtSchools(ctx context.Context, district string) (store.District, []store.School, error) {
	dist, err := c.store.District(ctx, district)
	if err != nil {
		return dist, nil, err
	}
	schools, err := c.store.Schools(ctx, district)
	return dist, schools, err
}
