package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// ActionTimeout bounds how long an action waits for its workflow. An Update still running then (say, an
// activity retrying through a database outage) completes later; the caller gets Unavailable and, retrying with
// the same key, the Update's one result.
const ActionTimeout = 30 * time.Second

// act sends Update name to a workflow for a and decodes the new state into out. The Update's ID derives from the
// caller's key, which the face makes unique to what it sends (see the faces' actionKey and once), so that a retry
// runs once in Temporal.
func (c *Core) act(ctx context.Context, a Actor, key, workflowID, name string, arg, out any) error {
	return c.actStarting(ctx, a, key, nil, workflowID, name, arg, out)
}

// actStarting is act for a workflow that the first Update starts (update-with-start): start builds the operation,
// whose options must use the existing workflow when there is one.
func (c *Core) actStarting(ctx context.Context, a Actor, key string, start func() client.WithStartWorkflowOperation,
	workflowID, name string, arg, out any,
) error {
	if err := c.temporalUp(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, ActionTimeout)
	defer cancel()
	opts := client.UpdateWorkflowOptions{WorkflowID: workflowID, UpdateID: updateID(a, key), UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted}
	var notReady *serviceerror.WorkflowNotReady
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		var h client.WorkflowUpdateHandle
		var err error
		if start == nil {
			h, err = c.temporal.UpdateWorkflow(ctx, opts)
		} else {
			h, err = c.temporal.UpdateWithStartWorkflow(ctx,
				client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start(), UpdateOptions: opts})
		}
		if err == nil {
			err = h.Get(ctx, out)
		}
		if !errors.As(err, &notReady) {
			return WorkflowError(err)
		}
		// The workflow task that took the Update failed (say, a timer fired while it was completing the run):
		// the Update was not applied, and sent again it is, once.
		select {
		case <-ctx.Done():
			return ErrUnavailable
		case <-time.After(wait):
		}
	}
}

// updateID is the Update's ID for a's key, in a's own namespace (a token's ID, or account-<ID> for a person);
// without a key Temporal makes one (the action is not retried as one).
func updateID(a Actor, key string) string {
	switch {
	case key == "":
		return ""
	case a.AccountID != 0:
		return fmt.Sprintf("account-%d:%s", a.AccountID, key)
	}
	return fmt.Sprintf("%d:%s", a.TokenID, key)
}

// temporalUp answers Unavailable at once when Temporal does not answer its health check: the SDK would otherwise
// retry an action until ActionTimeout while the caller waits. Views do not need Temporal.
func (c *Core) temporalUp(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := c.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		c.log.Warn("Temporal unavailable", "error", err)
		return ErrUnavailable
	}
	return nil
}
