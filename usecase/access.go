package usecase

import (
	"context"
	"errors"
	"slices"

	"junheng/store"
	"junheng/vocab"
)

// may answers ErrForbidden unless a has one of roles (none: every role), then, for a district's data, ErrNotFound
// when district lies outside a's reach: data beyond it is not merely forbidden, its existence is not revealed.
func (c *Core) may(ctx context.Context, a Actor, district string, roles ...vocab.Role) error {
	if len(roles) > 0 && !slices.Contains(roles, a.Role) {
		return ErrForbidden
	}
	if district == "" {
		return nil
	}
	return c.Sees(ctx, a, district)
}

// Sees answers ErrNotFound when district lies outside a's reach (Actor.reach).
func (c *Core) Sees(ctx context.Context, a Actor, district string) error {
	unit, err := a.reach()
	switch {
	case err != nil:
		return err
	case unit == "" || unit == district:
		return nil
	case a.Role == vocab.RoleDistrict:
		return ErrNotFound
	}
	under, err := c.store.Under(ctx, unit, district)
	if err == nil && !under {
		err = ErrNotFound
	}
	return err
}

// reach is the unit whose districts a sees, "" for every district: a district sees itself, a city's office the
// city's districts, a province's office the province's, an administrator those of their unit (all without one).
// A school sees no district's data (ErrNotFound): its own is reached through its school's use cases.
func (a Actor) reach() (string, error) {
	if a.Role == vocab.RoleSchool {
		return "", ErrNotFound
	}
	return a.Unit, nil
}

// reachable names the districts a sees by their codes.
func (c *Core) reachable(ctx context.Context, a Actor) (map[string]string, error) {
	unit, err := a.reach()
	if err != nil {
		return nil, err
	}
	ds, err := c.store.Districts(ctx, unit)
	names := make(map[string]string, len(ds))
	for _, d := range ds {
		names[d.Code] = d.Name
	}
	return names, err
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
