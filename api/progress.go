package api

import (
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"junheng/report"
	"junheng/usecase"
)

// years reads ?from= and ?to= (absent: the core's default).
func years(c echo.Context) usecase.Years {
	return usecase.ReportYears(c.QueryParam("from"), c.QueryParam("to"))
}

// getDistrictProgress is a district's multi-year report (usecase.Core.DistrictProgress) as ?format=json|xlsx, or
// html: see sendReport.
func (s *Server) getDistrictProgress(c echo.Context) error {
	r, err := s.core.DistrictProgress(c.Request().Context(), caller(c), c.Param("code"), years(c))
	if err != nil {
		return err
	}
	return sendReport(c, fmt.Sprintf("progress-%s-%d-%d", r.District, r.From, r.To), r, progressPage(c, r.District),
		func(w io.Writer) error { return report.DistrictXLSX(w, r) })
}

// getSchools is a district's school ledger across the years (usecase.Core.SchoolLedger), optionally of one school.
func (s *Server) getSchools(c echo.Context) error {
	schools, err := s.core.SchoolLedger(c.Request().Context(), caller(c), c.Param("code"), years(c),
		c.QueryParam("school"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, schools)
}

// getCityProgress is the city's multi-year report (usecase.Core.CityProgress) as ?format=json|xlsx, or html: see
// sendReport.
func (s *Server) getCityProgress(c echo.Context) error {
	r, err := s.core.CityProgress(c.Request().Context(), caller(c), years(c))
	if err != nil {
		return err
	}
	return sendReport(c, fmt.Sprintf("progress-city-%d-%d", r.From, r.To), r, progressPage(c, ""),
		func(w io.Writer) error { return report.CityXLSX(w, r) })
}

// progressPage is the page that prints a multi-year report, the city's or a district's, over the years asked for.
func progressPage(c echo.Context, district string) string {
	q := url.Values{}
	for k, v := range map[string]string{"district": district, "from": c.QueryParam("from"), "to": c.QueryParam("to")} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return (&url.URL{Path: "/progress", RawQuery: q.Encode()}).String()
}

// sendReport answers in the ?format asked for. The pages print the reports from the JSON (one renderer, package
// report), so ?format=html sends a browser there, to page: 303 See Other, as the page reads the browser's session,
// not the API's token. The workbook is rendered into memory first, so that a rendering error is a clean 500 and not
// half a document.
func sendReport(c echo.Context, name string, v any, page string, workbook func(io.Writer) error) error {
	switch c.QueryParam("format") {
	case "", "json":
		return c.JSON(http.StatusOK, v)
	case "html":
		return c.Redirect(http.StatusSeeOther, page)
	case "xlsx":
	default:
		return usecase.InvalidInput(FieldError{Field: "format", MessageZh: "格式应为 json、xlsx 或 html",
			MessageEn: "format must be json, xlsx or html"})
	}
	return sendWorkbook(c, name+".xlsx", workbook)
}
