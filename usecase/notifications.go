package usecase

import (
	"context"
	"errors"
	"strconv"

	"junheng/evaluation"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// notificationScope is whose notifications a reads: a district or a school its own, the province's office the
// province's, everyone else the city offices' about the districts they reach.
func notificationScope(a Actor) (store.NotificationFilter, error) {
	switch a.Role {
	case vocab.RoleDistrict:
		return store.NotificationFilter{Recipient: string(workflows.ToDistrict), DistrictCode: a.District()}, nil
	case vocab.RoleSchool:
		if a.Unit == "" {
			return store.NotificationFilter{}, ErrNotFound
		}
		return store.NotificationFilter{Recipient: string(workflows.ToSchool), School: a.Unit}, nil
	}
	unit, err := a.reach()
	to := workflows.ToOffice
	if a.Role == vocab.RoleProvince {
		to = workflows.ToProvince
	}
	return store.NotificationFilter{Recipient: string(to), Unit: unit}, err
}

// Notifications are a's notifications, newest first; unread: only those not read yet.
func (c *Core) Notifications(ctx context.Context, a Actor, unread bool) ([]store.Notification, error) {
	f, err := notificationScope(a)
	if err != nil {
		return nil, err
	}
	f.UnreadOnly = unread
	return c.store.Notifications(ctx, f)
}

// recipients are the roles notifications go to.
var recipients = []vocab.Role{vocab.RoleProvince, vocab.RoleOffice, vocab.RoleDistrict, vocab.RoleSchool}

// ReadNotification marks one of a's own notifications read. Only recipients may: admins see the offices'
// notifications, but marking one read would hide it from the office.
func (c *Core) ReadNotification(ctx context.Context, a Actor, id int64) (err error) {
	defer c.refused(ctx, a, "read_notification", "", strconv.FormatInt(id, 10), &err)
	if err := c.may(ctx, a, "", recipients...); err != nil {
		return err
	}
	f, err := notificationScope(a)
	if err != nil {
		return err
	}
	err = c.store.MarkNotificationRead(ctx, id, f)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// Deliveries show admins and the office how notifications fared on the configured channels, newest first;
// status ("" for all) selects those delivered, retrying or failed.
func (c *Core) Deliveries(ctx context.Context, a Actor, status string) ([]store.Delivery, error) {
	if err := c.may(ctx, a, "", auditors...); err != nil {
		return nil, err
	}
	if status != "" && status != store.Delivered && status != store.Retrying && status != store.Failed {
		return nil, InvalidInput(evaluation.Problem{Field: "status", MessageZh: "状态应为 delivered、retrying 或 failed",
			MessageEn: "status must be delivered, retrying or failed"})
	}
	unit, err := a.reach()
	if err != nil {
		return nil, err
	}
	return c.store.Deliveries(ctx, status, unit, 0)
}
