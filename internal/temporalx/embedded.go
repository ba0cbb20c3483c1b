// Package temporalx runs Temporal for junheng: an embedded single-node
// server persisted to one SQLite file, client dialing, and a Prometheus
// handler for the SDK's metrics.
//
// The embedded server is the Temporal server's own services (frontend,
// history, matching, worker) in this process, configured like the Temporal
// CLI's dev server but with file storage tuned to survive restarts:
//
//   - SQLite journal_mode=WAL, synchronous=FULL, like the app database:
//     each commit is synced to disk before the server acts on it, so what
//     it acknowledged (an Update, a timer, a completed activity) survives a
//     power loss, not only a process crash. With NORMAL a power loss could
//     drop the last commits of one file and not the other's, leaving the
//     app database ahead of Temporal. It costs about a fifth of the
//     throughput of a year on 2 cores (BENCHMARKS.md).
//     The plugin's default of one connection stays: with several,
//     concurrent transactions failed with SQLITE_BUSY when upgrading to write.
//     busy_timeout makes other connections to the file (a backup, the sqlite3
//     shell) wait for the writer instead of failing.
//   - The schema is created in DataDir/temporal.db.new and renamed into
//     place, so a crash during the first start cannot leave a half-created
//     database that later starts would trust.
//   - One history shard: SQLite has a single writer, so more shards add no
//     throughput. The count is fixed when the file is created.
//   - matching.numTaskqueue{Read,Write}Partitions=1: partitions spread a task
//     queue across matching hosts; with one host the default 4 only split the
//     backlog, which then drained 7× slower on file storage.
//   - frontend.namespaceRPS.visibility=100: the default of 10 list/count
//     calls per second is easily exceeded by the app's overview pages.
//   - Workflow Updates need nothing: server 1.32 enables them by default.
//     system.forceSearchAttributesCacheRefreshOnRead stays off: it reads the
//     namespace from the database on every search attribute lookup.
//   - Ports: every service listens on 127.0.0.1 only, the frontend on
//     EmbeddedConfig.Port, the others on free ports picked at each start.
//     Membership is static (no ringpop), so no membership ports are needed.
//   - Credentials (auth.go): a local process is no caller to trust, since an
//     Update with a forged actor writes a false audit row. The frontend
//     refuses every call without the API key (DataDir/temporal-api-key)
//     except the gRPC health check and GetSystemInfo. The server's own
//     traffic cannot send that key (its worker service dials the frontend
//     bare, and a refusal is a Fatal that ends the process), so it goes to an
//     internal frontend, which trusts its callers, as history and matching
//     do: those ports, and the worker's, take only callers with the node
//     certificate (mutual TLS, internode config), made into DataDir.
//   - The namespace is created with Retention (30 days by default) and the
//     custom search attributes, so they work from the first workflow. On later
//     starts a changed retention is applied and new search attributes are
//     added through the operator service; those reach every service within
//     the namespace cache refresh (2 s).
package temporalx

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"

	"junheng/internal/datadir"
)

const (
	dbFileName       = "temporal.db"
	localhost        = "127.0.0.1"
	clusterName      = "active"
	defaultRetention = 30 * 24 * time.Hour
	// readyTimeout bounds the wait for the frontend after the services start.
	readyTimeout = 30 * time.Second
)

// EmbeddedConfig configures StartEmbedded.
type EmbeddedConfig struct {
	// DataDir holds the SQLite file temporal.db; created if missing.
	DataDir string
	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free one.
	Port int
	// Namespace is created if missing; "default" if empty.
	Namespace string
	// Retention of closed workflows in Namespace; 30 days if zero.
	Retention time.Duration
	// SearchAttributes are the custom search attributes registered on Namespace.
	SearchAttributes map[string]enums.IndexedValueType
	// Logger receives the server's warnings and errors; slog.Default() if nil.
	Logger *slog.Logger
	// Overrides sets Temporal dynamic config by key name (e.g. "history.maxTotalUpdates": 50), over the
	// defaults below; for tests that need a limit within reach. An unknown key or a wrong type is an error.
	Overrides map[string]any
}

// Embedded is a running embedded Temporal server.
type Embedded struct {
	server   temporal.Server
	address  string
	apiKey   string
	ports    map[primitives.ServiceName]int
	stopping *atomic.Bool // shared with the server's logger
	stopOnce sync.Once
	stopErr  error
}

// StartEmbedded starts the server on the SQLite file in cfg.DataDir and
// returns once the frontend serves cfg.Namespace.
func StartEmbedded(ctx context.Context, cfg EmbeddedConfig) (*Embedded, error) {
	e, err := startEmbedded(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("embedded Temporal: %w", err)
	}
	return e, nil
}

