package usecase

import (
	"context"
	"testing"

	"junheng/progress"
)

// TestPublicSummary: nothing is published unless the deployment enables it; then each year's result is the one
// the office accepted, not a version a district submitted since.
func TestPublicSummary(t *testing.T) {
	c := reportsCore(t)
	ctx := context.Background()
	if _, err := c.PublicSummary(ctx, progress.Publication{Title: "示范市"}); kindOf(err) != NotFound {
		t.Errorf("a publication not enabled: %v", err)
	}
	s, err := c.PublicSummary(ctx, progress.Publication{Enabled: true, Title: "示范市",
		Sections: []string{progress.SectionDistrictResults}})
	if err != nil || s.Title != "示范市" || len(s.Results) != 2 {
		t.Fatalf("the public summary: %+v %v", s, err)
	}
	for _, r := range s.Results {
		if r.Name == "黄岛区" && r.Meets {
			t.Errorf("黄岛区 is published as its version submitted since: %+v", r)
		}
	}
}
