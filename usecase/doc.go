// Package usecase holds what people do with junheng and what they see: one method per action and per view, with
// typed inputs and outputs, shared by both faces, the JSON API (package api) and the pages (package web). Here the
// caller's role and district scope are decided, the read model and Temporal are called, refused actions are
// audited (the workflows audit the changes they make), and errors are typed (Error) with the fields they concern.
// The faces only decode, call and encode.
//
// Each action takes the caller's idempotency key: the Workflow Update's ID derives from it, so that a retried
// action runs once in Temporal.
package usecase
