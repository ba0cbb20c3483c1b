// Package workflows is junheng's durable orchestration: a district's yearly cycle, each rectification item and
// each district's creation plan, as Temporal workflows. It is deterministic code only: stages, timers, Updates
// with validators, queries. Side effects happen in activities (package activities), called by name, so this
// package links no database or HTTP code.
package workflows
