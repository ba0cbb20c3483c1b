package usecase

import (
	"context"
	"encoding/json"
	"fmt"

	"junheng/evaluation"
)

// Evaluations are the evaluations of each district's newest submission of a year that a may see (a district its
// own), by district code: the office's charts of the year. One query, whatever the number of districts.
func (c *Core) Evaluations(ctx context.Context, a Actor, year int) (map[string]*evaluation.Result, error) {
	stored, err := c.store.LatestEvaluations(ctx, year)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*evaluation.Result, len(stored))
	for code, data := range stored {
		if a.Sees(code) != nil {
			continue
		}
		res := new(evaluation.Result)
		if err := json.Unmarshal([]byte(data), res); err != nil {
			return nil, fmt.Errorf("evaluation of %d/%s: %w", year, code, err)
		}
		out[code] = res
	}
	return out, nil
}
