package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"junheng/usecase"
)

// getAccountability is the accountability list of ?year=, by default the latest with cycles
// (usecase.Core.Accountability).
func (s *Server) getAccountability(c echo.Context) error {
	year := 0
	if v := c.QueryParam("year"); v != "" {
		var err error
		if year, err = strconv.Atoi(v); err != nil || year < 2000 || year > 2100 {
			return usecase.InvalidInput(FieldError{Field: "year", MessageZh: "年度应为 2000 至 2100 之间的整数",
				MessageEn: "must be a year from 2000 to 2100"})
		}
	}
	list, err := s.core.Accountability(c.Request().Context(), caller(c), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}
