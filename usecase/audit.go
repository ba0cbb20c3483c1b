package usecase

import (
	"context"

	"junheng/store"
	"junheng/vocab"
)

// auditors may read the audit trail and the deliveries of notifications.
var auditors = []vocab.Role{vocab.RoleAdmin, vocab.RoleOffice}

// AuditFilter selects entries of the audit trail; zero values select every entry.
type AuditFilter struct {
	District string
	Target   string
	Action   string
	Before   int64 // entries before this ID, to page back
	Limit    int   // 0: the store's default
}

// Audit is the audit trail, newest first, for admins and the office.
func (c *Core) Audit(ctx context.Context, a Actor, f AuditFilter) ([]store.AuditEvent, error) {
	if err := c.may(ctx, a, "", auditors...); err != nil {
		return nil, err
	}
	unit, err := a.reach()
	if err != nil {
		return nil, err
	}
	return c.store.Audit(ctx, store.AuditFilter{DistrictCode: f.District, Unit: unit, Target: f.Target,
		Action: f.Action, BeforeID: f.Before, Limit: f.Limit})
}
