// Package web serves the pages of junheng for districts and the supervision office: server-rendered HTML in
// Chinese first (English on request), usable without JavaScript and printable.
//
// The pages hold no data of their own. Every read and every action is an in-process request to the JSON API
// handler with the signed-in user's bearer token, so what a page shows and allows is exactly what that token may
// see and do through the API.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the pages.
type Options struct {
	// SecureCookies marks cookies Secure even on plain-HTTP requests, for deployments behind a TLS-terminating
	// proxy; requests that arrive over TLS get Secure cookies regardless.
	SecureCookies bool
	// Location is the time zone dates are shown in; nil means Asia/Shanghai.
	Location *time.Location
	// SessionIdle ends a session unused for this long; zero means 8 hours.
	SessionIdle time.Duration
	// Logger records template failures; nil means slog.Default().
	Logger *slog.Logger
}

type server struct {
	api      http.Handler
	opts     Options
	sessions *sessions
	pages    map[string]*template.Template
}

// Mount serves the pages and hands every other request (the JSON API, /healthz, /readyz, /metrics) to api, so
// one listener serves both.
func Mount(api http.Handler, opts Options) http.Handler {
	pages, mux := build(api, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			api.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
}

func build(api http.Handler, opts Options) (http.Handler, *http.ServeMux) {
	if opts.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		opts.Location = loc
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.SessionIdle == 0 {
		opts.SessionIdle = 8 * time.Hour
	}
	s := &server{api: api, opts: opts, sessions: newSessions(opts.SessionIdle)}
	s.pages = parsePages(s.funcs())
	static, _ := fs.Sub(staticFS, "static")

	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.signedIn(s.logout))
	mux.HandleFunc("GET /{$}", s.signedIn(s.home))
	mux.HandleFunc("GET /office", s.signedIn(s.dashboard))
	mux.HandleFunc("POST /office/open", s.signedIn(s.openYear))
	mux.HandleFunc("GET /office/district", s.signedIn(s.officeDistrict))
	mux.HandleFunc("POST /office/review", s.signedIn(s.review))
	mux.HandleFunc("POST /office/decision", s.signedIn(s.decision))
	mux.HandleFunc("GET /district", s.signedIn(s.workspace))
	mux.HandleFunc("POST /district/upload", s.signedIn(s.upload))
	mux.HandleFunc("POST /district/edit", s.signedIn(s.edit))
	mux.HandleFunc("POST /district/submit", s.signedIn(s.submit))
	mux.HandleFunc("POST /district/apply", s.signedIn(s.apply))
	mux.HandleFunc("POST /finding/{action}", s.signedIn(s.findingAction))
	mux.HandleFunc("GET /finding", s.signedIn(s.finding))
	mux.HandleFunc("GET /ledger", s.signedIn(s.ledger))
	mux.HandleFunc("GET /notifications", s.signedIn(s.notifications))
	mux.HandleFunc("GET /audit", s.signedIn(s.audit))
	mux.HandleFunc("GET /plan", s.signedIn(s.plan))
	mux.HandleFunc("POST /plan", s.signedIn(s.submitPlan))
	mux.HandleFunc("POST /plan/review", s.signedIn(s.reviewPlan))
	// Downloads come straight from the API with the session's token.
	mux.HandleFunc("GET /bulletin", s.signedIn(s.bulletin))
	mux.HandleFunc("GET /download/template.xlsx", s.signedIn(s.download(func(*http.Request) string {
		return "/api/v1/templates/self-assessment.xlsx"
	})))
	mux.HandleFunc("GET /download/self-assessment.xlsx", s.signedIn(s.download(func(r *http.Request) string {
		return cyclePath(s.yearOf(r), current(r).me.District) + "/self-assessment?format=xlsx"
	})))
	mux.HandleFunc("GET /download/ledger.xlsx", s.signedIn(s.download(func(r *http.Request) string {
		q := url.Values{"format": {"xlsx"}}
		for _, k := range ledgerFilters {
			if v := r.URL.Query().Get(k); v != "" && k != "page" {
				q.Set(k, v)
			}
		}
		return "/api/v1/findings?" + q.Encode()
	})))
	mux.HandleFunc("GET /download/file", s.signedIn(s.download(func(r *http.Request) string {
		return "/api/v1/files/" + url.PathEscape(r.URL.Query().Get("id"))
	})))
	mux.HandleFunc("GET /download/bulletin.xlsx", s.signedIn(s.download(func(r *http.Request) string {
		return fmt.Sprintf("/api/v1/cycles/%d/bulletin?format=xlsx", s.yearOf(r))
	})))
	// The multi-year report is the API's printable page, which carries its own style sheet inline.
	mux.HandleFunc("GET /progress", s.signedIn(printable(s.download(func(r *http.Request) string { return progressPath(r, "html") }))))
	mux.HandleFunc("GET /download/progress.xlsx", s.signedIn(s.download(func(r *http.Request) string { return progressPath(r, "xlsx") })))
	return securityHeaders(s.language(mux)), mux
}

// progressPath is the caller's multi-year report: its own district's for a district, the city's for the others.
func progressPath(r *http.Request, format string) string {
	if d := current(r).me.District; d != "" {
		return "/api/v1/districts/" + d + "/progress?format=" + format
	}
	return "/api/v1/progress?format=" + format
}

// printable lets a page of the API's reports use its inline style sheet; it loads nothing and runs no script.
func printable(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
		next(w, r)
	}
}

// securityHeaders forbids framing and inline scripts from elsewhere: pages only load their own assets.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
