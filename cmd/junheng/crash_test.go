package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"junheng/vocab"
	"junheng/workflows"
)

// TestMain lets a test start this binary as `junheng` itself: the crash test runs the real `serve` in a child
// process it can kill -9.
func TestMain(m *testing.M) {
	if args := os.Getenv("JUNHENG_TEST_RUN_MAIN"); args != "" {
		os.Args = append([]string{"junheng"}, strings.Fields(args)...)
		main()
		return
	}
	os.Exit(m.Run())
}

// child is `junheng serve` in a child process on fixed files and a fixed HTTP port.
type child struct {
	t    *testing.T
	dir  string
	addr string
	mu   sync.Mutex
	cmd  *exec.Cmd
	log  *os.File
	env  []string // settings that override the defaults start sets
}

func (c *child) start() {
	c.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "JUNHENG_TEST_RUN_MAIN=serve", "JUNHENG_DATA_DIR="+c.dir,
		"JUNHENG_HTTP_ADDR="+c.addr, "JUNHENG_TEMPORAL_PORT=0", "JUNHENG_RATE_LIMIT=0", "JUNHENG_DATABASE_URL=",
		"TEMPORAL_ADDRESS=", "JUNHENG_METRICS_ADDR=")
	cmd.Env = append(cmd.Env, c.env...)
	cmd.Stdout, cmd.Stderr = c.log, c.log
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.cmd = cmd
	c.mu.Unlock()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get("http://" + c.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("serve did not become ready; see %s", c.log.Name())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *child) kill() { c.signal(syscall.SIGKILL) }

// signal sends sig to serve and waits for it to exit.
func (c *child) signal(sig syscall.Signal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.cmd.Process.Signal(sig)
	_ = c.cmd.Wait()
}

// retrying sends each request with its own Idempotency-Key and repeats it, with the same key, through crashes
// and restarts until it is answered: what a careful client does.
type retrying struct {
	t     *testing.T
	base  string
	token string
	chaos func() // called as each action is first sent: it may kill the server while the action is in flight
	n     int
	mu    sync.Mutex
}

func (r *retrying) key() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	return fmt.Sprintf("%p-%d", r, r.n)
}

func (r *retrying) do(method, path string, body, out any) {
	r.t.Helper()
	if status, answer := r.send(method, path, body, out); status >= 300 {
		r.t.Errorf("%s %s: %d %s", method, path, status, answer)
	}
}

// send answers the final status and body.
func (r *retrying) send(method, path string, body, out any) (int, []byte) {
	key := r.key()
	var data []byte
	if body != nil {
		data, _ = json.Marshal(body)
	}
	if method != "GET" && r.chaos != nil {
		r.chaos()
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, _ := http.NewRequest(method, r.base+path, bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+r.token)
		req.Header.Set("Content-Type", "application/json")
		if method != "GET" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode < 300:
				if out != nil {
					if err := json.Unmarshal(answer, out); err != nil {
						r.t.Errorf("%s %s: %v", method, path, err)
					}
				}
				return resp.StatusCode, answer
			case resp.StatusCode != 503 && resp.StatusCode != 409 ||
				!bytes.Contains(answer, []byte("unavailable")) && !bytes.Contains(answer, []byte("in_progress")):
				return resp.StatusCode, answer
			}
		}
		if time.Now().After(deadline) {
			return 0, []byte(fmt.Sprintf("never answered: %v", err))
		}
		time.Sleep(100 * time.Millisecond) // the server is restarting
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestKill9DuringTheYear runs `junheng serve` in a child process, drives four districts through a year while
// killing it with SIGKILL at random moments and restarting it on the same files, and checks that every request
// took effect exactly once, that the deadline timers still fired, and that every district ended where it should.
func TestKill9DuringTheYear(t *testing.T) {
	dir := t.TempDir()
	admin, err := runCLI(t, dir, "token", "create", "--role", "admin", "--name", "admin")
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	srv := &child{t: t, dir: dir, addr: freeAddr(t), log: logf}
	srv.start()
	defer srv.kill()
	base := "http://" + srv.addr
	as := func(token string) *retrying { return &retrying{t: t, base: base, token: token} }
	root := as(lastLine(admin))
	codes := []string{"370211", "370202", "370203", "370212"} // certified, certified, not applied, never submits
	tokens := map[string]*retrying{}
	for _, spec := range []struct{ role, district string }{{"office", ""}, {"province", ""}} {
		var tok struct{ Token string }
		root.do("POST", "/api/v1/tokens", map[string]string{"role": spec.role, "name": spec.role}, &tok)
		tokens[spec.role] = as(tok.Token)
	}
	for _, c := range codes {
		root.do("POST", "/api/v1/districts", map[string]string{"code": c, "name": "区" + c}, nil)
		var tok struct{ Token string }
		root.do("POST", "/api/v1/tokens", map[string]string{"role": "district", "district": c,
			"name": "clerk" + c}, &tok)
		tokens[c] = as(tok.Token)
	}
	now := time.Now()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	tokens["office"].do("POST", "/api/v1/cycles", map[string]any{"year": 2025, "deadlines": map[string]string{
		"self_assessment": at(25 * time.Second), "city_review": at(26 * time.Second),
		"application": at(50 * time.Second)}}, nil)

	// The killer: now and then, as an action is sent, SIGKILL the server 0–80 ms later (before, during or after the
	// action takes effect, before or after its answer) and restart it on the same files.
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("kill schedule seed %d", seed)
	var chaosMu sync.Mutex
	var kills sync.WaitGroup
	killing := false
	killsLeft := 5
	chaos := func() {
		chaosMu.Lock()
		defer chaosMu.Unlock()
		if killing || killsLeft == 0 || rng.IntN(8) != 0 {
			return
		}
		killing, killsLeft = true, killsLeft-1
		delay := time.Duration(rng.IntN(80)) * time.Millisecond
		kills.Add(1)
		go func() {
			defer kills.Done()
			time.Sleep(delay)
			srv.kill()
			srv.start()
			chaosMu.Lock()
			killing = false
			chaosMu.Unlock()
		}()
	}
	for _, c := range append(codes, "office", "province") {
		tokens[c].chaos = chaos
	}
	var wg sync.WaitGroup
	for i, c := range codes[:3] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			driveDistrict(t, c, tokens[c], tokens["office"], tokens["province"], i < 2)
		}()
	}
	wg.Wait()
	kills.Wait()
	t.Logf("%d kills", 5-killsLeft)
	if killsLeft == 5 {
		t.Fatal("the server was never killed")
	}

	office := tokens["office"]
	detail := func(code string) (d struct {
		State    workflows.CycleState
		Findings []struct {
			ID    string
			State workflows.ItemState
		}
		History []struct{ Outcome string }
	}) {
		office.do("GET", "/api/v1/cycles/2025/districts/"+code, nil, &d)
		return d
	}
	waitUntil(t, func() bool { return detail(codes[2]).State.Stage == vocab.StageNotApplied },
		"district 3 not applied")
	waitUntil(t, func() bool { return detail(codes[3]).State.SelfAssessmentOverdue }, "district 4 overdue")
	for _, c := range codes[:2] {
		d := detail(c)
		if d.State.Stage != vocab.StageCertified || d.State.Version != 2 ||
			changes(d.History) != d.State.EventsCount {
			t.Errorf("district %s: stage %s, version %d (want 2: one per submit), %d audit entries for %d events",
				c, d.State.Stage, d.State.Version, changes(d.History), d.State.EventsCount)
		}
		for _, f := range d.Findings {
			var item struct {
				workflows.ItemState `json:"state"`
				History             []struct{ Outcome string }
			}
			office.do("GET", "/api/v1/findings/"+url.PathEscape(f.ID), nil, &item)
			if item.Status != vocab.ItemClosed || item.ProgressReports != 1 ||
				changes(item.History) != item.EventsCount {
				t.Errorf("finding %s: %s, %d progress reports (want 1), %d audit entries for %d events",
					f.ID, item.Status, item.ProgressReports, changes(item.History), item.EventsCount)
			}
		}
	}
	if t.Failed() {
		kept := filepath.Join(os.TempDir(), fmt.Sprintf("junheng-crash-%d.log", seed))
		if data, err := os.ReadFile(logf.Name()); err == nil && os.WriteFile(kept, data, 0o644) == nil {
			t.Logf("serve's log kept in %s", kept)
		}
	}
}

