package app

import (
	"testing"

	"junheng/internal/config"
	"junheng/internal/temporalx"
)

// asCluster points cfg at srv as an operator points junheng at a Temporal cluster: its address, and its
// credentials through Temporal's own client variables (no TLS: the embedded frontend has none).
func asCluster(t *testing.T, cfg *config.Config, srv *temporalx.Embedded) {
	cfg.TemporalAddress = srv.Address()
	t.Setenv("TEMPORAL_API_KEY", srv.APIKey())
	t.Setenv("TEMPORAL_TLS", "false")
}
