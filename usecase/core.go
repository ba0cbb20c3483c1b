package usecase

import (
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"junheng/evaluation"
	"junheng/store"
	"junheng/workflows"
)

// Deps is what the use cases need from the process that hosts them.
type Deps struct {
	Store    *store.Store
	Temporal client.Client
	Profile  evaluation.Profile // what self-assessments are judged by
	Location *time.Location
	Logger   *slog.Logger
}

// Core runs the use cases.
type Core struct {
	store    *store.Store
	temporal client.Client
	profile  evaluation.Profile
	loc      *time.Location
	log      *slog.Logger
}

// New builds the core.
func New(d Deps) *Core {
	return &Core{store: d.Store, temporal: d.Temporal, profile: d.Profile, loc: d.Location, log: d.Logger}
}

// Actor is who asks: the person behind a token, and the request that carries the ask, for the audit trail.
type Actor struct {
	TokenID   int64
	Name      string
	Role      workflows.Role
	District  string
	RequestID string
}

// workflow is the actor as the workflows record it.
func (a Actor) workflow() workflows.Actor {
	return workflows.Actor{Name: a.Name, Role: a.Role, District: a.District, RequestID: a.RequestID}
}
