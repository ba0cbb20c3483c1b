package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync"
	"time"

	"junheng/internal/clientaddr"
)

const sessionCookie = "junheng_session"

// session is a signed-in user. The API token stays on the server: the browser holds only a random session ID.
type session struct {
	id, token, csrf string
	me              principal
	seen            time.Time
	flash           *flash
}

// principal is the API's answer to GET /api/v1/me.
type principal struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	District string `json:"district"`
}

func (p principal) Office() bool {
	return p.Role == "office" || p.Role == "admin" || p.Role == "province"
}

type sessions struct {
	mu   sync.Mutex
	idle time.Duration
	m    map[string]*session
}

func newSessions(idle time.Duration) *sessions {
	return &sessions{idle: idle, m: map[string]*session{}}
}

func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

func (ss *sessions) create(token string, me principal) *session {
	s := &session{id: randomID(), token: token, csrf: randomID(), me: me, seen: time.Now()}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for id, old := range ss.m { // sign-ins are rare: sweeping here keeps expired sessions from piling up
		if time.Since(old.seen) > ss.idle {
			delete(ss.m, id)
		}
	}
	ss.m[s.id] = s
	return s
}

func (ss *sessions) get(id string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[id]
	if !ok || time.Since(s.seen) > ss.idle {
		delete(ss.m, id)
		return nil
	}
	s.seen = time.Now()
	return s
}

func (ss *sessions) delete(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

// setFlash and takeFlash carry a form's outcome across the redirect that follows every POST.
func (ss *sessions) setFlash(s *session, f *flash) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.flash = f
}

// peekFlash reads the outcome without taking it: a handler may need it before the page renders (and takes it).
func (ss *sessions) peekFlash(s *session) *flash {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return s.flash
}

func (ss *sessions) takeFlash(s *session) *flash {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	f := s.flash
	s.flash = nil
	return f
}

// cookie is Secure when the site is reached over HTTPS (see Options.Secure) or this request came over it.
func (s *server) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.opts.Secure || clientaddr.HTTPS(r, s.opts.Proxies)}
}

type sessionKey struct{}

func current(r *http.Request) *session { return r.Context().Value(sessionKey{}).(*session) }

func withSession(ctx context.Context, s *session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// signedIn sends visitors without a session to the sign-in page and checks the CSRF token of every POST: the
// token is bound to the session and sent in a hidden field of the form's body, which another site cannot read.
// It is never taken from the query string, which leaks into logs, history and Referer headers.
func (s *server) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var sess *session
		if c, err := r.Cookie(sessionCookie); err == nil {
			sess = s.sessions.get(c.Value)
		}
		if sess == nil {
			if r.Method != http.MethodGet {
				http.Error(w, s.t(r, "session_expired"), http.StatusForbidden)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		// A multipart form parsed below (by the POST check, or by a page reading FormValue) is this request's or
		// shared with its copies: removeForm finds it here once the answer is written.
		r = r.WithContext(withSession(r.Context(), sess))
		defer removeForm(r)
		if r.Method == http.MethodPost {
			// ParseMultipartForm also parses urlencoded bodies; the bound is the API's upload limit and a little.
			r.Body = http.MaxBytesReader(w, r.Body, 26<<20)
			_ = r.ParseMultipartForm(8 << 20)
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.csrf)) != 1 {
				http.Error(w, s.t(r, "csrf_failed"), http.StatusForbidden)
				return
			}
			r = withFormKey(r)
		}
		next(w, r)
	}
}

// removeForm deletes the temporary files of r's multipart form (uploads over 8 MiB). net/http deletes them only
// for the request it made itself, and the pages work on copies of it (each context value added makes one).
func removeForm(r *http.Request) {
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
	}
}
