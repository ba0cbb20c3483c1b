package temporalx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	taskQueue = "temporalx-test"
	// childDataDirEnv makes the test binary serve that directory until killed.
	childDataDirEnv = "TEMPORALX_TEST_SERVE_DATADIR"
	waitTimeout     = 30 * time.Second
)

var (
	searchAttributes = map[string]enums.IndexedValueType{
		"JunhengYear":     enums.INDEXED_VALUE_TYPE_INT,
		"JunhengDistrict": enums.INDEXED_VALUE_TYPE_KEYWORD,
		"JunhengStage":    enums.INDEXED_VALUE_TYPE_KEYWORD,
		"JunhengOverdue":  enums.INDEXED_VALUE_TYPE_BOOL,
	}
	yearKey  = temporal.NewSearchAttributeKeyInt64("JunhengYear")
	stageKey = temporal.NewSearchAttributeKeyKeyword("JunhengStage")
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDataDirEnv); dir != "" {
		serveUntilStdinCloses(dir)
		return
	}
	os.Exit(m.Run())
}

// serveUntilStdinCloses runs the server that TestEmbedded kills; it also
// ends when the test process dies and closes the pipe.
func serveUntilStdinCloses(dir string) {
	e, err := StartEmbedded(context.Background(), EmbeddedConfig{DataDir: dir, SearchAttributes: searchAttributes,
		Logger: testLogger()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(e.Address())
	_, _ = io.Copy(io.Discard, os.Stdin)
}

func waitForSignal(ctx workflow.Context) (string, error) {
	var from string
	workflow.GetSignalChannel(ctx, "proceed").Receive(ctx, &from)
	return "proceeded by " + from, nil
}

func sleepThreeSeconds(ctx workflow.Context) (string, error) {
	if err := workflow.Sleep(ctx, 3*time.Second); err != nil {
		return "", err
	}
	return "woke", nil
}

// counter adds positive amounts sent as "add" updates until signalled "done".
func counter(ctx workflow.Context) (int, error) {
	total := 0
	err := workflow.SetUpdateHandlerWithOptions(ctx, "add",
		func(ctx workflow.Context, n int) (int, error) {
			total += n
			return total, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, n int) error {
			if n <= 0 {
				return fmt.Errorf("amount %d must be positive", n)
			}
			return nil
		}},
	)
	if err != nil {
		return 0, err
	}
	workflow.GetSignalChannel(ctx, "done").Receive(ctx, nil)
	return total, nil
}

func advanceStage(ctx workflow.Context, stage string) error {
	return workflow.UpsertTypedSearchAttributes(ctx, stageKey.ValueSet(stage))
}

// TestEmbedded keeps workflows and timers across a SIGKILL of the server
// and a graceful stop, then checks updates, search attributes, metrics and
// errors on the restarted server.
func TestEmbedded(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	reg := prometheus.NewRegistry()
	metrics := NewMetricsHandler(reg)

	// Workflows waiting on a signal and on a timer when the server is killed.
	addr, killChild := startChildServer(t, dir)
	key, err := ReadAPIKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := connect(t, addr, key, metrics)
	crashSignal := start(t, s.c, waitForSignal)
	crashTimer := start(t, s.c, sleepThreeSeconds)
	waitForEvent(t, s.c, crashSignal, enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
	waitForEvent(t, s.c, crashTimer, enums.EVENT_TYPE_TIMER_STARTED)
	s.stop()
	killChild()

	// The same files and port, in this process; more waiting workflows, and
	// a graceful stop.
	_, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	cfg := EmbeddedConfig{DataDir: dir, Port: port, SearchAttributes: searchAttributes, Logger: testLogger()}
	e := mustStart(t, cfg)
	if e.APIKey() != key {
		t.Errorf("the key changed over a restart: %q, then %q", key, e.APIKey())
	}
	s = connect(t, e.Address(), e.APIKey(), metrics)
	stopSignal := start(t, s.c, waitForSignal)
	stopTimer := start(t, s.c, sleepThreeSeconds)
	waitForEvent(t, s.c, stopSignal, enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
	waitForEvent(t, s.c, stopTimer, enums.EVENT_TYPE_TIMER_STARTED)
	s.w.Stop()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if err := Healthy(ctx, s.c); err == nil {
		t.Error("Healthy reports a stopped server as healthy")
	}
	s.stop()

	// Restart with a search attribute and a retention that the namespace
	// does not have yet.
	cfg.SearchAttributes = maps.Clone(searchAttributes)
	cfg.SearchAttributes["JunhengReviewer"] = enums.INDEXED_VALUE_TYPE_KEYWORD
	cfg.Retention = 7 * 24 * time.Hour
	e = mustStart(t, cfg)
	s = connect(t, e.Address(), e.APIKey(), metrics)
	if err := Healthy(ctx, s.c); err != nil {
		t.Fatalf("Healthy: %v", err)
	}
	for _, run := range []client.WorkflowRun{crashSignal, stopSignal} {
		if err := s.c.SignalWorkflow(ctx, run.GetID(), "", "proceed", "test"); err != nil {
			t.Fatal(err)
		}
	}
	for run, want := range map[client.WorkflowRun]string{
		crashSignal: "proceeded by test",
		crashTimer:  "woke",
		stopSignal:  "proceeded by test",
		stopTimer:   "woke",
	} {
		if got := result[string](t, s.c, run); got != want {
			t.Errorf("workflow %s returned %q, want %q", run.GetID(), got, want)
		}
	}

	t.Run("namespace", func(t *testing.T) {
		ns, err := s.c.WorkflowService().DescribeNamespace(ctx,
			&workflowservice.DescribeNamespaceRequest{Namespace: "default"})
		if err != nil {
			t.Fatal(err)
		}
		if got := ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != cfg.Retention {
			t.Errorf("retention %v, want %v", got, cfg.Retention)
		}
		sas, err := s.c.OperatorService().ListSearchAttributes(ctx,
			&operatorservice.ListSearchAttributesRequest{Namespace: "default"})
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range cfg.SearchAttributes {
			if got := sas.GetCustomAttributes()[name]; got != want {
				t.Errorf("search attribute %s is %v, want %v", name, got, want)
			}
		}
	})

	t.Run("update", func(t *testing.T) {
		run := start(t, s.c, counter)
		add := func(n int) (int, error) {
			h, err := s.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
				WorkflowID:   run.GetID(),
				UpdateName:   "add",
				Args:         []any{n},
				WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			if err != nil {
				return 0, err
			}
			var total int
			err = h.Get(ctx, &total)
			return total, err
		}
		if _, err := add(-1); err == nil || !strings.Contains(err.Error(), "amount -1 must be positive") {
			t.Errorf("add(-1) = %v, want the validator's rejection", err)
		}
		if got, err := add(5); err != nil || got != 5 {
			t.Errorf("add(5) = %d, %v; want 5", got, err)
		}
		if got, err := add(2); err != nil || got != 7 {
			t.Errorf("add(2) = %d, %v; want 7", got, err)
		}
		if err := s.c.SignalWorkflow(ctx, run.GetID(), "", "done", nil); err != nil {
			t.Fatal(err)
		}
		if got := result[int](t, s.c, run); got != 7 {
			t.Errorf("counter returned %d, want 7", got)
		}
	})

	t.Run("search attributes", func(t *testing.T) {
		run, err := s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                    "stage-" + t.Name(),
			TaskQueue:             taskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(yearKey.ValueSet(2025)),
		}, advanceStage, "review")
		if err != nil {
			t.Fatal(err)
		}
		if err := run.Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
		query := fmt.Sprintf("WorkflowId = '%s' AND JunhengYear = 2025 AND JunhengStage = 'review'", run.GetID())
		// Visibility is written asynchronously after the workflow closes.
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(10 * time.Second)
		for {
			resp, err := s.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.GetExecutions()) == 1 {
				return
			}
			select {
			case <-tick.C:
			case <-deadline:
				t.Fatalf("no workflow matches %q", query)
			}
		}
	})

	t.Run("metrics", func(t *testing.T) {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, f := range families {
			found[f.GetName()] = true
		}
		for _, name := range []string{"temporal_workflow_completed",
			"temporal_workflow_task_execution_latency_seconds"} {
			if !found[name] {
				t.Errorf("SDK metric %s was not recorded", name)
			}
		}
	})

	t.Run("port in use", func(t *testing.T) {
		other := t.TempDir()
		_, err := StartEmbedded(ctx, EmbeddedConfig{DataDir: other, Port: port})
		want := fmt.Sprintf("embedded Temporal: port %d is in use", port)
		if err == nil || err.Error() != want {
			t.Errorf("error %v, want %q", err, want)
		}
		if _, err := os.Stat(filepath.Join(other, dbFileName)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a database was created although the port is taken: %v", err)
		}
	})

	t.Run("not a database", func(t *testing.T) {
		other := t.TempDir()
		path := filepath.Join(other, dbFileName)
		if err := os.WriteFile(path, []byte("not SQLite"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := StartEmbedded(ctx, EmbeddedConfig{DataDir: other})
		if want := "embedded Temporal: open " + path + ": "; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("error %v, want it to start with %q", err, want)
		}
	})

	t.Run("dial errors", func(t *testing.T) {
		_, err := Dial(ctx, DialOptions{HostPort: e.Address(), Namespace: "missing", APIKey: e.APIKey()})
		if want := fmt.Sprintf("Temporal at %s: namespace %q: ", e.Address(), "missing"); err == nil ||
			!strings.HasPrefix(err.Error(), want) {
			t.Errorf("error %v, want it to start with %q", err, want)
		}

		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := l.Addr().String()
		_ = l.Close()
		shortCtx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err = Dial(shortCtx, DialOptions{HostPort: closed})
		if want := fmt.Sprintf("Temporal at %s unreachable: ", closed); err == nil ||
			!strings.HasPrefix(err.Error(), want) {
			t.Errorf("error %v, want it to start with %q", err, want)
		}
	})
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func mustStart(t *testing.T, cfg EmbeddedConfig) *Embedded {
	t.Helper()
	e, err := StartEmbedded(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Stop(); err != nil {
			t.Error(err)
		}
	})
	return e
}

// startChildServer runs a server on dir in a child process and returns its
// address and a func that kills it with SIGKILL.
func startChildServer(t *testing.T, dir string) (addr string, kill func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDataDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill = sync.OnceFunc(func() {
		if err := cmd.Process.Kill(); err != nil {
			t.Error(err)
		}
		_ = cmd.Wait()
	})
	t.Cleanup(kill)
	addr, err = bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("child server did not start: %v", err)
	}
	return strings.TrimSpace(addr), kill
}

