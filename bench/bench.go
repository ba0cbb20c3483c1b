// Package bench drives simulated districts through a whole compressed year over the HTTP API and measures the
// engine against what Temporal itself does on the same machine (the ceiling).
package bench

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
)

//go:embed district.json
var sampleDistrict []byte

// Options of a run.
type Options struct {
	Server      string // base URL of a running junheng
	AdminToken  string // an admin token of that server
	Districts   int
	Findings    int // per district
	Concurrency int // districts driven at once (and the ceiling's concurrency)
	Year        int
	// OverdueAfter is how far ahead an overdue finding's due date is planned: long enough for its plan to arrive
	// before it under the run's load.
	OverdueAfter time.Duration
	// StopAfter, when set, ends the run early: after this long no district is started, those under way finish,
	// and the report counts what finished. A year of the national size takes over an hour on 2 cores.
	StopAfter time.Duration
	// Stop, when closed, ends the run early the same way (the command closes it on an interrupt).
	Stop <-chan struct{}
	// Temporal, when set, is used to measure the ceiling on the same cluster.
	Temporal client.Client
	Log      *slog.Logger
}

// Report is the outcome; its JSON is the bench's last output line.
type Report struct {
	Districts            int                `json:"districts"`
	FindingsPerDistrict  int                `json:"findings_per_district"`
	Concurrency          int                `json:"concurrency"`
	Started              int                `json:"started"` // fewer than Districts when stopped early
	Completed            int                `json:"completed"`
	Escalated            int                `json:"escalated"`
	Errors               int                `json:"errors"`
	WallS                float64            `json:"wall_s"`
	DistrictsPerS        float64            `json:"districts_per_s"`
	ItemsPerS            float64            `json:"items_per_s"`
	WorkflowsPerS        float64            `json:"workflows_per_s"`
	UpdatesPerS          float64            `json:"updates_per_s"`
	CeilingWorkflowsPerS float64            `json:"ceiling_workflows_per_s"`
	Ratio                float64            `json:"ratio"`
	P99MsActions         float64            `json:"p99_ms_actions"`
	P99MsLists           float64            `json:"p99_ms_lists"`
	Routes               map[string]Latency `json:"routes"`
	FirstError           string             `json:"first_error,omitempty"`
}

// listRoutes are the city-wide reads, measured apart from the actions.
var listRoutes = map[string]bool{"list_cycles": true, "bulletin": true, "ledger": true}

// Run drives opts.Districts districts through the year: self-assessment, review with opts.Findings findings,
// each finding planned, progressed, closed and verified, application, acceptance and the province's result. One
// district in ten (the first tenth, handed out first) lets a finding fall overdue and closes it once escalated.
func Run(ctx context.Context, opts Options) (Report, error) {
	lat := newLatencies()
	hc := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * opts.Concurrency}}
	admin := apiClient{base: strings.TrimSuffix(opts.Server, "/"), token: opts.AdminToken, http: hc, lat: lat}
	r := &runner{opts: opts, admin: admin, lat: lat}
	if err := r.setup(ctx); err != nil {
		return Report{}, err
	}

	start := time.Now()
	listCtx, stopLists := context.WithCancel(ctx)
	var lists sync.WaitGroup
	lists.Add(1)
	go func() { defer lists.Done(); r.readLists(listCtx) }()
	work := make(chan int)
	var wg sync.WaitGroup
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r.district(ctx, i)
			}
		}()
	}
	started := r.handOut(work)
	close(work)
	wg.Wait()
	r.overdue.Wait()
	wall := time.Since(start)
	stopLists()
	lists.Wait()

	rep := Report{Districts: opts.Districts, FindingsPerDistrict: opts.Findings, Concurrency: opts.Concurrency,
		Started: started, Completed: int(r.completed.Load()), Escalated: int(r.escalated.Load()),
		Errors: int(r.errors.Load()), WallS: wall.Seconds(), Routes: lat.report(), FirstError: r.firstError()}
	rep.DistrictsPerS = float64(rep.Completed) / rep.WallS
	rep.ItemsPerS = float64(r.items.Load()) / rep.WallS
	rep.WorkflowsPerS = float64(int64(rep.Completed)+r.items.Load()) / rep.WallS
	rep.UpdatesPerS = float64(r.updates.Load()) / rep.WallS
	rep.P99MsActions = lat.p99(
		func(route string) bool { return !listRoutes[route] && !strings.HasPrefix(route, "get_") })
	rep.P99MsLists = lat.p99(func(route string) bool { return listRoutes[route] })
	if opts.Temporal != nil {
		ceiling, err := Ceiling(ctx, opts.Temporal, opts.Concurrency, min(wall, 20*time.Second))
		if err != nil {
			return rep, fmt.Errorf("ceiling: %w", err)
		}
		rep.CeilingWorkflowsPerS = ceiling
		// Each ceiling workflow is one Update running one activity: compare it with our Updates per second, each
		// of which is a human decision running at least one activity and a read-model write.
		rep.Ratio = rep.UpdatesPerS / ceiling
	}
	return rep, nil
}

