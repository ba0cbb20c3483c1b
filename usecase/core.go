package usecase

import (
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"junheng/evaluation"
	"junheng/files"
	"junheng/progress"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// Deps is what the use cases need from the process that hosts them.
type Deps struct {
	Store    *store.Store
	Temporal client.Client
	Files    *files.Store
	Profile  evaluation.Profile // what self-assessments are judged by
	Location *time.Location     // the deployment's time zone: dates given without one are its
	Calendar workflows.Calendar // the yearly deadlines
	Policy   workflows.Policy   // the workflows' timings and thresholds
	Rules    progress.Rules     // the yearly targets and the city's targets
	Logger   *slog.Logger
}

// Core runs the use cases.
type Core struct {
	store    *store.Store
	temporal client.Client
	files    *files.Store
	profile  evaluation.Profile
	loc      *time.Location
	calendar workflows.Calendar
	policy   workflows.Policy
	rules    progress.Rules
	log      *slog.Logger
}

// New builds the core.
func New(d Deps) *Core {
	return &Core{store: d.Store, temporal: d.Temporal, files: d.Files, profile: d.Profile, loc: d.Location,
		calendar: d.Calendar, policy: d.Policy, rules: d.Rules, log: d.Logger}
}

// Actor is who asks: a person signed in with their account or the holder of a token, and the request that
// carries the ask, for the audit trail.
type Actor struct {
	AccountID int64 // 0 for a token
	TokenID   int64 // 0 for an account
	Name      string
	Role      vocab.Role
	District  string
	RequestID string
}

// workflow is the actor as the workflows record it.
func (a Actor) workflow() vocab.Actor {
	return vocab.Actor{Name: a.Name, Role: a.Role, District: a.District, RequestID: a.RequestID}
}
