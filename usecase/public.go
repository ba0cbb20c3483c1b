package usecase

import (
	"context"
	"time"

	"junheng/progress"
)

// PublicSummary is what the city publishes (以适当方式公布监测结果) under pub, the deployment's choice: nothing
// (NotFound) unless pub is enabled, and then each year's results as the office accepted them, never a version a
// district submitted since. It takes no actor: anyone may read it.
func (c *Core) PublicSummary(ctx context.Context, pub progress.Publication) (progress.PublicSummary, error) {
	if !pub.Enabled {
		return progress.PublicSummary{}, ErrNotFound
	}
	first, last, err := c.store.CycleYears(ctx)
	if err != nil {
		return progress.PublicSummary{}, err
	}
	var years []int
	if last > 0 {
		years = yearsFrom(first, last)
	}
	ds, err := c.publishedYears(ctx, first, last)
	if err != nil {
		return progress.PublicSummary{}, err
	}
	return progress.Publish(pub, ds, years, c.province.Progress, time.Now().In(c.loc)), nil
}
