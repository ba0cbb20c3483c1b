package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", "sign_in", 0, loginData{Next: r.URL.Query().Get("next")})
}

type loginData struct {
	Next, Error string
}

// login checks the token with GET /api/v1/me and starts a session; the token itself never goes back to the
// browser.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	// No session exists yet to bind a CSRF token to; a cross-site sign-in is refused by its Origin instead.
	if o, err := url.Parse(r.Header.Get("Origin")); r.Header.Get("Origin") != "" && (err != nil || o.Host != r.Host) {
		http.Error(w, s.t(r, "csrf_failed"), http.StatusForbidden)
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	next := r.PostFormValue("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/" // only local paths: the sign-in must not redirect elsewhere
	}
	var me principal
	rep := s.callAs(r, token, "/api/v1/me", &me)
	if token == "" || !rep.ok() {
		s.render(w, r, http.StatusUnauthorized, "login", "sign_in", 0, loginData{Next: next, Error: s.t(r, "token_invalid")})
		return
	}
	sess := s.sessions.create(token, me)
	http.SetCookie(w, s.cookie(r, sessionCookie, sess.id, 0))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// callAs reads path with a token that is not (yet) a session's.
func (s *server) callAs(r *http.Request, token, path string, out any) reply {
	sess := &session{token: token}
	return s.get(r.WithContext(withSession(r.Context(), sess)), path, out)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	s.sessions.delete(current(r).id)
	http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// home sends each role to its own workspace for the year under way.
func (s *server) home(w http.ResponseWriter, r *http.Request) {
	year := strconv.Itoa(defaultYear(s.opts.Location))
	if current(r).me.Office() {
		http.Redirect(w, r, "/office?year="+year, http.StatusSeeOther)
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
