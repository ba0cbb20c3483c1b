package web

import (
	"net/http"

	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

// accountsData is the administrators' page of accounts; Password is a first password just made (for Login),
// shown in this answer only.
type accountsData struct {
	Accounts        []store.Account
	Login, Password string
	Roles           []vocab.Role
}

// accountsPage lists the accounts with forms to create one, reset a password, disable or enable: what
// `junheng account` does on the server.
func (s *server) accountsPage(w http.ResponseWriter, r *http.Request) {
	s.showAccounts(w, r, http.StatusOK, "", "")
}

func (s *server) showAccounts(w http.ResponseWriter, r *http.Request, status int, login, password string) {
	as, err := s.opts.Core.Accounts(r.Context(), actor(r))
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	s.render(w, r, status, "accounts", "accounts", 0, accountsData{Accounts: as, Login: login, Password: password,
		Roles: usecase.Roles})
}

// createAccount makes an account and shows its first password in this answer, not after a redirect: the
// session's stored outcome of a form must never hold a password.
func (s *server) createAccount(w http.ResponseWriter, r *http.Request) {
	req := usecase.AccountRequest{Login: r.PostFormValue("login"), Name: r.PostFormValue("name"),
		Role: vocab.Role(r.PostFormValue("role")), Unit: r.PostFormValue("unit")}
	made, err := s.opts.Core.OpenAccount(r.Context(), actor(r), req)
	if err != nil {
		s.back(w, r, result("account", err, english(r), ""), "/admin/accounts")
		return
	}
	s.showAccounts(w, r, http.StatusCreated, req.Login, made.Password)
}

// resetAccount gives an account a new first password, shown in this answer only.
func (s *server) resetAccount(w http.ResponseWriter, r *http.Request) {
	login := r.PostFormValue("login")
	made, err := s.opts.Core.ResetAccountPassword(r.Context(), actor(r), login)
	if err != nil {
		s.back(w, r, result("account_row", err, english(r), ""), "/admin/accounts")
		return
	}
	s.showAccounts(w, r, http.StatusOK, login, made.Password)
}

// disableAccount disables an account (disabled=true) or enables it again.
func (s *server) disableAccount(w http.ResponseWriter, r *http.Request) {
	disabled := r.PostFormValue("disabled") == "true"
	err := s.opts.Core.DisableAccount(r.Context(), actor(r), r.PostFormValue("login"), disabled)
	msg := s.t(r, "account_enabled")
	if disabled {
		msg = s.t(r, "account_disabled")
	}
	s.back(w, r, result("account_row", err, english(r), msg), "/admin/accounts")
}
