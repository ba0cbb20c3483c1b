// Package web serves the pages of junheng for districts and the supervision office: server-rendered HTML in
// Chinese first (English on request), usable without JavaScript and printable.
//
// The pages hold no data of their own. Every read and every action is a call of the use-case core (package
// usecase) for the signed-in person, the same calls the JSON API makes, so what a page shows and allows is exactly
// what that person's token may see and do through the API. Sessions, and the outcome of each form (see once in
// core.go), live in the store, so that any process of the site serves them.
package web

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"junheng/internal/temporalui"
	"junheng/internal/throttle"
	"junheng/store"
	"junheng/usecase"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the pages.
type Options struct {
	// Secure says users reach the pages over HTTPS (JUNHENG_PUBLIC_URL is https): cookies are Secure even on a
	// request a TLS-terminating proxy forwards as plain HTTP, and every answer sends HSTS. Without it, cookies are
	// Secure on the requests that came over HTTPS (TLS to us, or X-Forwarded-Proto from a trusted proxy).
	Secure bool
	// Proxies are the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.
	Proxies []netip.Prefix
	// Location is the time zone dates are shown in; nil means Asia/Shanghai.
	Location *time.Location
	// SessionIdle ends a session unused for this long; zero means 8 hours.
	SessionIdle time.Duration
	// Logger records template failures; nil means slog.Default().
	Logger *slog.Logger
	// Operators, if set, is Temporal's Web UI (internal/temporalui), served at temporalui.Prefix to signed-in
	// administrators only, for reading: the UI's own requests are GETs, and a POST would need the page's CSRF token.
	Operators http.Handler
	// Store keeps the sessions, so that every process serving the site knows a signed-in person; required.
	Store *store.Store
	// Core is what the pages do and show (the API calls the same); required.
	Core *usecase.Core
	// OIDC, if set, offers the unified sign-in beside login name and password.
	OIDC *OIDC
}

