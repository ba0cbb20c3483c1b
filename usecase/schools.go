package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"junheng/evaluation"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// Schools fill in their own data (学校填报) and their district checks and gathers it (区县审核汇总). A save is a
// plain database write (school_drafts); submit, accept, return, the district's own entry and a new deadline are
// Updates of the school's own workflow (vocab.SchoolID), so that 200 schools saving and submitting on a deadline
// day stay within Temporal's limits per workflow (10 Updates in flight, 2,000 per run) and saves cost no workflow
// work. A school's actor has the school role and its school's code as unit.

// maxSchoolReason bounds a return's reason, in characters, as the workflow does.
const maxSchoolReason = 500

var (
	errNotOpened = &Error{Kind: Refused, MessageZh: "本年度学校数据填报尚未开始(区县尚未开启)",
		MessageEn: "the district has not opened this year's school data entry"}
	errSchoolLocked = &Error{Kind: Refused, MessageZh: "本校数据已提交或已审核通过, 不能再修改",
		MessageEn: "the school's data is submitted or accepted: it no longer changes"}
	errNoSchoolDraft = &Error{Kind: Refused, MessageZh: "尚未保存本校数据, 不能提交",
		MessageEn: "no data has been saved for the school: nothing to submit"}
)

// SchoolFormView is a school's own data for a year as the school sees it: where it stands, the deadline, the
// district's reason for a return, what it submitted and its draft.
type SchoolFormView struct {
	School store.School `json:"school"`
	Year   int          `json:"year"`
	// Opened: the district has opened the year for the school; until then there is nothing to fill in.
	Opened   bool               `json:"opened"`
	Status   vocab.SchoolStatus `json:"status"`
	Deadline time.Time          `json:"deadline,omitzero"`
	// Return is the return as mirrored (reason, late, overdue, what was submitted or entered); nil before opened.
	Return *store.SchoolReturn `json:"return,omitempty"`
	Draft  *store.SchoolDraft  `json:"draft,omitempty"`
}

// SchoolForm is the school's own data for year, for the school's actor.
func (c *Core) SchoolForm(ctx context.Context, a Actor, year int) (SchoolFormView, error) {
	v := SchoolFormView{Year: year, Status: vocab.SchoolNotStarted}
	sc, err := c.ownSchool(ctx, a)
	if err != nil {
		return v, err
	}
	v.School = sc
	switch r, err := c.store.SchoolReturn(ctx, year, sc.Code); {
	case err == nil:
		v.Opened, v.Status, v.Deadline, v.Return = true, vocab.SchoolStatus(r.Status), r.Deadline, &r
	case !errors.Is(err, store.ErrNotFound):
		return v, err
	}
	switch d, err := c.store.SchoolDraft(ctx, year, sc.Code); {
	case err == nil:
		v.Draft = &d
	case !errors.Is(err, store.ErrNotFound):
		return v, err
	}
	return v, nil
}

// SaveSchoolDraft saves the school's data for year as its draft, checked as the evaluation checks a school. Only
// the school's own data: another school's code is not found. Refused before the district opens the year and once
// the data is submitted or accepted.
func (c *Core) SaveSchoolDraft(ctx context.Context, a Actor, year int, data evaluation.School,
) (_ store.SchoolDraft, err error) {
	var district, target string
	defer func() { c.refused(ctx, a, "save_school_draft", district, target, &err) }()
	var d store.SchoolDraft
	sc, err := c.ownSchool(ctx, a)
	if err != nil {
		return d, err
	}
	district, target = sc.DistrictCode, vocab.SchoolID(year, sc.DistrictCode, sc.Code)
	if data.Code != "" && data.Code != sc.Code {
		return d, ErrNotFound
	}
	if data, err = c.schoolData(year, sc, data); err != nil {
		return d, err
	}
	d = store.SchoolDraft{Year: year, SchoolCode: sc.Code, DistrictCode: sc.DistrictCode, Data: data,
		EnteredBy: a.Name, UpdatedAt: time.Now().UTC()}
	switch err := c.store.SaveSchoolDraft(ctx, &d, a.event("save_school_draft", district, target)); {
	case errors.Is(err, store.ErrNotFound):
		return d, errNotOpened
	case errors.Is(err, store.ErrSchoolLocked):
		return d, errSchoolLocked
	case err != nil:
		return d, err
	}
	return d, nil
}

