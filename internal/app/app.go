// Package app assembles a junheng process from the configuration: the database, Temporal (embedded or a
// cluster), the worker and the HTTP server, started in order and stopped gracefully in reverse.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"junheng/activities"
	"junheng/api"
	"junheng/evaluation"
	"junheng/files"
	"junheng/internal/config"
	"junheng/internal/datadir"
	"junheng/internal/temporalui"
	"junheng/internal/temporalx"
	"junheng/notify"
	"junheng/store"
	"junheng/usecase"
	"junheng/web"
	"junheng/workflows"
)

// Role says which pieces a process runs: serve runs both, api and worker one each.
type Role struct {
	API, Worker bool
	// Migrate applies pending migrations at start; otherwise a schema behind the binary is an error.
	Migrate bool
}

// ShutdownTimeout bounds how long in-flight requests and activities get to finish on SIGINT/SIGTERM.
const ShutdownTimeout = 30 * time.Second

// workflowTaskPollers is how many requests for workflow tasks a worker keeps open (see newWorkers): it starts with
// 16 and scales between 4 and 32, as the server hints. BENCHMARKS.md has the bench with 2 (the SDK's default), 8,
// 16 and these.
var workflowTaskPollers = worker.PollerBehaviorAutoscalingOptions{InitialNumberOfPollers: 16,
	MinimumNumberOfPollers: 4, MaximumNumberOfPollers: 32}

// Process is a started junheng process. Tests reach its parts directly.
type Process struct {
	Store    *store.Store
	Temporal client.Client
	Addr     net.Addr // where HTTP listens
	// MetricsAddr is where /metrics listens, apart from the public listener; nil when JUNHENG_METRICS_ADDR is empty.
	MetricsAddr net.Addr
	log         *slog.Logger
	srv         *http.Server
	served      chan error
	stack       []func() // undone in reverse by Close
}

// Run starts the process's pieces and blocks until ctx is cancelled, then stops them gracefully.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger, role Role) error {
	p, err := Start(ctx, cfg, log, role)
	if err != nil {
		return err
	}
	defer p.Close()
	select {
	case <-ctx.Done():
		return nil
	case err := <-p.served:
		return err
	}
}

