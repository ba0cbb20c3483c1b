//go:build temporalui

package temporalui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/metadata"
)

// The key replaces whatever authorization the browser's request carried, and nothing else of it.
func TestAuthorizedReplacesTheBrowsersAuthorization(t *testing.T) {
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer forged", "caller-type", "ui")
	md, _ := metadata.FromOutgoingContext(authorized(ctx, "KEY"))
	if got := md.Get("authorization"); !slices.Equal(got, []string{"Bearer KEY"}) {
		t.Errorf("authorization %q", got)
	}
	if got := md.Get("caller-type"); !slices.Equal(got, []string{"ui"}) {
		t.Errorf("caller-type %q", got)
	}
}

// The page is served under Prefix with its assets rewritten there, and with the policy that admits its script.
func TestPageAndPolicy(t *testing.T) {
	v, err := New(Options{Address: "127.0.0.1:1", Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	rec := httptest.NewRecorder()
	v.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Prefix+"/namespaces/default/workflows", nil))
	page, policy := rec.Body.String(), rec.Header().Get("Content-Security-Policy")
	if rec.Code != http.StatusOK || !strings.Contains(page, `"`+Prefix+`/_app/`) ||
		strings.Contains(page, "http-equiv=\"content-security-policy\"") {
		t.Errorf("page %d: %.400s", rec.Code, page)
	}
	if !strings.Contains(policy, "script-src 'strict-dynamic' 'sha256-") || strings.Contains(policy, "unsafe-eval") {
		t.Errorf("policy %q", policy)
	}
	rec = httptest.NewRecorder()
	v.ServeHTTP(rec, httptest.NewRequest(http.MethodPost,
		Prefix+"/api/v1/namespaces/default/workflows/x/terminate", strings.NewReader("{}")))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("a write through the view: %d", rec.Code)
	}
}
