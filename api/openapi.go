package api

import (
	"cmp"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"junheng/workflows"
)

// openAPI renders the OpenAPI 3 document of the routes, with JSON Schemas reflected from the Go types that the
// handlers decode and encode.
func openAPI(routes []route) []byte {
	paths := map[string]map[string]any{}
	for _, r := range routes {
		path := "/api/v1" + openAPIPath(r.path)
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		op := map[string]any{
			"operationId": r.action,
			"summary":     r.summary,
			"security":    []any{map[string]any{"bearer": []string{}}},
			"responses": map[string]any{
				strconv.Itoa(cmp.Or(r.status, http.StatusOK)): response(r.response),
				"default": map[string]any{"description": "an error", "content": map[string]any{"application/problem+json": map[string]any{"schema": schema(reflect.TypeOf(Problem{}))}}},
			},
			"x-roles": roleNames(r.roles),
		}
		var params []any
		for _, seg := range strings.Split(r.path, "/") {
			if name, ok := strings.CutPrefix(seg, ":"); ok {
				params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
		}
		for _, q := range r.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if r.method != "GET" {
			params = append(params, map[string]any{"name": headerIdempotencyKey, "in": "header", "schema": map[string]any{"type": "string"}})
		}
		op["parameters"] = params
		if r.body != nil || r.upload {
			content := map[string]any{}
			if r.body != nil {
				content["application/json"] = map[string]any{"schema": schema(reflect.TypeOf(r.body))}
			}
			if r.upload {
				content["multipart/form-data"] = map[string]any{"schema": map[string]any{"type": "object",
					"properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		paths[path][strings.ToLower(r.method)] = op
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "junheng 均衡 API", "version": "1"},
		"paths":   paths,
		"components": map[string]any{"securitySchemes": map[string]any{
			"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
	out, err := json.Marshal(doc)
	if err != nil {
		panic(err) // the document is built from static types; failing here is a programming error
	}
	return out
}

// openAPIPath turns echo's :param into OpenAPI's {param}.
func openAPIPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

func response(v any) map[string]any {
	if v == nil {
		return map[string]any{"description": "success"}
	}
	return map[string]any{"description": "success", "content": map[string]any{"application/json": map[string]any{"schema": schema(reflect.TypeOf(v))}}}
}

func roleNames(roles []workflows.Role) []string {
	if roles == nil {
		roles = Roles
	}
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

// schema reflects a Go type into a JSON Schema the way encoding/json would encode it.
func schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"type": "object"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schema(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		addFields(t, props)
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}

func addFields(t reflect.Type, props map[string]any) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			addFields(f.Type, props)
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schema(f.Type)
	}
}