// handOut sends the districts to the drivers until all are sent or the run is stopped early, and returns how
// many it sent.
func (r *runner) handOut(work chan<- int) int {
	var timeUp <-chan time.Time
	if r.opts.StopAfter > 0 {
		t := time.NewTimer(r.opts.StopAfter)
		defer t.Stop()
		timeUp = t.C
	}
	for i := range r.opts.Districts {
		select {
		case work <- i:
		case <-timeUp:
			return i
		case <-r.opts.Stop:
			return i
		}
	}
	return r.opts.Districts
}

type runner struct {
	opts                                         Options
	admin                                        apiClient
	lat                                          *latencies
	office, province                             apiClient
	clerks                                       []apiClient
	completed, escalated, errors, items, updates atomic.Int64
	overdue                                      sync.WaitGroup // the rests of years waiting for an escalation
	errMu                                        sync.Mutex
	firstErr                                     string
}

func code(i int) string { return fmt.Sprintf("%d", 200000+i) }

// setup registers the districts, issues their tokens and opens the year with deadlines an hour apart: the run
// finishes well inside them, except for the items it lets fall overdue on purpose.
func (r *runner) setup(ctx context.Context) error {
	issue := func(role, district string) (apiClient, error) {
		var t struct{ Token string }
		err := r.admin.call(ctx, "create_token", "POST", "/api/v1/tokens",
			map[string]string{"role": role, "district": district, "name": "bench " + role + district}, &t)
		c := r.admin
		c.token = t.Token
		return c, err
	}
	var err error
	if r.office, err = issue("office", ""); err != nil {
		return err
	}
	if r.province, err = issue("province", ""); err != nil {
		return err
	}
	r.clerks = make([]apiClient, r.opts.Districts)
	for i := range r.opts.Districts {
		err := r.admin.call(ctx, "create_district", "POST", "/api/v1/districts",
			map[string]string{"code": code(i), "name": "测试区" + code(i)}, nil)
		if err != nil && !strings.Contains(err.Error(), " 409 ") {
			return err
		}
		if r.clerks[i], err = issue("district", code(i)); err != nil {
			return err
		}
	}
	now := time.Now()
	open := map[string]any{"year": r.opts.Year, "deadlines": map[string]string{
		"self_assessment": now.Add(time.Hour).Format(time.RFC3339),
		"city_review":     now.Add(2 * time.Hour).Format(time.RFC3339),
		"application":     now.Add(3 * time.Hour).Format(time.RFC3339)}}
	// Opening thousands of years may take longer than one request's action timeout: the API answers 503 with what
	// it started kept, and the office sends it again, as the answer says.
	for range 10 {
		err = r.office.call(ctx, "open_cycles", "POST", "/api/v1/cycles", open, nil)
		var answer *statusError
		if !errors.As(err, &answer) || answer.code != http.StatusServiceUnavailable {
			return err
		}
	}
	return err
}

// district drives one district through its year; a failure is counted and the district abandoned. The rest of
// a year that waits for an escalation goes on apart from the drivers: a minute's wait for a due date is no load,
// and a driver held by it would leave fewer districts acting at once than the run's concurrency.
func (r *runner) district(ctx context.Context, i int) {
	rest, err := r.year(ctx, i)
	if err != nil || rest == nil {
		r.settle(err)
		return
	}
	r.overdue.Add(1)
	go func() {
		defer r.overdue.Done()
		r.settle(rest())
	}()
}

// settle counts a district's year as completed, or as failed with err.
func (r *runner) settle(err error) {
	if err != nil {
		r.errors.Add(1)
		r.errMu.Lock()
		if r.firstErr == "" {
			r.firstErr = err.Error()
		}
		r.errMu.Unlock()
		return
	}
	r.completed.Add(1)
}

func (r *runner) firstError() string {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return r.firstErr
}

