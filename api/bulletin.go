package api

import (
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"junheng/report"
	"junheng/usecase"
)

// getBulletin is the progress bulletin of a year (usecase.Core.Bulletin) as JSON or .xlsx (?format=json|xlsx). The
// pages print it: ?format=html sends a browser to the printable page (see sendReport).
func (s *Server) getBulletin(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	b, err := s.core.Bulletin(c.Request().Context(), caller(c), year)
	if err != nil {
		return err
	}
	switch c.QueryParam("format") {
	case "xlsx":
		return sendWorkbook(c, fmt.Sprintf("bulletin-%d.xlsx", b.Year),
			func(w io.Writer) error { return report.BulletinXLSX(w, b) })
	case "html":
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/bulletin?year=%d&print=1", b.Year))
	case "", "json":
		return c.JSON(http.StatusOK, b)
	}
	return usecase.InvalidInput(FieldError{Field: "format", MessageZh: "格式应为 json、xlsx 或 html",
		MessageEn: "format must be json, xlsx or html"})
}
