package temporalx

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
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
	Logger    *slog.Logger
	// MetricsHandler receives the SDK's metrics; see NewMetricsHandler.
	MetricsHandler client.MetricsHandler
}

// Dial connects to the Temporal frontend at opts.HostPort and checks that
// opts.Namespace exists.
func Dial(ctx context.Context, opts DialOptions) (client.Client, error) {
	if opts.Namespace == "" {
		opts.Namespace = client.DefaultNamespace
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:       opts.HostPort,
		Namespace:      opts.Namespace,
		Logger:         sdkLogger(opts.Logger),
		MetricsHandler: opts.MetricsHandler,
	})
	if err != nil {
		return nil, fmt.Errorf("Temporal at %s unreachable: %w", opts.HostPort, err)
	}
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: opts.Namespace})
	if err != nil {
		c.Close()
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
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string, attrs map[string]enums.IndexedValueType) error {
	registered, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
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
