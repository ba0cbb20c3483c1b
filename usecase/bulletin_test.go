package usecase

import (
	"context"
	"junheng/vocab"
	"slices"
	"testing"
)

// TestBulletin: the bulletin is for those who oversee the city, not for a district, even of its own year; a year
// not opened is not there. It counts the certified district as meeting, and shows each district's shortfalls of
// its newest submission.
func TestBulletin(t *testing.T) {
	c := reportsCore(t)
	ctx := context.Background()
	if _, err := c.Bulletin(ctx, Actor{Role: vocab.RoleDistrict, Unit: "370211"}, 2025); kindOf(err) !=
		Forbidden {
		t.Errorf("a district reads the bulletin: %v", err)
	}
	if _, err := c.Bulletin(ctx, Actor{Role: vocab.RoleOffice}, 2024); kindOf(err) != NotFound {
		t.Errorf("the bulletin of a year not opened: %v", err)
	}
	b, err := c.Bulletin(ctx, Actor{Role: vocab.RoleProvince}, 2025)
	if err != nil || b.Year != 2025 || b.Districts != 2 || b.Certified != 1 || b.Meeting != 2 ||
		b.Stages["rectification"] != 1 || len(b.Rows) != 2 {
		t.Fatalf("the bulletin: %+v %v", b, err)
	}
	for _, r := range b.Rows {
		if r.District == "370211" && (!slices.Equal(r.ShortIndicators, []string{"a"}) || r.Findings.Overdue != 1) {
			t.Errorf("370211's row: %+v", r)
		}
	}
}
