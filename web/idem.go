package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"regexp"
)

// Every state-changing form carries a key made when the page is rendered. The pages act once for it (see once),
// so a double click or a resent form acts once: the repeat gets the first outcome. When the action may still be
// under way or was not done for a passing reason, the page that follows renders that form with the key it was
// sent with (see page.Idem), so that the user's retry is the same request.

const formKeyField = "idem"

// newFormKey is a fresh key for one rendered form: 128 random bits, so that no other form can guess or reuse it.
func newFormKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// formKeyPattern is what newFormKey makes; anything else in the field (forged, truncated, oversized) is not used.
var formKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

type idemKey struct{}

// withFormKey keeps the posted form's key for the action the form makes. A form without a valid key (a
// page rendered before the key existed, or a tampered one) still acts, without a key.
func withFormKey(r *http.Request) *http.Request {
	if k := r.PostFormValue(formKeyField); formKeyPattern.MatchString(k) {
		return r.WithContext(context.WithValue(r.Context(), idemKey{}, k))
	}
	return r
}

// requestKey is the key of the form posted in r, or "".
func requestKey(r *http.Request) string {
	k, _ := r.Context().Value(idemKey{}).(string)
	return k
}
