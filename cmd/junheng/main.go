// Command junheng runs the county balanced-development workflow engine: the HTTP API, the Temporal worker and
// their embedded dependencies, plus the command-line tools around them.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	_ "time/tzdata" // deadlines are in a named zone; containers may have no zoneinfo

	"github.com/spf13/cobra"

	"junheng/internal/config"
)

// exitError carries a specific exit code out of a subcommand (evaluate uses 1 for bad input, 2 for usage).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(code int, err error) error { return &exitError{code: code, err: err} }

func main() {
	cfg := &config.Config{}
	root := newRootCmd(cfg)
	if err := root.Execute(); err != nil {
		// One line, so that a start-up failure reads as one clear message in any log.
		fmt.Fprintln(os.Stderr, "junheng:",
			strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " "))
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

func newRootCmd(cfg *config.Config) *cobra.Command {
	root := &cobra.Command{
		Use:           "junheng",
		Short:         "义务教育优质均衡发展县创建 workflow engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cfg.AddFlags(root.PersistentFlags())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitCode(2, err) })
	root.AddCommand(newServeCmd(cfg), newAPICmd(cfg), newWorkerCmd(cfg), newMigrateCmd(cfg), newTokenCmd(cfg),
		newAccountCmd(cfg), newEvaluateCmd(), newTemplateCmd(), newBenchCmd(cfg), newBackupCmd(cfg),
		newRestoreCmd(cfg), newVersionCmd())
	return root
}
