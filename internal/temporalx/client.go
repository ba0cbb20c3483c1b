package temporalx

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	sdklog "go.temporal.io/sdk/log"
)

const (
	// dialTimeout bounds Dial: the SDK retries an unreachable server until
	// its context ends.
	dialTimeout   = 10 * time.Second
	healthTimeout = 2 * time.Second
)

// DialOptions configures Dial.
type DialOptions struct {
	HostPort  string
	Namespace string // "default" if empty
	// APIKey is the embedded server's key (Embedded.APIKey, or ReadAPIKey), sent as a bearer token with TLS off:
	// that frontend listens on 127.0.0.1 and has no TLS, and the SDK would turn TLS on for a key.
	APIKey string
	// Cluster dials a Temporal cluster junheng did not start, with the TLS and credentials of Temporal's own client
	// configuration (see ClusterOptions); HostPort and Namespace win over its address and namespace.
	Cluster bool
	Logger  *slog.Logger
	// MetricsHandler receives the SDK's metrics; see NewMetricsHandler.
	MetricsHandler client.MetricsHandler
}

// ClusterOptions are the connection settings Temporal's CLI and SDKs read (go.temporal.io/sdk/contrib/envconfig):
// the profile TEMPORAL_PROFILE ("default") of the TOML file TEMPORAL_CONFIG_FILE (default
// ~/.config/temporalio/temporal.toml, if it exists), then the variables TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH,
// TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_API_KEY (TLS
// on unless TEMPORAL_TLS=false) and the other TEMPORAL_* ones envconfig knows. The API key is returned apart too,
// for a connection that is not the SDK's (the operators' view).
func ClusterOptions() (opts client.Options, apiKey string, err error) {
	profile, err := envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{})
	if err == nil {
		opts, err = profile.ToClientOptions(envconfig.ToClientOptionsRequest{})
	}
	if err != nil {
		file := cmp.Or(os.Getenv("TEMPORAL_CONFIG_FILE"), envconfig.DefaultConfigFilePath(), "none")
		name := cmp.Or(os.Getenv("TEMPORAL_PROFILE"), envconfig.DefaultConfigFileProfile)
		return client.Options{}, "", fmt.Errorf("Temporal client configuration (config file %s, profile %s, "+
			"TEMPORAL_* variables): %w", file, name, err)
	}
	return opts, profile.APIKey, nil
}

// Dial connects to the Temporal frontend at opts.HostPort and checks that
// opts.Namespace exists.
func Dial(ctx context.Context, opts DialOptions) (client.Client, error) {
	if opts.Namespace == "" {
		opts.Namespace = client.DefaultNamespace
	}
	var co client.Options
	switch {
	case opts.Cluster && opts.APIKey != "":
		return nil, errors.New("Temporal: DialOptions.APIKey is for the embedded server, not a cluster")
	case opts.Cluster:
		var err error
		if co, _, err = ClusterOptions(); err != nil {
			return nil, err
		}
	case opts.APIKey != "":
		co.Credentials = client.NewAPIKeyStaticCredentials(opts.APIKey)
		co.ConnectionOptions.TLSDisabled = true
	}
	co.HostPort, co.Namespace = opts.HostPort, opts.Namespace
	co.Logger, co.MetricsHandler = sdkLogger(opts.Logger), opts.MetricsHandler
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	c, err := client.DialContext(ctx, co)
	if err != nil {
		return nil, fmt.Errorf("Temporal at %s unreachable: %w", opts.HostPort, err)
	}
	_, err = c.WorkflowService().DescribeNamespace(ctx,
		&workflowservice.DescribeNamespaceRequest{Namespace: opts.Namespace})
	if err != nil {
		c.Close()
		var denied *serviceerror.PermissionDenied
		if errors.As(err, &denied) && opts.Cluster {
			err = fmt.Errorf("%w (credentials: TEMPORAL_API_KEY, TEMPORAL_TLS_*, or a TEMPORAL_PROFILE)", err)
		}
		return nil, fmt.Errorf("Temporal at %s: namespace %q: %w", opts.HostPort, opts.Namespace, err)
	}
	return c, nil
}

// Healthy reports whether the frontend behind c answers its health check.
func Healthy(ctx context.Context, c client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

func sdkLogger(l *slog.Logger) sdklog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return sdklog.NewStructuredLogger(l)
}

// EnsureSearchAttributes registers the custom search attributes the workflows use on a namespace, embedded or on
// a cluster, adding only those missing; an attribute registered with another type is an error.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string,
	attrs map[string]enums.IndexedValueType) error {
	registered, err := c.OperatorService().ListSearchAttributes(ctx,
		&operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("namespace %q: list search attributes: %w", namespace, err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, want := range attrs {
		have, ok := registered.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = want
		case have != want:
			return fmt.Errorf("namespace %q: search attribute %s is %s, want %s", namespace, name, have, want)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("namespace %q: add search attributes: %w", namespace, err)
	}
	return nil
}
