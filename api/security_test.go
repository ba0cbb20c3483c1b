package api

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/files"
	"junheng/progress"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// send makes one request as token (none when empty); header holds name, value pairs.
func send(e *echo.Echo, token, method, path, contentType string, body []byte,
	header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func token(t *testing.T, db *store.Store, role vocab.Role, district string) string {
	t.Helper()
	tok, err := usecase.IssueToken(context.Background(), db,
		usecase.TokenRequest{Role: role, District: district, Name: string(role) + district})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

func problemOf(t *testing.T, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("not a problem: %d %s", rec.Code, rec.Body)
	}
	return p
}

// upload posts content as the multipart field "file" named name.
func upload(t *testing.T, e *echo.Echo, token, name string, content []byte) store.File {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = w.Close()
	rec := send(e, token, http.MethodPost, "/api/v1/files", w.FormDataContentType(), buf.Bytes())
	var f store.File
	if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil || rec.Code != http.StatusCreated {
		t.Fatalf("upload %s: %d %s", name, rec.Code, rec.Body)
	}
	return f
}

// TestIssuedTokenIsNeverKept: a new token is in its first answer only. A retry with the same Idempotency-Key
// issues no second token and does not show the first again, and no stored answer holds it.
func TestIssuedTokenIsNeverKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "junheng.db")
	db, err := store.Open(ctx, "", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e, _ := seeded(t, db, 1)
	admin := token(t, db, vocab.RoleAdmin, "")
	issue := func() *httptest.ResponseRecorder {
		return send(e, admin, http.MethodPost, "/api/v1/tokens", echo.MIMEApplicationJSON,
			[]byte(`{"role":"office","name":"clerk"}`), headerIdempotencyKey, "issue-1")
	}
	first := issue()
	var issued usecase.IssuedToken
	err = json.Unmarshal(first.Body.Bytes(), &issued)
	if err != nil || first.Code != http.StatusCreated || issued.Token == "" {
		t.Fatalf("issuing a token: %d %s", first.Code, first.Body)
	}
	retry := issue()
	if p := problemOf(t, retry); retry.Code != http.StatusConflict || strings.Contains(retry.Body.String(),
		issued.Token) || p.Type != "urn:junheng:problem:secret_shown_once" || p.DetailZh == "" || p.Detail == "" {
		t.Errorf("the retry: %d %s", retry.Code, retry.Body)
	}
	ts, err := db.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clerks := 0
	for _, tok := range ts {
		if tok.Name == "clerk" {
			clerks++
		}
	}
	if clerks != 1 {
		t.Errorf("%d tokens issued for one request", clerks)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query("SELECT * FROM idempotency_keys")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for ; rows.Next(); n++ {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if s := fmt.Sprintf("%s", v); strings.Contains(s, issued.Token) {
				t.Errorf("idempotency_keys.%s holds the token: %s", cols[i], s)
			}
		}
	}
	if err := rows.Err(); err != nil || n != 1 {
		t.Errorf("%d rows in idempotency_keys (%v), want the request's one", n, err)
	}
}

