package temporalx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/api/adminservice/v1"
	"go.temporal.io/server/common/primitives"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpccreds "google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const workflowServiceName = "temporal.api.workflowservice.v1.WorkflowService"

// TestCredentials is a local process that does not know the key: the frontend refuses it everything but the
// health check and GetSystemInfo, and the other services' ports refuse it a connection. With the key, or with the
// node certificate on the other ports, the same calls go through.
func TestCredentials(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	e := mustStart(t, EmbeddedConfig{DataDir: dir, SearchAttributes: searchAttributes, Logger: testLogger()})

	t.Run("files", func(t *testing.T) {
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("data directory %s: %v %v, want 0700", dir, fi.Mode().Perm(), err)
		}
		for _, name := range []string{APIKeyFile, caFile, nodeCertFile, nodeKeyFile, dbFileName, dbFileName + "-wal",
			dbFileName + "-shm"} {
			if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v, want mode 0600", name, err)
				if err == nil {
					t.Errorf("%s: mode %v", name, fi.Mode().Perm())
				}
			}
		}
		if key, err := ReadAPIKey(dir); err != nil || key != e.APIKey() || len(key) != 64 {
			t.Errorf("key file holds %q (%v), the server wants %q", key, err, e.APIKey())
		}
	})

	keyless, err := client.Dial(client.Options{HostPort: e.Address(), Logger: sdkLogger(testLogger())})
	if err != nil {
		t.Fatalf("a client without the key cannot even connect (GetSystemInfo): %v", err)
	}
	defer keyless.Close()
	wrongKey, err := client.Dial(client.Options{HostPort: e.Address(), Logger: sdkLogger(testLogger()),
		Credentials:       client.NewAPIKeyStaticCredentials(strings.Repeat("0", 64)),
		ConnectionOptions: client.ConnectionOptions{TLSDisabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer wrongKey.Close()
	keyed, err := Dial(ctx, DialOptions{HostPort: e.Address(), APIKey: e.APIKey(), Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer keyed.Close()

	// A plain gRPC connection, to send the authorization header by hand and to reach AdminService.
	frontend := conn(t, e.Address(), nil)
	calls := map[string]func(context.Context, client.Client) error{
		"DescribeNamespace": func(ctx context.Context, c client.Client) error {
			_, err := c.WorkflowService().DescribeNamespace(ctx,
				&workflowservice.DescribeNamespaceRequest{Namespace: "default"})
			return err
		},
		"StartWorkflow": func(ctx context.Context, c client.Client) error {
			_, err := c.ExecuteWorkflow(ctx,
				client.StartWorkflowOptions{ID: "forged-" + t.Name(), TaskQueue: taskQueue}, "waitForSignal")
			return err
		},
		"ListSearchAttributes": func(ctx context.Context, c client.Client) error {
			_, err := c.OperatorService().ListSearchAttributes(ctx,
				&operatorservice.ListSearchAttributesRequest{Namespace: "default"})
			return err
		},
		"AdminService.DescribeCluster": func(ctx context.Context, c client.Client) error {
			if c == keyed {
				ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+e.APIKey())
			}
			_, err := adminservice.NewAdminServiceClient(frontend).DescribeCluster(ctx,
				&adminservice.DescribeClusterRequest{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			for who, c := range map[string]client.Client{"without the key": keyless, "with a wrong key": wrongKey} {
				if c == wrongKey && strings.HasPrefix(name, "AdminService") {
					continue
				}
				if err := call(ctx, c); !permissionDenied(err) {
					t.Errorf("%s: %T %v, want PermissionDenied", who, err, err)
				}
			}
			if err := call(ctx, keyed); err != nil {
				t.Errorf("with the key: %v", err)
			}
		})
	}

	t.Run("authorization header", func(t *testing.T) {
		describe := func(header string) error {
			ctx := metadata.AppendToOutgoingContext(ctx, "authorization", header)
			_, err := workflowservice.NewWorkflowServiceClient(frontend).DescribeNamespace(ctx,
				&workflowservice.DescribeNamespaceRequest{Namespace: "default"})
			return err
		}
		for _, header := range []string{e.APIKey(), "Bearer " + e.APIKey()[:63], "Bearer " + e.APIKey() + "0",
			"Basic " + e.APIKey()} {
			if err := describe(header); !permissionDenied(err) {
				t.Errorf("authorization %q: %v, want PermissionDenied", header, err)
			}
		}
		if err := describe("Bearer " + e.APIKey()); err != nil {
			t.Errorf("authorization Bearer KEY: %v", err)
		}
	})

	t.Run("open without the key", func(t *testing.T) {
		health, err := healthpb.NewHealthClient(frontend).Check(ctx,
			&healthpb.HealthCheckRequest{Service: workflowServiceName})
		if err != nil || health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("gRPC health check: %v %v", health, err)
		}
		if err := Healthy(ctx, keyless); err != nil {
			t.Errorf("SDK health check: %v", err)
		}
		info, err := keyless.WorkflowService().GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{})
		if err != nil || info.GetServerVersion() == "" {
			t.Errorf("GetSystemInfo: %v %v", info, err)
		}
	})

	// History, matching and the worker have no authorization of their own, and the internal frontend gives
	// every caller system admin: only the node certificate keeps a local process out.
	for _, service := range []primitives.ServiceName{primitives.HistoryService, primitives.MatchingService,
		primitives.WorkerService, primitives.InternalFrontendService} {
		t.Run(string(service), func(t *testing.T) {
			addr := e.servicePort(service)
			plain := conn(t, addr, nil)
			noCert := conn(t, addr, nodeTLS(t, dir, false))
			withCert := conn(t, addr, nodeTLS(t, dir, true))
			check := func(c *grpc.ClientConn) error {
				ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				_, err := healthpb.NewHealthClient(c).Check(ctx, &healthpb.HealthCheckRequest{})
				return err
			}
			if err := check(plain); err == nil {
				t.Error("a plain connection is served")
			}
			// The refusal arrives as "tls: certificate required", or as a broken pipe when the client writes first.
			if err := check(noCert); status.Code(err) != codes.Unavailable {
				t.Errorf("a TLS connection without a client certificate: %v, want the connection refused", err)
			} else {
				t.Logf("without a client certificate: %v", err)
			}
			if err := check(withCert); err != nil {
				t.Errorf("with the node certificate: %v", err)
			}
			if service == primitives.InternalFrontendService {
				_, err := workflowservice.NewWorkflowServiceClient(plain).DescribeNamespace(ctx,
					&workflowservice.DescribeNamespaceRequest{Namespace: "default"})
				if err == nil {
					t.Error("the internal frontend describes the namespace to a plain connection")
				}
			}
		})
	}
}

// TestSystemWorker runs a schedule: the worker service's scheduler calls the frontend for each action, so the
// action is taken only if the server's own traffic gets through without the key (the internal frontend).
func TestSystemWorker(t *testing.T) {
	ctx := t.Context()
	e := mustStart(t, EmbeddedConfig{DataDir: t.TempDir(), SearchAttributes: searchAttributes, Logger: testLogger()})
	c, err := Dial(ctx, DialOptions{HostPort: e.Address(), APIKey: e.APIKey(), Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   "system-worker",
		Spec: client.ScheduleSpec{},
		Action: &client.ScheduleWorkflowAction{ID: "scheduled", Workflow: "waitForSignal",
			TaskQueue: taskQueue},
		TriggerImmediately: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Info.NumActions > 0 {
			t.Logf("the schedule started %s", d.Info.RecentActions[0].StartWorkflowResult.WorkflowID)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the schedule took no action in %v", waitTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCredentialFiles: made once and kept; a damaged certificate set is made again, a damaged key is an error
// naming its file, and files others may read are narrowed.
func TestCredentialFiles(t *testing.T) {
	dir := t.TempDir()
	first, err := loadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !validNodeTLS(first.caPEM, first.certPEM, first.keyPEM) {
		t.Fatal("the new certificate set does not verify")
	}
	again, err := loadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.apiKey != first.apiKey || string(again.certPEM) != string(first.certPEM) {
		t.Error("the credentials changed between two starts")
	}

	if err := os.WriteFile(filepath.Join(dir, nodeCertFile), []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, APIKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	renewed, err := loadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.apiKey != first.apiKey {
		t.Error("the key changed with the certificates")
	}
	if string(renewed.caPEM) == string(first.caPEM) || !validNodeTLS(renewed.caPEM, renewed.certPEM, renewed.keyPEM) {
		t.Error("a damaged certificate set was not made again")
	}
	if fi, _ := os.Stat(filepath.Join(dir, APIKeyFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file left %v", fi.Mode().Perm())
	}

	path := filepath.Join(dir, APIKeyFile)
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadCredentials(dir); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("a short key: %v, want an error naming %s", err, path)
	}
}

func (e *Embedded) servicePort(s primitives.ServiceName) string {
	return "127.0.0.1:" + strconv.Itoa(e.ports[s])
}

// permissionDenied reports a refusal as the SDK returns it, or as plain gRPC does.
func permissionDenied(err error) bool {
	var denied *serviceerror.PermissionDenied
	return errors.As(err, &denied) || status.Code(err) == codes.PermissionDenied
}

// nodeTLS trusts the embedded CA, and presents the node certificate if withCert.
func nodeTLS(t *testing.T, dir string, withCert bool) *tls.Config {
	t.Helper()
	ca, err := os.ReadFile(filepath.Join(dir, caFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	cfg := &tls.Config{RootCAs: roots, ServerName: nodeName}
	if withCert {
		pair, err := tls.LoadX509KeyPair(filepath.Join(dir, nodeCertFile), filepath.Join(dir, nodeKeyFile))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg
}

// conn is a gRPC connection to addr, plain or over TLS.
func conn(t *testing.T, addr string, tlsCfg *tls.Config) *grpc.ClientConn {
	t.Helper()
	creds := insecure.NewCredentials()
	if tlsCfg != nil {
		creds = grpccreds.NewTLS(tlsCfg)
	}
	c, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}