// session is a client and a worker running the test workflows.
type session struct {
	c    client.Client
	w    worker.Worker
	once sync.Once
}

func connect(t *testing.T, addr, apiKey string, metrics client.MetricsHandler) *session {
	t.Helper()
	c, err := Dial(t.Context(), DialOptions{HostPort: addr, APIKey: apiKey, Logger: testLogger(),
		MetricsHandler: metrics})
	if err != nil {
		t.Fatal(err)
	}
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(waitForSignal)
	w.RegisterWorkflow(sleepThreeSeconds)
	w.RegisterWorkflow(counter)
	w.RegisterWorkflow(advanceStage)
	if err := w.Start(); err != nil {
		c.Close()
		t.Fatal(err)
	}
	s := &session{c: c, w: w}
	t.Cleanup(s.stop)
	return s
}

func (s *session) stop() {
	s.once.Do(func() {
		s.w.Stop()
		s.c.Close()
	})
}

func start(t *testing.T, c client.Client, wf any, args ...any) client.WorkflowRun {
	t.Helper()
	id := fmt.Sprintf("%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano())
	run, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, wf, args...)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// waitForEvent long-polls the history of run until an event of type typ.
func waitForEvent(t *testing.T, c client.Client, run client.WorkflowRun, typ enums.EventType) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	events := c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), true, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for events.HasNext() {
		event, err := events.Next()
		if err != nil {
			t.Fatalf("workflow %s: waiting for %v: %v", run.GetID(), typ, err)
		}
		if event.GetEventType() == typ {
			return
		}
	}
	t.Fatalf("workflow %s closed without %v", run.GetID(), typ)
}

