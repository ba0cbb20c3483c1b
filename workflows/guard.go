package workflows

import "go.temporal.io/sdk/workflow"

// guard serialises a workflow's Update handlers and timer callbacks, which may each wait on activities and would
// otherwise interleave.
type guard struct{ mu workflow.Mutex }

func (g guard) locked(ctx workflow.Context, fn func() error) error {
	if err := g.mu.Lock(ctx); err != nil {
		return err
	}
	defer g.mu.Unlock()
	return fn()
}

// update is the shape of every Update handler: validate again under the lock (the state may have moved since the
// validator ran), change the state, and return the new state.
func update[T, S any](g guard, ctx workflow.Context, state *S, in T, validate func(workflow.Context, T) error, change func() error) (S, error) {
	err := g.locked(ctx, func() error {
		if err := validate(ctx, in); err != nil {
			return err
		}
		return change()
	})
	return *state, err
}

// handler is an Update with the validator that refuses what is not allowed now.
type handler struct {
	name      string
	handler   any
	validator any
}

func setUpdates(ctx workflow.Context, hs []handler) error {
	for _, h := range hs {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return err
		}
	}
	return nil
}
