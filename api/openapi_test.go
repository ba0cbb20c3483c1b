package api

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"junheng/evaluation"
	"junheng/files"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
	"junheng/workflows"
)

// servedDocument loads the document e serves with kin-openapi's loader, which resolves every reference.
func servedDocument(t *testing.T, e *echo.Echo) *openapi3.T {
	t.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json: %d", rec.Code)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	return doc
}

func bareAPI() *echo.Echo {
	return New(Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
}

// TestOpenAPIDocumentIsValid: the served document passes kin-openapi's validation of OpenAPI 3.0.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := servedDocument(t, bareAPI())
	if err := doc.Validate(context.Background()); err != nil || doc.OpenAPI != "3.0.3" {
		t.Fatalf("OpenAPI %s: %v", doc.OpenAPI, err)
	}
}

// TestOpenAPIDocumentsEveryRoute compares the document with the routes echo actually serves, both ways: each
// with its operation ID, roles, a summary in Chinese and English, its typed path parameters, and every error
// answer a Problem.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	e := bareAPI()
	doc := servedDocument(t, e)
	roles := map[string][]string{}
	for _, r := range Routes() {
		for _, role := range r.Roles {
			roles[r.Action] = append(roles[r.Action], string(role))
		}
	}
	served := map[string]bool{}
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/api/v1/openapi.json" ||
			strings.HasPrefix(r.Method, "echo_route") {
			continue
		}
		key := r.Method + " " + openAPIPath(r.Path)
		served[key] = true
		var op *openapi3.Operation
		if item := doc.Paths.Value(openAPIPath(r.Path)); item != nil {
			op = item.GetOperation(r.Method)
		}
		if op == nil {
			t.Errorf("%s is served but not documented", key)
			continue
		}
		if op.OperationID != r.Name || fmt.Sprint(op.Extensions["x-roles"]) != fmt.Sprint(roles[r.Name]) ||
			!strings.Contains(op.Summary, " / ") || !strings.ContainsFunc(op.Summary, isHan) {
			t.Errorf("%s documented as %s, roles %v, %q; served as %s, roles %v", key, op.OperationID,
				op.Extensions["x-roles"], op.Summary, r.Name, roles[r.Name])
		}
		for _, seg := range strings.Split(r.Path, "/") {
			name, ok := strings.CutPrefix(seg, ":")
			if !ok {
				continue
			}
			p := op.Parameters.GetByInAndName("path", name)
			want := "string"
			if name == "year" || strings.HasPrefix(r.Path, "/api/v1/notifications/") {
				want = "integer"
			}
			if p == nil || !p.Required || !p.Schema.Value.Type.Is(want) {
				t.Errorf("%s: path parameter %s is not documented as a required %s", key, name, want)
			}
		}
		for code, resp := range op.Responses.Map() {
			if status, _ := strconv.Atoi(code); status >= 400 {
				m := resp.Value.Content.Get(problemJSON)
				if m == nil || m.Schema.Ref != "#/components/schemas/Problem" {
					t.Errorf("%s: the %s answer is not a Problem", key, code)
				}
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !served[method+" "+path] {
				t.Errorf("%s %s is documented but not served", method, path)
			}
		}
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// TestEnumsListEveryConstant: each value set of the document is the set of constants its Go type declares, and
// the review's decisions and the talks' kinds are the literals the workflows compare them with.
func TestEnumsListEveryConstant(t *testing.T) {
	for typ, values := range typeEnums {
		got := declared(t, "../"+strings.TrimPrefix(typ.PkgPath(), "junheng/"), func(n ast.Node) []string {
			var out []string
			if v, ok := n.(*ast.ValueSpec); ok {
				if id, ok := v.Type.(*ast.Ident); ok && id.Name == typ.Name() {
					for _, e := range v.Values {
						out = append(out, stringLit(e)...)
					}
				}
			}
			return out
		})
		if want := sortedStrings(values); !slices.Equal(got, want) {
			t.Errorf("%s: the document lists %v, the constants are %v", typ, want, got)
		}
	}
	for field, values := range map[string][]any{"Decision": reviewDecisions, "Kind": talkKinds} {
		isField := func(e ast.Expr) bool { s, ok := e.(*ast.SelectorExpr); return ok && s.Sel.Name == field }
		got := declared(t, "../workflows", func(n ast.Node) []string {
			var out []string
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (n.Op == gotoken.EQL || n.Op == gotoken.NEQ) && isField(n.X) {
					out = stringLit(n.Y)
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && isField(n.Tag) {
					for _, c := range n.Body.List {
						for _, e := range c.(*ast.CaseClause).List {
							out = append(out, stringLit(e)...)
						}
					}
				}
			}
			return out
		})
		if want := sortedStrings(values); !slices.Equal(got, want) {
			t.Errorf("%s: the document lists %v, the workflows compare it with %v", field, want, got)
		}
	}
}

// declared collects what found finds in the non-test Go files of dir, sorted and without duplicates.
func declared(t *testing.T, dir string, found func(ast.Node) []string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(names) == 0 {
		t.Fatalf("%s: %v", dir, err)
	}
	var out []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(gotoken.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			out = append(out, found(n)...)
			return true
		})
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func stringLit(e ast.Expr) []string {
	if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == gotoken.STRING {
		s, _ := strconv.Unquote(lit.Value)
		return []string{s}
	}
	return nil
}

func sortedStrings(values []any) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = v.(string)
	}
	slices.Sort(out)
	return out
}

