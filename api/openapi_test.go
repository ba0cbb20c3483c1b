package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestOpenAPIDocumentsEveryRoute compares the document with the routes echo actually serves, both ways.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	e := New(Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json: %d", rec.Code)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.OpenAPI != "3.0.3" {
		t.Fatalf("document: %v (%s)", err, doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/api/v1/openapi.json" || strings.HasPrefix(r.Method, "echo_route") {
			continue
		}
		key := strings.ToLower(r.Method) + " " + openAPIPath(r.Path)
		served[key] = true
		op, ok := doc.Paths[openAPIPath(r.Path)][strings.ToLower(r.Method)]
		if !ok {
			t.Errorf("%s is served but not documented", key)
			continue
		}
		var o struct {
			Responses   map[string]json.RawMessage `json:"responses"`
			OperationID string                     `json:"operationId"`
			Roles       []string                   `json:"x-roles"`
			Parameters  []struct {
				Name, In string
			} `json:"parameters"`
		}
		if err := json.Unmarshal(op, &o); err != nil || o.OperationID != r.Name || len(o.Roles) == 0 || len(o.Responses) != 2 {
			t.Errorf("%s documented as %+v (%v), served as %s", key, o, err, r.Name)
		}
		for _, seg := range strings.Split(r.Path, "/") {
			if name, ok := strings.CutPrefix(seg, ":"); ok && !hasParam(o.Parameters, name, "path") {
				t.Errorf("%s: path parameter %s not documented", key, name)
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[method+" "+path] {
				t.Errorf("%s %s is documented but not served", method, path)
			}
		}
	}
}

func hasParam(ps []struct{ Name, In string }, name, in string) bool {
	for _, p := range ps {
		if p.Name == name && p.In == in {
			return true
		}
	}
	return false
}