// changes counts the audit entries of accepted changes (refused attempts are recorded too).
func changes(history []struct{ Outcome string }) int {
	n := 0
	for _, h := range history {
		if h.Outcome == "ok" {
			n++
		}
	}
	return n
}

// driveDistrict takes one district through the year; certify decides whether it goes on to apply.
func driveDistrict(t *testing.T, code string, clerk, office, province *retrying, certify bool) {
	cycle := "/api/v1/cycles/2025/districts/" + code
	raw, err := os.ReadFile("../../evaluation/testdata/district.json")
	if err != nil {
		t.Error(err)
		return
	}
	var data map[string]any
	json.Unmarshal(raw, &data)
	data["district"] = map[string]string{"code": code, "name": "区" + code}
	failing := map[string]any{}
	for k, v := range data {
		if k != "recognition_rate" {
			failing[k] = v
		}
	}
	waitUntil(t, func() bool {
		var st struct{ State workflows.CycleState }
		clerk.do("GET", cycle, nil, &st)
		return st.State.Stage == vocab.StageSelfAssessment
	}, "cycle open for "+code)
	clerk.do("PUT", cycle+"/self-assessment", failing, nil)
	clerk.do("POST", cycle+"/self-assessment/submit", nil, nil)
	var st workflows.CycleState
	office.do("POST", cycle+"/review", map[string]any{"decision": "approve", "shortfalls": []string{},
		"findings": []map[string]string{
			{"title": "功能室不足", "source": "on_site", "severity": "normal"},
			{"title": "大班额", "source": "data_monitoring", "severity": "serious"}}}, &st)
	for _, id := range st.Findings {
		path := "/api/v1/findings/" + url.PathEscape(id)
		clerk.do("POST", path+"/plan", map[string]string{"measures": "整改", "responsible_unit": "区教育局",
			"responsible_person": "张三", "due_date": time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}, nil)
		clerk.do("POST", path+"/progress", map[string]string{"note": "进展"}, nil)
		clerk.do("POST", path+"/request-close", map[string]string{"note": "完成"}, nil)
		office.do("POST", path+"/verify", map[string]any{"accepted": true}, nil)
	}
	if !certify {
		return
	}
	clerk.do("PUT", cycle+"/self-assessment", data, nil)
	clerk.do("POST", cycle+"/self-assessment/submit", nil, nil)
	clerk.do("POST", cycle+"/application", nil, nil)
	office.do("POST", cycle+"/acceptance", map[string]any{"passed": true, "comment": "通过"}, nil)
	province.do("POST", cycle+"/province-result", map[string]any{"passed": true, "comment": "通过"}, nil)
}

func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