// SubmitSchool submits the school's draft for year to its district.
func (c *Core) SubmitSchool(ctx context.Context, a Actor, key string, year int) (_ workflows.SchoolState, err error) {
	var district, target string
	defer func() { c.refused(ctx, a, "submit_school", district, target, &err) }()
	var st workflows.SchoolState
	sc, err := c.ownSchool(ctx, a)
	if err != nil {
		return st, err
	}
	district, target = sc.DistrictCode, vocab.SchoolID(year, sc.DistrictCode, sc.Code)
	if _, err := c.schoolReturn(ctx, year, sc.Code); err != nil {
		return st, err
	}
	if _, err := c.store.SchoolDraft(ctx, year, sc.Code); errors.Is(err, store.ErrNotFound) {
		return st, errNoSchoolDraft
	} else if err != nil {
		return st, err
	}
	w := a.workflow()
	w.District = sc.DistrictCode
	return st, c.act(ctx, a, key, target, workflows.UpdateSubmitSchool, workflows.SchoolInput{Actor: w}, &st)
}

// AcceptSchool accepts a school's submitted data for year.
func (c *Core) AcceptSchool(ctx context.Context, a Actor, key string, year int, school string,
) (workflows.SchoolState, error) {
	return c.schoolDecision(ctx, a, key, "accept_school", year, school, workflows.UpdateAcceptSchool,
		func(_ store.School, w vocab.Actor) (any, error) { return workflows.SchoolInput{Actor: w}, nil })
}

// ReturnSchool returns a school's submitted data for year with the reason, for the school to correct.
func (c *Core) ReturnSchool(ctx context.Context, a Actor, key string, year int, school, reason string,
) (workflows.SchoolState, error) {
	return c.schoolDecision(ctx, a, key, "return_school", year, school, workflows.UpdateReturnSchool,
		func(_ store.School, w vocab.Actor) (any, error) {
			var f Fields
			f.Required("reason", reason)
			if n := len([]rune(reason)); n > maxSchoolReason {
				f.Add("reason", fmt.Sprintf("理由不超过 %d 字(现为 %d 字)", maxSchoolReason, n),
					fmt.Sprintf("reason is longer than %d characters (%d)", maxSchoolReason, n))
			}
			return workflows.SchoolReturnInput{Actor: w, Reason: reason}, f.Err()
		})
}

// SetSchoolDeadline gives a school a new deadline for year; its reminders start over from it.
func (c *Core) SetSchoolDeadline(ctx context.Context, a Actor, key string, year int, school string,
	deadline time.Time,
) (workflows.SchoolState, error) {
	return c.schoolDecision(ctx, a, key, "set_school_deadline", year, school, workflows.UpdateSetSchoolDeadline,
		func(_ store.School, w vocab.Actor) (any, error) {
			var f Fields
			if !deadline.After(time.Now()) {
				f.Add("deadline", "截止时间须晚于现在", "the deadline must be in the future")
			}
			return workflows.SchoolDeadlineInput{Actor: w, Deadline: deadline}, f.Err()
		})
}

// EnterSchool enters a school's data for year from the district's own records, for a school that has not
// submitted (or whose data was returned): the data counts as accepted, marked entered by the district.
func (c *Core) EnterSchool(ctx context.Context, a Actor, key string, year int, school string,
	data evaluation.School,
) (workflows.SchoolState, error) {
	return c.schoolDecision(ctx, a, key, "enter_school", year, school, workflows.UpdateEnterSchool,
		func(sc store.School, w vocab.Actor) (any, error) {
			data, err := c.schoolData(year, sc, data)
			return workflows.SchoolEntryInput{Actor: w, Data: data}, err
		})
}

// schoolDecision runs a district's Update name on a school's return: the school must be of a district the
// district's actor reaches, its year open, and input (given the school and the workflow's actor) valid.
func (c *Core) schoolDecision(ctx context.Context, a Actor, key, action string, year int, school, name string,
	input func(store.School, vocab.Actor) (any, error),
) (_ workflows.SchoolState, err error) {
	district, target := "", ""
	defer func() { c.refused(ctx, a, action, district, target, &err) }()
	var st workflows.SchoolState
	if err := c.may(ctx, a, "", vocab.RoleDistrict); err != nil {
		return st, err
	}
	sc, err := c.store.School(ctx, school)
	if errors.Is(err, store.ErrNotFound) {
		return st, ErrNotFound
	} else if err != nil {
		return st, err
	}
	district, target = sc.DistrictCode, vocab.SchoolID(year, sc.DistrictCode, sc.Code)
	if err := c.may(ctx, a, sc.DistrictCode, vocab.RoleDistrict); err != nil {
		return st, err
	}
	arg, err := input(sc, a.workflow())
	if err != nil {
		return st, err
	}
	if _, err := c.schoolReturn(ctx, year, sc.Code); err != nil {
		return st, err
	}
	return st, c.act(ctx, a, key, target, name, arg, &st)
}

