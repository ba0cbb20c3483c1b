package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"junheng/evaluation/excel"
	"junheng/report"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

type ledgerData struct {
	Filter url.Values
	usecase.LedgerPage
	Export string
	Prev   string
	Next   string
}

// ledgerFilters are the query parameters of the ledger page, kept in its links.
var ledgerFilters = []string{"year", "district", "status", "severity", "overdue", "page"}

// ledger is the rectification ledger, filtered (a district sees its own rows only).
func (s *server) ledger(w http.ResponseWriter, r *http.Request) {
	q := url.Values{}
	for _, k := range ledgerFilters {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	d := ledgerData{Filter: q}
	f, err := ledgerFilter(q)
	if err != nil {
		// A bad filter is the user's to fix on the same page, which shows it at once.
		current(r).flash = result("ledger", err, english(r), "")
		s.render(w, r, http.StatusOK, "ledger", "ledger", 0, d)
		return
	}
	page, _ := strconv.Atoi(q.Get("page")) // only the page's own links set it; anything else is the first
	if d.LedgerPage, err = s.opts.Core.Ledger(r.Context(), actor(r), f, max(page, 0), 0); err != nil {
		s.coreError(w, r, err)
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

// ledgerFilter reads the ledger's filters from the page's query.
func ledgerFilter(q url.Values) (usecase.LedgerFilter, error) {
	f := usecase.LedgerFilter{District: q.Get("district"), Status: vocab.ItemStatus(q.Get("status")),
		Severity: vocab.Severity(q.Get("severity"))}
	if q.Get("overdue") == "true" { // the box ticked; unticked, every row
		f.Overdue = new(true)
	}
	var bad usecase.Fields
	if v := q.Get("year"); v != "" {
		var err error
		if f.Year, err = strconv.Atoi(v); err != nil || f.Year < 1 {
			bad.Add("year", "应为年份, 如 2025", "must be a year such as 2025")
		}
	}
	return f, bad.Err()
}

// ledgerWorkbook is the ledger as filtered on its page, every row, as a workbook.
func (s *server) ledgerWorkbook(w http.ResponseWriter, r *http.Request) {
	f, err := ledgerFilter(r.URL.Query())
	var rows []store.Finding
	if err == nil {
		rows, err = s.opts.Core.LedgerRows(r.Context(), actor(r), f)
	}
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	s.download(w, r, "rectification-ledger.xlsx", excel.ContentType,
		func(w io.Writer) error { return report.LedgerXLSX(w, rows, s.opts.Location) })
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
	b, err := s.opts.Core.Bulletin(r.Context(), actor(r), year)
	switch {
	case err != nil:
		s.coreError(w, r, err)
	case r.URL.Query().Has("print"):
		s.printed(w, r, func(w io.Writer) error { return report.BulletinHTML(w, b) })
	default:
		s.render(w, r, http.StatusOK, "bulletin", "bulletin", year, b)
	}
}

func (s *server) notifications(w http.ResponseWriter, r *http.Request) {
	ns, err := s.opts.Core.Notifications(r.Context(), actor(r), false)
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "notifications", "notifications", 0, ns)
}

type auditData struct {
	Target string
	Events []store.AuditEvent
}

// audit is the audit trail of a target (a district's year cycle:2025:370211 or a finding), for the office.
func (s *server) audit(w http.ResponseWriter, r *http.Request) {
	d := auditData{Target: r.URL.Query().Get("target")}
	var err error
	d.Events, err = s.opts.Core.Audit(r.Context(), actor(r), usecase.AuditFilter{Target: d.Target, Limit: 500})
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "audit", "audit", 0, d)
}
