package usecase

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// OpenYear is a year to open, with the deadlines that override the calendar's.
type OpenYear struct {
	Year int
	// Deadlines overrides the calendar's: each zero one is the calendar's.
	Deadlines workflows.Deadlines
	// Malformed is what the face could not read (a date), answered with the core's own problems.
	Malformed Fields
}

// YearOpened is an opened year: its deadlines, the districts whose year this call started and those whose year
// had been started before.
type YearOpened struct {
	Year      int                 `json:"year"`
	Deadlines workflows.Deadlines `json:"deadlines"`
	Opened    []string            `json:"opened"`
	Existing  []string            `json:"existing"`
}

// deadlines are the year's deadlines by cal, where in does not set its own.
func (in OpenYear) deadlines(cal workflows.Calendar, loc *time.Location) workflows.Deadlines {
	d, o := cal.Deadlines(in.Year, loc), in.Deadlines
	return workflows.Deadlines{SelfAssessment: cmp.Or(o.SelfAssessment, d.SelfAssessment),
		CityReview: cmp.Or(o.CityReview, d.CityReview), Application: cmp.Or(o.Application, d.Application)}
}

// OpenYear starts the year's cycle for every registered district the office reaches. Opening a year is claimed
// per district in the database, for good: a district whose year was started is listed as existing and never
// started again, even once Temporal has forgotten the finished run (namespace retention); a district added since
// gets its year. It starts workflows rather than sending Updates: the claims, not a key, make a retry safe.
func (c *Core) OpenYear(ctx context.Context, a Actor, in OpenYear) (_ YearOpened, err error) {
	defer c.refused(ctx, a, "open_cycles", "", "", &err)
	var out YearOpened
	if err := c.may(ctx, a, "", vocab.RoleOffice); err != nil {
		return out, err
	}
	var f Fields
	if in.Year < 2000 || in.Year > 2200 {
		f.Add("year", "年度无效", "year is out of range")
	}
	f = append(f, in.Malformed...)
	districts, err := c.store.Districts(ctx, a.Unit)
	if err != nil {
		return out, err
	}
	// Each district's year opens with its city's rules, frozen in its parameters from then on.
	deadlines := map[string]workflows.Deadlines{a.Unit: in.deadlines(c.rulesOf(a.Unit).Calendar, c.loc)}
	for _, dist := range districts {
		deadlines[dist.CityCode] = in.deadlines(c.rulesOf(dist.CityCode).Calendar, c.loc)
	}
	for _, d := range deadlines {
		if !d.SelfAssessment.Before(d.CityReview) || !d.CityReview.Before(d.Application) {
			f.Add("deadlines", "截止时间须依次为: 自评 < 市级评估 < 申请认定",
				"deadlines must run self_assessment < city_review < application")
			break
		}
	}
	if err := f.Err(); err != nil {
		return out, err
	}
	if err := c.temporalUp(ctx); err != nil {
		return out, err
	}
	codes := make([]string, len(districts))
	for i, dist := range districts {
		codes[i] = dist.Code
	}
	unstarted, err := c.store.ClaimCycles(ctx, in.Year, codes)
	if err != nil {
		return out, err
	}
	out = YearOpened{Year: in.Year, Deadlines: deadlines[a.Unit]}
	byCode := make(map[string]store.District, len(districts))
	for _, dist := range districts {
		byCode[dist.Code] = dist
	}
	out.Opened, out.Existing, err = startClaimed(ctx, codes, unstarted, func(ctx context.Context, code string) (
		bool, error,
	) {
		dist := byCode[code]
		return c.startCycle(ctx, workflows.CycleParams{Year: in.Year, District: dist.Code, DistrictName: dist.Name,
			City: dist.CityCode, Deadlines: deadlines[dist.CityCode], Policy: c.rulesOf(dist.CityCode).Policy})
	})
	return out, err
}

// startClaimed starts, a few at a time within ActionTimeout, the workflows of the codes whose claims are not
// marked started (start answers whether it started one rather than found it running), and sorts every code into
// those opened now and those that existed.
func startClaimed(ctx context.Context, codes, unstarted []string,
	start func(context.Context, string) (bool, error),
) (opened, existing []string, err error) {
	opened, existing = []string{}, []string{}
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(ctx, ActionTimeout)
	defer cancel()
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, code := range codes {
		if !slices.Contains(unstarted, code) {
			existing = append(existing, code)
			continue
		}
		g.Go(func() error {
			started, err := start(ctx, code)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if started {
				opened = append(opened, code)
			} else {
				existing = append(existing, code)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return opened, existing, WorkflowError(err)
	}
	slices.Sort(opened)
	slices.Sort(existing)
	return opened, existing, nil
}

// startOnce starts workflow id unless Temporal has run it before: false when it already runs or ran.
func (c *Core) startOnce(ctx context.Context, id, workflow string, params any) (bool, error) {
	_, err := c.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       id,
		TaskQueue:                                workflows.TaskQueue,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflow, params)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return false, nil
	}
	return err == nil, err
}

// startCycle starts a district's claimed year and marks the claim started, also when Temporal already runs it (an
// earlier attempt got that far). It shows the year in the read model at once, so that the district can see and
// use it as soon as the office has opened it.
func (c *Core) startCycle(ctx context.Context, p workflows.CycleParams) (bool, error) {
	started, err := c.startOnce(ctx, vocab.CycleID(p.Year, p.District), workflows.WorkflowDistrictCycle, p)
	if err != nil {
		return false, err
	}
	if err := c.store.CycleStarted(ctx, p.Year, p.District); err != nil {
		return false, err
	}
	if !started {
		return false, nil
	}
	row := store.CycleOf(workflows.CycleState{Year: p.Year, District: p.District, DistrictName: p.DistrictName,
		Stage: vocab.StageSelfAssessment, Deadlines: p.Deadlines})
	return true, c.store.OpenCycle(ctx, row)
}