// TestOnlyRecipientsMarkNotificationsRead tries every role on the office's and the districts' notifications:
// only the office marks its own, and a district its own; the province has its own (not the office's).
func TestOnlyRecipientsMarkNotificationsRead(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)[store.SQLite]
	e, office := seeded(t, db, 2)
	notes := map[string]int64{}
	for _, n := range []store.Notification{{Key: "office", Recipient: "office"},
		{Key: "370200", Recipient: "district", DistrictCode: "370200"},
		{Key: "370201", Recipient: "district", DistrictCode: "370201"}} {
		n.Year, n.Kind, n.TitleZh, n.TitleEn = 2025, "reminder", "提醒", "reminder"
		if _, err := db.AddNotification(ctx, &n); err != nil {
			t.Fatal(err)
		}
		notes[n.Key] = n.ID
	}
	roles := map[string]string{"office": office, "admin": token(t, db, vocab.RoleAdmin, ""),
		"province":        token(t, db, vocab.RoleProvince, ""),
		"district 370200": token(t, db, vocab.RoleDistrict, "370200")}
	cases := []struct {
		role, note string
		want       int
	}{
		{"admin", "office", 403}, {"province", "office", 404}, {"district 370200", "office", 404},
		{"admin", "370200", 403}, {"province", "370200", 404}, {"office", "370200", 404},
		{"district 370200", "370201", 404},
		{"district 370200", "370200", 204}, {"office", "office", 204},
	}
	for _, c := range cases {
		if c.want == 204 {
			unread, _ := db.Notifications(ctx, store.NotificationFilter{Recipient: "office", UnreadOnly: true})
			if len(unread) != 1 {
				t.Errorf("the office's notification was marked read by another: %+v", unread)
			}
		}
		path := fmt.Sprintf("/api/v1/notifications/%d/read", notes[c.note])
		if rec := send(e, roles[c.role], http.MethodPost, path, "", nil); rec.Code != c.want {
			t.Errorf("%s marking the %s notification read: %d, want %d", c.role, c.note, rec.Code, c.want)
		}
	}
}

