package workflows

import (
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is where the workflows and activities run.
const TaskQueue = "junheng"

// DeliveryQueue is where notifications are delivered through the channels (ActivityDeliver): a channel's retries
// and slow robots never wait behind, nor hold up, the human actions on TaskQueue.
const DeliveryQueue = "junheng-deliveries"

// Typed search attributes for operators (Temporal UI, tctl): which year, district, stage or status, overdue.
var (
	attrYear     = temporal.NewSearchAttributeKeyInt64("JunhengYear")
	attrDistrict = temporal.NewSearchAttributeKeyKeyword("JunhengDistrict")
	attrStage    = temporal.NewSearchAttributeKeyKeyword("JunhengStage")
	attrOverdue  = temporal.NewSearchAttributeKeyBool("JunhengOverdue")
)

// SearchAttributes lists the custom attributes a namespace must have registered.
var SearchAttributes = map[string]enums.IndexedValueType{
	attrYear.GetName():     enums.INDEXED_VALUE_TYPE_INT,
	attrDistrict.GetName(): enums.INDEXED_VALUE_TYPE_KEYWORD,
	attrStage.GetName():    enums.INDEXED_VALUE_TYPE_KEYWORD,
	attrOverdue.GetName():  enums.INDEXED_VALUE_TYPE_BOOL,
}

// Workflow type names. They are in every recorded history: a renamed function must keep its name here.
const (
	WorkflowDistrictCycle     = "DistrictCycle"
	WorkflowRectificationItem = "RectificationItem"
	WorkflowCreationPlan      = "CreationPlan"
	WorkflowSchoolReturn      = "SchoolReturn"
)

// Register adds the workflows to a worker under their names.
func Register(r worker.WorkflowRegistry) {
	for name, fn := range map[string]any{WorkflowDistrictCycle: DistrictCycle,
		WorkflowRectificationItem: RectificationItem, WorkflowCreationPlan: CreationPlan,
		WorkflowSchoolReturn: SchoolReturn} {
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
}

func searchAttributes(year int, district, stage string, overdue bool) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(attrYear.ValueSet(int64(year)), attrDistrict.ValueSet(district),
		attrStage.ValueSet(stage), attrOverdue.ValueSet(overdue))
}

// activityCtx is for activities that touch the database: they retry without limit (a database outage must delay
// a decision, never lose it), backing off to a minute between tries. They take milliseconds, so a short timeout
// lets a try lost with a crashed worker be retried soon.
func activityCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: time.Minute},
	})
}

// localCtx is for the read-model and audit writes. They run as local activities, inside the workflow task: one
// history event each where a regular activity costs at least four, on the path of every human action. They never
// give up: without an explicit ScheduleToCloseTimeout the SDK would stop retrying after StartToCloseTimeout, and
// a database stall of seconds would fail the workflow. Retries further apart than the workflow task timeout wait
// on a timer, six history events each: at most one every five minutes, a stall costs 1,728 events a day, and a
// workflow stalled for four weeks is still below Temporal's 51,200.
func localCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 100 * 365 * day,
		StartToCloseTimeout:    10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: 5 * time.Minute},
	})
}
