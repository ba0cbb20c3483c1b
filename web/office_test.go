package web

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// ExecuteWorkflow starts a district's year for the pages' core, or fails as the fake API's outage says; started
// lists the workflows started.
func (f *fakeTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any,
) (client.WorkflowRun, error) {
	switch f.api.outageNow() {
	case "unavailable":
		return nil, serviceerror.NewUnavailable("down")
	case "busy", "bare":
		return nil, errors.New("connection reset")
	}
	f.api.mu.Lock()
	defer f.api.mu.Unlock()
	f.api.started = append(f.api.started, o.ID)
	return nil, nil
}
