package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"junheng/store"
	"junheng/usecase"
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
		return usecase.ErrNotFound
	}
	recipient, district := notificationScope(principal(c))
	err = s.store.MarkNotificationRead(c.Request().Context(), id, recipient, district)
	if errors.Is(err, store.ErrNotFound) {
		return usecase.ErrNotFound
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