// SchoolStatusRow is one registered school's return in its district's list.
type SchoolStatusRow struct {
	// SchoolReturn is the return as mirrored, without its data; not started and without a deadline while the
	// district has not opened the year for the school (Opened).
	store.SchoolReturn
	SchoolName string `json:"school_name"`
	Kind       string `json:"kind,omitempty"`
	Opened     bool   `json:"opened"`
}

// SchoolStatuses lists where each school of a district stands for year, by school code: for the district and
// the offices above it.
func (c *Core) SchoolStatuses(ctx context.Context, a Actor, year int, district string) ([]SchoolStatusRow, error) {
	if err := c.may(ctx, a, district, schoolReaders...); err != nil {
		return nil, err
	}
	schools, err := c.store.Schools(ctx, district)
	if err != nil {
		return nil, err
	}
	returns, err := c.store.SchoolReturns(ctx, year, district)
	if err != nil {
		return nil, err
	}
	rows := make([]SchoolStatusRow, 0, len(schools))
	for _, sc := range schools {
		row := SchoolStatusRow{SchoolReturn: store.SchoolReturn{Year: year, SchoolCode: sc.Code, DistrictCode: district,
			Status: string(vocab.SchoolNotStarted)}, SchoolName: sc.Name, Kind: sc.Kind}
		if i := slices.IndexFunc(returns, func(r store.SchoolReturn) bool { return r.SchoolCode == sc.Code }); i >= 0 {
			row.SchoolReturn, row.Opened = returns[i], true
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// schoolReaders read the schools' returns of the districts they reach.
var schoolReaders = []vocab.Role{vocab.RoleDistrict, vocab.RoleOffice, vocab.RoleProvince, vocab.RoleAdmin}

// SchoolReturnOf is one school's return for year with its data, for its district and the offices above it;
// ErrNotFound before the district opens the year for the school.
func (c *Core) SchoolReturnOf(ctx context.Context, a Actor, year int, school string) (store.SchoolReturn, error) {
	sc, err := c.store.School(ctx, school)
	if err == nil {
		err = c.may(ctx, a, sc.DistrictCode, schoolReaders...)
	}
	var r store.SchoolReturn
	if err == nil {
		r, err = c.store.SchoolReturn(ctx, year, school)
	}
	if errors.Is(err, store.ErrNotFound) {
		return r, ErrNotFound
	}
	return r, err
}

// ownSchool is the school of a school's actor.
func (c *Core) ownSchool(ctx context.Context, a Actor) (store.School, error) {
	if a.Role != vocab.RoleSchool {
		return store.School{}, ErrForbidden
	}
	sc, err := c.store.School(ctx, a.Unit)
	if errors.Is(err, store.ErrNotFound) {
		return sc, ErrNotFound
	}
	return sc, err
}

// schoolReturn is a school's return for year, refused while the district has not opened the year for it.
func (c *Core) schoolReturn(ctx context.Context, year int, school string) (store.SchoolReturn, error) {
	r, err := c.store.SchoolReturn(ctx, year, school)
	if errors.Is(err, store.ErrNotFound) {
		return r, errNotOpened
	}
	return r, err
}

// schoolData fills what a school's data leaves blank from the registry (code, name, kind), then checks it as the
// evaluation checks a school in a self-assessment, naming each field within the school (stages.primary.students).
func (c *Core) schoolData(year int, sc store.School, data evaluation.School) (evaluation.School, error) {
	if data.Code == "" {
		data.Code = sc.Code
	}
	if data.Name == "" {
		data.Name = sc.Name
	}
	if data.Kind == "" {
		data.Kind = evaluation.Kind(sc.Kind)
	}
	var f Fields
	if data.Code != sc.Code {
		f.Add("code", "学校代码应为 "+sc.Code, "code must be "+sc.Code)
	}
	in := evaluation.Input{District: evaluation.District{Code: sc.DistrictCode, Name: sc.DistrictCode}, Year: year,
		Schools: []evaluation.School{data}}
	var ie *evaluation.InputError
	if errors.As(evaluation.Validate(in, c.profile), &ie) {
		for _, p := range ie.Problems {
			if rest, ok := strings.CutPrefix(p.Field, "schools[0]"); ok {
				p.Field = strings.TrimPrefix(rest, ".")
				f = append(f, p)
			}
		}
	}
	return data, f.Err()
}
