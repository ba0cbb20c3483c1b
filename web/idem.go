package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"regexp"
)

// Every state-changing form carries a key made when the page is rendered. The pages send it to the API as the
// Idempotency-Key of the form's requests, so a double click or a resent form acts once: the API answers the
// repeat with the first answer. When the API could not say whether the action was done (a 5xx, or the key still
// being answered), the page that follows renders that form with the key it was sent with (see page.Idem), so that
// the user's retry is the same request.

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

// withFormKey keeps the posted form's key for the API requests the form makes. A form without a valid key (a
// page rendered before the key existed, or a tampered one) still acts, without a key.
func withFormKey(r *http.Request) *http.Request {
	if k := r.PostFormValue(formKeyField); formKeyPattern.MatchString(k) {
		return r.WithContext(context.WithValue(r.Context(), idemKey{}, k))
	}
	return r
}

// keyed is r for one more request of its form: the form's main action uses the form's key itself, each other
// request (a file uploaded first) the key extended by part, so that each has its own key, the same on a resend.
func keyed(r *http.Request, part string) *http.Request {
	if k := requestKey(r); k != "" {
		return r.WithContext(context.WithValue(r.Context(), idemKey{}, k+":"+part))
	}
	return r
}

// requestKey is the Idempotency-Key of the API requests made for r, or "".
func requestKey(r *http.Request) string {
	k, _ := r.Context().Value(idemKey{}).(string)
	return k
}

// multipartBoundary is a boundary that is the same whenever the request is resent with the same key: the API
// compares a resent body with the first byte for byte. Without a key the boundary stays random.
func multipartBoundary(key string) string {
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:30]) // 60 characters: a boundary has at most 70
}
