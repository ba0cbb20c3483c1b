// Package config holds the settings every junheng subcommand shares. Each is a flag whose default comes from an
// environment variable, so a token created on the command line lands in the same database that `serve` uses.
package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Config is the shared configuration.
type Config struct {
	DataDir           string
	DatabaseURL       string
	HTTPAddr          string
	TemporalAddress   string
	TemporalNamespace string
	TemporalPort      int
	Timezone          string
	Profile           string
	Policy            string
	FilesURL          string
	Notify            string
	LogFormat         string
	RateLimit         float64
	IdempotencyTTL    time.Duration
	WorkflowCache     int
	PublicURL         string
	TrustedProxies    string
	MetricsAddr       string
	OIDCIssuer        string
	OIDCClientID      string
	OIDCClientSecret  string
	OIDCClaim         string

	// Location is Timezone loaded by Validate.
	Location *time.Location
	// Proxies is TrustedProxies parsed by Validate: the addresses whose X-Forwarded-* headers are believed.
	Proxies []netip.Prefix
	// TemporalOverrides sets the embedded Temporal server's dynamic config by key name (e.g.
	// "history.maxTotalUpdates": 50). Not a flag: tests use it to bring a server limit within reach.
	TemporalOverrides map[string]any
}

// Setting describes one configuration entry; the README's table lists the same entries.
type Setting struct {
	Flag, Env, Default, Usage string
}

// Settings lists every entry in the order the README documents them.
var Settings = []Setting{
	{"data-dir", "JUNHENG_DATA_DIR", "./data", "directory for the embedded database, Temporal file and evidence files"},
	{"database-url", "JUNHENG_DATABASE_URL", "", "postgres:// URL; empty = embedded SQLite file in the data directory"},
	{"http-addr", "JUNHENG_HTTP_ADDR", ":8080", "HTTP listen address"},
	{"temporal-address", "TEMPORAL_ADDRESS", "", "Temporal frontend host:port; empty = embedded server"},
	{"temporal-namespace", "TEMPORAL_NAMESPACE", "default", "Temporal namespace"},
	{"temporal-port", "JUNHENG_TEMPORAL_PORT", "7233", "embedded Temporal frontend port; 0 picks a free one"},
	{"timezone", "JUNHENG_TIMEZONE", "Asia/Shanghai", "time zone of deadlines"},
	{"profile", "JUNHENG_PROFILE", "",
		"standard profile file (YAML or JSON) overriding the national 2017 standard; empty = national"},
	{"policy", "JUNHENG_POLICY", "", "policy file (YAML or JSON): deadlines calendar, late policy, reminders, " +
		"escalation, plan limits, city targets; empty = seed 002's defaults"},
	{"files-url", "JUNHENG_FILES_URL", "", "S3-compatible store for evidence files, " +
		"s3://KEY:SECRET@host/bucket/prefix (s3+http:// for plain HTTP); " +
		"empty = the files folder in the data directory"},
	{"notify", "JUNHENG_NOTIFY", "", "notification channels file (YAML or JSON): webhook, WeCom, DingTalk, " +
		"email; empty = notifications are stored and shown, not sent"},
	{"log-format", "JUNHENG_LOG_FORMAT", "text", "log format: text or json"},
	{"rate-limit", "JUNHENG_RATE_LIMIT", "50",
		"API requests per second per token (bursts of twice that); 0 = no limit"},
	{"idempotency-ttl", "JUNHENG_IDEMPOTENCY_TTL", "168h",
		"how long the API keeps the answer to a request made with an Idempotency-Key"},
	{"workflow-cache", "JUNHENG_WORKFLOW_CACHE", "40000", "open workflows a worker process keeps in memory " +
		"(Temporal's sticky cache): a national year has some 35,000 open (2,850 years, 10 findings each); one " +
		"evicted is replayed from its history at its next action"},
	{"public-url", "JUNHENG_PUBLIC_URL", "", "the address users reach the service at, e.g. " +
		"https://junheng.example.gov.cn; https makes cookies Secure and sends HSTS"},
	{"trusted-proxies", "JUNHENG_TRUSTED_PROXIES", "", "comma-separated addresses or CIDR ranges of the reverse " +
		"proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; empty = none"},
	{"metrics-addr", "JUNHENG_METRICS_ADDR", "127.0.0.1:9090", "listen address of /metrics, apart from the " +
		"public one; empty = no metrics listener"},
	{"oidc-issuer", "JUNHENG_OIDC_ISSUER", "", "the unified identity provider (统一身份认证), an OpenID Connect " +
		"issuer URL; empty = sign-in with login name and password only"},
	{"oidc-client-id", "JUNHENG_OIDC_CLIENT_ID", "", "junheng's client ID at the identity provider"},
	{"oidc-client-secret", "JUNHENG_OIDC_CLIENT_SECRET", "", "junheng's client secret at the identity provider"},
	{"oidc-claim", "JUNHENG_OIDC_CLAIM", "preferred_username",
		"the ID token's claim that holds a person's login name in junheng"},
}

