package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"junheng/api"
)

// reply is the API's answer to an in-process request.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) ok() bool { return r.status < 300 }

func (r reply) decode(v any) error { return json.Unmarshal(r.body, v) }

// call sends one request to the API handler as the signed-in user. The original request's context goes along,
// so a browser that gives up cancels the API's work too; except for an action with the form's idempotency key
// (see keyed): a double click abandons the first send, which must then run to its end, so that the second finds
// it under way or done, rather than cut off halfway.
func (s *server) call(r *http.Request, method, path string, body io.Reader, contentType string) reply {
	ctx, key := r.Context(), requestKey(r)
	if method != http.MethodPost && method != http.MethodPut {
		key = ""
	}
	if key != "" {
		ctx = context.WithoutCancel(ctx)
	}
	if sess, ok := r.Context().Value(sessionKey{}).(*session); ok {
		ctx = api.ForToken(ctx, sess.me.TokenID)
	}
	req := httptest.NewRequestWithContext(ctx, method, path, body)
	// The API sees the browser's client as the pages do (its throttles count by address), trusting the same proxies.
	req.RemoteAddr = r.RemoteAddr
	for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Proto"} {
		if v := r.Header.Values(h); len(v) > 0 {
			req.Header[h] = v
		}
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	s.api.ServeHTTP(rec, req)
	return reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (s *server) get(r *http.Request, path string, out any) reply {
	rep := s.call(r, http.MethodGet, path, nil, "")
	if rep.ok() && out != nil {
		if err := rep.decode(out); err != nil {
			return reply{status: http.StatusBadGateway, body: []byte(err.Error())}
		}
	}
	return rep
}

func (s *server) postJSON(r *http.Request, path string, body any) reply {
	return s.sendJSON(r, http.MethodPost, path, body)
}

func (s *server) putJSON(r *http.Request, path string, body any) reply {
	return s.sendJSON(r, http.MethodPut, path, body)
}

func (s *server) sendJSON(r *http.Request, method, path string, body any) reply {
	data, _ := json.Marshal(body) // request bodies are plain maps and structs
	return s.call(r, method, path, bytes.NewReader(data), "application/json")
}

// problem is the API's problem+json document, as far as the pages show it.
type problem struct {
	Type     string         `json:"type"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail"`
	DetailZh string         `json:"detail_zh"`
	Errors   []fieldProblem `json:"errors"`
	Reasons  []struct {
		MessageZh string `json:"message_zh"`
		MessageEn string `json:"message_en"`
	} `json:"reasons"`
}

type fieldProblem struct {
	Field     string `json:"field"`
	Sheet     string `json:"sheet"`
	Row       int    `json:"row"`
	Column    string `json:"column"`
	MessageZh string `json:"message_zh"`
	MessageEn string `json:"message_en"`
}

// flash is a form's outcome shown once on the page the form redirects to: a message, and errors by field (or,
// for spreadsheets, by cell) in the user's language.
type flash struct {
	Form   string
	OK     bool
	Msg    string
	Fields map[string]string
	List   []string
	// Kept is the plan form as typed, and Text the self-assessment data as sent, shown again when refused.
	Kept *planForm
	Text string
	// Pending says the action may still be under way or was not done for a passing reason (a timeout, a busy or
	// unavailable service, the same key still being answered): sending the form again is the user's retry, so it
	// must go out under Key, the key it was posted with (see back and page.Idem), and act at most once.
	Pending bool
	Key     string
}

// outcome turns an API answer into the flash of form; ok is the message shown on success.
func outcome(form string, rep reply, en bool, ok string) *flash {
	if rep.ok() {
		return &flash{Form: form, OK: true, Msg: ok}
	}
	// A 5xx leaves the action undone for a passing reason, or still under way (a timeout): sending the form again
	// under its key is safe, and the API's words for it, on retrying with the same Idempotency-Key, are not the
	// user's.
	if rep.status >= 500 {
		return &flash{Form: form, Pending: true, Msg: translate(en, "pending")}
	}
	var p problem
	if err := rep.decode(&p); err != nil || p.Status == 0 {
		return &flash{Form: form, Msg: fmt.Sprintf("HTTP %d", rep.status)}
	}
	// The API's words for a refused repeat speak of keys too.
	switch p.Type {
	case "urn:junheng:problem:in_progress":
		return &flash{Form: form, Pending: true, Msg: translate(en, "still_processing")}
	case "urn:junheng:problem:idempotency_key_reused":
		return &flash{Form: form, Msg: translate(en, "form_changed")}
	}
	f := &flash{Form: form, Msg: pick(en, p.DetailZh, p.Detail), Fields: map[string]string{}}
	for _, r := range p.Reasons {
		f.List = append(f.List, pick(en, r.MessageZh, r.MessageEn))
	}
	for _, e := range p.Errors {
		f.addField(e, en)
	}
	return f
}

// addField shows a field's problem beside the field, or a spreadsheet's in the list, named by its cell.
func (f *flash) addField(e fieldProblem, en bool) {
	msg := pick(en, e.MessageZh, e.MessageEn)
	switch {
	case e.Sheet != "":
		f.List = append(f.List, cellName(e, en)+msg)
	case f.Fields[e.Field] == "":
		f.Fields[e.Field] = msg
	default:
		f.Fields[e.Field] += "; " + msg
	}
}

// cellName names a spreadsheet place as Excel users say it: 学校 工作表 第 7 行 F 列.
func cellName(e fieldProblem, en bool) string {
	var b strings.Builder
	if en {
		fmt.Fprintf(&b, "sheet %s", e.Sheet)
		if e.Row > 0 {
			fmt.Fprintf(&b, ", row %d", e.Row)
		}
		if e.Column != "" {
			fmt.Fprintf(&b, ", column %s", e.Column)
		}
		b.WriteString(": ")
		return b.String()
	}
	fmt.Fprintf(&b, "「%s」工作表", e.Sheet)
	if e.Row > 0 {
		fmt.Fprintf(&b, "第 %d 行", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, " %s 列", e.Column)
	}
	b.WriteString(": ")
	return b.String()
}

func pick(en bool, zh, english string) string {
	if en && english != "" {
		return english
	}
	return zh
}
