package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"junheng/internal/clientaddr"
	"junheng/store"
	"junheng/usecase"
)

const sessionCookie = "junheng_session"

// session is a signed-in person. The browser holds a random ID; the store keeps the session under the ID's hash,
// with the principal (its account's or token's ID) and never a password or token, so that every process of the
// site serves the same person and a restart signs no one out.
type session struct {
	idHash, csrf string
	me           principal
	flash        *flash // the outcome of the last form, until a page shows it
}

// principal is the signed-in person as the session keeps them and the pages show them (see actor for the core's).
type principal struct {
	AccountID  int64 // a person's account; 0 for a token's session
	Federated  bool  // signed in through the unified identity provider: no password of ours was used
	TokenID    int64
	Name, Role string
	Unit       string // the code of their unit; "" for the whole deployment
}

// District is the district of a district's person, "" for every other role.
func (p principal) District() string { return actor0(p).District() }

// Office says the person works for the city or above: the office's pages are theirs.
func (p principal) Office() bool {
	return p.Role == "office" || p.Role == "admin" || p.Role == "province"
}

type sessions struct {
	store *store.Store
	idle  time.Duration
}

// extendAfter is how long a session is used before its expiry moves on: not a write on every page.
const extendAfter = time.Minute

func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// create starts a session for me and answers the ID the browser keeps.
func (ss *sessions) create(ctx context.Context, me principal) (string, error) {
	id, now := randomID(), time.Now().UTC()
	return id, ss.store.CreateSession(ctx, &store.Session{IDHash: hashID(id), AccountID: me.AccountID,
		Federated: me.Federated, TokenID: me.TokenID, Name: me.Name, Role: me.Role, UnitCode: me.Unit,
		CSRF: randomID(), CreatedAt: now, ExpiresAt: now.Add(ss.idle)})
}

// get is the live session with the browser's ID, or nil.
func (ss *sessions) get(ctx context.Context, id string) (*session, error) {
	row, err := ss.store.Session(ctx, hashID(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if now := time.Now(); row.ExpiresAt.Sub(now) < ss.idle-extendAfter {
		if err := ss.store.ExtendSession(ctx, row.IDHash, now.Add(ss.idle)); err != nil {
			return nil, err
		}
	}
	s := &session{idHash: row.IDHash, csrf: row.CSRF,
		me: principal{AccountID: row.AccountID, Federated: row.Federated, TokenID: row.TokenID, Name: row.Name,
			Role: row.Role, Unit: row.UnitCode}}
	if row.Flash != "" {
		s.flash = new(flash)
		if err := json.Unmarshal([]byte(row.Flash), s.flash); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (ss *sessions) delete(ctx context.Context, s *session) error {
	return ss.store.DeleteSession(ctx, s.idHash)
}

// setFlash keeps a form's outcome for the page the form redirects to, which another process may serve.
func (ss *sessions) setFlash(ctx context.Context, s *session, f *flash) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	s.flash = f
	return ss.store.SetSessionFlash(ctx, s.idHash, string(data))
}

// takeFlash is the outcome the page shows, once: it is cleared for the pages after this one.
func (ss *sessions) takeFlash(ctx context.Context, s *session) (*flash, error) {
	f := s.flash
	if f == nil {
		return nil, nil
	}
	s.flash = nil
	return f, ss.store.SetSessionFlash(ctx, s.idHash, "")
}

// unavailable answers a request whose session could not be read or kept: the person stays signed in and is asked
// to try again.
func (s *server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.opts.Logger.Error("sessions unavailable", "error", err)
	http.Error(w, s.t(r, "unavailable"), http.StatusServiceUnavailable)
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
			if sess, err = s.sessions.get(r.Context(), c.Value); err != nil {
				s.unavailable(w, r, err)
				return
			}
		}
		if sess == nil {
			if r.Method != http.MethodGet {
				http.Error(w, s.t(r, "session_expired"), http.StatusForbidden)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		err := s.opts.Core.Live(r.Context(), usecase.Actor{AccountID: sess.me.AccountID, TokenID: sess.me.TokenID})
		switch {
		case errors.Is(err, usecase.ErrPasswordChange) && !passwordPaths[r.URL.Path] && !sess.me.Federated:
			// A first or reset password: nothing else until it is changed (unless it was not used).
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		case errors.Is(err, usecase.ErrNotFound):
			// The account was disabled or the token revoked: its sessions end with it.
			_ = s.sessions.delete(r.Context(), sess)
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		case err != nil && !errors.Is(err, usecase.ErrPasswordChange):
			s.unavailable(w, r, err)
			return
		}
		// Every page request gets an ID of its own, answered as X-Request-Id and written to the audit trail.
		id := rand.Text()
		w.Header().Set("X-Request-Id", id)
		// A multipart form parsed below (by the POST check, or by a page reading FormValue) is this request's or
		// shared with its copies: removeForm finds it here once the answer is written.
		r = r.WithContext(context.WithValue(withSession(r.Context(), sess), requestIDKey{}, id))
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
