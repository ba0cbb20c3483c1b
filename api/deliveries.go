package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// deliveries shows how notifications fared on the configured channels (usecase.Core.Deliveries).
func (s *Server) deliveries(c echo.Context) error {
	ds, err := s.core.Deliveries(c.Request().Context(), caller(c), c.QueryParam("status"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ds)
}
