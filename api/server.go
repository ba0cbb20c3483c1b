// Package api is junheng's HTTP interface (echo v4): it authenticates, authorises and validates requests, then
// calls Temporal (Workflow Updates) for actions or the store for reads. Nothing else in the module imports echo.
package api

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"junheng/evaluation"
	"junheng/files"
	"junheng/internal/throttle"
	"junheng/progress"
	"junheng/report"
	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

// Check is one dependency that /readyz reports on.
type Check struct {
	Name string
	Fn   func(context.Context) error
}

// Deps is what the HTTP layer needs from the process that hosts it.
type Deps struct {
	Logger   *slog.Logger
	Registry *prometheus.Registry // HTTP metrics are registered on it (the app serves it on its own listener)
	Ready    []Check
	// OpsOnly serves the operations endpoints alone (a worker process).
	OpsOnly bool

	Store    *store.Store
	Temporal client.Client
	Files    *files.Store
	Profile  evaluation.Profile
	Location *time.Location
	Calendar workflows.Calendar
	Policy   workflows.Policy
	Rules    progress.Rules       // the yearly targets and the city's targets
	Public   progress.Publication // what the public summary page shows, if anything
	// Cities are the rules of the cities with their own, by city code; the others have those above.
	Cities map[string]usecase.YearRules
	// RateLimit is each token's sustained requests per second (bursts of twice that); 0 turns it off.
	RateLimit float64
	// Proxies are the reverse proxies whose X-Forwarded-For names the client, for the throttle of bad tokens.
	Proxies []netip.Prefix
	// Core is the use cases, shared with the pages; nil builds one from the dependencies above (CoreDeps).
	Core *usecase.Core
}

// CoreDeps is what the core needs of d.
func (d Deps) CoreDeps() usecase.Deps {
	return usecase.Deps{Store: d.Store, Temporal: d.Temporal, Files: d.Files, Profile: d.Profile,
		Location: d.Location, Calendar: d.Calendar, Policy: d.Policy, Rules: d.Rules, Cities: d.Cities,
		Logger: d.Logger}
}

// Server holds the handlers' dependencies.
type Server struct {
	core     *usecase.Core
	store    *store.Store
	temporal client.Client
	files    *files.Store
	profile  evaluation.Profile
	loc      *time.Location
	public   *publicPage
	log      *slog.Logger
	started  time.Time // requests claimed before this are not in flight here
	proxies  []netip.Prefix
	guesses  *throttle.Failures // unknown and revoked tokens, by client address
}

// MaxBodyBytes bounds every request body; uploads have their own, larger route limits.
const MaxBodyBytes = 2 << 20

// New builds the HTTP handler: operations endpoints plus the API routes.
func New(d Deps) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Logger)
	e.Use(requestID)
	e.Use(requestLog(d.Logger))
	e.Use(securityHeaders)
	e.Use(middleware.Recover())
	e.Use(httpMetrics(d.Registry))

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", readyz(d.Ready, d.Logger))

	if d.OpsOnly {
		return e
	}
	core := d.Core
	if core == nil {
		core = usecase.New(d.CoreDeps())
	}
	s := &Server{core: core, store: d.Store, temporal: d.Temporal, files: d.Files, profile: d.Profile, loc: d.Location,
		public: &publicPage{Publication: d.Public},
		log:    d.Logger, started: time.Now(), proxies: d.Proxies,
		guesses: &throttle.Failures{Every: guessEvery, Burst: guessBurst}}
	s.register(e, d.RateLimit)
	return e
}

// readyz answers 200 when every dependency answers, else 503 naming the ones that do not. Anyone may ask: the
// answer says which dependency failed, and only the log says how (an address, a database name).
func readyz(checks []Check, log *slog.Logger) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		status, body := http.StatusOK, map[string]string{}
		for _, ch := range checks {
			if err := ch.Fn(ctx); err != nil {
				status, body[ch.Name] = http.StatusServiceUnavailable, "unavailable"
				log.Warn("not ready", "dependency", ch.Name, "error", err)
				continue
			}
			body[ch.Name] = "ok"
		}
		return c.JSON(status, body)
	}
}

const clientRequestIDKey = "client_request_id"

// saneRequestID is what a client's own X-Request-Id must look like to be logged at all.
var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID gives every request an ID of ours, answered as X-Request-Id and written to the log and the audit
// trail. The client's X-Request-Id is never taken for ours, or a caller could forge another request's trail; a
// sane one is kept apart and logged as client_request_id, so that the client's logs can be matched with ours.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if id := c.Request().Header.Get(echo.HeaderXRequestID); saneRequestID.MatchString(id) {
			c.Set(clientRequestIDKey, id)
		}
		c.Request().Header.Del(echo.HeaderXRequestID)
		c.Response().Header().Set(echo.HeaderXRequestID, rand.Text())
		return next(c)
	}
}

// securityHeaders keeps every answer out of shared and browser caches (each is one caller's data, or a secret),
// forbids type sniffing, and puts the CSP on every HTML answer, whichever handler writes it.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, "no-store")
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		c.Response().Before(func() {
			if strings.HasPrefix(h.Get(echo.HeaderContentType), echo.MIMETextHTML) {
				h.Set(echo.HeaderContentSecurityPolicy, report.ContentSecurityPolicy) // the public summary page
			}
		})
		return next(c)
	}
}

// requestLog writes one structured line per request, with our request ID (that the response also carries) and
// the client's own, if it sent a sane one.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogError: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", v.Method), slog.String("uri", v.URI), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency)}
			if id, ok := c.Get(clientRequestIDKey).(string); ok {
				attrs = append(attrs, slog.String(clientRequestIDKey, id))
			}
			if v.Error != nil {
				attrs = append(attrs, slog.String("error", v.Error.Error()))
			}
			log.LogAttrs(c.Request().Context(), level, "http", attrs...)
			return nil
		},
	})
}

// httpMetrics records request durations by route pattern (never the raw path, to bound label cardinality).
func httpMetrics(reg prometheus.Registerer) echo.MiddlewareFunc {
	hist := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "junheng_http_request_duration_seconds",
		Help:    "HTTP request durations by route, method and status.",
		Buckets: prometheus.ExponentialBuckets(0.002, 2, 12),
	}, []string{"route", "method", "status"})
	reg.MustRegister(hist)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			if err != nil && !c.Response().Committed {
				status = toProblem(err).Status // what the error handler will answer
			}
			hist.WithLabelValues(c.Path(), c.Request().Method, strconv.Itoa(status)).
				Observe(time.Since(start).Seconds())
			return err
		}
	}
}
