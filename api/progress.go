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
		errs.add("from", fmt.Sprintf("报告最多跨 %d 个年度", maxReportYears),
			fmt.Sprintf("a report spans at most %d years", maxReportYears))
	}
	return from, to, errs.err()
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

// years builds the districts' histories from the chosen submissions.
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
	now := time.Now()
	for _, cy := range cycles {
		certified := cy.Stage == string(workflows.StageCertified)
		if cy.Year < from-1 {
			if certified {
				year(cy.DistrictCode, from-1).Certified = true // carried into the span
			}
			continue
		}
		y := year(cy.DistrictCode, cy.Year)
		y.Certified = y.Certified || certified
		y.Pending, y.Reviewed = now.Before(cy.SelfAssessmentDeadline), cy.ReviewedVersion > 0
	}
	for _, sub := range subs {
		y := year(sub.DistrictCode, sub.Year)
		y.Input, y.Result = new(evaluation.Input), new(evaluation.Result)
		if err := json.Unmarshal([]byte(sub.Data), y.Input); err != nil {
			return nil, fmt.Errorf("submission %d/%s v%d: %w", sub.Year, sub.DistrictCode, sub.Version, err)
		}
		if err := json.Unmarshal([]byte(sub.Evaluation), y.Result); err != nil {
			return nil, fmt.Errorf("evaluation %d/%s v%d: %w", sub.Year, sub.DistrictCode, sub.Version, err)
		}
	}
	var out []progress.District
	for _, d := range ds {
		if only != "" && d.Code != only {
			continue
		}
		pd := progress.District{Code: d.Code, Name: d.Name}
		if pd.Plan, pd.PlanFor, err = s.plansOf(plans[d.Code], from-1, to); err != nil {
			return nil, err
		}
		for y := from; y <= to; y++ {
			if years[d.Code][y] == nil { // every year of the span, as the city counts them; without a cycle,
				year(d.Code, y).Pending = true // nothing was asked of the district
			}
		}
		for _, y := range years[d.Code] {
			pd.Years = append(pd.Years, *y)
		}
		slices.SortFunc(pd.Years, func(a, b progress.Year) int { return a.Year - b.Year })
		out = append(out, pd)
	}
	return out, nil
}

// plansOf decodes a district's approved versions (oldest first) into the plan in effect now and, for the years
// from..to that were judged against an earlier version, that version: the one approved last before the year
// ended. A year before the first approval is judged against the first approved plan.
func (s *Server) plansOf(versions []store.PlanVersion, from, to int) (*progress.Plan, map[int]*progress.Plan, error) {
	if len(versions) == 0 {
		return nil, nil, nil
	}
	plans := make([]*progress.Plan, len(versions))
	for i, v := range versions {
		plans[i] = new(progress.Plan)
		if err := json.Unmarshal([]byte(v.Plan), plans[i]); err != nil {
			return nil, nil, fmt.Errorf("plan of %s v%d: %w", v.DistrictCode, v.Version, err)
		}
	}
	current, earlier := plans[len(plans)-1], map[int]*progress.Plan{}
	for y := from; y <= to; y++ {
		end, inEffect := time.Date(y+1, 1, 1, 0, 0, 0, 0, s.loc), plans[0]
		for i, v := range versions {
			if v.DecidedAt != nil && v.DecidedAt.Before(end) {
				inEffect = plans[i]
			}
		}
		if inEffect != current {
			earlier[y] = inEffect
		}
	}
	return current, earlier, nil
}

// since leaves out the years before from: the baseline year loadHistory adds.
func since[T any](items []T, from int, year func(T) int) []T {
	return slices.DeleteFunc(items, func(it T) bool { return year(it) < from })
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
	ds, err := s.loadHistory(ctx, code, from, to)
	if err != nil {
		return progress.DistrictReport{}, err
	}
	hd := ds[0]
	r := progress.DistrictReport{District: d.Code, Name: d.Name, From: from, To: to, GeneratedAt: time.Now().In(s.loc),
		Years:   since(progress.Progress(hd, s.rules), from, func(y progress.DistrictYear) int { return y.Year }),
		Schools: []progress.SchoolLedger{}}
	for _, l := range progress.Schools(hd.Years) {
		l.Years = since(l.Years, from, func(y progress.SchoolYear) int { return y.Year })
		if slices.ContainsFunc(l.Years, func(y progress.SchoolYear) bool { return y.Reported }) {
			r.Schools = append(r.Schools, l)
		}
	}
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

// getCityProgress is the city's multi-year report (?format=json|xlsx|html): the city against its targets by year,
// the districts at risk, and every district's progress.
func (s *Server) getCityProgress(c echo.Context) error {
	from, to, err := s.yearRange(c)
	if err != nil {
		return err
	}
	ds, err := s.loadHistory(c.Request().Context(), "", from, to)
	if err != nil {
		return err
	}
	city, measured := progress.Measure(ds, span(from, to), s.rules)
	r := progress.CityReport{From: from, To: to, GeneratedAt: time.Now().In(s.loc), Years: city,
		Districts: make([]progress.DistrictRows, len(ds))}
	for i, d := range ds {
		r.Districts[i] = progress.DistrictRows{District: d.Code, Name: d.Name,
			Years: since(measured[i], from, func(y progress.DistrictYear) int { return y.Year })}
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
		return invalidInput(FieldError{Field: "format", MessageZh: "格式应为 json、xlsx 或 html",
			MessageEn: "format must be json, xlsx or html"})
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