type server struct {
	api      http.Handler
	opts     Options
	sessions *sessions
	pages    map[string]*template.Template
	// signInFailures slows token guessing: ten wrong tokens from an address, then one a minute.
	signInFailures *throttle.Failures
	federation     *federation // nil without Options.OIDC
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
	s := &server{api: api, opts: opts, sessions: &sessions{store: opts.Store, idle: opts.SessionIdle},
		signInFailures: &throttle.Failures{Every: time.Minute, Burst: 10}}
	s.pages = parsePages(s.funcs())
	static, _ := fs.Sub(staticFS, "static")

	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.signedIn(s.logout))
	if opts.OIDC != nil {
		s.federation = &federation{cfg: *opts.OIDC}
		mux.HandleFunc("GET /login/oidc", s.oidcStart)
		mux.HandleFunc("GET "+oidcCallback, s.oidcCallback)
	}
	mux.HandleFunc("GET /account/password", s.signedIn(s.passwordPage))
	mux.HandleFunc("POST /account/password", s.signedIn(s.changePassword))
	mux.HandleFunc("GET /account/totp", s.signedIn(s.totpPage))
	mux.HandleFunc("POST /account/totp", s.signedIn(s.enableTOTP))
	mux.HandleFunc("POST /account/totp/off", s.signedIn(s.disableTOTP))
	mux.HandleFunc("GET /account/tokens", s.signedIn(s.tokensPage))
	mux.HandleFunc("POST /account/tokens", s.signedIn(s.createToken))
	mux.HandleFunc("POST /account/tokens/revoke", s.signedIn(s.revokeToken))
	mux.HandleFunc("GET /admin/accounts", s.signedIn(s.accountsPage))
	mux.HandleFunc("POST /admin/accounts", s.signedIn(s.createAccount))
	mux.HandleFunc("POST /admin/accounts/reset", s.signedIn(s.resetAccount))
	mux.HandleFunc("POST /admin/accounts/disable", s.signedIn(s.disableAccount))
	mux.HandleFunc("GET /admin/organisation", s.signedIn(s.organisationPage))
	mux.HandleFunc("POST /admin/organisation", s.signedIn(s.importOrganisation))
	mux.HandleFunc("POST /admin/organisation/unit", s.signedIn(s.saveUnit))
	mux.HandleFunc("GET /download/organisation.xlsx", s.signedIn(s.organisationWorkbook))
	mux.HandleFunc("GET /download/organisation-template.xlsx", s.signedIn(s.organisationTemplate))
	mux.HandleFunc("GET /{$}", s.signedIn(s.home))
	mux.HandleFunc("GET /office", s.signedIn(s.dashboard))
	mux.HandleFunc("GET /province", s.signedIn(s.provinceDashboard))
	mux.HandleFunc("POST /office/open", s.signedIn(s.openYear))
	mux.HandleFunc("GET /office/district", s.signedIn(s.officeDistrict))
	mux.HandleFunc("POST /office/review", s.signedIn(s.review))
	mux.HandleFunc("POST /office/decision", s.signedIn(s.decision))
	mux.HandleFunc("GET /district", s.signedIn(s.workspace))
	mux.HandleFunc("POST /district/upload", s.signedIn(s.upload))
	mux.HandleFunc("POST /district/edit", s.signedIn(s.edit))
	mux.HandleFunc("POST /district/monitor", s.signedIn(s.monitor))
	mux.HandleFunc("POST /district/submit", s.signedIn(s.submit))
	mux.HandleFunc("POST /district/apply", s.signedIn(s.apply))
	mux.HandleFunc("GET /school", s.signedIn(s.school))
	mux.HandleFunc("POST /school/save", s.signedIn(s.saveSchool))
	mux.HandleFunc("POST /school/submit", s.signedIn(s.submitSchool))
	mux.HandleFunc("GET /district/schools", s.signedIn(s.districtSchools))
	mux.HandleFunc("POST /district/schools/open", s.signedIn(s.openSchools))
	mux.HandleFunc("POST /district/schools/assemble", s.signedIn(s.assembleSchools))
	mux.HandleFunc("GET /district/school", s.signedIn(s.districtSchool))
	mux.HandleFunc("POST /district/school/{action}", s.signedIn(s.decideSchool)) // accept, return, deadline
	mux.HandleFunc("POST /finding/{action}", s.signedIn(s.findingAction))
	mux.HandleFunc("GET /finding", s.signedIn(s.finding))
	mux.HandleFunc("GET /ledger", s.signedIn(s.ledger))
	mux.HandleFunc("GET /notifications", s.signedIn(s.notifications))
	mux.HandleFunc("GET /audit", s.signedIn(s.audit))
	mux.HandleFunc("GET /plan", s.signedIn(s.plan))
	mux.HandleFunc("POST /plan", s.signedIn(s.submitPlan))
	mux.HandleFunc("POST /plan/review", s.signedIn(s.reviewPlan))
	// The bulletin and the multi-year report print as package report renders them, from the API's JSON.
	mux.HandleFunc("GET /bulletin", s.signedIn(s.bulletin))
	mux.HandleFunc("GET /progress", s.signedIn(s.progress))
	mux.HandleFunc("GET /download/template.xlsx", s.signedIn(s.template))
	mux.HandleFunc("GET /download/self-assessment.xlsx", s.signedIn(s.savedWorkbook))
	mux.HandleFunc("GET /download/ledger.xlsx", s.signedIn(s.ledgerWorkbook))
	mux.HandleFunc("GET /download/file", s.signedIn(s.file))
	mux.HandleFunc("GET /download/bulletin.xlsx", s.signedIn(s.bulletinWorkbook))
	mux.HandleFunc("GET /download/progress.xlsx", s.signedIn(s.progressWorkbook))
	if opts.Operators != nil {
		mux.HandleFunc("GET "+temporalui.Prefix+"/", s.signedIn(adminOnly(opts.Operators)))
	}
	return s.securityHeaders(s.language(mux)), mux
}

// adminOnly serves next to administrators; to anyone else the path does not exist.
func adminOnly(next http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if current(r).me.Role != "admin" {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}
}

// pagePolicy lets the pages load only their own style sheet, script and images: no inline script or style, no
// framing, forms posted only here. The charts are inline <svg> elements with presentation attributes, which
// style-src does not govern, so the pages need no 'unsafe-inline'.
const pagePolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// hsts asks browsers to use HTTPS only, for a year, once the deployment says it is reached over HTTPS.
const hsts = "max-age=31536000"

// securityHeaders sets the content policy and, on every answer but the static assets, no-store: the pages show a
// user's data or start a session, and a shared or back-button cache must not keep them.
func (s *server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", pagePolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if s.opts.Secure {
			h.Set("Strict-Transport-Security", hsts)
		}
		next.ServeHTTP(w, r)
	})
}
