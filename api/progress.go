package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/progress"
	"junheng/report"
	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

// maxReportYears bounds a report's span: every year costs a decoded evaluation per district.
const maxReportYears = 20

// yearRange reads ?from= and ?to=. By default a report spans the years that have cycles, at most the last ten.
func (s *Server) yearRange(c echo.Context) (from, to int, err error) {
	first, last, err := s.store.CycleYears(c.Request().Context())
	if err != nil {
		return 0, 0, err
	}
	if last == 0 {
		first, last = time.Now().In(s.loc).Year(), time.Now().In(s.loc).Year()
	}
	from, to = max(first, last-9), last
	var errs usecase.Fields
	read := func(field string, dst *int) {
		v := c.QueryParam(field)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			errs.Add(field, "年度应为 2000 至 2100 之间的整数", "must be a year from 2000 to 2100")
			return
		}
		*dst = n
	}
	read("from", &from)
	read("to", &to)
	switch {
	case len(errs) > 0:
	case from > to:
		errs.Add("from", "起始年度不能晚于截止年度", "from must not be after to")
	case to-from+1 > maxReportYears:
		errs.Add("from", fmt.Sprintf("报告最多跨 %d 个年度", maxReportYears),
			fmt.Sprintf("a report spans at most %d years", maxReportYears))
	}
	return from, to, errs.Err()
}

// loadHistory reads the districts' years from the read model, one district (only) or all: every year from..to,
// submitted or not, and the year before as the baseline of from's year-on-year measures (callers leave it out of
// what they show). Each year's evaluation is of its newest submitted version. Five queries, whatever the number
// of districts and years.
func (s *Server) loadHistory(ctx context.Context, only string, from, to int) ([]progress.District, error) {
	subs, err := s.store.SubmissionsBetween(ctx, only, from-1, to)
	if err != nil {
		return nil, err
	}
	return s.years(ctx, only, from, to, subs)
}

// loadPublished is loadHistory of every district for what the city may publish: each year's evaluation is of the
// version the office accepted, never one the district submitted since.
func (s *Server) loadPublished(ctx context.Context, from, to int) ([]progress.District, error) {
	subs, err := s.store.ReviewedSubmissions(ctx, from-1, to)
	if err != nil {
		return nil, err
	}
	return s.years(ctx, "", from, to, subs)
}

// years assembles the districts' histories from the chosen submissions.
func (s *Server) years(ctx context.Context, only string, from, to int,
	subs []store.Submission) ([]progress.District, error) {
	ds, err := s.store.Districts(ctx)
	if err != nil {
		return nil, err
	}
	// Cycles from the beginning: a district certified before the span is still certified in it.
	cycles, err := s.store.CyclesBetween(ctx, only, 0, to)
	if err != nil {
		return nil, err
	}
	plans, err := s.store.ApprovedPlans(ctx)
	if err != nil {
		return nil, err
	}
	rows := progress.Rows{Districts: ds, Cycles: cycles, Submissions: subs, Plans: plans,
		CertifiedStage: string(workflows.StageCertified)}
	return progress.History(rows, only, from, to, time.Now().In(s.loc))
}

// getDistrictProgress is a district's multi-year report (?format=json|xlsx, html: see sendReport): its plan, its
// progress year by year against the seed's targets and its plan, and its school ledger across the years.
func (s *Server) getDistrictProgress(c echo.Context) error {
	r, err := s.districtReport(c)
	if err != nil {
		return err
	}
	return sendReport(c, fmt.Sprintf("progress-%s-%d-%d", r.District, r.From, r.To), r, progressPage(c, r.District),
		func(w io.Writer) error { return report.DistrictXLSX(w, r) })
}

// getSchools is a district's school ledger across the years (逐校工作台账), optionally of one school.
func (s *Server) getSchools(c echo.Context) error {
	r, err := s.districtReport(c)
	if err != nil {
		return err
	}
	schools := r.Schools
	if code := c.QueryParam("school"); code != "" {
		schools = slices.DeleteFunc(schools, func(l progress.SchoolLedger) bool { return l.Code != code })
	}
	return c.JSON(http.StatusOK, schools)
}

func (s *Server) districtReport(c echo.Context) (progress.DistrictReport, error) {
	ctx, code := c.Request().Context(), c.Param("code")
	if _, err := s.store.District(ctx, code); err != nil {
		return progress.DistrictReport{}, err
	}
	from, to, err := s.yearRange(c)
	if err != nil {
		return progress.DistrictReport{}, err
	}
	ds, err := s.loadHistory(ctx, code, from, to)
	if err != nil {
		return progress.DistrictReport{}, err
	}
	hd := ds[0]
	r := progress.NewDistrictReport(hd, from, to, s.rules, time.Now().In(s.loc))
	p, err := s.store.Plan(ctx, code)
	switch {
	case err == nil:
		r.Plan = &progress.PlanInfo{
			Status: p.Status, Version: p.Version, ApprovedVersion: p.ApprovedVersion, Approved: hd.Plan,
		}
	case err != store.ErrNotFound:
		return progress.DistrictReport{}, err
	}
	return r, nil
}

// getCityProgress is the city's multi-year report (?format=json|xlsx, html: see sendReport): the city against its
// targets by year, the districts at risk, and every district's progress.
func (s *Server) getCityProgress(c echo.Context) error {
	from, to, err := s.yearRange(c)
	if err != nil {
		return err
	}
	ds, err := s.loadHistory(c.Request().Context(), "", from, to)
	if err != nil {
		return err
	}
	r := progress.NewCityReport(ds, span(from, to), s.rules, time.Now().In(s.loc))
	return sendReport(c, fmt.Sprintf("progress-city-%d-%d", from, to), r, progressPage(c, ""),
		func(w io.Writer) error { return report.CityXLSX(w, r) })
}

func span(from, to int) []int {
	years := make([]int, 0, to-from+1)
	for y := from; y <= to; y++ {
		years = append(years, y)
	}
	return years
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
	var b bytes.Buffer
	if err := workbook(&b); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
	return c.Blob(http.StatusOK, mimeXLSX, b.Bytes())
}
