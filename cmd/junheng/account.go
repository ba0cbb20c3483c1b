package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"junheng/internal/config"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

func newAccountCmd(cfg *config.Config) *cobra.Command {
	cmd := &cobra.Command{Use: "account", Short: "Create, list, reset and disable people's accounts"}
	var role, unit, login, name string
	create := &cobra.Command{
		Use:   "create --role admin|province|office|district|school [--unit CODE] --login LOGIN --name NAME",
		Short: "Create an account; its first password is printed once, alone on the last line",
		Args:  cobra.NoArgs,
		RunE: withStore(cfg, func(cmd *cobra.Command, db *store.Store, _ []string) error {
			a, err := usecase.CreateAccount(cmd.Context(), db, cliActor(), usecase.AccountRequest{Login: login,
				Name: name, Role: vocab.Role(role), Unit: unit})
			if err != nil {
				return usageIfInvalid(err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "account %d for %s (%s%s, login %s) created; its first password, to be changed at "+
				"first sign-in, is shown only now:\n", a.ID, name, role, suffix(unit), login)
			_, err = fmt.Fprintln(out, a.Password)
			return err
		}),
	}
	create.Flags().StringVar(&role, "role", "", "admin, province, office, district or school")
	create.Flags().StringVar(&unit, "unit", "", "the code of their unit: a province, city, district or school")
	create.Flags().StringVar(&login, "login", "", "login name: a mobile or staff number, as the person will type it")
	create.Flags().StringVar(&name, "name", "", "the person's name (shown in the audit trail)")

	list := &cobra.Command{
		Use:   "list",
		Short: "List accounts (never their passwords)",
		Args:  cobra.NoArgs,
		RunE: withStore(cfg, func(cmd *cobra.Command, db *store.Store, _ []string) error {
			as, err := db.Accounts(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tLOGIN\tNAME\tROLE\tUNIT\tSTATUS\tCREATED\tLAST-SIGN-IN")
			for _, a := range as {
				last := ""
				if a.LastSignInAt != nil {
					last = a.LastSignInAt.Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Login, a.Name, a.Role, a.UnitCode,
					accountStatus(a), a.CreatedAt.Format(time.RFC3339), last)
			}
			return w.Flush()
		}),
	}
	reset := &cobra.Command{
		Use:   "reset-password LOGIN",
		Short: "Give an account a new first password and unlock it; the password is printed alone on the last line",
		Args:  cobra.ExactArgs(1),
		RunE: withStore(cfg, func(cmd *cobra.Command, db *store.Store, args []string) error {
			a, err := usecase.ResetPassword(cmd.Context(), db, cliActor(), args[0])
			if err != nil {
				return usageIfInvalid(err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "account %d (login %s) has a new first password, to be changed at the next sign-in; "+
				"it is shown only now:\n", a.ID, args[0])
			_, err = fmt.Fprintln(out, a.Password)
			return err
		}),
	}
	cmd.AddCommand(create, list, reset, setDisabledCmd(cfg, true), setDisabledCmd(cfg, false))
	return cmd
}

// setDisabledCmd is `account disable` or, with disabled false, `account enable`.
func setDisabledCmd(cfg *config.Config, disabled bool) *cobra.Command {
	verb, short := "enable", "Let a disabled account sign in again"
	if disabled {
		verb, short = "disable", "Stop an account signing in; its sessions end"
	}
	return &cobra.Command{
		Use:   verb + " LOGIN",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: withStore(cfg, func(cmd *cobra.Command, db *store.Store, args []string) error {
			if err := usecase.SetDisabled(cmd.Context(), db, cliActor(), args[0], disabled); err != nil {
				return usageIfInvalid(err)
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "account with login %s %sd\n", args[0], verb)
			return err
		}),
	}
}

// accountStatus is what most limits an account's holder now: the first of disabled, locked, a password to change.
func accountStatus(a store.Account) string {
	switch {
	case a.DisabledAt != nil:
		return "disabled"
	case a.LockedUntil != nil && time.Now().Before(*a.LockedUntil):
		return "locked until " + a.LockedUntil.Format(time.RFC3339)
	case a.MustChangePassword:
		return "must change password"
	}
	return "active"
}

// cliActor is who the audit trail names for a command run on the server: the operating-system user, as the
// command line has no sign-in of its own.
func cliActor() usecase.Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return usecase.Actor{Name: "命令行 command line (" + name + ")", Role: vocab.RoleSystem}
}

// usageIfInvalid makes a refusal of the input a usage error (exit 2), as token create does.
func usageIfInvalid(err error) error {
	var invalid *usecase.Error
	if errors.As(err, &invalid) {
		return exitCode(2, err)
	}
	return err
}
