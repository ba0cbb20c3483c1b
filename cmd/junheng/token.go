package main

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"junheng/internal/app"
	"junheng/internal/config"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

func newTokenCmd(cfg *config.Config) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke API tokens"}
	var role, unit, district, name string
	create := &cobra.Command{
		Use:   "create --role admin|province|office|district|school [--unit CODE] --name NAME",
		Short: "Create a token; it is printed once, alone on the last line",
		Args:  cobra.NoArgs,
		RunE: withStore(cfg, func(cmd *cobra.Command, db *store.Store, _ []string) error {
			t, err := usecase.IssueToken(cmd.Context(), db, usecase.TokenRequest{Role: vocab.Role(role),
				Unit: unit, District: district, Name: name})
			if err != nil {
				return usageIfInvalid(err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "token %d for %s (%s%s) created; it is shown only now:\n", t.ID, name, role,
				suffix(cmp.Or(unit, district)))
			_, err = fmt.Fprintln(out, t.Token)
			return err
		}),
	}
	create.Flags().StringVar(&role, "role", "", "admin, province, office, district or school")
	create.Flags().StringVar(&unit, "unit", "", "the code of its unit: a province, city, district or school")
	create.Flags().StringVar(&district, "district", "", "the older spelling of --unit, for a district token")
	create.Flags().StringVar(&name, "name", "", "who holds the token (shown in the audit trail)")

	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their values)",
		Args:  cobra.NoArgs,
		RunE: withStore(cfg, func(cmd *cobra.Command, db *store.Store, _ []string) error {
			ts, err := db.Tokens(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tROLE\tUNIT\tCREATED\tREVOKED")
			for _, t := range ts {
				revoked := ""
				if t.RevokedAt != nil {
					revoked = t.RevokedAt.Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.UnitCode,
					t.CreatedAt.Format(time.RFC3339), revoked)
			}
			return w.Flush()
		}),
	}
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token",
		Args:  cobra.ExactArgs(1),
		RunE: withStore(cfg, func(cmd *cobra.Command, db *store.Store, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return exitCode(2, fmt.Errorf("ID must be a number: %q", args[0]))
			}
			if err := db.RevokeToken(cmd.Context(), id); errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no live token %d", id)
			} else if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "token %d revoked\n", id)
			return err
		}),
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// withStore runs a command against the configured database, migrated so that tokens can be made before the
// first serve.
func withStore(
	cfg *config.Config, run func(*cobra.Command, *store.Store, []string) error,
) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := cfg.Validate(); err != nil {
			return err
		}
		db, err := app.OpenStore(cmd.Context(), cfg, true)
		if err != nil {
			return err
		}
		defer db.Close()
		return run(cmd, db, args)
	}
}

func suffix(district string) string {
	if district == "" {
		return ""
	}
	return " " + district
}
