package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"junheng/evaluation"
	"junheng/usecase"
)

type dashboardData struct {
	NotOpen  bool
	Rows     []cycleRow
	Bulletin bulletin
	Funnel   []funnelStep
	Charts   []cvChart
}

type funnelStep struct {
	Stage string
	Count int
}

// dashboard is the office's view of a year: every district's row, the stage funnel, the share meeting the
// standard against the target, and the difference coefficients of every indicator per district.
func (s *server) dashboard(w http.ResponseWriter, r *http.Request) {
	year := s.yearOf(r)
	var d dashboardData
	rep := s.get(r, fmt.Sprintf("/api/v1/cycles/%d", year), &d.Rows)
	switch {
	case rep.status == http.StatusNotFound:
		d.NotOpen = true
		s.render(w, r, http.StatusOK, "dashboard", "dashboard", year, d)
		return
	case !rep.ok():
		s.apiError(w, r, rep)
		return
	}
	if rep := s.get(r, fmt.Sprintf("/api/v1/cycles/%d/bulletin", year), &d.Bulletin); !rep.ok() {
		s.apiError(w, r, rep)
		return
	}
	for _, st := range stages {
		d.Funnel = append(d.Funnel, funnelStep{Stage: st, Count: d.Bulletin.Stages[st]})
	}
	evaluations, err := s.opts.Core.Evaluations(r.Context(), actor(r), year)
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	names := make([]string, len(d.Rows))
	results := make([]*evaluation.Result, len(d.Rows))
	for i, row := range d.Rows {
		names[i], results[i] = row.DistrictName, evaluations[row.DistrictCode]
	}
	d.Charts = cvCharts(names, results, english(r))
	s.render(w, r, http.StatusOK, "dashboard", "dashboard", year, d)
}

func cyclePath(year int, code string) string {
	return fmt.Sprintf("/api/v1/cycles/%d/districts/%s", year, url.PathEscape(code))
}

func (s *server) openYear(w http.ResponseWriter, r *http.Request) {
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	body := map[string]any{"year": year}
	deadlines := map[string]string{}
	for _, k := range []string{"self_assessment", "city_review", "application"} {
		if v := r.PostFormValue(k); v != "" {
			deadlines[k] = v
		}
	}
	if len(deadlines) > 0 {
		body["deadlines"] = deadlines
	}
	rep := s.postJSON(r, "/api/v1/cycles", body)
	s.back(w, r, outcome("open", rep, english(r), s.t(r, "opened")), fmt.Sprintf("/office?year=%d", year))
}

type districtData struct {
	Code   string
	Detail usecase.CycleView
	Draft  *evaluation.Result // the district's own latest draft evaluation, on its workspace
}

// officeDistrict is one district's year as the office sees it, with the review and decision forms.
func (s *server) officeDistrict(w http.ResponseWriter, r *http.Request) {
	year, code := s.yearOf(r), r.URL.Query().Get("code")
	d := districtData{Code: code}
	var err error
	if d.Detail, err = s.opts.Core.Cycle(r.Context(), actor(r), year, code); err != nil {
		s.coreError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "office_district", "dashboard", year, d)
}

// review sends the office's decision; a finding is added when its title is filled in.
func (s *server) review(w http.ResponseWriter, r *http.Request) {
	year, code := s.yearOf(r), r.PostFormValue("code")
	f := r.PostForm
	body := map[string]any{"decision": f.Get("decision"), "comment": f.Get("comment")}
	if v := f.Get("deadline"); v != "" {
		body["deadline"] = v
	}
	if f.Get("shortfalls") != "all" {
		body["shortfalls"] = []string{}
	}
	if title := strings.TrimSpace(f.Get("title")); title != "" {
		finding := map[string]any{
			"title": title, "detail": f.Get("detail"), "source": f.Get("source"), "severity": f.Get("severity"),
		}
		if v := f.Get("due_date"); v != "" {
			finding["due_date"] = v
		}
		body["findings"] = []any{finding}
	}
	rep := s.postJSON(r, cyclePath(year, code)+"/review", body)
	s.back(w, r, outcome("review", rep, english(r), s.t(r, "done")),
		fmt.Sprintf("/office/district?year=%d&code=%s", year, url.QueryEscape(code)))
}

// decision records the city's acceptance or the province's result.
func (s *server) decision(w http.ResponseWriter, r *http.Request) {
	year, code, kind := s.yearOf(r), r.PostFormValue("code"), r.PostFormValue("kind")
	path := map[string]string{"acceptance": "/acceptance", "province": "/province-result"}[kind]
	if path == "" {
		http.Error(w, "kind", http.StatusBadRequest)
		return
	}
	to := fmt.Sprintf("/office/district?year=%d&code=%s", year, url.QueryEscape(code))
	body := map[string]any{"passed": r.PostFormValue("passed") == "true", "comment": r.PostFormValue("comment")}
	if kind == "province" {
		body["recommend_national"] = r.PostFormValue("recommend_national") == "true"
	}
	// The decision's document: the acceptance report, or the province's document the office records from.
	fileID, ok := s.attached(w, r, "report", kind, to)
	if !ok {
		return
	}
	if fileID != "" {
		body["report_file"] = fileID
	}
	rep := s.postJSON(r, cyclePath(year, code)+path, body)
	s.back(w, r, outcome(kind, rep, english(r), s.t(r, "done")), to)
}