// result waits for run through c, which may be a later client than the one
// that started it.
func result[T any](t *testing.T, c client.Client, run client.WorkflowRun) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	var v T
	if err := c.GetWorkflow(ctx, run.GetID(), run.GetRunID()).Get(ctx, &v); err != nil {
		t.Fatalf("workflow %s: %v", run.GetID(), err)
	}
	return v
}

// TestOverrides sets a dynamic config limit within reach and sees the server enforce it: with at most three
// Updates per workflow run, the fourth is refused by the server itself with FailedPrecondition.
func TestOverrides(t *testing.T) {
	e := mustStart(t, EmbeddedConfig{DataDir: t.TempDir(), SearchAttributes: searchAttributes, Logger: testLogger(),
		Overrides: map[string]any{"history.maxTotalUpdates": 3}})
	s := connect(t, e.Address(), e.APIKey(), nil)
	run := start(t, s.c, counter)
	add := func(n int) error {
		h, err := s.c.UpdateWorkflow(t.Context(), client.UpdateWorkflowOptions{WorkflowID: run.GetID(),
			UpdateName: "add", Args: []any{n}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return fmt.Errorf("UpdateWorkflow: %w", err)
		}
		return h.Get(t.Context(), nil)
	}
	for i := range 3 {
		if err := add(1); err != nil {
			t.Fatalf("update %d: %v", i+1, err)
		}
	}
	err := add(1)
	var fp *serviceerror.FailedPrecondition
	if !errors.As(err, &fp) || !strings.Contains(fp.Error(), "limit on the total number of distinct updates") {
		t.Fatalf("fourth update: %T %v; want a FailedPrecondition on the total number of updates", err, err)
	}
	t.Logf("fourth update: %T: %v", errors.Unwrap(err), err)

	for name, v := range map[string]any{"history.maxTotalUpdate": 3, "history.maxTotalUpdates": "many"} {
		_, err := StartEmbedded(t.Context(), EmbeddedConfig{DataDir: t.TempDir(), Overrides: map[string]any{name: v}})
		want := fmt.Sprintf("embedded Temporal: dynamic config %q: ", name)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("override %s=%v: error %v, want it to start with %q", name, v, err, want)
		}
	}
}
