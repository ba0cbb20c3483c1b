package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"junheng/usecase"
)

// notifications are the caller's (usecase.Core.Notifications).
func (s *Server) notifications(c echo.Context) error {
	ns, err := s.core.Notifications(c.Request().Context(), caller(c), c.QueryParam("unread") == "true")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ns)
}

// readNotification marks one of the caller's own notifications read (usecase.Core.ReadNotification).
func (s *Server) readNotification(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return usecase.ErrNotFound
	}
	if err := s.core.ReadNotification(c.Request().Context(), caller(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
