package usecase

import (
	"context"
	"errors"
	"slices"

	"junheng/store"
	"junheng/vocab"
)

// may answers ErrForbidden unless a has one of roles (none: every role), then ErrNotFound when a district asks
// about another district: another district's data is not merely forbidden, its existence is not revealed.
func (a Actor) may(district string, roles ...vocab.Role) error {
	if len(roles) > 0 && !slices.Contains(roles, a.Role) {
		return ErrForbidden
	}
	return a.Sees(district)
}

// Sees answers ErrNotFound when a district asks about another district.
func (a Actor) Sees(district string) error {
	if a.Role == vocab.RoleDistrict && a.District != district {
		return ErrNotFound
	}
	return nil
}

// Live answers ErrNotFound once the account behind a is disabled or the token behind a is revoked (or its
// account disabled): a signed-in session lasts no longer than either. A person who holds a first or reset
// password gets ErrPasswordChange.
func (c *Core) Live(ctx context.Context, a Actor) error {
	if a.AccountID != 0 {
		acc, err := c.store.Account(ctx, a.AccountID)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && acc.DisabledAt != nil):
			return ErrNotFound
		case err != nil:
			return err
		case acc.MustChangePassword:
			return ErrPasswordChange
		}
		return nil
	}
	t, err := c.store.LiveToken(ctx, a.TokenID)
	if err == nil {
		err = c.holderLive(ctx, t)
	}
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}