func startEmbedded(ctx context.Context, cfg EmbeddedConfig) (*Embedded, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("DataDir is empty")
	}
	if cfg.Namespace == "" {
		cfg.Namespace = client.DefaultNamespace
	}
	if cfg.Retention == 0 {
		cfg.Retention = defaultRetention
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	dc, err := dynamicConfig(cfg.Overrides)
	if err != nil {
		return nil, err
	}

	// The ports stay bound until just before the services bind them: the
	// server exits the process (log.Fatal) when a listener fails, so a taken
	// port must be reported here.
	var ls []net.Listener
	for _, p := range []int{cfg.Port, 0, 0, 0, 0} {
		l, err := listen(p)
		if err != nil {
			closeAll(ls)
			return nil, err
		}
		ls = append(ls, l)
	}
	ports := map[primitives.ServiceName]int{
		primitives.FrontendService:         port(ls[0]),
		primitives.InternalFrontendService: port(ls[1]),
		primitives.HistoryService:          port(ls[2]),
		primitives.MatchingService:         port(ls[3]),
		primitives.WorkerService:           port(ls[4]),
	}

	sqlCfg, err := prepareStore(cfg)
	var creds *credentials
	if err == nil {
		creds, err = loadCredentials(cfg.DataDir)
	}
	closeAll(ls)
	if err != nil {
		return nil, err
	}

	stopping := new(atomic.Bool)
	server, err := temporal.NewServer(serverOptions(cfg, sqlCfg, ports, creds, dc, stopping)...)
	if err != nil {
		return nil, fmt.Errorf("configure server: %w", err)
	}
	if err := server.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	e := &Embedded{
		server:   server,
		address:  net.JoinHostPort(localhost, strconv.Itoa(ports[primitives.FrontendService])),
		apiKey:   creds.apiKey,
		ports:    ports,
		stopping: stopping,
	}
	if err := e.configureNamespace(ctx, cfg); err != nil {
		_ = e.Stop()
		return nil, fmt.Errorf("frontend at %s: %w", e.address, err)
	}
	return e, nil
}

// Address is the frontend's "127.0.0.1:PORT".
func (e *Embedded) Address() string { return e.address }

// APIKey is the key the frontend requires (DialOptions.APIKey); it is also in DataDir/temporal-api-key.
func (e *Embedded) APIKey() string { return e.apiKey }

// Stop stops the server gracefully (about a second: the frontend drains
// its requests); later calls return the first result. The SQLite plugin
// keeps its connection to the file until the process exits, and a later
// StartEmbedded on the same DataDir reuses it.
func (e *Embedded) Stop() error {
	e.stopOnce.Do(func() {
		e.stopping.Store(true)
		if err := e.server.Stop(); err != nil {
			e.stopErr = fmt.Errorf("embedded Temporal: stop: %w", err)
		}
	})
	return e.stopErr
}

func listen(p int) (net.Listener, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(localhost, strconv.Itoa(p)))
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("port %d is in use", p)
	}
	return l, err
}

func port(l net.Listener) int { return l.Addr().(*net.TCPAddr).Port }

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		_ = l.Close()
	}
}

// prepareStore creates the database file if missing and the namespace in it.
func prepareStore(cfg EmbeddedConfig) (*config.SQL, error) {
	if err := datadir.Private(cfg.DataDir); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", cfg.DataDir, err)
	}
	path := filepath.Join(cfg.DataDir, dbFileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := createSchema(path); err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
	} else if err != nil {
		return nil, err
	}
	if err := datadir.PrivateDB(path); err != nil { // earlier versions left it 0644
		return nil, err
	}

	sqlCfg := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "full",
			"busy_timeout": "10000",
		},
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, cfg.Namespace, false, cfg.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("namespace %q: %w", cfg.Namespace, err)
	}
	ns.Detail.Config.Retention = durationpb.New(cfg.Retention)
	if err := sqliteschema.CreateNamespaces(sqlCfg, ns); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return sqlCfg, nil
}

