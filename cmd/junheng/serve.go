package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"junheng/internal/app"
	"junheng/internal/config"
	"junheng/store"
)

func newServeCmd(cfg *config.Config) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run everything in one process: embedded Temporal (unless TEMPORAL_ADDRESS is set), worker and HTTP API",
		Long: `serve runs the whole service on one machine. With no TEMPORAL_ADDRESS it starts an embedded Temporal
server persisted to temporal.db in the data directory, so a restart keeps every running workflow; with no
JUNHENG_DATABASE_URL it uses the SQLite file junheng.db there. The schema is migrated on start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), cfg, app.Role{API: true, Worker: true, Migrate: true})
		},
	}
}

func newAPICmd(cfg *config.Config) *cobra.Command {
	return &cobra.Command{
		Use:   "api",
		Short: "Run the HTTP API against a Temporal cluster (TEMPORAL_ADDRESS) and the database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), cfg, app.Role{API: true})
		},
	}
}

func newWorkerCmd(cfg *config.Config) *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker (workflows and activities); serves /healthz and /readyz (and /metrics apart)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), cfg, app.Role{Worker: true})
		},
	}
}

func newMigrateCmd(cfg *config.Config) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database schema migrations",
		Args:  cobra.NoArgs,
		RunE: withStore(cfg, func(cmd *cobra.Command, db *store.Store, _ []string) error {
			cur, _, err := db.SchemaVersion(cmd.Context())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "database %s: schema at version %d\n", db.Dialect(), cur)
			return err
		}),
	}
}

// run starts a long-running role and stops it gracefully on SIGINT or SIGTERM.
func run(ctx context.Context, cfg *config.Config, role app.Role) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return app.Run(ctx, cfg, newLogger(cfg), role)
}

func newLogger(cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
