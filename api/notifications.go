package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"junheng/store"
	"junheng/workflows"
)

// scope is whose notifications the caller reads: a district its own, everyone else the office's.
func notificationScope(p Principal) (recipient, district string) {
	if p.Role == workflows.RoleDistrict {
		return string(workflows.ToDistrict), p.District
	}
	return string(workflows.ToOffice), ""
}

func (s *Server) notifications(c echo.Context) error {
	recipient, district := notificationScope(principal(c))
	ns, err := s.store.Notifications(c.Request().Context(), store.NotificationFilter{Recipient: recipient,
		DistrictCode: district, UnreadOnly: c.QueryParam("unread") == "true"})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ns)
}

// readNotification marks one of the caller's own notifications read. Only recipients may (the route admits the
// office and the districts): the province and admins see the office's notifications, but marking one read would
// hide it from the office.
func (s *Server) readNotification(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	recipient, district := notificationScope(principal(c))
	err = s.store.MarkNotificationRead(c.Request().Context(), id, recipient, district)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) audit(c echo.Context) error {
	var errs fieldErrors
	before := queryInt(&errs, c, "before", 1, 1<<62)
	limit := queryInt(&errs, c, "limit", 1, 500)
	if err := errs.err(); err != nil {
		return err
	}
	events, err := s.store.Audit(c.Request().Context(), store.AuditFilter{DistrictCode: c.QueryParam("district"),
		Target: c.QueryParam("target"), Action: c.QueryParam("action"), BeforeID: int64(before), Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, events)
}

// deliveries shows how notifications fared on the configured channels, failures first when asked for.
func (s *Server) deliveries(c echo.Context) error {
	status := c.QueryParam("status")
	if status != "" && status != store.Delivered && status != store.Retrying && status != store.Failed {
		return invalidInput(FieldError{Field: "status", MessageZh: "状态应为 delivered、retrying 或 failed",
			MessageEn: "status must be delivered, retrying or failed"})
	}
	ds, err := s.store.Deliveries(c.Request().Context(), status, 0)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ds)
}
