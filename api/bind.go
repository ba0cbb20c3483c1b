package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// bind decodes a JSON body strictly: unknown fields, wrong types and trailing data are 422s naming the field.
func bind[T any](c echo.Context) (T, error) {
	var v T
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return v, err // the body limit's own error maps to 413
	}
	if !utf8.Valid(body) {
		// encoding/json would quietly turn bad bytes into U+FFFD: refuse them instead of storing altered text.
		return v, invalidInput(FieldError{MessageZh: "请求体不是有效的 UTF-8 文本", MessageEn: "the body is not valid UTF-8"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, jsonProblem(err)
	}
	if dec.More() {
		return v, invalidInput(FieldError{Field: "", MessageZh: "请求体只能包含一个 JSON 对象",
			MessageEn: "the body must hold one JSON object"})
	}
	return v, nil
}

func jsonProblem(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return invalidInput(FieldError{Field: typeErr.Field, MessageZh: fmt.Sprintf("类型错误, 应为 %s", typeErr.Type),
			MessageEn: fmt.Sprintf("wrong type, want %s", typeErr.Type)})
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return invalidInput(FieldError{MessageZh: "请求体不是有效的 JSON", MessageEn: "the body is not valid JSON"})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalidInput(FieldError{Field: field, MessageZh: "未知字段", MessageEn: "unknown field"})
	}
	return invalidInput(FieldError{MessageZh: "请求体无法解析", MessageEn: "the body cannot be read: " + err.Error()})
}

// invalidInput is a 422 listing every failing field.
func invalidInput(fields ...FieldError) *Problem {
	return problem(http.StatusUnprocessableEntity, "invalid", "提交的数据有误, 请按字段修正",
		"the request has invalid fields", fields...)
}

// fieldErrors collects field problems of one request.
type fieldErrors []FieldError

func (f *fieldErrors) add(field, zh, en string) {
	*f = append(*f, FieldError{Field: field, MessageZh: zh, MessageEn: en})
}

func (f *fieldErrors) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		f.add(field, "必填", "required")
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return invalidInput(f...)
}

// parseWhen reads a date or a timestamp. A date ("2026-03-31") means the end of that day in the deployment's time
// zone, as policy deadlines do ("by 31 March"); a timestamp (RFC 3339) is taken as it is.
func (s *Server) parseWhen(errs *fieldErrors, field, value string) time.Time {
	if value == "" {
		return time.Time{}
	}
	if d, err := time.ParseInLocation(time.DateOnly, value, s.loc); err == nil {
		return d.AddDate(0, 0, 1)
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		errs.add(field, "日期格式应为 2026-03-31 或 RFC 3339 时间", "want a date like 2026-03-31 or an RFC 3339 timestamp")
	}
	return t
}

// requiredWhen parses a date field that must be given.
func (s *Server) requiredWhen(field, value string) (time.Time, error) {
	var errs fieldErrors
	errs.required(field, value)
	t := s.parseWhen(&errs, field, value)
	return t, errs.err()
}

// bindAndAct decodes a request body and sends the Update built from it through act (a cycle or an item action),
// for the actions whose fields the workflow validates itself.
func bindAndAct[R any](
	c echo.Context, act func(echo.Context, string, any) error, name string, input func(R) any,
) error {
	req, err := bind[R](c)
	if err != nil {
		return err
	}
	return act(c, name, input(req))
}
