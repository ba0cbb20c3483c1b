package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"junheng/bench"
	"junheng/internal/app"
	"junheng/internal/config"
	"junheng/internal/temporalx"
	"junheng/usecase"
	"junheng/vocab"
)

func newBenchCmd(cfg *config.Config) *cobra.Command {
	opts := bench.Options{}
	var cpuProfile, blockProfile string
	cmd := &cobra.Command{
		Use:   "bench --districts N --findings K [--server URL --token T]",
		Short: "Drive N districts through a compressed year over HTTP and compare with Temporal's own ceiling",
		Long: `bench drives N simulated districts, K findings each, through a whole year over the HTTP API and reports
wall time, throughput, per-route latency and errors; the last line is the report as JSON. Without --server
it starts its own instance (embedded Temporal, or TEMPORAL_ADDRESS; SQLite, or JUNHENG_DATABASE_URL) in a
temporary directory. The ceiling (one-Update, one-activity workflows at the same concurrency) is measured
when Temporal is reachable: always without --server, with --server when TEMPORAL_ADDRESS is set.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Districts < 1 || opts.Findings < 0 || opts.Concurrency < 1 {
				return exitCode(2,
					errors.New("--districts and --concurrency must be at least 1, --findings at least 0"))
			}
			if (opts.Server == "") != (opts.AdminToken == "") {
				return exitCode(2, errors.New("--server and --token go together"))
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			opts.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			if blockProfile != "" {
				f, err := os.Create(blockProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				// Every wait of a millisecond or more, and shorter ones sampled in proportion to their length.
				runtime.SetBlockProfileRate(int(time.Millisecond))
				defer func() {
					runtime.SetBlockProfileRate(0)
					if err := pprof.Lookup("block").WriteTo(f, 0); err != nil {
						opts.Log.Error("block profile", "error", err)
					}
				}()
			}
			opts.Stop = interrupted()
			if opts.Server == "" {
				stop, err := startOwn(cmd, cfg, &opts)
				if err != nil {
					return err
				}
				defer stop()
			} else if cfg.TemporalAddress != "" {
				tc, err := temporalx.Dial(cmd.Context(), temporalx.DialOptions{HostPort: cfg.TemporalAddress,
					Namespace: cfg.TemporalNamespace, Cluster: true, Logger: opts.Log})
				if err != nil {
					return err
				}
				defer tc.Close()
				opts.Temporal = tc
			}
			rep, err := bench.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			return printReport(cmd, rep)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Districts, "districts", 100, "districts to drive")
	f.IntVar(&opts.Findings, "findings", 3, "findings per district")
	f.IntVar(&opts.Concurrency, "concurrency", 32, "districts driven at once")
	f.IntVar(&opts.Year, "year", 2099, "cycle year to use (pick one no real cycle uses)")
	f.DurationVar(&opts.OverdueAfter, "overdue-after", time.Minute,
		"due date of the findings let fall overdue (one district in ten)")
	f.StringVar(&opts.Server, "server", "", "base URL of a running junheng; empty = start one")
	f.StringVar(&opts.AdminToken, "token", "", "admin token of --server")
	f.DurationVar(&opts.StopAfter, "stop-after", 0,
		"start no district after this long; those under way finish and are reported (an interrupt does the same)")
	f.StringVar(&cpuProfile, "cpuprofile", "",
		"write a CPU profile of this process (with its own instance: server, worker and API) for go tool pprof")
	f.StringVar(&blockProfile, "blockprofile", "",
		"write a profile of where this process's goroutines waited (on a channel, a lock, a database connection)")
	return cmd
}

// interrupted is closed on the first interrupt or SIGTERM; a second one ends the process as usual.
func interrupted() <-chan struct{} {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()
	return ctx.Done()
}

// startOwn starts a junheng in a temporary directory for the run, with an admin token and no rate limit.
func startOwn(cmd *cobra.Command, cfg *config.Config, opts *bench.Options) (func(), error) {
	dir, err := os.MkdirTemp("", "junheng-bench-")
	if err != nil {
		return nil, err
	}
	own := *cfg
	own.DataDir, own.HTTPAddr, own.TemporalPort, own.RateLimit, own.MetricsAddr = dir, "127.0.0.1:0", 0, 0, ""
	p, err := app.Start(cmd.Context(), &own, opts.Log, app.Role{API: true, Worker: true, Migrate: true})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	stop := func() { p.Close(); os.RemoveAll(dir) }
	t, err := usecase.IssueToken(cmd.Context(), p.Store,
		usecase.TokenRequest{Role: vocab.RoleAdmin, Name: "bench"})
	if err != nil {
		stop()
		return nil, err
	}
	opts.Server, opts.AdminToken = "http://"+p.Addr.String(), t.Token
	opts.Temporal = p.Temporal
	return stop, nil
}

func printReport(cmd *cobra.Command, rep bench.Report) error {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%d districts × %d findings, concurrency %d: ", rep.Districts, rep.FindingsPerDistrict,
		rep.Concurrency)
	if rep.Started < rep.Districts {
		fmt.Fprintf(out, "stopped early, %d started, ", rep.Started)
	}
	fmt.Fprintf(out, "%d completed, %d escalated, %d errors in %.1f s\n",
		rep.Completed, rep.Escalated, rep.Errors, rep.WallS)
	fmt.Fprintf(out,
		"%.2f districts/s, %.2f items/s, %.2f workflows/s, %.1f updates/s; ceiling %.1f workflows/s; ratio %.2f\n",
		rep.DistrictsPerS, rep.ItemsPerS, rep.WorkflowsPerS, rep.UpdatesPerS, rep.CeilingWorkflowsPerS, rep.Ratio)
	if rep.FirstError != "" {
		fmt.Fprintln(out, "first error:", rep.FirstError)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "route\tcalls\tp50 ms\tp95 ms\tp99 ms\t")
	routes := make([]string, 0, len(rep.Routes))
	for r := range rep.Routes {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	for _, r := range routes {
		l := rep.Routes[r]
		fmt.Fprintf(w, "%s\t%d\t%.1f\t%.1f\t%.1f\t\n", r, l.Count, l.P50, l.P95, l.P99)
	}
	w.Flush()
	line, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, string(line))
	return err
}
