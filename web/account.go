package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"strconv"

	"github.com/pquerna/otp"

	"junheng/evaluation"
	"junheng/store"
	"junheng/usecase"
)

// passwordPaths are the pages a person with a first or reset password may reach before changing it.
var passwordPaths = map[string]bool{"/account/password": true, "/logout": true}

// passwordPage asks for the current password and a new one: at first sign-in, after a reset, or at will.
func (s *server) passwordPage(w http.ResponseWriter, r *http.Request) {
	if current(r).me.AccountID == 0 {
		s.coreError(w, r, usecase.ErrForbidden) // a token's session has no password
		return
	}
	s.render(w, r, http.StatusOK, "password", "change_password", 0, nil)
}

// changePassword changes the signed-in person's password (usecase.Core.ChangePassword). The new one is typed
// twice; a mismatch is the form's error and changes nothing.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) {
	const form = "password"
	next := r.PostFormValue("password")
	var err error
	if next != r.PostFormValue("confirm") {
		err = usecase.InvalidInput(evaluation.Problem{Field: "confirm", MessageZh: "两次输入的新密码不一致",
			MessageEn: "the two new passwords differ"})
	} else {
		err = s.opts.Core.ChangePassword(r.Context(), actor(r), r.PostFormValue("current"), next)
	}
	if err != nil {
		s.back(w, r, result(form, err, english(r), ""), "/account/password")
		return
	}
	s.back(w, r, result(form, nil, english(r), s.t(r, "password_changed")), "/account/password")
}

// totpData is the second factor's page: on, or a new secret to add to an app, with its QR code.
type totpData struct {
	On     bool
	Secret string
	QR     template.URL // a PNG data: URL of the otpauth:// address
}

// totpPage shows whether the second factor is on and, if not, a new secret to add to an authenticator app.
func (s *server) totpPage(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	if a.AccountID == 0 {
		s.coreError(w, r, usecase.ErrForbidden) // a token's session has no sign-in to protect
		return
	}
	on, err := s.opts.Core.TOTPEnabled(r.Context(), a)
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	d := totpData{On: on}
	if !on {
		setup, err := s.opts.Core.NewTOTP(r.Context(), a)
		if err != nil {
			s.coreError(w, r, err)
			return
		}
		d.Secret, d.QR = setup.Secret, qrCode(setup.URL)
	}
	s.render(w, r, http.StatusOK, "totp", "totp", 0, d)
}

// qrCode draws an otpauth:// address as a QR code for the apps to read, or "" if it cannot (the secret is shown
// for typing in all the same).
func qrCode(address string) template.URL {
	key, err := otp.NewKeyFromURL(address)
	if err != nil {
		return ""
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
}

// enableTOTP turns the second factor on with the page's secret and the code the app shows.
func (s *server) enableTOTP(w http.ResponseWriter, r *http.Request) {
	err := s.opts.Core.EnableTOTP(r.Context(), actor(r), r.PostFormValue("secret"), r.PostFormValue("code"))
	s.back(w, r, result("totp", err, english(r), s.t(r, "totp_on")), "/account/totp")
}

// disableTOTP turns the second factor off, given the password.
func (s *server) disableTOTP(w http.ResponseWriter, r *http.Request) {
	err := s.opts.Core.DisableTOTP(r.Context(), actor(r), r.PostFormValue("password"))
	s.back(w, r, result("totp", err, english(r), s.t(r, "totp_off")), "/account/totp")
}

// tokensData is the page of a person's API tokens; New is a token just made, shown on this answer only.
type tokensData struct {
	Tokens []store.Token
	New    string
}

// tokensPage lists the person's tokens for integrations, with a form to make one and one to revoke each.
func (s *server) tokensPage(w http.ResponseWriter, r *http.Request) {
	s.showTokens(w, r, http.StatusOK, "")
}

func (s *server) showTokens(w http.ResponseWriter, r *http.Request, status int, token string) {
	ts, err := s.opts.Core.OwnTokens(r.Context(), actor(r))
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	s.render(w, r, status, "tokens", "api_tokens", 0, tokensData{Tokens: ts, New: token})
}

// createToken makes a token and shows it in this answer, not after a redirect: the session's stored outcome of
// a form must never hold a token.
func (s *server) createToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.opts.Core.IssueOwnToken(r.Context(), actor(r), r.PostFormValue("name"))
	if err != nil {
		s.back(w, r, result("token", err, english(r), ""), "/account/tokens")
		return
	}
	s.showTokens(w, r, http.StatusCreated, t.Token)
}

// revokeToken revokes one of the person's tokens.
func (s *server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if err == nil {
		err = s.opts.Core.RevokeOwnToken(r.Context(), actor(r), id)
	} else {
		err = usecase.ErrNotFound
	}
	s.back(w, r, result("token", err, english(r), s.t(r, "token_revoked")), "/account/tokens")
}
