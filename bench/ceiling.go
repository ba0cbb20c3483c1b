package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const ceilingQueue = "junheng-bench-ceiling"

// Ceiling measures what Temporal itself does here: workflows that each take one Update running one activity,
// driven at the given concurrency for the given time, on their own task queue and worker. It returns completed
// workflows per second.
func Ceiling(ctx context.Context, c client.Client, concurrency int, d time.Duration) (float64, error) {
	w := worker.New(c, ceilingQueue, worker.Options{})
	w.RegisterWorkflow(ceilingWorkflow)
	w.RegisterActivity(ceilingActivity)
	if err := w.Start(); err != nil {
		return 0, err
	}
	defer w.Stop()
	var done atomic.Int64
	var first error
	var once sync.Once
	runID := time.Now().UnixNano()
	start := time.Now()
	end := start.Add(d) // each driver finishes the workflow it is on, so none is cut off half-way
	var wg sync.WaitGroup
	for g := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; time.Now().Before(end) && ctx.Err() == nil; n++ {
				id := fmt.Sprintf("bench-ceiling:%d:%d:%d", runID, g, n)
				if err := ceilingOnce(ctx, c, id); err != nil {
					once.Do(func() { first = err })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if done.Load() == 0 && first != nil {
		return 0, first
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

func ceilingOnce(ctx context.Context, c client.Client, id string) error {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: ceilingQueue}, ceilingWorkflow)
	if err != nil {
		return err
	}
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, RunID: run.GetRunID(),
		UpdateName: "ping", WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return err
	}
	if err := h.Get(ctx, nil); err != nil {
		return err
	}
	return run.Get(ctx, nil)
}

func ceilingWorkflow(ctx workflow.Context) error {
	pinged := false
	err := workflow.SetUpdateHandler(ctx, "ping", func(ctx workflow.Context) error {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
		err := workflow.ExecuteActivity(ctx, ceilingActivity).Get(ctx, nil)
		pinged = true
		return err
	})
	if err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return pinged })
}

func ceilingActivity(context.Context) error { return nil }
