package temporalx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/server/common/primitives"
)

// temporalEnv lists the client variables of envconfig that the tests set; any already in the environment of the
// test run is cleared for the test.
var temporalEnv = []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY", "TEMPORAL_TLS",
	"TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_TLS_CLIENT_KEY_PATH", "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
	"TEMPORAL_TLS_SERVER_NAME", "TEMPORAL_CONFIG_FILE", "TEMPORAL_PROFILE"}

// TestDialCluster dials as junheng dials a cluster it did not start, with Temporal's own client settings: the
// embedded frontend with TEMPORAL_API_KEY (and TEMPORAL_TLS=false, as the SDK turns TLS on for a key), and the
// internal frontend, which wants mutual TLS, with the TEMPORAL_TLS_* paths or a profile of a config file.
func TestDialCluster(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	e := mustStart(t, EmbeddedConfig{DataDir: dir, SearchAttributes: searchAttributes, Logger: testLogger()})
	env := func(vars map[string]string) {
		for _, name := range temporalEnv {
			t.Setenv(name, "") // restored after the test
			_ = os.Unsetenv(name)
		}
		t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user's temporal.toml
		for name, v := range vars {
			t.Setenv(name, v)
		}
	}
	dial := func(addr string) error {
		c, err := Dial(ctx, DialOptions{HostPort: addr, Cluster: true, Logger: testLogger()})
		if err == nil {
			c.Close()
		}
		return err
	}

	env(map[string]string{"TEMPORAL_API_KEY": e.APIKey(), "TEMPORAL_TLS": "false"})
	if err := dial(e.Address()); err != nil {
		t.Errorf("TEMPORAL_API_KEY with TEMPORAL_TLS=false: %v", err)
	}
	env(map[string]string{"TEMPORAL_API_KEY": e.APIKey()})
	if err := dial(e.Address()); err == nil {
		t.Error("TEMPORAL_API_KEY alone: the SDK did not turn TLS on")
	}
	env(nil)
	if err := dial(e.Address()); !permissionDenied(err) {
		t.Errorf("no credentials: %v, want PermissionDenied", err)
	}

	internal := e.servicePort(primitives.InternalFrontendService)
	tlsVars := map[string]string{
		"TEMPORAL_TLS_CLIENT_CERT_PATH":    filepath.Join(dir, nodeCertFile),
		"TEMPORAL_TLS_CLIENT_KEY_PATH":     filepath.Join(dir, nodeKeyFile),
		"TEMPORAL_TLS_SERVER_CA_CERT_PATH": filepath.Join(dir, caFile),
		"TEMPORAL_TLS_SERVER_NAME":         nodeName,
	}
	env(tlsVars)
	if err := dial(internal); err != nil {
		t.Errorf("mutual TLS from TEMPORAL_TLS_*: %v", err)
	}
	env(map[string]string{"TEMPORAL_TLS_SERVER_CA_CERT_PATH": filepath.Join(dir, caFile),
		"TEMPORAL_TLS_SERVER_NAME": nodeName})
	if err := dial(internal); err == nil {
		t.Error("TLS without the client certificate was accepted")
	}

	file := filepath.Join(t.TempDir(), "temporal.toml")
	profile := "[profile.junheng.tls]\n"
	for name, key := range map[string]string{"TEMPORAL_TLS_CLIENT_CERT_PATH": "client_cert_path",
		"TEMPORAL_TLS_CLIENT_KEY_PATH": "client_key_path", "TEMPORAL_TLS_SERVER_CA_CERT_PATH": "server_ca_cert_path",
		"TEMPORAL_TLS_SERVER_NAME": "server_name"} {
		profile += key + " = " + `"` + tlsVars[name] + `"` + "\n"
	}
	if err := os.WriteFile(file, []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	env(map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_PROFILE": "junheng"})
	if err := dial(internal); err != nil {
		t.Errorf("mutual TLS from profile junheng of %s: %v", file, err)
	}
	env(map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_PROFILE": "other"})
	if err := dial(internal); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("a missing profile: %v, want an error naming %s", err, file)
	}

	if _, err := Dial(ctx, DialOptions{HostPort: e.Address(), Cluster: true, APIKey: e.APIKey()}); err == nil {
		t.Error("Cluster with APIKey: no error")
	}
}