// TestRequestIDIsOurs: the client's X-Request-Id never becomes ours (in the answer, the problem or the audit
// trail); a sane one is logged apart, anything else is dropped.
func TestRequestIDIsOurs(t *testing.T) {
	ctx := context.Background()
	var logs syncBuffer
	db := storetest.Open(t)[store.SQLite]
	e, _ := seeded(t, db, 1, func(d *Deps) { d.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	admin, clerk := token(t, db, vocab.RoleAdmin, ""), token(t, db, vocab.RoleDistrict, "370200")
	for i, c := range []struct {
		token, theirs string
		status        int
		sane          bool
	}{
		{admin, "their-id_1.a", http.StatusCreated, true},
		{clerk, "their-id-2", http.StatusForbidden, true}, // refused: recorded by the audit middleware
		{admin, "has space", http.StatusCreated, false},
		{admin, strings.Repeat("x", 65), http.StatusCreated, false},
	} {
		logs.Reset()
		action := fmt.Sprintf(`{"code":"37029%d","name":"区"}`, i)
		rec := send(e, c.token, http.MethodPost, "/api/v1/districts", echo.MIMEApplicationJSON, []byte(action),
			echo.HeaderXRequestID, c.theirs)
		ours := rec.Header().Get(echo.HeaderXRequestID)
		if rec.Code != c.status || ours == "" || ours == c.theirs {
			t.Errorf("%q: %d, request ID %q", c.theirs, rec.Code, ours)
		}
		if rec.Code >= 400 && problemOf(t, rec).RequestID != ours {
			t.Errorf("%q: the problem names request %q, not ours %q", c.theirs, problemOf(t, rec).RequestID, ours)
		}
		events, err := db.Audit(ctx, store.AuditFilter{Action: "create_district", Limit: 1})
		if err != nil || len(events) != 1 || events[0].RequestID != ours {
			t.Errorf("%q: the audit trail has %+v, want request %q", c.theirs, events, ours)
		}
		var line map[string]any
		if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
			t.Fatalf("log %q: %v", logs.String(), err)
		}
		if got, _ := line["client_request_id"].(string); line["request_id"] != ours || (got == c.theirs) != c.sane {
			t.Errorf("%q: the log line %v", c.theirs, line)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

// TestJSONSelfAssessmentHasTheWorkbooksLimits: a JSON self-assessment may not be larger than a workbook nor
// list more schools than a sheet holds rows.
func TestJSONSelfAssessmentHasTheWorkbooksLimits(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	e, _ := seeded(t, db, 1)
	clerk := token(t, db, vocab.RoleDistrict, "370200")
	tooMany := []byte(`{"district":{"code":"370200","name":"区"},"year":2025,"schools":[{}` +
		strings.Repeat(",{}", evaluation.MaxRows) + `]}`)
	tooLarge := []byte(`{"district":{"code":"370200","name":"区"},"year":2025,"schools":[]` +
		strings.Repeat(" ", excel.MaxFileSize) + `}`)
	for _, path := range []string{"/api/v1/evaluate", "/api/v1/cycles/2025/districts/370200/self-assessment"} {
		method := http.MethodPost
		if strings.HasSuffix(path, "self-assessment") {
			method = http.MethodPut
		}
		for _, c := range []struct {
			field, limit string
			body         []byte
		}{{"schools", "10000", tooMany}, {"$", "10 MiB", tooLarge}} {
			rec := send(e, clerk, method, path, echo.MIMEApplicationJSON, c.body)
			p := problemOf(t, rec)
			if rec.Code != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != c.field ||
				!strings.Contains(p.Errors[0].MessageEn, c.limit) || !strings.Contains(p.Errors[0].MessageZh, c.limit) {
				t.Errorf("%s over the limit of %s: %d %.300s", path, c.field, rec.Code, rec.Body)
			}
		}
	}
}

// TestBadTokensAreThrottledByAddress: an address that presented too many unknown or revoked tokens is refused
// before its token is checked, even a good one; other addresses are not, and behind a trusted proxy each client
// counts apart, while a forged X-Forwarded-For from anyone else changes nothing.
func TestBadTokensAreThrottledByAddress(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	e, office := seeded(t, db, 1, func(d *Deps) { d.Proxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	revoked := token(t, db, vocab.RoleOffice, "")
	ts, _ := db.Tokens(context.Background())
	if err := db.RevokeToken(context.Background(), ts[len(ts)-1].ID); err != nil {
		t.Fatal(err)
	}
	me := func(peer, forwarded, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
		req.RemoteAddr = peer + ":4000"
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	exhaust := func(peer, forwarded, bad string) {
		for i := range 20 {
			if rec := me(peer, forwarded, bad); rec.Code != http.StatusUnauthorized {
				t.Fatalf("bad token %d from %s/%s: %d", i, peer, forwarded, rec.Code)
			}
		}
	}
	exhaust("192.0.2.1", "", "jh_guess")
	blocked := me("192.0.2.1", "", office)
	if p := problemOf(t, blocked); blocked.Code != http.StatusTooManyRequests ||
		blocked.Header().Get("Retry-After") != "60" || p.DetailZh == "" || p.Detail == "" {
		t.Errorf("a good token from a guessing address: %d %s, Retry-After %q", blocked.Code, blocked.Body,
			blocked.Header().Get("Retry-After"))
	}
	if rec := me("192.0.2.1", "198.51.100.1", office); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a forged X-Forwarded-For lifted the block: %d", rec.Code)
	}
	if rec := me("192.0.2.2", "", office); rec.Code != http.StatusOK {
		t.Errorf("another address: %d", rec.Code)
	}
	exhaust("192.0.2.3", "", revoked)
	if rec := me("192.0.2.3", "", office); rec.Code != http.StatusTooManyRequests {
		t.Errorf("after revoked tokens: %d", rec.Code)
	}
	for range 25 {
		me("192.0.2.4", "", "")
	}
	if rec := me("192.0.2.4", "", office); rec.Code != http.StatusOK {
		t.Errorf("requests without a token counted as guesses: %d", rec.Code)
	}
	exhaust("10.0.0.5", "198.51.100.7", "jh_guess")
	if rec := me("10.0.0.5", "198.51.100.7", office); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the guessing client behind the proxy: %d", rec.Code)
	}
	if rec := me("10.0.0.5", "198.51.100.8", office); rec.Code != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d", rec.Code)
	}
}

// TestAnswersAreNotCachedOrSniffed: every answer is no-store and nosniff, errors included, and every HTML answer
// carries a CSP that loads and runs nothing.
func TestAnswersAreNotCachedOrSniffed(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	e, office := seeded(t, db, 1, func(d *Deps) {
		d.Public = progress.Publication{Enabled: true, Title: "示范市", Sections: []string{progress.SectionCityTargets}}
	})
	for _, c := range []struct {
		token, path string
		status      int
		html        bool
	}{
		{office, "/api/v1/me", 200, false},
		{"", "/api/v1/me", 401, false},
		{office, "/api/v1/findings?format=xlsx", 200, false},
		{office, "/api/v1/cycles/2025/bulletin?format=html", 303, false}, // to the pages, which print it
		{office, "/api/v1/progress?format=html", 303, false},
		{office, "/api/v1/districts/370200/progress?format=html", 303, false},
		{"", "/public/summary", 200, true},
		{"", "/public/summary?format=json", 200, false},
	} {
		rec := send(e, c.token, http.MethodGet, c.path, "", nil)
		h := rec.Header()
		if rec.Code != c.status || h.Get("Cache-Control") != "no-store" ||
			h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, Cache-Control %q, X-Content-Type-Options %q", c.path, rec.Code, h.Get("Cache-Control"),
				h.Get("X-Content-Type-Options"))
		}
		isHTML := strings.HasPrefix(h.Get("Content-Type"), "text/html")
		csp := h.Get("Content-Security-Policy")
		if isHTML != c.html || (isHTML && (!strings.Contains(csp, "default-src 'none'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script"))) {
			t.Errorf("%s as %s: CSP %q", c.path, h.Get("Content-Type"), csp)
		}
	}
}

// TestEvidenceIsDownloadedUnderASafeName: the uploader's name loses its path, invisible and reserved characters
// and takes the extension of the content's type, which is what the file is served as.
func TestEvidenceIsDownloadedUnderASafeName(t *testing.T) {
	fs, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)[store.SQLite]
	e, office := seeded(t, db, 1, func(d *Deps) { d.Files = fs })
	f := upload(t, e, office, "..\\报告\u202Eexe.html", []byte("%PDF-1.4\nevidence\n"))
	rec := send(e, office, http.MethodGet, "/api/v1/files/"+f.ID, "", nil)
	disposition, params, err := mime.ParseMediaType(rec.Header().Get("Content-Disposition"))
	if rec.Code != http.StatusOK || err != nil || disposition != "attachment" || params["filename"] != "报告exe.pdf" ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), `filename="__exe.pdf"`) ||
		rec.Header().Get("Content-Type") != "application/pdf" ||
		rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d, %q as %q (%v)", rec.Code, rec.Header().Get("Content-Disposition"),
			rec.Header().Get("Content-Type"), err)
	}
	for _, c := range []struct{ name, contentType, want string }{
		{"scan.JPEG", "image/jpeg", "scan.JPEG"},
		{"a.html", "application/pdf", "a.pdf"},
		{".htaccess", "image/png", "file.png"},
		{"表", "application/vnd.openxmlformats-officedocument", "表.docx"},
		{"表.xlsx", "application/vnd.openxmlformats-officedocument", "表.xlsx"},
		{`a<b>:"c|?*.pdf`, "application/pdf", "a_b___c___.pdf"},
		{"x.pdf", "text/html", "x.bin"},
	} {
		if got := files.DownloadName(c.name, c.contentType); got != c.want {
			t.Errorf("%q as %s: %q, want %q", c.name, c.contentType, got, c.want)
		}
	}
}

