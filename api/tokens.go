package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"junheng/usecase"
)

// createToken lets an admin issue tokens over HTTP, as `junheng token create` does on the server
// (usecase.Core.IssueToken).
func (s *Server) createToken(c echo.Context) error {
	req, err := bind[usecase.TokenRequest](c)
	if err != nil {
		return err
	}
	t, err := s.core.IssueToken(c.Request().Context(), caller(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}
