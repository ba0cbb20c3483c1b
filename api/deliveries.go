package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"junheng/store"
	"junheng/usecase"
)

// deliveries shows how notifications fared on the configured channels, failures first when asked for.
func (s *Server) deliveries(c echo.Context) error {
	status := c.QueryParam("status")
	if status != "" && status != store.Delivered && status != store.Retrying && status != store.Failed {
		return usecase.InvalidInput(FieldError{Field: "status", MessageZh: "状态应为 delivered、retrying 或 failed",
			MessageEn: "status must be delivered, retrying or failed"})
	}
	ds, err := s.store.Deliveries(c.Request().Context(), status, 0)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ds)
}
