package web

import (
	"fmt"
	"net/http"
	"net/url"

	"junheng/report"
)

type ledgerData struct {
	Filter   url.Values
	Total    int64        `json:"total"`
	Page     int          `json:"page"`
	PerPage  int          `json:"per_page"`
	Findings []findingRow `json:"findings"`
	Export   string
	Prev     string
	Next     string
}

// ledgerFilters are the query parameters the ledger page passes on to GET /api/v1/findings.
var ledgerFilters = []string{"year", "district", "status", "severity", "overdue", "page"}

// ledger is the rectification ledger, filtered as the API filters it (a district sees its own rows only).
func (s *server) ledger(w http.ResponseWriter, r *http.Request) {
	q := url.Values{}
	for _, k := range ledgerFilters {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	d := ledgerData{Filter: q}
	rep := s.get(r, "/api/v1/findings?"+q.Encode(), &d)
	if !rep.ok() {
		// A bad filter is the user's to fix on the same page, which shows it at once.
		current(r).flash = outcome("ledger", rep, english(r), "")
		s.render(w, r, http.StatusOK, "ledger", "ledger", 0, d)
		return
	}
	exp := cloneValues(q)
	exp.Del("page")
	d.Export = "/download/ledger.xlsx?" + exp.Encode()
	if d.Page > 1 {
		d.Prev = pageURL(q, d.Page-1)
	}
	if int64(d.Page*d.PerPage) < d.Total {
		d.Next = pageURL(q, d.Page+1)
	}
	s.render(w, r, http.StatusOK, "ledger", "ledger", 0, d)
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func pageURL(q url.Values, page int) string {
	p := cloneValues(q)
	p.Set("page", fmt.Sprint(page))
	return "/ledger?" + p.Encode()
}

// bulletin is the progress bulletin of a year: a page among the others, or with ?print the printable bulletin
// (定期通报), which the API's ?format=html links to.
func (s *server) bulletin(w http.ResponseWriter, r *http.Request) {
	year := s.yearOf(r)
	path := fmt.Sprintf("/api/v1/cycles/%d/bulletin", year)
	if r.URL.Query().Has("print") {
		printed(s, w, r, path, report.BulletinHTML)
		return
	}
	var b report.Bulletin
	if rep := s.get(r, path, &b); !rep.ok() {
		s.apiError(w, r, rep)
		return
	}
	s.render(w, r, http.StatusOK, "bulletin", "bulletin", year, b)
}

func (s *server) notifications(w http.ResponseWriter, r *http.Request) {
	var ns []notification
	if rep := s.get(r, "/api/v1/notifications", &ns); !rep.ok() {
		s.apiError(w, r, rep)
		return
	}
	s.render(w, r, http.StatusOK, "notifications", "notifications", 0, ns)
}

type auditData struct {
	Target string
	Events []auditEvent
}

// audit is the audit trail of a target (a district's year cycle:2025:370211 or a finding), for the office.
func (s *server) audit(w http.ResponseWriter, r *http.Request) {
	d := auditData{Target: r.URL.Query().Get("target")}
	q := url.Values{"limit": {"500"}}
	if d.Target != "" {
		q.Set("target", d.Target)
	}
	if rep := s.get(r, "/api/v1/audit?"+q.Encode(), &d.Events); !rep.ok() {
		s.apiError(w, r, rep)
		return
	}
	s.render(w, r, http.StatusOK, "audit", "audit", 0, d)
}

// download streams a file the API produces (template, ledger or bulletin workbook) to the browser.
func (s *server) download(path func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rep := s.call(r, http.MethodGet, path(r), nil, "")
		if !rep.ok() {
			s.apiError(w, r, rep)
			return
		}
		for _, h := range []string{"Content-Type", "Content-Disposition"} {
			w.Header().Set(h, rep.header.Get(h))
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(rep.body)
	}
}