// year drives district i through its year. A district of the first tenth lets its first finding fall overdue:
// its year returns, as rest, what waits for that finding's escalation.
func (r *runner) year(ctx context.Context, i int) (rest func() error, _ error) {
	clerk, office := r.clerks[i], r.office
	cycle := fmt.Sprintf("/api/v1/cycles/%d/districts/%s", r.opts.Year, code(i))
	act := func(c apiClient, route, path string, body, out any) error {
		err := c.call(ctx, route, "POST", path, body, out)
		if err == nil {
			r.updates.Add(1)
		}
		return err
	}
	data, err := r.sample(i)
	if err != nil {
		return nil, err
	}
	if err := r.waitOpen(ctx, clerk, cycle); err != nil {
		return nil, err
	}
	if err := clerk.call(ctx, "save_draft", "PUT", cycle+"/self-assessment", data, nil); err != nil {
		return nil, err
	}
	r.updates.Add(1)
	if err := act(clerk, "submit", cycle+"/self-assessment/submit", nil, nil); err != nil {
		return nil, err
	}
	findings := make([]map[string]string, r.opts.Findings)
	for k := range findings {
		findings[k] = map[string]string{"title": fmt.Sprintf("问题%d", k+1), "source": "on_site", "severity": "normal"}
	}
	var st struct{ Findings []string }
	if err := act(office, "review", cycle+"/review", map[string]any{"decision": "approve", "shortfalls": []string{},
		"findings": findings}, &st); err != nil {
		return nil, err
	}
	overdue := ""
	for k, id := range st.Findings {
		path := "/api/v1/findings/" + url.PathEscape(id)
		// The first plan is sent the moment the review answers, before the item's workflow may have started: it
		// is reported apart.
		plan := "plan"
		if k == 0 {
			plan = "plan_at_review"
		}
		lateOne := k == 0 && i*10 < r.opts.Districts
		due := time.Now().AddDate(0, 2, 0)
		if lateOne {
			due = time.Now().Add(r.opts.OverdueAfter)
		}
		if err := r.openItem(clerk, path, plan, due, act); err != nil {
			return nil, err
		}
		if lateOne {
			overdue = path // closed in rest, once escalated
			continue
		}
		if err := r.closeItem(clerk, path, act); err != nil {
			return nil, err
		}
	}
	rest = func() error {
		if overdue != "" {
			if err := r.waitEscalated(ctx, clerk, overdue); err != nil {
				return err
			}
			if err := r.closeItem(clerk, overdue, act); err != nil {
				return err
			}
		}
		return r.apply(clerk, cycle, act)
	}
	if overdue != "" {
		return rest, nil
	}
	return nil, rest()
}

// apply takes the district's cycle from its application to the province's result.
func (r *runner) apply(clerk apiClient, cycle string, act actFunc) error {
	for _, step := range []struct {
		c           apiClient
		route, path string
		body        any
	}{
		{clerk, "apply", cycle + "/application", nil},
		{r.office, "acceptance", cycle + "/acceptance", map[string]any{"passed": true, "comment": "验收通过"}},
		{r.province, "province_result", cycle + "/province-result", map[string]any{"passed": true, "comment": "通过"}},
	} {
		if err := act(step.c, step.route, step.path, step.body, nil); err != nil {
			return err
		}
	}
	return nil
}

// actFunc sends one action and counts it.
type actFunc func(c apiClient, route, path string, body, out any) error

// openItem plans the finding at path, due by due, and reports progress on it.
func (r *runner) openItem(clerk apiClient, path, planRoute string, due time.Time, act actFunc) error {
	if err := act(clerk, planRoute, path+"/plan", map[string]string{"measures": "整改", "responsible_unit": "区教育局",
		"responsible_person": "张三", "due_date": due.Format(time.RFC3339)}, nil); err != nil {
		return err
	}
	return act(clerk, "progress", path+"/progress", map[string]string{"note": "进展顺利"}, nil)
}

// closeItem asks to close the finding at path and has the office verify it.
func (r *runner) closeItem(clerk apiClient, path string, act actFunc) error {
	if err := act(clerk, "request_close", path+"/request-close", map[string]string{"note": "已完成"}, nil); err != nil {
		return err
	}
	if err := act(r.office, "verify", path+"/verify", map[string]any{"accepted": true}, nil); err != nil {
		return err
	}
	r.items.Add(1)
	return nil
}

func (r *runner) waitEscalated(ctx context.Context, clerk apiClient, path string) error {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		var f struct{ Escalated bool }
		if err := clerk.call(ctx, "get_finding", "GET", path, nil, &f); err != nil {
			return err
		}
		if f.Escalated {
			r.escalated.Add(1)
			return nil
		}
		time.Sleep(time.Second) // a poll of the read model, like a clerk's page refresh
	}
	return errors.New("an overdue finding was not escalated within five minutes")
}

// waitOpen waits until the district's cycle shows in the read model (the workflow records itself on start).
func (r *runner) waitOpen(ctx context.Context, clerk apiClient, cycle string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := clerk.call(ctx, "get_cycle", "GET", cycle, nil, nil)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readLists reads the city-wide overview, bulletin and ledger once a second while the run goes on, as the office's
// dashboard would.
func (r *runner) readLists(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		for route, path := range map[string]string{
			"list_cycles": fmt.Sprintf("/api/v1/cycles/%d", r.opts.Year),
			"bulletin":    fmt.Sprintf("/api/v1/cycles/%d/bulletin", r.opts.Year),
			"ledger":      fmt.Sprintf("/api/v1/findings?year=%d&overdue=true", r.opts.Year),
		} {
			if err := r.office.call(ctx, route, "GET", path, nil, nil); err != nil && ctx.Err() == nil {
				r.opts.Log.Warn("list failed", "route", route, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sample is the sample district's data under district i's code and the run's year.
func (r *runner) sample(i int) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(sampleDistrict, &m); err != nil {
		return nil, err
	}
	m["district"] = map[string]any{"code": code(i), "name": "测试区" + code(i)}
	m["year"] = r.opts.Year
	m["basic_balance_certified_year"] = r.opts.Year - 5
	return json.Marshal(m)
}
