package web

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/http"

	"junheng/evaluation/excel"
	"junheng/progress"
	"junheng/report"
	"junheng/usecase"
)

// progress prints the multi-year report the caller reads (see reportOf), as package report renders it.
func (s *server) progress(w http.ResponseWriter, r *http.Request) {
	if district, city, ok := s.progressReport(w, r); ok && district != nil {
		s.printed(w, r, func(w io.Writer) error { return report.DistrictHTML(w, *district) })
	} else if ok {
		s.printed(w, r, func(w io.Writer) error { return report.CityHTML(w, *city) })
	}
}

// progressWorkbook is the same report as a workbook.
func (s *server) progressWorkbook(w http.ResponseWriter, r *http.Request) {
	if district, city, ok := s.progressReport(w, r); ok && district != nil {
		name := fmt.Sprintf("progress-%s-%d-%d.xlsx", district.District, district.From, district.To)
		s.download(w, r, name, excel.ContentType,
			func(w io.Writer) error { return report.DistrictXLSX(w, *district) })
	} else if ok {
		s.download(w, r, fmt.Sprintf("progress-city-%d-%d.xlsx", city.From, city.To), excel.ContentType,
			func(w io.Writer) error { return report.CityXLSX(w, *city) })
	}
}

// progressReport is the report the caller reads: a district's (see reportOf) or the city's, over the years asked
// for (?from=, ?to=). ok is false when a failure has been answered.
func (s *server) progressReport(w http.ResponseWriter, r *http.Request,
) (district *progress.DistrictReport, city *progress.CityReport, ok bool) {
	y := usecase.ReportYears(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	var err error
	if code := reportOf(r); code != "" {
		var rep progress.DistrictReport
		rep, err = s.opts.Core.DistrictProgress(r.Context(), actor(r), code, y)
		district = &rep
	} else {
		var rep progress.CityReport
		rep, err = s.opts.Core.CityProgress(r.Context(), actor(r), y)
		city = &rep
	}
	if err != nil {
		s.coreError(w, r, err)
		return nil, nil, false
	}
	return district, city, true
}

// reportOf is the district whose multi-year report the caller reads: a district its own; the others the one
// they name (?district=, as the API's link to this page names it), or none for the city's.
func reportOf(r *http.Request) string {
	return cmp.Or(current(r).me.District(), r.URL.Query().Get("district"))
}

// printed writes a printable page under report's content policy (its inline style sheet, nothing else). The page
// is rendered into memory first, so that a failure is a clean 500.
func (s *server) printed(w http.ResponseWriter, r *http.Request, render func(io.Writer) error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		s.opts.Logger.Error("printable page failed", "path", r.URL.Path, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Security-Policy", report.ContentSecurityPolicy)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}
