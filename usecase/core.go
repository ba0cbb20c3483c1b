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
	// Cities are the rules of the cities whose own differ from the province's above, by city code.
	Cities map[string]YearRules
	Logger *slog.Logger
}

// YearRules are the rules a year opens with: its calendar, the workflows' timings and thresholds, and the
// targets. The province's are the defaults and a city may have its own; a year's are frozen when it opens.
type YearRules struct {
	Calendar workflows.Calendar
	Policy   workflows.Policy
	Progress progress.Rules
}

// Core runs the use cases.
type Core struct {
	store    *store.Store
	temporal client.Client
	files    *files.Store
	profile  evaluation.Profile
	loc      *time.Location
	province YearRules
	cities   map[string]YearRules
	log      *slog.Logger
}

// New builds the core.
func New(d Deps) *Core {
	return &Core{store: d.Store, temporal: d.Temporal, files: d.Files, profile: d.Profile, loc: d.Location,
		province: YearRules{Calendar: d.Calendar, Policy: d.Policy, Progress: d.Rules}, cities: d.Cities,
		log: d.Logger}
}

// rulesOf are unit's rules: a city's own, else the province's.
func (c *Core) rulesOf(unit string) YearRules {
	if r, ok := c.cities[unit]; ok {
		return r
	}
	return c.province
}

// Actor is who asks: a person signed in with their account or the holder of a token, and the request that
// carries the ask, for the audit trail.
type Actor struct {
	AccountID int64 // 0 for a token
	TokenID   int64 // 0 for an account
	Name      string
	Role      vocab.Role
	Unit      string // the code of their unit, of any level; "" for the whole deployment
	RequestID string
}

// District is the district a district's actor works for; "" for every other role.
func (a Actor) District() string {
	if a.Role == vocab.RoleDistrict {
		return a.Unit
	}
	return ""
}

// workflow is the actor as the workflows record it.
func (a Actor) workflow() vocab.Actor {
	return vocab.Actor{Name: a.Name, Role: a.Role, Unit: a.Unit, District: a.District(), RequestID: a.RequestID}
}
