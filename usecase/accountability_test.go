package usecase

import (
	"context"
	"junheng/vocab"
	"slices"
	"testing"
)

// TestAccountability: only those who oversee the city read the list; by default it judges the latest year with
// cycles, and lists a district with an overdue item but not one without reasons.
func TestAccountability(t *testing.T) {
	c := reportsCore(t)
	ctx := context.Background()
	if _, err := c.Accountability(ctx, Actor{Role: vocab.RoleDistrict, Unit: "370211"}, 0); kindOf(err) !=
		Forbidden {
		t.Errorf("a district reads the accountability list: %v", err)
	}
	list, err := c.Accountability(ctx, Actor{Role: vocab.RoleAdmin}, 0)
	if err != nil || list.Year != 2025 || len(list.Rows) != 1 || list.Rows[0].District != "370211" ||
		!slices.Contains(list.Rows[0].Reasons, reasonOverdue) {
		t.Errorf("the list of the latest year: %+v %v", list, err)
	}
	if list, err := c.Accountability(ctx, Actor{Role: vocab.RoleOffice}, 2019); err != nil ||
		list.Year != 2019 || len(list.Rows) != 0 {
		t.Errorf("a year without cycles: %+v %v", list, err)
	}
}
