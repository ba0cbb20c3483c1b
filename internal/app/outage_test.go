package app

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// privatePostgres runs a PostgreSQL server of its own for one test, so that stopping it disturbs no other test.
// It runs as the postgres user when the test runs as root (initdb refuses root).
type privatePostgres struct {
	t         *testing.T
	bin, data string
	port      int
}

func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("no PostgreSQL server binaries: CI must run the outage test")
		}
		t.Skip("no PostgreSQL server binaries (Debian's postgresql package)")
	}
	dir, err := os.MkdirTemp("", "junheng-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	pg := &privatePostgres{t: t, bin: filepath.Dir(bins[len(bins)-1]), data: filepath.Join(dir, "data"),
		port: freePort(t)}
	if os.Geteuid() == 0 {
		if err := exec.Command("chown", "postgres", dir).Run(); err != nil {
			t.Fatal(err)
		}
	}
	pg.run("initdb", "-D", pg.data, "-A", "trust", "-U", "postgres", "--no-sync")
	pg.start()
	t.Cleanup(func() { pg.run("pg_ctl", "-D", pg.data, "-m", "immediate", "stop") })
	return pg
}

func (pg *privatePostgres) run(name string, args ...string) {
	pg.t.Helper()
	cmd := exec.Command(filepath.Join(pg.bin, name), args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(pg.bin, name)}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		pg.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func (pg *privatePostgres) start() {
	pg.run("pg_ctl", "-D", pg.data, "-w", "-l", filepath.Join(filepath.Dir(pg.data), "log"),
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port,
			filepath.Dir(pg.data)), "start")
}

func (pg *privatePostgres) stop() { pg.run("pg_ctl", "-D", pg.data, "-m", "fast", "-w", "stop") }

func (pg *privatePostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// TestDatabaseOutage stops PostgreSQL for 30 s while a district's deadline falls due: requests answer 503 with a
// clear message and change nothing, the workflow's writes wait and retry, and once the database is back the
// deadline's effect is recorded and the district carries on.
func TestDatabaseOutage(t *testing.T) {
	pg := startPrivatePostgres(t)
	p := start(t, testConfig(t, t.TempDir(), pg.url()))
	defer p.Close()
	base := "http://" + p.Addr.String()
	_, clerk := openOneDistrict(t, p, 8*time.Second)
	cycle := "/api/v1/cycles/2025/districts/" + codeA
	clerk.ok("PUT", cycle+"/self-assessment", sampleJSON(t, codeA, noEdit), nil)

	pg.stop()
	down := time.Now()
	for _, r := range []reply{clerk.do("GET", cycle, nil),
		clerk.do("POST", cycle+"/self-assessment/submit", nil, "Idempotency-Key", "submit-1")} {
		if r.status != 503 || !bytes.Contains(r.body, []byte("database")) {
			t.Errorf("during the outage: %d %s, want 503 naming the database", r.status, r.body)
		}
	}
	ready := httpClient{t: t, base: base}.do("GET", "/readyz", nil)
	if ready.status != 503 || !bytes.Contains(ready.body, []byte(`"database":"unavailable"`)) ||
		bytes.Contains(ready.body, []byte("127.0.0.1")) {
		t.Errorf("/readyz during the outage: %d %s", ready.status, ready.body)
	}
	time.Sleep(time.Until(down.Add(30 * time.Second))) // the outage itself: the self-assessment deadline passes in it
	pg.start()

	waitFor(t, p.Store, codeA, func(c store.Cycle) bool { return c.SelfAssessmentOverdue })
	var st workflows.CycleState
	clerk.ok("POST", cycle+"/self-assessment/submit", nil, &st, "Idempotency-Key", "submit-1")
	if st.Stage != vocab.StageCityReview || !st.SubmittedLate || st.Version != 1 {
		t.Errorf("after the outage: %+v", st)
	}
	var notes []store.Notification
	clerk.ok("GET", "/api/v1/notifications", nil, &notes)
	if len(notes) == 0 || notes[0].Kind != "overdue" {
		t.Errorf("the overdue notice written during the outage is missing: %+v", notes)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
