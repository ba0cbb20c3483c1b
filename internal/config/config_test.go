package config

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestEnvironmentSetsDefaultsAndFlagsWin(t *testing.T) {
	t.Setenv("JUNHENG_DATA_DIR", "/srv/junheng")
	t.Setenv("JUNHENG_TEMPORAL_PORT", "0")
	var c Config
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	c.AddFlags(fs)
	if err := fs.Parse([]string{"--http-addr", "127.0.0.1:9000"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/srv/junheng" || c.TemporalPort != 0 || c.HTTPAddr != "127.0.0.1:9000" ||
		c.TemporalNamespace != "default" || c.Location.String() != "Asia/Shanghai" || !c.Embedded() {
		t.Errorf("config = %+v", c)
	}
}

func TestValidateNamesTheVariable(t *testing.T) {
	for env, value := range map[string]string{"JUNHENG_TEMPORAL_PORT": "70000", "JUNHENG_TIMEZONE": "Mars/Olympus",
		"JUNHENG_LOG_FORMAT": "xml", "JUNHENG_PUBLIC_URL": "junheng.example.gov.cn",
		"JUNHENG_TRUSTED_PROXIES": "10.0.0.0/8,proxy", "JUNHENG_IDEMPOTENCY_TTL": "10m"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, value)
			var c Config
			c.AddFlags(pflag.NewFlagSet("t", pflag.ContinueOnError))
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), env) {
				t.Errorf("%s=%s: %v", env, value, err)
			}
		})
	}
}

// TestReadmeDocumentsEverySetting keeps the README's configuration table in step with the code.
func TestReadmeDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		row := "| `--" + s.Flag + "` | `" + s.Env + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no configuration row starting %q", row)
		}
	}
}

func TestPublicURLAndTrustedProxies(t *testing.T) {
	t.Setenv("JUNHENG_PUBLIC_URL", "https://junheng.example.gov.cn")
	t.Setenv("JUNHENG_TRUSTED_PROXIES", " 10.0.0.0/8, 192.168.1.7 ,::1")
	var c Config
	c.AddFlags(pflag.NewFlagSet("t", pflag.ContinueOnError))
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !c.HTTPS() || len(c.Proxies) != 3 || c.Proxies[1].String() != "192.168.1.7/32" ||
		c.Proxies[2].String() != "::1/128" {
		t.Errorf("https %v, proxies %v", c.HTTPS(), c.Proxies)
	}
	if c.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("metrics on %q by default", c.MetricsAddr)
	}
}
