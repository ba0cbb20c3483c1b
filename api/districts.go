package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"junheng/usecase"
)

func (s *Server) me(c echo.Context) error {
	return c.JSON(http.StatusOK, principal(c))
}

type districtRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
	City string `json:"city,omitempty"` // by default the office's own, or the city its code names
}

func (s *Server) createDistrict(c echo.Context) error {
	req, err := bind[districtRequest](c)
	if err != nil {
		return err
	}
	d, err := s.core.CreateDistrict(c.Request().Context(), caller(c), usecase.NewDistrict(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

// listDistricts shows a district caller only its own district (usecase.Core.Districts).
func (s *Server) listDistricts(c echo.Context) error {
	ds, err := s.core.Districts(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ds)
}
