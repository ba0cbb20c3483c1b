// Package temporalui is the operators' view: Temporal's own Web UI (github.com/temporalio/ui-server/v2), served
// read-only under Prefix by junheng's HTTP listener, behind an administrator's sign-in (web.Options.Operators).
//
// Its assets add about 150 MB to the binary, so it is built only with the build tag temporalui (the Dockerfile
// and the README's command for operators set it); without the tag New returns nil and the path is not served.
package temporalui

import (
	"crypto/tls"
	"net/http"
)

// Prefix is where the view is served.
const Prefix = "/admin/temporal"

// Options say which Temporal the view shows and how to reach it: the connection junheng's own client uses.
type Options struct {
	Address   string // the frontend's host:port
	Namespace string
	// APIKey, if set, is sent on every call as "authorization: Bearer KEY", replacing whatever the browser sent.
	APIKey string
	TLS    *tls.Config // nil: plain gRPC (the embedded server's frontend)
}

// View is the operators' view as an http.Handler for the paths under Prefix.
type View struct {
	http.Handler
	close func() error
}

// Close closes the view's connection to Temporal.
func (v *View) Close() error { return v.close() }
