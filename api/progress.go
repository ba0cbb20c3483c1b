package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/evaluation"
	"junheng/progress"
	"junheng/report"
	"junheng/store"
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
	var errs fieldErrors
	read := func(field string, dst *int) {
		v := c.QueryParam(field)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			errs.add(field, "年度应为 2000 至 2100 之间的整数", "must be a year from 2000 to 2100")
			return
		}
		*dst = n
	}
	read("from", &from)
	read("to", &to)
	switch {
	case len(errs) > 0:
	case from > to:
		errs.add("from", "起始年度不能晚于截止年度", "from must not be after to")
	case to-from+1 > maxReportYears:
		errs.add("from", fmt.Sprintf("报告最多跨 %d 个年度", maxReportYears), fmt.Sprintf("a report spans at most %d years", maxReportYears))
	}
	return from, to, errs.err()
}

// history is what the reports read from the database: the districts' years with their latest submissions, and
// their plans.
type history struct {
	districts []progress.District
	plans     map[string]store.PlanVersion // approved versions
}

// loadHistory reads the years from..to of one district (only) or of all, in four queries whatever the number of
// districts and years.
func (s *Server) loadHistory(ctx context.Context, only string, from, to int) (history, error) {
	ds, err := s.store.Districts(ctx)
	if err != nil {
		return history{}, err
	}
	subs, err := s.store.SubmissionsBetween(ctx, only, from, to)
	if err != nil {
		return history{}, err
	}
	// Cycles from the beginning: a district certified before the report's span is still certified in it.
	cycles, err := s.store.CyclesBetween(ctx, only, 0, to)
	if err != nil {
		return history{}, err
	}
	plans, err := s.store.ApprovedPlans(ctx)
	if err != nil {
		return history{}, err
	}
	years := map[string]map[int]*progress.Year{}
	year := func(district string, y int) *progress.Year {
		if years[district] == nil {
			years[district] = map[int]*progress.Year{}
		}
		if years[district][y] == nil {
			years[district][y] = &progress.Year{Year: y}
		}
		return years[district][y]
	}
	for _, cy := range cycles {
		certified := cy.Stage == "certified"
		switch {
		case cy.Year >= from:
			year(cy.DistrictCode, cy.Year).Certified = certified
		case certified:
			year(cy.DistrictCode, from).Certified = true // certified before the span: still certified in it
		}
	}
	for _, sub := range subs {
		y := year(sub.DistrictCode, sub.Year)
		y.Input, y.Result = new(evaluation.Input), new(evaluation.Result)
		if err := json.Unmarshal([]byte(sub.Data), y.Input); err != nil {
			return history{}, fmt.Errorf("submission %d/%s v%d: %w", sub.Year, sub.DistrictCode, sub.Version, err)
		}
		if err := json.Unmarshal([]byte(sub.Evaluation), y.Result); err != nil {
			return history{}, fmt.Errorf("evaluation %d/%s v%d: %w", sub.Year, sub.DistrictCode, sub.Version, err)
		}
	}
	h := history{plans: plans}
	for _, d := range ds {
		if only != "" && d.Code != only {
			continue
		}
		pd := progress.District{Code: d.Code, Name: d.Name}
		if v, ok := plans[d.Code]; ok {
			pd.Plan = new(progress.Plan)
			if err := json.Unmarshal([]byte(v.Plan), pd.Plan); err != nil {
				return history{}, fmt.Errorf("plan of %s v%d: %w", d.Code, v.Version, err)
			}
		}
		for _, y := range years[d.Code] {
			pd.Years = append(pd.Years, *y)
		}
		slices.SortFunc(pd.Years, func(a, b progress.Year) int { return a.Year - b.Year })
		h.districts = append(h.districts, pd)
	}
	return h, nil
}

// getDistrictProgress is a district's multi-year report (?format=json|xlsx|html): its plan, its progress year by
// year against the seed's targets and its plan, and its school ledger across the years.
func (s *Server) getDistrictProgress(c echo.Context) error {
	r, err := s.districtReport(c)
	if err != nil {
		return err
	}
	return sendReport(c, fmt.Sprintf("progress-%s-%d-%d", r.District, r.From, r.To), r,
		func(w io.Writer) error { return report.DistrictHTML(w, r) },
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
	d, err := s.store.District(ctx, code)
	if err != nil {
		return progress.DistrictReport{}, err
	}
	from, to, err := s.yearRange(c)
	if err != nil {
		return progress.DistrictReport{}, err
	}
	h, err := s.loadHistory(ctx, code, from, to)
	if err != nil {
		return progress.DistrictReport{}, err
	}
	hd := h.districts[0]
	r := progress.DistrictReport{District: d.Code, Name: d.Name, From: from, To: to, GeneratedAt: time.Now().In(s.loc),
		Years: progress.Progress(hd, s.rules), Schools: progress.Schools(hd.Years)}
	p, err := s.store.Plan(ctx, code)
	switch {
	case err == nil:
		r.Plan = &progress.PlanInfo{Status: p.Status, Version: p.Version, ApprovedVersion: p.ApprovedVersion, Approved: hd.Plan}
	case err != store.ErrNotFound:
		return progress.DistrictReport{}, err
	}
	return r, nil
}

// getCityProgress is the city's multi-year report (?format=json|xlsx|html): the city against its targets by year,
// the districts at risk, and every district's progress.
func (s *Server) getCityProgress(c echo.Context) error {
	from, to, err := s.yearRange(c)
	if err != nil {
		return err
	}
	h, err := s.loadHistory(c.Request().Context(), "", from, to)
	if err != nil {
		return err
	}
	r := progress.CityReport{From: from, To: to, GeneratedAt: time.Now().In(s.loc),
		Years: progress.City(h.districts, span(from, to), s.rules), Districts: make([]progress.DistrictRows, len(h.districts))}
	for i, d := range h.districts {
		r.Districts[i] = progress.DistrictRows{District: d.Code, Name: d.Name, Years: progress.Progress(d, s.rules)}
		if d.Plan != nil {
			r.Districts[i].TargetYear = d.Plan.TargetYear
		}
	}
	return sendReport(c, fmt.Sprintf("progress-city-%d-%d", from, to), r,
		func(w io.Writer) error { return report.CityHTML(w, r) },
		func(w io.Writer) error { return report.CityXLSX(w, r) })
}

func span(from, to int) []int {
	years := make([]int, 0, to-from+1)
	for y := from; y <= to; y++ {
		years = append(years, y)
	}
	return years
}

// sendReport answers in the ?format asked for. The page or workbook is rendered into memory first, so that a
// rendering error is a clean 500 and not half a document.
func sendReport(c echo.Context, name string, v any, page, workbook func(io.Writer) error) error {
	var (
		render      func(io.Writer) error
		contentType string
	)
	switch c.QueryParam("format") {
	case "", "json":
		return c.JSON(http.StatusOK, v)
	case "html":
		render, contentType = page, echo.MIMETextHTMLCharsetUTF8
	case "xlsx":
		render, contentType = workbook, mimeXLSX
	default:
		return invalidInput(FieldError{Field: "format", MessageZh: "格式应为 json、xlsx 或 html", MessageEn: "format must be json, xlsx or html"})
	}
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return err
	}
	if contentType == mimeXLSX {
		c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
	}
	return c.Blob(http.StatusOK, contentType, b.Bytes())
}
