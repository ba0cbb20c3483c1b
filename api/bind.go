package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"junheng/usecase"
	"strings"
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
		return v, usecase.InvalidInput(FieldError{MessageZh: "请求体不是有效的 UTF-8 文本",
			MessageEn: "the body is not valid UTF-8"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, jsonProblem(err)
	}
	if dec.More() {
		return v, usecase.InvalidInput(FieldError{Field: "", MessageZh: "请求体只能包含一个 JSON 对象",
			MessageEn: "the body must hold one JSON object"})
	}
	return v, nil
}

func jsonProblem(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return usecase.InvalidInput(FieldError{Field: typeErr.Field,
			MessageZh: fmt.Sprintf("类型错误, 应为 %s", typeErr.Type),
			MessageEn: fmt.Sprintf("wrong type, want %s", typeErr.Type)})
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return usecase.InvalidInput(FieldError{MessageZh: "请求体不是有效的 JSON", MessageEn: "the body is not valid JSON"})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return usecase.InvalidInput(FieldError{Field: field, MessageZh: "未知字段", MessageEn: "unknown field"})
	}
	return usecase.InvalidInput(FieldError{MessageZh: "请求体无法解析", MessageEn: "the body cannot be read: " + err.Error()})
}
