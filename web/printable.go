package web

import (
	"bytes"
	"cmp"
	"io"
	"net/http"
	"net/url"

	"junheng/report"
)

// progress prints the multi-year report the caller reads (see reportOf), as package report renders it from the
// API's JSON.
func (s *server) progress(w http.ResponseWriter, r *http.Request) {
	code := reportOf(r)
	if code == "" {
		printed(s, w, r, progressPath(r, "", ""), report.CityHTML)
		return
	}
	printed(s, w, r, progressPath(r, code, ""), report.DistrictHTML)
}

// reportOf is the district whose multi-year report the caller reads: a district its own; the others the one
// they name (?district=, as the API's link to this page names it), or none for the city's.
func reportOf(r *http.Request) string {
	return cmp.Or(current(r).me.District, r.URL.Query().Get("district"))
}

// progressPath is the API's path of a district's multi-year report, or the city's for no district, over the years
// the page was asked for (?from=, ?to=), in format ("" for JSON).
func progressPath(r *http.Request, district, format string) string {
	q := url.Values{}
	for k, v := range map[string]string{"from": r.URL.Query().Get("from"), "to": r.URL.Query().Get("to"),
		"format": format} {
		if v != "" {
			q.Set(k, v)
		}
	}
	path := "/api/v1/progress"
	if district != "" {
		path = "/api/v1/districts/" + url.PathEscape(district) + "/progress"
	}
	return path + "?" + q.Encode()
}

// printed reads a report from the API at path and writes it as the printable page render makes of it, under
// report's content policy (its inline style sheet, nothing else). The page is rendered into memory first, so
// that a failure is a clean 500; a failed read is the usual error page.
func printed[T any](s *server, w http.ResponseWriter, r *http.Request, path string,
	render func(io.Writer, T) error) {
	var v T
	if rep := s.get(r, path, &v); !rep.ok() {
		s.apiError(w, r, rep)
		return
	}
	var buf bytes.Buffer
	if err := render(&buf, v); err != nil {
		s.opts.Logger.Error("printable page failed", "path", r.URL.Path, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Security-Policy", report.ContentSecurityPolicy)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}