// AddFlags registers the settings on fs with defaults taken from the environment.
func (c *Config) AddFlags(fs *pflag.FlagSet) {
	targets := map[string]*string{
		"data-dir": &c.DataDir, "database-url": &c.DatabaseURL, "http-addr": &c.HTTPAddr,
		"temporal-address": &c.TemporalAddress, "temporal-namespace": &c.TemporalNamespace, "timezone": &c.Timezone,
		"profile": &c.Profile, "policy": &c.Policy, "files-url": &c.FilesURL, "notify": &c.Notify,
		"log-format": &c.LogFormat, "public-url": &c.PublicURL, "trusted-proxies": &c.TrustedProxies,
		"metrics-addr": &c.MetricsAddr, "oidc-issuer": &c.OIDCIssuer, "oidc-client-id": &c.OIDCClientID,
		"oidc-client-secret": &c.OIDCClientSecret, "oidc-claim": &c.OIDCClaim,
	}
	for _, s := range Settings {
		usage, v := fmt.Sprintf("%s (env %s)", s.Usage, s.Env), envOr(s.Env, s.Default)
		switch s.Flag {
		case "rate-limit":
			fs.Float64Var(&c.RateLimit, s.Flag, orInvalid(strconv.ParseFloat(v, 64)), usage)
		case "temporal-port":
			fs.IntVar(&c.TemporalPort, s.Flag, orInvalid(strconv.Atoi(v)), usage)
		case "workflow-cache":
			fs.IntVar(&c.WorkflowCache, s.Flag, orInvalid(strconv.Atoi(v)), usage)
		case "idempotency-ttl":
			fs.DurationVar(&c.IdempotencyTTL, s.Flag, orInvalid(time.ParseDuration(v)), usage)
		default:
			fs.StringVar(targets[s.Flag], s.Flag, v, usage)
		}
	}
}

// orInvalid is a default parsed from the environment, or -1 when it does not parse: Validate rejects that with the
// variable's name.
func orInvalid[T int | float64 | time.Duration](v T, err error) T {
	if err != nil {
		return -1
	}
	return v
}

// Validate checks the values and loads the time zone.
func (c *Config) Validate() error {
	if c.TemporalPort < 0 || c.TemporalPort > 65535 {
		return fmt.Errorf("JUNHENG_TEMPORAL_PORT / --temporal-port: %d is not a port (0-65535)", c.TemporalPort)
	}
	if c.RateLimit < 0 {
		return fmt.Errorf("JUNHENG_RATE_LIMIT / --rate-limit: must be a number ≥ 0")
	}
	if c.WorkflowCache < 0 {
		return fmt.Errorf("JUNHENG_WORKFLOW_CACHE / --workflow-cache: must be a whole number ≥ 0 " +
			"(0 keeps Temporal's default, 10,000)")
	}
	if c.IdempotencyTTL < time.Hour {
		return fmt.Errorf(
			"JUNHENG_IDEMPOTENCY_TTL / --idempotency-ttl: must be a duration of at least 1h, such as 168h")
	}
	if c.DataDir == "" {
		return fmt.Errorf("JUNHENG_DATA_DIR / --data-dir: must not be empty")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("JUNHENG_LOG_FORMAT / --log-format: %q is not text or json", c.LogFormat)
	}
	if u, err := url.Parse(c.PublicURL); c.PublicURL != "" &&
		(err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil) {
		return fmt.Errorf(
			"JUNHENG_PUBLIC_URL / --public-url: %q is not an http(s) address such as https://junheng.example.gov.cn",
			c.PublicURL)
	}
	if u, err := url.Parse(c.OIDCIssuer); c.OIDCIssuer != "" &&
		(err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return fmt.Errorf("JUNHENG_OIDC_ISSUER / --oidc-issuer: %q is not an http(s) address", c.OIDCIssuer)
	}
	if c.OIDCIssuer != "" && (c.OIDCClientID == "" || c.OIDCClaim == "") {
		return fmt.Errorf("JUNHENG_OIDC_CLIENT_ID / --oidc-client-id and JUNHENG_OIDC_CLAIM / --oidc-claim: " +
			"required with JUNHENG_OIDC_ISSUER")
	}
	c.Proxies = nil
	for _, field := range strings.Split(c.TrustedProxies, ",") {
		if field = strings.TrimSpace(field); field == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(field)
		if addr, aerr := netip.ParseAddr(field); aerr == nil {
			prefix, err = addr.Prefix(addr.BitLen())
		}
		if err != nil {
			return fmt.Errorf("JUNHENG_TRUSTED_PROXIES / --trusted-proxies: %q is not an address or a CIDR range",
				field)
		}
		c.Proxies = append(c.Proxies, prefix.Masked())
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return fmt.Errorf("JUNHENG_TIMEZONE / --timezone: %q: %w", c.Timezone, err)
	}
	c.Location = loc
	return nil
}

// HTTPS reports whether users reach the service over HTTPS (JUNHENG_PUBLIC_URL): cookies are then Secure.
func (c *Config) HTTPS() bool { return strings.HasPrefix(c.PublicURL, "https://") }

// Embedded reports whether serve must run its own Temporal server.
func (c *Config) Embedded() bool { return c.TemporalAddress == "" }

// Path returns a file name inside the data directory.
func (c *Config) Path(name string) string { return filepath.Join(c.DataDir, name) }

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
