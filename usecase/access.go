package usecase

import (
	"slices"

	"junheng/workflows"
)

// may answers ErrForbidden unless a has one of roles (none: every role), then ErrNotFound when a district asks
// about another district: another district's data is not merely forbidden, its existence is not revealed.
func (a Actor) may(district string, roles ...workflows.Role) error {
	if len(roles) > 0 && !slices.Contains(roles, a.Role) {
		return ErrForbidden
	}
	return a.Sees(district)
}

// Sees answers ErrNotFound when a district asks about another district.
func (a Actor) Sees(district string) error {
	if a.Role == workflows.RoleDistrict && a.District != district {
		return ErrNotFound
	}
	return nil
}
