package usecase

import (
	"context"
	"maps"

	"junheng/evaluation"
	"junheng/vocab"
)

// Evaluations are the evaluations of each district's newest submission of a year that a may see (a district its
// own), by district code: the office's charts of the year. One query, whatever the number of districts.
func (c *Core) Evaluations(ctx context.Context, a Actor, year int) (map[string]*evaluation.Result, error) {
	out, err := c.store.LatestEvaluations(ctx, year)
	if err != nil {
		return nil, err
	}
	switch unit, err := a.reach(); {
	case err != nil || unit == "":
		return out, err
	case a.Role == vocab.RoleDistrict:
		maps.DeleteFunc(out, func(code string, _ *evaluation.Result) bool { return code != unit })
		return out, nil
	}
	names, err := c.reachable(ctx, a)
	maps.DeleteFunc(out, func(code string, _ *evaluation.Result) bool { _, ok := names[code]; return !ok })
	return out, err
}
