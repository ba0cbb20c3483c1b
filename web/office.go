package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"junheng/evaluation"
	"junheng/files"
	"junheng/report"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

type dashboardData struct {
	NotOpen  bool
	Rows     []usecase.CycleRow
	Bulletin report.Bulletin
	Funnel   []funnelStep
	Charts   []cvChart
}

// stages lists the stages in the order of the year, for the funnel.
var stages = []vocab.CycleStage{vocab.StageSelfAssessment, vocab.StageCityReview, vocab.StageRectification,
	vocab.StageCityAcceptance, vocab.StageProvinceReview, vocab.StageCertified, vocab.StageNotCertified,
	vocab.StageNotApplied}

type funnelStep struct {
	Stage string
	Count int
}

// dashboard is the office's view of a year: every district's row, the stage funnel, the share meeting the
// standard against the target, and the difference coefficients of every indicator per district.
func (s *server) dashboard(w http.ResponseWriter, r *http.Request) {
	year := s.yearOf(r)
	var d dashboardData
	var err error
	d.Rows, err = s.opts.Core.Overview(r.Context(), actor(r), year)
	switch {
	case errors.Is(err, usecase.ErrNotFound):
		d.NotOpen = true
		s.render(w, r, http.StatusOK, "dashboard", "dashboard", year, d)
		return
	case err != nil:
		s.coreError(w, r, err)
		return
	}
	if d.Bulletin, err = s.opts.Core.Bulletin(r.Context(), actor(r), year); err != nil {
		s.coreError(w, r, err)
		return
	}
	for _, st := range stages {
		d.Funnel = append(d.Funnel, funnelStep{Stage: string(st), Count: d.Bulletin.Stages[string(st)]})
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

// openYear opens the year for every registered district, with the deadlines of the calendar unless given.
func (s *server) openYear(w http.ResponseWriter, r *http.Request) {
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	in := usecase.OpenYear{Year: year}
	for field, dst := range map[string]*time.Time{"self_assessment": &in.Deadlines.SelfAssessment,
		"city_review": &in.Deadlines.CityReview, "application": &in.Deadlines.Application} {
		*dst = s.opts.Core.When(&in.Malformed, "deadlines."+field, r.PostFormValue(field))
	}
	f := s.once(r, "open", []byte(r.PostForm.Encode()), func(ctx context.Context, _ string) *flash {
		_, err := s.opts.Core.OpenYear(ctx, actor(r), in)
		return result("open", err, english(r), s.t(r, "opened"))
	})
	s.back(w, r, f, fmt.Sprintf("/office?year=%d", year))
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

// review sends the office's decision on a submitted self-assessment; a finding is added when its title is filled
// in.
func (s *server) review(w http.ResponseWriter, r *http.Request) {
	year, code, f := s.yearOf(r), r.PostFormValue("code"), r.PostForm
	in := usecase.Review{Decision: f.Get("decision"), Comment: f.Get("comment")}
	in.Deadline = s.opts.Core.When(&in.Malformed, "deadline", f.Get("deadline"))
	if f.Get("shortfalls") != "all" {
		in.Shortfalls = &[]string{}
	}
	if title := strings.TrimSpace(f.Get("title")); title != "" {
		in.Findings = []workflows.NewFinding{{Title: title, Detail: f.Get("detail"),
			Source: vocab.Source(f.Get("source")), Severity: vocab.Severity(f.Get("severity")),
			DueDate: s.opts.Core.When(&in.Malformed, "findings[0].due_date", f.Get("due_date"))}}
	}
	out := s.once(r, "review", []byte(f.Encode()), func(ctx context.Context, key string) *flash {
		_, err := s.opts.Core.Review(ctx, actor(r), key, year, code, in)
		return result("review", err, english(r), s.t(r, "done"))
	})
	s.back(w, r, out, districtURL(year, code))
}

func districtURL(year int, code string) string {
	return fmt.Sprintf("/office/district?year=%d&code=%s", year, url.QueryEscape(code))
}

// decision records the city's acceptance or the province's result, with its document: the acceptance report, or
// the province's document the office records from.
func (s *server) decision(w http.ResponseWriter, r *http.Request) {
	year, code, kind := s.yearOf(r), r.PostFormValue("code"), r.PostFormValue("kind")
	record := map[string]func(context.Context, usecase.Actor, string, int, string, usecase.Decision,
	) (workflows.CycleState, error){
		"acceptance": s.opts.Core.RecordAcceptance, "province": s.opts.Core.RecordProvinceResult,
	}[kind]
	if record == nil {
		http.Error(w, "kind", http.StatusBadRequest)
		return
	}
	in := usecase.Decision{Passed: r.PostFormValue("passed") == "true", Comment: r.PostFormValue("comment"),
		RecommendNational: kind == "province" && r.PostFormValue("recommend_national") == "true"}
	report, ok := s.formFile(w, r, "report")
	if !ok {
		return
	}
	f := s.once(r, kind, append([]byte(r.PostForm.Encode()+"\n"), report.data...),
		func(ctx context.Context, key string) *flash {
			if report.name != "" {
				// The office's own until the workflow accepts the decision: the core shares it with the district then.
				file, err := s.opts.Core.UploadFile(ctx, actor(r),
					usecase.NewFile{Name: report.name, Content: bytes.NewReader(report.data)})
				if err != nil {
					return result(kind, err, english(r), "")
				}
				in.ReportFile = file.ID
			}
			_, err := record(ctx, actor(r), key, year, code, in)
			return result(kind, err, english(r), s.t(r, "done"))
		})
	s.back(w, r, f, districtURL(year, code))
}

// chosenFile is a file chosen in a form, read whole: its bytes are part of what the form sends.
type chosenFile struct {
	name string
	data []byte
}

// formFile reads the file chosen in field, if any (a zero chosenFile when none); ok is false when the answer has
// been written.
func (s *server) formFile(w http.ResponseWriter, r *http.Request, field string) (chosenFile, bool) {
	file, header, err := r.FormFile(field)
	if err != nil || header.Filename == "" {
		return chosenFile{}, true
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, files.MaxSize+1))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return chosenFile{}, false
	}
	return chosenFile{name: header.Filename, data: data}, true
}
