package usecase

import (
	"context"
	"encoding/json"
	"errors"

	"junheng/store"
	"junheng/workflows"
)

// CycleView is one district's year: the workflow state as mirrored, the evaluation of the latest submission,
// its findings (with open ones carried over from earlier years) and its history.
type CycleView struct {
	State      workflows.CycleState `json:"state"`
	Evaluation json.RawMessage      `json:"evaluation,omitempty"`
	Findings   []store.Finding      `json:"findings"`
	History    []store.AuditEvent   `json:"history"`
}

// Cycle is a district's year as a may see it.
func (c *Core) Cycle(ctx context.Context, a Actor, year int, district string) (CycleView, error) {
	var v CycleView
	cy, err := c.cycle(ctx, a, year, district)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(cy.State), &v.State); err != nil {
		return v, err
	}
	if sub, err := c.store.LatestSubmission(ctx, year, district); err == nil {
		v.Evaluation = json.RawMessage(sub.Evaluation)
	} else if !errors.Is(err, store.ErrNotFound) {
		return v, err
	}
	if v.Findings, _, err = c.store.Findings(ctx,
		store.FindingFilter{Year: year, District: district, OpenFromEarlier: true}); err != nil {
		return v, err
	}
	v.History, err = c.History(ctx, a, workflows.CycleID(year, district))
	return v, err
}

// History is a cycle's or a finding's audit trail, whose target a may see. A district sees the changes made, not
// the attempts others were refused (which would name who probed its data).
func (c *Core) History(ctx context.Context, a Actor, target string) ([]store.AuditEvent, error) {
	f := store.AuditFilter{Target: target, Limit: 500}
	if a.Role == workflows.RoleDistrict {
		f.Outcome = "ok"
	}
	return c.store.Audit(ctx, f)
}

// cycle loads a district's year for a, who must have one of roles (none: any) and see the district.
func (c *Core) cycle(ctx context.Context, a Actor, year int, district string, roles ...workflows.Role,
) (store.Cycle, error) {
	if err := a.may(district, roles...); err != nil {
		return store.Cycle{}, err
	}
	cy, err := c.store.Cycle(ctx, year, district)
	if errors.Is(err, store.ErrNotFound) {
		return cy, ErrNotFound
	}
	return cy, err
}

// cycleAction runs Update name on a district's year for a, who must have role, and answers the new state.
func (c *Core) cycleAction(ctx context.Context, a Actor, key string, year int, district string, role workflows.Role,
	name string, arg any,
) (workflows.CycleState, error) {
	var st workflows.CycleState
	if _, err := c.cycle(ctx, a, year, district, role); err != nil {
		return st, err
	}
	return st, c.Act(ctx, a, key, workflows.CycleID(year, district), name, arg, &st)
}

// Submit submits the district's latest draft as an immutable version.
func (c *Core) Submit(ctx context.Context, a Actor, key string, year int, district string,
) (workflows.CycleState, error) {
	return c.cycleAction(ctx, a, key, year, district, workflows.RoleDistrict, workflows.UpdateSubmit,
		workflows.SubmitInput{Actor: a.workflow()})
}

// Apply applies for certification.
func (c *Core) Apply(ctx context.Context, a Actor, key string, year int, district string,
) (workflows.CycleState, error) {
	return c.cycleAction(ctx, a, key, year, district, workflows.RoleDistrict, workflows.UpdateApply,
		workflows.ApplyInput{Actor: a.workflow()})
}
