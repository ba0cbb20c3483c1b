package web

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"junheng/internal/clientaddr"
	"junheng/usecase"
)

// OIDC is the unified identity provider (统一身份认证) people may sign in through: an OpenID Connect issuer and
// junheng's client there. Claim names the ID token's claim that holds a person's junheng login name.
type OIDC struct {
	Issuer, ClientID, ClientSecret, Claim string
	// PublicURL is where users reach the site (JUNHENG_PUBLIC_URL); the callback address is made from it, or,
	// when it is empty, from the request.
	PublicURL string
}

// federation runs the authorization code flow with PKCE, state and nonce. The provider's discovery document is
// read at the first sign-in, not at start, so that an unreachable provider keeps no one from signing in with a
// password; a failed read is tried again at the next sign-in.
type federation struct {
	cfg      OIDC
	mu       sync.Mutex
	provider *oidc.Provider
}

const (
	oidcCookie   = "junheng_oidc"
	oidcCallback = "/login/oidc/callback"
)

// oidcFlow is what the browser keeps between leaving for the provider and coming back: a cookie only this site
// reads, HttpOnly, for ten minutes. The state ties the answer to this browser, the nonce the ID token to this
// request, and the verifier (PKCE) the code to this client.
type oidcFlow struct {
	State, Nonce, Verifier, Next string
}

func (f *federation) discover(ctx context.Context) (*oidc.Provider, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.provider == nil {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		p, err := oidc.NewProvider(ctx, f.cfg.Issuer)
		if err != nil {
			return nil, err
		}
		f.provider = p
	}
	return f.provider, nil
}

func (f *federation) oauth(p *oidc.Provider, r *http.Request, proxies []netip.Prefix) *oauth2.Config {
	base := f.cfg.PublicURL
	if base == "" {
		scheme := "http"
		if clientaddr.HTTPS(r, proxies) {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return &oauth2.Config{ClientID: f.cfg.ClientID, ClientSecret: f.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: base + oidcCallback, Scopes: []string{oidc.ScopeOpenID, "profile"}}
}

// oidcStart sends the browser to the provider.
func (s *server) oidcStart(w http.ResponseWriter, r *http.Request) {
	p, err := s.federation.discover(r.Context())
	if err != nil {
		s.opts.Logger.Error("identity provider unreachable", "issuer", s.federation.cfg.Issuer, "error", err)
		s.loginFailed(w, r, http.StatusBadGateway, "/", "oidc_unavailable")
		return
	}
	flow := oidcFlow{State: randomID(), Nonce: randomID(), Verifier: oauth2.GenerateVerifier(),
		Next: localPath(r.URL.Query().Get("next"))}
	data, _ := json.Marshal(flow)
	c := s.cookie(r, oidcCookie, base64.RawURLEncoding.EncodeToString(data), 600)
	// The provider sends the browser back with a top-level GET from its own site: Strict would drop the cookie.
	c.SameSite = http.SameSiteLaxMode
	http.SetCookie(w, c)
	http.Redirect(w, r, s.federation.oauth(p, r, s.opts.Proxies).AuthCodeURL(flow.State, oidc.Nonce(flow.Nonce),
		oauth2.S256ChallengeOption(flow.Verifier)), http.StatusSeeOther)
}

// oidcCallback takes the provider's answer: the state must be this browser's, the code is exchanged with the
// verifier, the ID token's signature, issuer, audience, expiry and nonce are checked, and the claim names the
// account. No account, no entry.
func (s *server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, s.cookie(r, oidcCookie, "", -1))
	addr := clientaddr.Of(r, s.opts.Proxies)
	if s.signInFailures.Blocked(addr) {
		s.tooManySignIns(w, r)
		return
	}
	login, next, err := s.federatedLogin(r)
	if err != nil {
		s.signInFailures.Fail(addr)
		s.opts.Logger.Warn("unified sign-in refused", "error", err)
		s.loginFailed(w, r, http.StatusUnauthorized, "/", "oidc_failed")
		return
	}
	a, err := s.opts.Core.FederatedSignIn(r.Context(), login)
	var refused *usecase.Error
	if errors.As(err, &refused) {
		s.signInFailures.Fail(addr)
		s.render(w, r, http.StatusUnauthorized, "login", "sign_in", 0, loginData{Next: next,
			Error: pick(english(r), refused.MessageZh, refused.MessageEn), OIDC: true})
		return
	} else if err != nil {
		s.unavailable(w, r, err)
		return
	}
	if !s.startSession(w, r, principal{AccountID: a.AccountID, Federated: true, Name: a.Name, Role: string(a.Role),
		Unit: a.Unit}) {
		return
	}
	// The provider's site started this navigation, and a browser does not send a SameSite=Strict cookie on a
	// redirect of it: a page of ours moves on to next, so that the session's cookie goes with it.
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	esc := template.HTMLEscapeString(next)
	_, _ = fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" `+
		`content="0;url=%s"><title>%s</title></head><body><p><a href="%s">%s</a></p></body></html>`,
		esc, s.t(r, "signed_in"), esc, s.t(r, "to_work"))
}

// federatedLogin checks the provider's answer and returns the login name it vouches for and where to go next.
func (s *server) federatedLogin(r *http.Request) (login, next string, err error) {
	var flow oidcFlow
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return "", "", errors.New("no sign-in under way in this browser")
	}
	data, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || json.Unmarshal(data, &flow) != nil || flow.State == "" {
		return "", "", errors.New("the sign-in cookie does not decode")
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(flow.State)) != 1 {
		return "", "", errors.New("the state is not this browser's")
	}
	if e := q.Get("error"); e != "" {
		return "", "", fmt.Errorf("the provider answered %s: %s", e, q.Get("error_description"))
	}
	p, err := s.federation.discover(r.Context())
	if err != nil {
		return "", "", err
	}
	tok, err := s.federation.oauth(p, r, s.opts.Proxies).Exchange(r.Context(), q.Get("code"),
		oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		return "", "", fmt.Errorf("code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := p.Verifier(&oidc.Config{ClientID: s.federation.cfg.ClientID}).Verify(r.Context(), raw)
	if err != nil {
		return "", "", fmt.Errorf("ID token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(id.Nonce), []byte(flow.Nonce)) != 1 {
		return "", "", errors.New("the ID token's nonce is not this sign-in's")
	}
	var claims map[string]any
	if err := id.Claims(&claims); err != nil {
		return "", "", err
	}
	login, _ = claims[s.federation.cfg.Claim].(string)
	if login == "" {
		return "", "", fmt.Errorf("the ID token has no claim %s", s.federation.cfg.Claim)
	}
	return login, localPath(flow.Next), nil
}