// createSchema builds the schema in a scratch file and renames it to path.
// The plugin keeps the scratch file's connection open for the life of the
// process; it is idle and harmless.
func createSchema(path string) error {
	scratch := path + ".new"
	for _, leftover := range []string{scratch, scratch + "-journal"} {
		if err := os.Remove(leftover); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	// Created here, empty, for its mode: SQLite would make it 0644.
	f, err := os.OpenFile(scratch, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	err = sqliteschema.SetupSchema(&config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      scratch,
		ConnectAttributes: map[string]string{"mode": "rwc"},
	})
	if err != nil {
		return err
	}
	return os.Rename(scratch, path)
}

// dynamicConfig is the server's dynamic config: the settings explained in the package comment, then overrides.
// Each override goes through the server's own YAML loader, which knows every key and its type.
func dynamicConfig(overrides map[string]any) (dynamicconfig.StaticClient, error) {
	dc := dynamicconfig.StaticClient{
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():           1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key():          1,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
	for name, v := range overrides {
		value, err := json.Marshal([]map[string]any{{"value": v}}) // JSON is YAML
		if err != nil {
			return nil, fmt.Errorf("dynamic config %q: %w", name, err)
		}
		key := dynamicconfig.MakeKey(name)
		var lr dynamicconfig.YamlLoader
		lr.LoadValue(key, value)
		if err := errors.Join(append(lr.Errors, lr.Warnings...)...); err != nil {
			return nil, fmt.Errorf("dynamic config %q: %w", name, err)
		}
		dc[key] = lr.Map[key]
	}
	return dc, nil
}

func serverOptions(cfg EmbeddedConfig, sqlCfg *config.SQL, ports map[primitives.ServiceName]int, creds *credentials,
	dc dynamicconfig.StaticClient, stopping *atomic.Bool) []temporal.ServerOption {
	frontend := net.JoinHostPort(localhost, strconv.Itoa(ports[primitives.FrontendService]))
	conf := &config.Config{
		Persistence: config.Persistence{
			DefaultStore:     sqliteplugin.PluginName,
			VisibilityStore:  sqliteplugin.PluginName,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
		},
		ClusterMetadata: &cluster.Config{
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            map[string]config.Service{},
		// No PublicClient: with an internal-frontend service, the worker service and the server's other SDK
		// clients find it through membership and dial it with the internode TLS config.
	}
	// The frontend keeps no TLS (loopback, the API key); every other service requires the node certificate.
	ca := base64.StdEncoding.EncodeToString(creds.caPEM)
	conf.Global.TLS.Internode = config.GroupTLS{
		Server: config.ServerTLS{
			CertData:          base64.StdEncoding.EncodeToString(creds.certPEM),
			KeyData:           base64.StdEncoding.EncodeToString(creds.keyPEM),
			ClientCAData:      []string{ca},
			RequireClientAuth: true,
		},
		Client: config.ClientTLS{ServerName: nodeName, RootCAData: []string{ca}},
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"

	hosts := map[primitives.ServiceName]static.Hosts{}
	for service, p := range ports {
		conf.Services[string(service)] = config.Service{RPC: config.RPC{GRPCPort: p, BindOnIP: localhost}}
		hosts[service] = static.SingleLocalHost(net.JoinHostPort(localhost, strconv.Itoa(p)))
	}

	services := append(slices.Clone(temporal.DefaultServices), string(primitives.InternalFrontendService))
	return []temporal.ServerOption{
		temporal.WithConfig(conf),
		temporal.ForServices(services),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(serverLogger{cfg.Logger.With("component", "temporal"), stopping}),
		temporal.WithDynamicConfigClient(dc),
		// The internal frontend keeps its own claim mapper (every caller is the server: system admin).
		temporal.WithAuthorizer(authorization.NewDefaultAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper {
			return keyClaimMapper{key: []byte(creds.apiKey)}
		}),
	}
}

// configureNamespace waits for the frontend to serve the namespace, then
// applies retention and search attributes that changed since it was created.
func (e *Embedded) configureNamespace(ctx context.Context, cfg EmbeddedConfig) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:          e.address,
		Namespace:         cfg.Namespace,
		Logger:            sdkLogger(cfg.Logger),
		Credentials:       client.NewAPIKeyStaticCredentials(e.apiKey),
		ConnectionOptions: client.ConnectionOptions{TLSDisabled: true},
	})
	if err != nil {
		return err
	}
	defer c.Close()

	ns, err := c.WorkflowService().DescribeNamespace(ctx,
		&workflowservice.DescribeNamespaceRequest{Namespace: cfg.Namespace})
	if err != nil {
		return fmt.Errorf("namespace %q: %w", cfg.Namespace, err)
	}
	if ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() != cfg.Retention {
		_, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
			Namespace: cfg.Namespace,
			Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(cfg.Retention)},
		})
		if err != nil {
			return fmt.Errorf("namespace %q: set retention: %w", cfg.Namespace, err)
		}
	}

	return EnsureSearchAttributes(ctx, c, cfg.Namespace, cfg.SearchAttributes)
}
