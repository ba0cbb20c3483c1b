package workflows

import (
	"context"
	"junheng/vocab"
	"time"
)

// Activities is what the workflows need done outside them: the database writes and the notifications. The
// methods of activities.Activities implement it (a compile-time check there), and the worker registers each under
// its method name; the workflows call them by those names, the constants below, so that this package links no
// database code. The names are in every recorded history: a renamed method must keep its name.
type Activities interface {
	EvaluateDraft(context.Context, DraftInput) (DraftResult, error)
	SubmitSnapshot(context.Context, SnapshotInput) (SnapshotResult, error)
	CreateFindings(context.Context, FindingsInput) ([]FindingInfo, error)
	OpenSeriousFindings(ctx context.Context, district string) ([]FindingInfo, error)
	RecordCycle(context.Context, CycleRecord) (Recorded, error)
	RecordItem(context.Context, ItemRecord) (Recorded, error)
	RecordPlan(context.Context, CreationPlanRecord) (Recorded, error)
	Notify(context.Context, Notification) (channels int, err error)
	Deliver(ctx context.Context, key string) error
}

// The names of the Activities methods, as the workflows call them.
const (
	ActivityEvaluateDraft       = "EvaluateDraft"
	ActivitySubmitSnapshot      = "SubmitSnapshot"
	ActivityCreateFindings      = "CreateFindings"
	ActivityOpenSeriousFindings = "OpenSeriousFindings"
	ActivityRecordCycle         = "RecordCycle"
	ActivityRecordItem          = "RecordItem"
	ActivityRecordPlan          = "RecordPlan"
	ActivityNotify              = "Notify"
	ActivityDeliver             = "Deliver"
)

// DraftInput asks to evaluate a stored draft (the API stored the district's data; payloads carry only its ID).
type DraftInput struct {
	Year     int    `json:"year"`
	District string `json:"district"`
	DraftID  int64  `json:"draft_id"`
}

// DraftResult is the draft's evaluation summary.
type DraftResult struct {
	DraftID    int64  `json:"draft_id"`
	Verdict    string `json:"verdict"`
	Shortfalls int    `json:"shortfalls"`
}

// SnapshotInput freezes a draft as the next immutable submitted version.
type SnapshotInput struct {
	Year     int         `json:"year"`
	District string      `json:"district"`
	DraftID  int64       `json:"draft_id"`
	Late     bool        `json:"late"`
	Actor    vocab.Actor `json:"actor"`
}

// SnapshotResult names the stored version and the IDs of its shortfalls (what the office may turn into findings).
type SnapshotResult struct {
	Version      int      `json:"version"`
	Verdict      string   `json:"verdict"`
	ShortfallIDs []string `json:"shortfall_ids"`
}

// NewFinding is a finding the office raises from its own sources.
type NewFinding struct {
	Title    string         `json:"title"`
	Detail   string         `json:"detail"`
	Source   vocab.Source   `json:"source"`
	Severity vocab.Severity `json:"severity"`
	DueDate  time.Time      `json:"due_date,omitzero"`
}

// FindingRecord is one finding to store: from a shortfall (ShortfallID set; the activity fills title and
// severity from the snapshot) or from the office (NewFinding set).
type FindingRecord struct {
	ID          string     `json:"id"`
	Seq         int        `json:"seq"`
	ShortfallID string     `json:"shortfall_id,omitempty"`
	New         NewFinding `json:"new,omitzero"`
}

// FindingsInput stores the findings of an approved review, idempotently by finding ID.
type FindingsInput struct {
	Year            int             `json:"year"`
	District        string          `json:"district"`
	SnapshotVersion int             `json:"snapshot_version"`
	Findings        []FindingRecord `json:"findings"`
	Actor           vocab.Actor     `json:"actor"`
}

// FindingInfo is a stored finding, enough to start its item workflow.
type FindingInfo struct {
	ID       string         `json:"id"`
	Seq      int            `json:"seq"`
	Title    string         `json:"title"`
	Severity vocab.Severity `json:"severity"`
	Source   vocab.Source   `json:"source"`
	DueDate  time.Time      `json:"due_date,omitzero"`
}

// CycleRecord mirrors a cycle's state to the read model and appends its event to the audit trail, atomically;
// the notifications the change sends are stored in the same transaction (see oneTaskPerAction).
type CycleRecord struct {
	State         CycleState     `json:"state"`
	Event         Event          `json:"event"`
	Notifications []Notification `json:"notifications,omitempty"`
}

// ItemRecord does the same for a rectification item.
type ItemRecord struct {
	State         ItemState      `json:"state"`
	Event         Event          `json:"event"`
	Notifications []Notification `json:"notifications,omitempty"`
}

// CreationPlanRecord does the same for a district's creation plan; the state carries every version.
type CreationPlanRecord struct {
	State         CreationPlanState `json:"state"`
	Event         Event             `json:"event"`
	Notifications []Notification    `json:"notifications,omitempty"`
}

// Recorded answers a record: the keys of the notifications it stored that channels are to deliver. Runs that
// stored their notifications with the Notify activity recorded no answer.
type Recorded struct {
	Deliver []string `json:"deliver,omitempty"`
}

// Recipient of a notification.
type Recipient string

const (
	ToDistrict Recipient = "district"
	ToOffice   Recipient = "office"
	ToProvince Recipient = "province"
	ToSchool   Recipient = "school"
)

// Notification is stored per recipient, with the change that sends it or by the Notify activity; either answers
// whether channels are to deliver it, and Deliver (by Key) then sends it through them. Delivery never fails the
// workflow.
type Notification struct {
	Key       string    `json:"key"` // unique: a retried activity does not notify twice
	Recipient Recipient `json:"recipient"`
	Year      int       `json:"year"`
	District  string    `json:"district"`
	Target    string    `json:"target"` // the cycle, finding or plan workflow ID
	Kind      string    `json:"kind"`   // reminder, overdue, escalation, returned, verified, …
	TitleZh   string    `json:"title_zh"`
	TitleEn   string    `json:"title_en"`
}
