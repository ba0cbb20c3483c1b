package workflows

import (
	"junheng/vocab"
	"time"
)

// system is the actor of the workflows' own changes (timers).
var system = vocab.Actor{Name: "system", Role: vocab.RoleSystem}

// Event is one accepted state change, written to the audit trail together with the read model. A write carries
// the event's workflow time and the state's event count: a row takes a write only if it is later in that order,
// so a late retry, or a write of a run a Reset replaced, never takes a row back.
type Event struct {
	Key    string      `json:"key"` // unique per workflow run and change, so a retried write is not doubled
	Actor  vocab.Actor `json:"actor"`
	Action string      `json:"action"`
	Detail string      `json:"detail,omitempty"`
	At     time.Time   `json:"at,omitzero"` // the workflow's time of the change
}

// Decision is a recorded pass/fail with the decider's comment and an optional report file.
type Decision struct {
	Passed            bool      `json:"passed"`
	RecommendNational bool      `json:"recommend_national,omitempty"`
	Comment           string    `json:"comment"`
	ReportFile        string    `json:"report_file,omitempty"`
	By                string    `json:"by"`
	At                time.Time `json:"at"`
}
