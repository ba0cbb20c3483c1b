package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// DeliveryAttempts bounds the tries to deliver a notification through a channel (about five hours with the
// backoff); the Deliver activity records the last failure as final.
const DeliveryAttempts = 10

// outbox sends a workflow's notifications: it stores each one (so it is never lost), then delivers it through the
// configured channels as a retried activity in the background, so that a slow or failing channel never holds up
// or fails the workflow. The workflow drains the outbox before it ends or continues as new.
type outbox struct {
	pending int // deliveries, and other background work, still running
}

// notify stores n (the Notify activity) and has it delivered.
func (o *outbox) notify(ctx workflow.Context, n Notification) error {
	n = o.keyed(ctx, n)
	var channels int
	err := workflow.ExecuteActivity(activityCtx(ctx), ActivityNotify, n).Get(ctx, &channels)
	if err != nil || channels == 0 {
		return err
	}
	o.deliver(ctx, n.Key)
	return nil
}

// keyed gives n its key, unique per workflow, recipient, kind and instant, so that a retried activity does not
// notify twice.
func (o *outbox) keyed(ctx workflow.Context, n Notification) Notification {
	n.Key = fmt.Sprintf("%s:%s:%s:%d", workflow.GetInfo(ctx).WorkflowExecution.ID, n.Recipient, n.Kind,
		workflow.Now(ctx).UnixNano())
	return n
}

// deliver sends the stored notification key through its channels, in the background.
func (o *outbox) deliver(ctx workflow.Context, key string) {
	queue := TaskQueue // where runs of earlier releases scheduled their deliveries
	if workflow.GetVersion(ctx, "deliveries-own-queue", workflow.DefaultVersion, 1) == 1 {
		queue = DeliveryQueue
	}
	o.pending++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { o.pending-- }()
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			TaskQueue:           queue,
			StartToCloseTimeout: time.Minute,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: 30 * time.Second, BackoffCoefficient: 2,
				MaximumInterval: time.Hour, MaximumAttempts: DeliveryAttempts},
		})
		// A failure is recorded by the activity for the office to see; it is not the workflow's to handle.
		_ = workflow.ExecuteActivity(ctx, ActivityDeliver, key).Get(ctx, nil)
	})
}

// drain waits for the deliveries still running and for every Update being handled, so that neither is cut off
// when the workflow ends or continues as new.
func (o *outbox) drain(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return o.pending == 0 && workflow.AllHandlersFinished(ctx) })
}
