package temporalx

import (
	"context"
	"fmt"
	"log/slog"
	"time"

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