// Start brings up the pieces in order: database, Temporal (embedded or dialled), worker, HTTP. A failure returns
// one error naming the dependency and where it was looked for, with everything started so far stopped again.
func Start(ctx context.Context, cfg *config.Config, log *slog.Logger, role Role) (_ *Process, err error) {
	p := &Process{log: log, served: make(chan error, 1)}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	profile, err := loadProfile(cfg.Profile)
	if err != nil {
		return nil, err
	}
	policy, err := config.LoadPolicy(cfg.Policy)
	if err != nil {
		return nil, err
	}
	if cfg.Embedded() && role.API && role.Worker {
		// The embedded default owns its data directory: a second serve on it would run a second Temporal server
		// on the same file. Taken before the database is opened, held until the process ends.
		lock, err := datadir.Acquire(cfg.DataDir, "serve")
		if err != nil {
			return nil, err
		}
		p.onClose(func() { _ = lock.Release() })
	}
	if p.Store, err = OpenStore(ctx, cfg, role.Migrate); err != nil {
		return nil, err
	}
	p.onClose(func() { _ = p.Store.Close() })
	if role.Migrate { // serve, where a new installation starts
		if err := firstAdminHint(ctx, p.Store, log, cfg.DataDir); err != nil {
			return nil, err
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	address := cfg.TemporalAddress
	var apiKey string // the embedded server's; a cluster's credentials come from Temporal's client configuration
	if cfg.Embedded() {
		if !role.API || !role.Worker {
			return nil, errors.New("TEMPORAL_ADDRESS is empty: the api and worker subcommands need a Temporal " +
				"cluster (serve runs an embedded one)")
		}
		srv, err := temporalx.StartEmbedded(ctx, temporalx.EmbeddedConfig{
			DataDir: cfg.DataDir, Port: cfg.TemporalPort, Namespace: cfg.TemporalNamespace,
			SearchAttributes: workflows.SearchAttributes, Logger: log, Overrides: cfg.TemporalOverrides,
		})
		if err != nil {
			return nil, err
		}
		p.onClose(func() { _ = srv.Stop() })
		address, apiKey = srv.Address(), srv.APIKey()
		log.Info("embedded Temporal started", "address", address, "data_dir", cfg.DataDir)
	}
	p.Temporal, err = temporalx.Dial(ctx, temporalx.DialOptions{HostPort: address, Namespace: cfg.TemporalNamespace,
		APIKey: apiKey, Cluster: !cfg.Embedded(), Logger: log, MetricsHandler: temporalx.NewMetricsHandler(reg)})
	if err != nil {
		return nil, err
	}
	p.onClose(p.Temporal.Close)

	checks := []api.Check{
		{Name: "database", Fn: p.Store.Ping},
		{Name: "temporal", Fn: func(ctx context.Context) error { return temporalx.Healthy(ctx, p.Temporal) }},
	}
	if !role.Worker {
		// An API alone is ready only when some worker serves the task queue: otherwise every action would wait
		// until it timed out.
		checks = append(checks, api.Check{Name: "workers", Fn: func(ctx context.Context) error {
			tq, err := p.Temporal.DescribeTaskQueue(ctx, workflows.TaskQueue, enums.TASK_QUEUE_TYPE_WORKFLOW)
			if err == nil && len(tq.GetPollers()) == 0 {
				err = fmt.Errorf("no worker polls task queue %q", workflows.TaskQueue)
			}
			return err
		}})
	}
	if role.Worker && !cfg.Embedded() {
		// A cluster's namespace may not know the workflows' search attributes yet (the embedded server registers
		// them itself); without them every workflow task would be refused.
		if err := temporalx.EnsureSearchAttributes(ctx, p.Temporal, cfg.TemporalNamespace,
			workflows.SearchAttributes); err != nil {
			return nil, fmt.Errorf("Temporal at %s: %w", address, err)
		}
	}
	if role.Worker {
		channels, err := loadChannels(cfg.Notify)
		if err != nil {
			return nil, err
		}
		if cfg.WorkflowCache > 0 {
			worker.SetStickyWorkflowCacheSize(cfg.WorkflowCache)
		}
		ws, up := newWorkers(p.Temporal, &activities.Activities{Store: p.Store, Profile: profile, Channels: channels,
			Location: cfg.Location, Log: log}, log)
		for queue, w := range ws {
			if err := w.Start(); err != nil {
				return nil, fmt.Errorf("Temporal worker on task queue %q at %s: %w", queue, address, err)
			}
			p.onClose(w.Stop) // waits for running activities, up to WorkerStopTimeout
		}
		checks = append(checks, api.Check{Name: "worker", Fn: func(context.Context) error {
			if !up.Load() {
				return errors.New("worker stopped")
			}
			return nil
		}})
	}

	if role.API {
		p.onClose(expireIdempotencyKeys(p.Store, cfg.IdempotencyTTL, log))
	}
	evidence, err := openFiles(cfg)
	if err != nil {
		return nil, err
	}
	checks = append(checks, api.Check{Name: "files", Fn: evidence.Check})
	cities := make(map[string]usecase.YearRules, len(policy.Cities))
	for code, r := range policy.Cities {
		cities[code] = usecase.YearRules{Calendar: r.Calendar, Policy: r.Workflow, Progress: r.Progress}
	}
	deps := api.Deps{Logger: log, Registry: reg, Ready: checks, OpsOnly: !role.API, Store: p.Store,
		Temporal: p.Temporal, Files: evidence, Profile: profile, Location: cfg.Location, Calendar: policy.Calendar,
		Policy: policy.Workflow, Rules: policy.Progress, Cities: cities, Public: policy.Public,
		RateLimit: cfg.RateLimit, Proxies: cfg.Proxies}
	deps.Core = usecase.New(deps.CoreDeps()) // one core for both faces
	handler := api.New(deps)
	var pages http.Handler = handler
	if role.API {
		operators, err := p.operatorsView(cfg, address, apiKey)
		if err != nil {
			return nil, err
		}
		var federation *web.OIDC
		if cfg.OIDCIssuer != "" {
			federation = &web.OIDC{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
				ClientSecret: cfg.OIDCClientSecret, Claim: cfg.OIDCClaim, PublicURL: cfg.PublicURL}
		}
		pages = web.Mount(handler, web.Options{Location: cfg.Location, Logger: log, Secure: cfg.HTTPS(),
			Proxies: cfg.Proxies, Operators: operators, Store: p.Store, Core: deps.Core, OIDC: federation})
	}
	if err := p.serveMetrics(cfg.MetricsAddr, reg); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("HTTP on %s (JUNHENG_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	p.Addr = ln.Addr()
	srv := &http.Server{Handler: pages, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	p.srv = srv
	go func() {
		// srv, not p.srv: Close may already have run and cleared it (Serve then returns ErrServerClosed).
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			p.served <- err
		}
	}()
	log.Info("HTTP listening", "address", p.Addr.String())
	return p, nil
}

// operatorsView is Temporal's Web UI for administrators, on the connection junheng's client uses: the embedded
// server's key, or Temporal's client configuration for a cluster. It is nil in a build without the tag temporalui.
func (p *Process) operatorsView(cfg *config.Config, address, apiKey string) (http.Handler, error) {
	opts := temporalui.Options{Address: address, Namespace: cfg.TemporalNamespace, APIKey: apiKey}
	if !cfg.Embedded() {
		co, key, err := temporalx.ClusterOptions()
		if err != nil {
			return nil, err
		}
		opts.APIKey = key
		if !co.ConnectionOptions.TLSDisabled {
			opts.TLS = co.ConnectionOptions.TLS
		}
	}
	view, err := temporalui.New(opts)
	if err != nil || view == nil {
		return nil, err
	}
	p.onClose(func() { _ = view.Close() })
	p.log.Info("operators' view", "path", temporalui.Prefix+"/")
	return view, nil
}

// serveMetrics serves /metrics on its own listener (loopback by default): the figures say what the city's
// districts are doing, and are for the operators' Prometheus, not for the public listener.
func (p *Process) serveMetrics(addr string, reg *prometheus.Registry) error {
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics on %s (JUNHENG_METRICS_ADDR): %w", addr, err)
	}
	p.MetricsAddr = ln.Addr()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	p.onClose(func() { _ = srv.Close() })
	return nil
}

// Close stops the process gracefully: in-flight requests finish, then the worker lets running activities
// finish, then Temporal and the database are closed.
func (p *Process) Close() {
	if p.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		p.log.Info("shutting down: finishing in-flight requests")
		_ = p.srv.Shutdown(ctx)
		cancel()
		p.srv = nil
	}
	for i := len(p.stack) - 1; i >= 0; i-- {
		p.stack[i]()
	}
	p.stack = nil
}

func (p *Process) onClose(f func()) { p.stack = append(p.stack, f) }

// expireIdempotencyKeys forgets, at start and then every hour, the answers to requests made longer than ttl ago;
// it returns the function that stops it.
func expireIdempotencyKeys(db *store.Store, ttl time.Duration, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			n, err := db.ExpireIdempotencyKeys(ctx, time.Now().Add(-ttl))
			if err != nil && ctx.Err() == nil {
				log.Warn("idempotency keys not expired", "error", err)
			} else if n > 0 {
				log.Info("idempotency keys expired", "count", n, "older_than", ttl)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// loadProfile reads the standard profile the cycles follow, or returns the built-in national standard for an empty
// path. A 2012 basic-balance profile is refused: it monitors districts already certified (junheng evaluate
// --profile, POST /evaluate?profile=), while a creation cycle is judged by the 2017 standard.
func loadProfile(path string) (evaluation.Profile, error) {
	if path == "" {
		return evaluation.National2017(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return evaluation.Profile{}, fmt.Errorf("JUNHENG_PROFILE: %w", err)
	}
	p, err := evaluation.LoadProfile(data, path)
	if err != nil {
		return evaluation.Profile{}, fmt.Errorf("JUNHENG_PROFILE %s: %w", path, err)
	}
	if p.Basic2012 != nil {
		return evaluation.Profile{}, fmt.Errorf("JUNHENG_PROFILE %s: profile %s is a 2012 basic-balance profile, "+
			"for monitoring certified districts (junheng evaluate --profile, POST /api/v1/evaluate?profile=); "+
			"the yearly cycles follow the 2017 standard or a profile based on it (base: %s)",
			path, p.Name, evaluation.NationalName)
	}
	return p, nil
}

// loadChannels reads the notification channels file; none means notifications are stored, not sent.
func loadChannels(path string) ([]notify.Routed, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("JUNHENG_NOTIFY: %w", err)
	}
	cfg, err := notify.LoadConfig(data, path)
	if err == nil {
		var chs []notify.Routed
		if chs, err = notify.Build(cfg); err == nil {
			return chs, nil
		}
	}
	return nil, fmt.Errorf("JUNHENG_NOTIFY %s: %w", path, err)
}

// openFiles opens the evidence file store: the object store JUNHENG_FILES_URL names, or the data directory.
func openFiles(cfg *config.Config) (*files.Store, error) {
	fc := files.Config{Dir: cfg.Path("files")}
	if cfg.FilesURL != "" {
		s3, err := files.ParseS3URL(cfg.FilesURL)
		if err != nil {
			return nil, fmt.Errorf("JUNHENG_FILES_URL: %w", err)
		}
		fc.S3 = s3
	}
	return files.New(fc)
}

// firstAdminHint tells the operator of a database with no account and no token how to make the first
// administrator: until then nobody can sign in, and no page can say how.
func firstAdminHint(ctx context.Context, db *store.Store, log *slog.Logger, dataDir string) error {
	accounts, err := db.CountAccounts(ctx)
	if err != nil {
		return err
	}
	tokens, err := db.Tokens(ctx)
	if err != nil || accounts > 0 || len(tokens) > 0 {
		return err
	}
	log.Warn("尚无账户或令牌, 请用 command 以本 serve 的设置创建第一个管理员; "+
		"no account or token yet: create the first administrator with command, under this serve's settings",
		"command", "junheng account create --role admin --login <LOGIN> --name <NAME> --data-dir "+dataDir)
	return nil
}

// OpenStore opens the configured database and either migrates it or checks that it is current.
func OpenStore(ctx context.Context, cfg *config.Config, migrate bool) (*store.Store, error) {
	if cfg.DatabaseURL == "" {
		// The data directory holds the databases: private to the user that runs junheng (the first command run
		// there may be `junheng token create`, before any serve).
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory %s: %w", cfg.DataDir, err)
		}
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.Path("junheng.db"))
	if err != nil {
		return nil, err
	}
	if migrate {
		_, err = db.Migrate(ctx)
	} else {
		var cur, newest int64
		if cur, newest, err = db.SchemaVersion(ctx); err == nil && cur != newest {
			err = fmt.Errorf("database schema is at version %d, this binary needs %d: run `junheng migrate` first",
				cur, newest)
		}
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// newWorkers makes the workers by task queue: the workflows and every activity on workflows.TaskQueue (a
// delivery an earlier release scheduled there runs there), and the deliveries on workflows.DeliveryQueue. up
// turns false when either stops for good.
func newWorkers(tc client.Client, acts *activities.Activities, log *slog.Logger) (map[string]worker.Worker,
	*atomic.Bool,
) {
	up := &atomic.Bool{}
	up.Store(true)
	options := worker.Options{
		WorkerStopTimeout: ShutdownTimeout,
		OnFatalError: func(err error) {
			up.Store(false)
			log.Error("Temporal worker stopped", "error", err)
		},
	}
	deliveries := worker.New(tc, workflows.DeliveryQueue, options)
	// Every local and regular activity of the actions holds a database connection while it runs: more at once
	// would only queue on the pool, their start-to-close timeouts running. Workflow tasks of new workflows and
	// of those evicted from the cache come from the task queue, apart from the sticky ones: with the SDK's two
	// pollers, a burst of started items (reviews starting three each) kept the first plan of each waiting seconds.
	// A fixed number of pollers all turn to the sticky queues while those have a backlog, leaving the new items'
	// first tasks waiting (p95 1.5 s under the bench); autoscaling pollers keep some on the task queue.
	conns := acts.Store.Connections()
	options.MaxConcurrentActivityExecutionSize, options.MaxConcurrentLocalActivityExecutionSize = conns, conns
	options.WorkflowTaskPollerBehavior = worker.NewPollerBehaviorAutoscaling(workflowTaskPollers)
	w := worker.New(tc, workflows.TaskQueue, options)
	workflows.Register(w)
	w.RegisterActivity(acts)
	deliveries.RegisterActivityWithOptions(acts.Deliver, activity.RegisterOptions{Name: workflows.ActivityDeliver})
	return map[string]worker.Worker{workflows.TaskQueue: w, workflows.DeliveryQueue: deliveries}, up
}