// answers records the status of every answer of an echo instance, by method and route.
type answers struct {
	mu   sync.Mutex
	seen map[answer]bool
}

type answer struct {
	method, path string
	status       int
}

func (a *answers) record(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Before(func() { // the status is known once the header is written, whoever writes it
			a.mu.Lock()
			defer a.mu.Unlock()
			a.seen[answer{c.Request().Method, c.Path(), c.Response().Status}] = true
		})
		return next(c)
	}
}

// startingTemporal also starts workflows, with the answer of its Updates.
type startingTemporal struct{ *fakeTemporal }

func (s startingTemporal) ExecuteWorkflow(context.Context, client.StartWorkflowOptions, any,
	...any) (client.WorkflowRun, error) {
	_, err := s.update(client.UpdateWorkflowOptions{})
	return nil, err
}

func (s startingTemporal) UpdateWithStartWorkflow(ctx context.Context,
	o client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	return s.UpdateWorkflow(ctx, o.UpdateOptions)
}

func (startingTemporal) NewWithStartWorkflowOperation(client.StartWorkflowOptions, any,
	...any) client.WithStartWorkflowOperation {
	return nil
}

// TestEveryAnswerIsDocumented calls every route as every caller (none, each role, a district on another's data),
// with good and bad bodies, queries and keys, while the workflows accept or refuse in every way they can, and
// checks that each status answered is one the document lists for the route.
func TestEveryAnswerIsDocumented(t *testing.T) {
	ctx := context.Background()
	fs, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)[store.SQLite]
	var refusal error // the workflows' answer to every action
	fake := &fakeTemporal{update: func(client.UpdateWorkflowOptions) (any, error) { return struct{}{}, refusal }}
	e, office := seeded(t, db, 2, func(d *Deps) {
		d.Files, d.Temporal, d.Profile = fs, startingTemporal{fake}, evaluation.National2017()
	})
	doc := servedDocument(t, e)
	seen := &answers{seen: map[answer]bool{}}
	e.Use(seen.record)

	note := store.Notification{Key: "n", Recipient: "district", DistrictCode: "370200", Year: 2025, Kind: "reminder"}
	if _, err := db.AddNotification(ctx, &note); err != nil {
		t.Fatal(err)
	}
	const school = "3702000001" // open, so that its saves and the district's decisions reach the workflow
	registerSchools(t, db, map[string]string{school: "370200"}, school)
	callers := map[string]string{"nobody": "", "office": office, "admin": token(t, db, vocab.RoleAdmin, ""),
		"province": token(t, db, vocab.RoleProvince, ""),
		"district": token(t, db, vocab.RoleDistrict, "370200"),
		"another":  token(t, db, vocab.RoleDistrict, "370201"), "school": token(t, db, vocab.RoleSchool, school)}
	params := strings.NewReplacer(":year", "2025", ":code", "370200", ":school", school,
		"/findings/:id", "/findings/"+vocab.FindingID(2025, "370200", 1),
		"/files/:id", "/files/"+upload(t, e, office, "a.pdf", []byte("%PDF-1.4\n")).ID,
		"/notifications/:id", fmt.Sprintf("/notifications/%d", note.ID))
	selfAssessment, err := os.ReadFile("../evaluation/testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{ // bodies that get past validation
		"create_token":      `{"role":"office","name":"clerk"}`,
		"create_district":   `{"code":"370290","name":"新区"}`,
		"open_cycles":       `{"year":2026}`,
		"review":            `{"decision":"approve","comment":"ok"}`,
		"plan":              `{"measures":"m","responsible_unit":"u","responsible_person":"p","due_date":"2099-12-31"}`,
		"request_extension": `{"due_date":"2099-12-31","reason":"r"}`,
		"save_draft":        strings.ReplaceAll(string(selfAssessment), "370211", "370200"),
		"evaluate":          string(selfAssessment),

		// the schools' own data
		"save_school_draft":   schoolJSON,
		"return_school":       `{"reason":"r"}`,
		"set_school_deadline": `{"deadline":"2099-12-31"}`,
		"open_school_round":   `{"deadline":"2099-12-31"}`,
	}
	refusals := []error{nil,
		temporal.NewNonRetryableApplicationError("no", workflows.ErrConflict, nil, workflows.Refusal{}),
		temporal.NewNonRetryableApplicationError("no", workflows.ErrForbidden, nil, workflows.Refusal{}),
		temporal.NewNonRetryableApplicationError("no", workflows.ErrInvalid, nil, workflows.Refusal{Field: "f"}),
		serviceerror.NewNotFound("workflow not found"),
		serviceerror.NewNotFound("workflow execution already completed"),
		serviceerror.NewUnavailable("down"), serviceerror.NewFailedPrecondition("the limit on the total number " +
			"of distinct updates in this workflow has been reached")}
	for _, r := range (&Server{}).routes() {
		path := "/api/v1" + params.Replace(r.path)
		for _, tok := range callers {
			if r.method == http.MethodGet {
				send(e, tok, r.method, path, "", nil)
				for _, q := range r.query {
					send(e, tok, r.method, path+"?"+q+"=x", "", nil)
				}
				if slices.Contains(r.query, "format") { // a page the pages print, or no format of the route
					send(e, tok, r.method, path+"?format=html", "", nil)
				}
				continue
			}
			body := bodies[r.action]
			if body == "" {
				body = "{}"
			}
			for _, refusal = range refusals {
				send(e, tok, r.method, path, echo.MIMEApplicationJSON, []byte(body))
			}
			send(e, tok, r.method, path, echo.MIMEApplicationJSON, []byte("{"))
			send(e, tok, r.method, path, echo.MIMEApplicationJSON, []byte(body),
				headerIdempotencyKey, strings.Repeat("k", 201))
			send(e, tok, r.method, path, echo.MIMETextPlain, []byte(body))
		}
	}

	routes := map[string]bool{}
	for a := range seen.seen {
		routes[a.method+" "+a.path] = true
		item := doc.Paths.Value(openAPIPath(a.path))
		if item == nil || item.GetOperation(a.method) == nil {
			t.Errorf("%s %s answered %d and is not documented", a.method, a.path, a.status)
			continue
		}
		if item.GetOperation(a.method).Responses.Status(a.status) == nil {
			t.Errorf("%s %s answered %d, which its document does not list", a.method, a.path, a.status)
		}
	}
	for _, r := range Routes() {
		if !routes[r.Method+" "+r.Path] {
			t.Errorf("%s %s was never called", r.Method, r.Path)
		}
	}
}
