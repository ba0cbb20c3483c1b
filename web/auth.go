package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"junheng/internal/clientaddr"
	"junheng/usecase"
)

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", "sign_in", 0, loginData{Next: localPath(r.URL.Query().Get("next")),
		OIDC: s.federation != nil})
}

type loginData struct {
	Next, Error string
	OIDC        bool // the unified sign-in is offered
}

// loginBodyLimit bounds the sign-in form: a login and password or a token, and a path. Anyone may post it, so
// nothing larger is read.
const loginBodyLimit = 16 << 10

// login checks a login name and password, or a token, and starts a session; neither is kept. An address that has
// sent too many wrong ones is refused before the form is read.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	// No session exists yet to bind a CSRF token to; a cross-site sign-in is refused by its Origin instead.
	if o, err := url.Parse(r.Header.Get("Origin")); r.Header.Get("Origin") != "" && (err != nil || o.Host != r.Host) {
		http.Error(w, s.t(r, "csrf_failed"), http.StatusForbidden)
		return
	}
	addr := clientaddr.Of(r, s.opts.Proxies)
	if s.signInFailures.Blocked(addr) {
		s.tooManySignIns(w, r)
		return
	}
	// Only the sign-in page's own form: a multipart body would be spooled to disk before anyone signed in.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		http.Error(w, s.t(r, "login_form_only"), http.StatusUnsupportedMediaType)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, loginBodyLimit)
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		if errors.As(err, new(*http.MaxBytesError)) {
			status = http.StatusRequestEntityTooLarge
		}
		http.Error(w, s.t(r, "login_form_only"), status)
		return
	}
	next := localPath(r.PostFormValue("next"))
	a, err := s.signIn(r)
	var refused *usecase.Error
	switch {
	case errors.As(err, &refused) && (refused.Kind == usecase.Unauthenticated || refused.Kind == usecase.NotFound):
		s.signInFailures.Fail(addr)
		s.render(w, r, http.StatusUnauthorized, "login", "sign_in", 0,
			loginData{Next: next, Error: pick(english(r), refused.MessageZh, refused.MessageEn),
				OIDC: s.federation != nil})
		return
	case err != nil:
		s.unavailable(w, r, err)
		return
	}
	if s.startSession(w, r, principal{AccountID: a.AccountID, TokenID: a.TokenID, Name: a.Name,
		Role: string(a.Role), Unit: a.Unit}) {
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

// startSession signs me in: false (answered) when the session cannot be kept.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, me principal) bool {
	id, err := s.sessions.create(r.Context(), me)
	if err != nil {
		s.unavailable(w, r, err)
		return false
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, id, 0))
	return true
}

// signIn checks the form's login and password (usecase.Core.PasswordSignIn) or, from the form for integrations,
// its API token (usecase.Core.SignIn).
func (s *server) signIn(r *http.Request) (usecase.Actor, error) {
	if _, ok := r.PostForm["token"]; ok {
		token := strings.TrimSpace(r.PostFormValue("token"))
		if token == "" {
			return usecase.Actor{}, usecase.ErrNotFound
		}
		a, err := s.opts.Core.SignIn(r.Context(), token)
		if errors.Is(err, usecase.ErrNotFound) {
			return a, &usecase.Error{Kind: usecase.Unauthenticated, MessageZh: translate(false, "token_invalid"),
				MessageEn: translate(true, "token_invalid")}
		}
		return a, err
	}
	return s.opts.Core.PasswordSignIn(r.Context(), r.PostFormValue("login"), r.PostFormValue("password"),
		r.PostFormValue("code"))
}

// tooManySignIns refuses a sign-in from an address that has used its allowance of wrong tokens: one comes back
// each minute.
func (s *server) tooManySignIns(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", strconv.Itoa(int(s.signInFailures.Every.Seconds())))
	s.loginFailed(w, r, http.StatusTooManyRequests, "/", "too_many_sign_ins")
}

// loginFailed shows the sign-in form again with the message of key.
func (s *server) loginFailed(w http.ResponseWriter, r *http.Request, status int, next, key string) {
	s.render(w, r, status, "login", "sign_in", 0, loginData{Next: next, Error: s.t(r, key), OIDC: s.federation != nil})
}

// localPath is target when it is a path on this site, otherwise "/": a redirect must not leave the site. Browsers
// read a backslash as a slash and drop tabs and newlines anywhere in a URL, so /\evil.example and
// /<TAB>/evil.example would lead to another host: only plain paths pass.
func localPath(target string) string {
	if !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") ||
		strings.ContainsFunc(target, func(c rune) bool { return c == '\\' || unicode.IsControl(c) }) {
		return "/"
	}
	if u, err := url.Parse(target); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return target
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.delete(r.Context(), current(r)); err != nil {
		s.unavailable(w, r, err)
		return
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// home sends each role to its own workspace for the year under way.
func (s *server) home(w http.ResponseWriter, r *http.Request) {
	year := strconv.Itoa(defaultYear(s.opts.Location))
	if current(r).me.Role == "province" {
		http.Redirect(w, r, "/province?year="+year, http.StatusSeeOther)
		return
	}
	if current(r).me.Office() {
		http.Redirect(w, r, "/office?year="+year, http.StatusSeeOther)
		return
	}
	if current(r).me.Role == "school" {
		http.Redirect(w, r, "/school?year="+year, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/district?year="+year, http.StatusSeeOther)
}

// defaultYear is the cycle year under way: a year's cycle runs from its self-assessment (by 31 December) into
// the next spring, so until the end of June the previous year is the one being worked on.
func defaultYear(loc *time.Location) int {
	now := time.Now().In(loc)
	if now.Month() <= time.June {
		return now.Year() - 1
	}
	return now.Year()
}

// yearOf reads ?year=, defaulting to the year under way.
func (s *server) yearOf(r *http.Request) int {
	if y, err := strconv.Atoi(r.FormValue("year")); err == nil && y >= 2000 && y <= 2200 {
		return y
	}
	return defaultYear(s.opts.Location)
}