// fakeTemporal answers Updates with update's result or refusal.
type fakeTemporal struct {
	client.Client
	update func(client.UpdateWorkflowOptions) (any, error)
}

func (f *fakeTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

func (f *fakeTemporal) UpdateWorkflow(_ context.Context,
	o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	res, err := f.update(o)
	return fakeUpdate{res, err}, nil
}

type fakeUpdate struct {
	result any
	err    error
}

func (fakeUpdate) WorkflowID() string { return "" }
func (fakeUpdate) RunID() string      { return "" }
func (fakeUpdate) UpdateID() string   { return "" }

func (u fakeUpdate) Get(_ context.Context, out any) error {
	if u.err != nil {
		return u.err
	}
	data, _ := json.Marshal(u.result)
	return json.Unmarshal(data, out)
}

// TestReportsAreSharedOnlyOnceAccepted: a report the office attaches to a review, or the province's document it
// attaches to the province's result, is readable by the district only after the workflow accepted the action.
func TestReportsAreSharedOnlyOnceAccepted(t *testing.T) {
	ctx := context.Background()
	fs, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)[store.SQLite]
	var (
		refuse  bool
		pending string // the file the action attaches
		inputs  []any
	)
	fake := &fakeTemporal{update: func(o client.UpdateWorkflowOptions) (any, error) {
		if _, err := db.FileFor(ctx, pending, "370200"); err == nil {
			t.Errorf("%s: the file was shared before the workflow answered", o.UpdateName)
		}
		inputs = append(inputs, o.Args[0])
		if refuse {
			return nil, temporal.NewNonRetryableApplicationError("refused", workflows.ErrConflict, nil,
				workflows.Refusal{MessageZh: "不允许", MessageEn: "not now"})
		}
		return workflows.CycleState{Year: 2025, District: "370200"}, nil
	}}
	e, office := seeded(t, db, 1, func(d *Deps) { d.Files, d.Temporal = fs, fake })
	clerk := token(t, db, vocab.RoleDistrict, "370200")
	cycle := "/api/v1/cycles/2025/districts/370200"
	readable := func(id string) bool { return send(e, clerk, http.MethodGet, "/api/v1/files/"+id, "", nil).Code == 200 }

	pending = upload(t, e, office, "反馈报告.pdf", []byte("%PDF-1.4\nfeedback\n")).ID
	review := []byte(`{"decision":"approve","report":{"file":"` + pending + `"}}`)
	refuse = true
	rec := send(e, office, http.MethodPost, cycle+"/review", echo.MIMEApplicationJSON, review)
	if rec.Code != 409 || readable(pending) {
		t.Errorf("a refused review: %d, its report readable by the district: %v", rec.Code, readable(pending))
	}
	refuse = false
	rec = send(e, office, http.MethodPost, cycle+"/review", echo.MIMEApplicationJSON, review)
	if rec.Code != 200 || !readable(pending) {
		t.Errorf("an accepted review: %d, its report readable by the district: %v", rec.Code, readable(pending))
	}

	// The office records the province's result with the province's document, which must exist.
	rec = send(e, office, http.MethodPost, cycle+"/province-result", echo.MIMEApplicationJSON,
		[]byte(`{"passed":true,"report_file":"`+strings.Repeat("0", 64)+`"}`))
	if p := problemOf(t, rec); rec.Code != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "report_file" {
		t.Errorf("the province's result with an unknown document: %d %s", rec.Code, rec.Body)
	}
	pending = upload(t, e, office, "省级认定.pdf", []byte("%PDF-1.4\nprovince\n")).ID
	before := len(inputs)
	rec = send(e, office, http.MethodPost, cycle+"/province-result", echo.MIMEApplicationJSON,
		[]byte(`{"passed":true,"report_file":"`+pending+`"}`))
	if len(inputs) != before+1 {
		t.Fatalf("the province's result: %d %s", rec.Code, rec.Body)
	}
	in, _ := inputs[before].(workflows.DecisionInput)
	if rec.Code != 200 || in.ReportFile != pending || in.Actor.Role != vocab.RoleOffice || !readable(pending) {
		t.Errorf("the province's result recorded by the office: %d %+v, document readable: %v", rec.Code, in,
			readable(pending))
	}
}
