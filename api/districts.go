package api

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

func (s *Server) me(c echo.Context) error {
	return c.JSON(http.StatusOK, principal(c))
}

type districtRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// districtCode is a GB/T 2260 county-level code.
var districtCode = regexp.MustCompile(`^[1-9][0-9]{5}$`)

func (s *Server) createDistrict(c echo.Context) error {
	req, err := bind[districtRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	if !districtCode.MatchString(req.Code) {
		errs.Add("code", "区县代码应为 6 位行政区划代码", "code must be a 6-digit administrative division code")
	}
	errs.Required("name", req.Name)
	if err := errs.Err(); err != nil {
		return err
	}
	d := store.District{Code: req.Code, Name: req.Name}
	if err := s.store.CreateDistrict(c.Request().Context(), &d); errors.Is(err, store.ErrConflict) {
		return problem(http.StatusConflict, "conflict", "该区县已登记", "this district is already registered")
	} else if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

// listDistricts shows a district caller only its own district.
func (s *Server) listDistricts(c echo.Context) error {
	ds, err := s.store.Districts(c.Request().Context())
	if err != nil {
		return err
	}
	if p := principal(c); p.Role == workflows.RoleDistrict {
		own := ds[:0]
		for _, d := range ds {
			if d.Code == p.District {
				own = append(own, d)
			}
		}
		ds = own
	}
	return c.JSON(http.StatusOK, ds)
}
