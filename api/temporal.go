package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"junheng/workflows"
)

// ActionTimeout bounds how long an action waits for its workflow. An Update still running then (say, an
// activity retrying through a database outage) completes later; the caller gets 503 and, retrying with the same
// Idempotency-Key, the Update's one result.
const ActionTimeout = 30 * time.Second

const auditedKey = "audited" // set when a workflow recorded the action in the audit trail itself

// act sends Update name to a workflow and decodes the new state into out.
func (s *Server) act(c echo.Context, workflowID, name string, arg, out any) error {
	return s.actStarting(c, nil, workflowID, name, arg, out)
}

// actStarting is act for a workflow that the first Update starts (update-with-start): start builds the
// operation, whose options must use the existing workflow when there is one.
func (s *Server) actStarting(
	c echo.Context, start func() client.WithStartWorkflowOperation, workflowID, name string, arg, out any,
) error {
	if err := s.temporalUp(c.Request().Context()); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), ActionTimeout)
	defer cancel()
	opts := client.UpdateWorkflowOptions{WorkflowID: workflowID, UpdateID: updateID(c),
		UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted}
	var h client.WorkflowUpdateHandle
	var err error
	if start == nil {
		h, err = s.temporal.UpdateWorkflow(ctx, opts)
	} else {
		h, err = s.temporal.UpdateWithStartWorkflow(ctx,
			client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start(), UpdateOptions: opts})
	}
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err != nil {
		return workflowProblem(err)
	}
	c.Set(auditedKey, true)
	return nil
}

// temporalUp answers 503 at once when Temporal does not answer its health check: the SDK would otherwise retry an
// action until ActionTimeout while the caller waits. Reads do not need Temporal and go on being served.
func (s *Server) temporalUp(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		s.log.Warn("Temporal unavailable", "error", err)
		return errUnavailable
	}
	return nil
}

// updateID derives the Update's ID from the Idempotency-Key, so Temporal itself runs a retried action once.
func updateID(c echo.Context) string {
	key := c.Request().Header.Get(headerIdempotencyKey)
	if key == "" {
		return ""
	}
	// The request's hash is part of it: a key reused for another request once its answer has expired
	// (JUNHENG_IDEMPOTENCY_TTL) is another Update, not the old one's answer.
	hash, _ := c.Get(requestHashKey).(string)
	return fmt.Sprintf("%d:%s:%s", principal(c).TokenID, key, hash)
}

// workflowProblem maps what Temporal answered to the API's errors: a validator's refusal to 409, 422 or 403 with
// its reasons; an unknown workflow to 404; an ended one to 409; an unreachable Temporal to 503.
func workflowProblem(err error) error {
	if kind, r, ok := workflows.AsRefusal(err); ok {
		var p *Problem
		switch kind {
		case workflows.ErrInvalid:
			p = problem(http.StatusUnprocessableEntity, "invalid", r.MessageZh, r.MessageEn)
		case workflows.ErrForbidden:
			p = problem(http.StatusForbidden, "forbidden", r.MessageZh, r.MessageEn)
		default:
			p = problem(http.StatusConflict, "conflict", r.MessageZh, r.MessageEn)
		}
		if r.Field != "" {
			p.Errors = []FieldError{{Field: r.Field, MessageZh: r.MessageZh, MessageEn: r.MessageEn}}
		}
		p.Reasons = r.Reasons
		return p
	}
	var notFound *serviceerror.NotFound
	var limited *serviceerror.FailedPrecondition
	switch {
	case errors.As(err, &limited) && strings.Contains(limited.Error(), "limit on the total number of distinct updates"):
		// The workflow's run refuses more Updates (Temporal's limit per run): it is continuing as new, and the
		// new run takes them.
		return errContinuing
	case errors.As(err, &notFound) && strings.Contains(notFound.Error(), "already completed"):
		return problem(http.StatusConflict, "ended", "该流程已结束, 不能再操作", "this cycle or item has ended")
	case errors.As(err, &notFound):
		return errNotFound
	case unavailable(err):
		return errUnavailable
	}
	return err
}

func unavailable(err error) bool {
	var unavail *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &unavail) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded)
}

var errContinuing = func() *Problem {
	p := problem(http.StatusServiceUnavailable, "busy",
		"该流程正在转入新的运行, 请 5 秒后用相同的 Idempotency-Key 重试; 已受理的操作不会丢失",
		"this workflow is moving to a new run: retry in 5 seconds with the same Idempotency-Key; "+
			"nothing accepted is lost")
	p.RetryAfter = 5
	return p
}()

var errUnavailable = problem(http.StatusServiceUnavailable, "unavailable",
	"工作流服务暂时不可用或处理超时; 已受理的操作不会丢失, 请稍后用相同的 Idempotency-Key 重试",
	"the workflow service is unavailable or the action timed out; nothing accepted is lost: "+
		"retry later with the same Idempotency-Key")
