package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

// auditTrail records a state-changing request in the audit trail, unless a workflow already recorded the change
// it made (with the same actor and request ID) or the core recorded its refusal (usecase.Audited). Requests refused
// before the core (a role the route does not allow, a body that is not JSON) are recorded here with their outcome.
func (s *Server) auditTrail(action string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if done, _ := c.Get(auditedKey).(bool); done || usecase.Audited(err) {
				return err
			}
			status := c.Response().Status
			if err != nil {
				status = toProblem(err).Status
			}
			p := principal(c)
			district := c.Param("code")
			if district == "" {
				district = p.District
			}
			ev := &store.AuditEvent{Actor: p.Name, Role: string(p.Role), ActorUnit: p.Unit, DistrictCode: district,
				Action: action,
				Target: auditTarget(c), RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
				Outcome: outcome(status)}
			// The request's context may be ending; the record must still be written.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 5*time.Second)
			defer cancel()
			if aerr := s.store.AppendAudit(ctx, ev); aerr != nil {
				s.log.Error("audit entry not written", "action", action, "request_id", ev.RequestID, "error", aerr)
			}
			return err
		}
	}
}

func auditTarget(c echo.Context) string {
	if id := c.Param("id"); id != "" {
		return id
	}
	if year, err := pathYear(c); err == nil && c.Param("code") != "" {
		return vocab.CycleID(year, c.Param("code"))
	}
	return c.Request().URL.Path
}

func outcome(status int) string {
	switch {
	case status < 400:
		return "ok"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "forbidden"
	case status == http.StatusNotFound:
		return "not_found"
	case status == http.StatusConflict:
		return "refused"
	case status < 500:
		return "invalid"
	}
	return "error"
}

// audit lists the audit trail, newest first, filtered by district, target or action; before pages back
// (usecase.Core.Audit).
func (s *Server) audit(c echo.Context) error {
	var errs usecase.Fields
	before := queryInt(&errs, c, "before", 1, 1<<62)
	limit := queryInt(&errs, c, "limit", 1, 500)
	if err := errs.Err(); err != nil {
		return err
	}
	events, err := s.core.Audit(c.Request().Context(), caller(c), usecase.AuditFilter{
		District: c.QueryParam("district"), Target: c.QueryParam("target"), Action: c.QueryParam("action"),
		Before: int64(before), Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, events)
}
