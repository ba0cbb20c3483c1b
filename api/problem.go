package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"junheng/evaluation"
	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

// Problem is an RFC 9457 problem document. Every error the API returns is one, with its message in Chinese and
// English and, for invalid input, every failing field.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail"`
	DetailZh  string       `json:"detail_zh"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
	// Reasons lists each unmet condition of a refused action (an application refused for several reasons).
	Reasons []workflows.Reason `json:"reasons,omitempty"`
	// RetryAfter, in seconds, is sent as the Retry-After header of a 503 that will pass by itself.
	RetryAfter int `json:"-"`
}

// FieldError names one invalid field (and, for spreadsheets, the sheet, row and column): the evaluation's
// problem type, so that spreadsheet and JSON errors reach the caller unchanged.
type FieldError = evaluation.Problem

// Error reads as the English detail followed by each failing field, so that a command line can print it.
func (p *Problem) Error() string {
	msg := p.Detail
	for _, f := range p.Errors {
		msg += fmt.Sprintf("; %s: %s (%s)", f.Field, f.MessageEn, f.MessageZh)
	}
	return msg
}

// problem builds a Problem; Type is a stable URN callers may switch on.
func problem(status int, kind, zh, en string, fields ...FieldError) *Problem {
	return &Problem{Type: "urn:junheng:problem:" + kind, Title: http.StatusText(status), Status: status,
		Detail: en, DetailZh: zh, Errors: fields}
}

// errorHandler renders every error as application/problem+json. Unknown errors become a 500 that names the
// request ID, so an operator can find the log line, and reveals nothing else.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p := toProblem(err)
		p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
		if p.Status >= 500 {
			log.Error("request failed", "request_id", p.RequestID, "path", c.Path(), "error", err)
		}
		if p.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		c.Response().WriteHeader(p.Status)
		if c.Request().Method == http.MethodHead {
			return
		}
		_ = c.JSON(p.Status, p) // writes the body; the header above already fixed the content type
	}
}

// statusOf is the HTTP status of each kind of the core's errors.
var statusOf = map[usecase.Kind]int{
	usecase.Invalid: http.StatusUnprocessableEntity, usecase.Forbidden: http.StatusForbidden,
	usecase.NotFound: http.StatusNotFound, usecase.Refused: http.StatusConflict, usecase.Ended: http.StatusConflict,
	usecase.Unavailable: http.StatusServiceUnavailable, usecase.Busy: http.StatusServiceUnavailable,
	usecase.Unauthenticated: http.StatusUnauthorized,
	usecase.TooLarge:        http.StatusRequestEntityTooLarge,
}

func toProblem(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		cp := *p
		return &cp
	}
	var ue *usecase.Error
	if errors.As(err, &ue) {
		p := problem(statusOf[ue.Kind], string(ue.Kind), ue.MessageZh, ue.MessageEn, ue.Fields...)
		p.Reasons = ue.Reasons
		if ue.Kind == usecase.Busy {
			p.RetryAfter = usecase.RetryAfterBusy
		}
		return p
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return problem(http.StatusNotFound, "not_found", "未找到请求的资源", "the requested resource does not exist")
	case store.Unavailable(err):
		return problem(http.StatusServiceUnavailable, "database_unavailable", "数据库暂时不可用, 请稍后重试; 已受理的数据不会丢失",
			"the database is unavailable; retry later (nothing accepted is lost)")
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return problem(he.Code, "not_found", "未找到请求的资源", "the requested resource does not exist")
		case http.StatusMethodNotAllowed:
			return problem(he.Code, "method_not_allowed", "该资源不支持此请求方法", "method not allowed on this resource")
		case http.StatusRequestEntityTooLarge:
			return problem(he.Code, "too_large", "请求内容超过大小限制", "the request body is larger than allowed")
		case http.StatusUnauthorized:
			return problem(he.Code, "unauthorized", "未提供有效的访问令牌", "a valid bearer token is required")
		case http.StatusTooManyRequests:
			return problem(he.Code, "rate_limited", "请求过于频繁, 请稍后再试", "too many requests; retry later")
		}
		if he.Code < 500 {
			return problem(he.Code, "bad_request", "请求无效", fmt.Sprint(he.Message))
		}
	}
	return problem(http.StatusInternalServerError, "internal", "服务器内部错误, 请凭请求编号联系管理员",
		"internal error; quote the request ID to the administrator")
}
