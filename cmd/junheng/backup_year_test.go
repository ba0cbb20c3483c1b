package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"junheng/internal/temporalx"
	"junheng/vocab"
	"junheng/workflows"
)

// runMain runs this binary as `junheng args…` on the data directory dir, in a process of its own (as an operator
// would run backup beside serve), and answers its output.
func runMain(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "JUNHENG_TEST_RUN_MAIN="+strings.Join(args, " "), "JUNHENG_DATA_DIR="+dir,
		"JUNHENG_DATABASE_URL=", "TEMPORAL_ADDRESS=", "JUNHENG_FILES_URL=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// stop stops serve as an operator does (SIGTERM) and waits for it to exit.
func (c *child) stop() { c.signal(syscall.SIGTERM) }

// progressAction is one progress report sent during the load, with its unique note.
type progressAction struct {
	finding, note    string
	sent, answered   time.Time
	status           int
	answer           string
	before, after    bool // answered before the backup started; sent after it finished
	inTemporal, inDB int  // how often it is found after the restore
}

// TestBackupDuringTheYear runs `junheng serve`, opens a year, sends progress reports on six findings from twelve
// clients at once and runs `junheng backup` in the middle of that load. It stops serve, restores the archive into
// a new directory and serves it, then checks: every report answered before the backup started is there exactly
// once, in Temporal (the workflow's accepted Updates) and in the audit trail; none sent after the backup finished
// is there; those in between at most once. Then the restored year goes on: a deadline pending at the backup fires,
// the findings are closed, and a district is certified.
func TestBackupDuringTheYear(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve twice and a load between")
	}
	dirA, dirB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	archive := filepath.Join(t.TempDir(), "year.tar.gz")
	admin, err := runCLI(t, dirA, "token", "create", "--role", "admin", "--name", "admin")
	if err != nil {
		t.Fatal(err)
	}
	logs := t.TempDir()
	logA, _ := os.Create(filepath.Join(logs, "serve-a.log"))
	logB, _ := os.Create(filepath.Join(logs, "serve-b.log"))
	defer func() {
		if t.Failed() {
			kept := filepath.Join(os.TempDir(), fmt.Sprintf("junheng-backup-%d", time.Now().Unix()))
			if os.CopyFS(kept, os.DirFS(logs)) == nil {
				t.Logf("serve's logs kept in %s", kept)
			}
		}
	}()
	addr := freeAddr(t) // the restored serve answers on the same address, so the clients go on unchanged
	srvA := &child{t: t, dir: dirA, addr: addr, log: logA}
	srvA.start()
	defer srvA.kill()
	base := "http://" + addr
	as := func(token string) *retrying { return &retrying{t: t, base: base, token: token} }
	root := as(lastLine(admin))
	tokens := map[string]*retrying{}
	for _, role := range []string{"office", "province"} {
		var tok struct{ Token string }
		root.do("POST", "/api/v1/tokens", map[string]string{"role": role, "name": role}, &tok)
		tokens[role] = as(tok.Token)
	}
	office := tokens["office"]
	codes := []string{"370211", "370202", "370203", "370212"} // three with findings under load; one never submits
	for _, c := range codes {
		root.do("POST", "/api/v1/districts", map[string]string{"code": c, "name": "区" + c}, nil)
		var tok struct{ Token string }
		root.do("POST", "/api/v1/tokens", map[string]string{"role": "district", "district": c,
			"name": "clerk" + c}, &tok)
		tokens[c] = as(tok.Token)
	}
	// The self-assessment deadline is to pass after the backup: the fourth district's timer is pending in it.
	selfAssessmentDue := time.Now().Add(25 * time.Second)
	at := func(when time.Time) string { return when.Format(time.RFC3339) }
	office.do("POST", "/api/v1/cycles", map[string]any{"year": 2025, "deadlines": map[string]string{
		"self_assessment": at(selfAssessmentDue), "city_review": at(time.Now().Add(time.Hour)),
		"application": at(time.Now().Add(2 * time.Hour))}}, nil)
	cycleOf := func(code string) workflows.CycleState {
		var d struct{ State workflows.CycleState }
		office.do("GET", "/api/v1/cycles/2025/districts/"+code, nil, &d)
		return d.State
	}

	// Three districts submit and are reviewed with two findings each, which they plan.
	data := sampleData(t)
	failing := map[string]any{}
	for k, v := range data {
		if k != "recognition_rate" {
			failing[k] = v
		}
	}
	var mu sync.Mutex
	findings := map[string]string{} // finding ID → district
	var wg sync.WaitGroup
	for _, code := range codes[:3] {
		wg.Go(func() {
			clerk, cycle := tokens[code], "/api/v1/cycles/2025/districts/"+code
			waitUntil(t, func() bool { return cycleOf(code).Stage == vocab.StageSelfAssessment },
				"cycle open for "+code)
			failing := withDistrict(failing, code)
			clerk.do("PUT", cycle+"/self-assessment", failing, nil)
			clerk.do("POST", cycle+"/self-assessment/submit", nil, nil)
			var st workflows.CycleState
			office.do("POST", cycle+"/review", map[string]any{"decision": "approve", "shortfalls": []string{},
				"findings": []map[string]string{{"title": "功能室不足", "source": "on_site", "severity": "normal"},
					{"title": "大班额", "source": "data_monitoring", "severity": "serious"}}}, &st)
			for _, id := range st.Findings {
				clerk.do("POST", "/api/v1/findings/"+url.PathEscape(id)+"/plan", map[string]string{"measures": "整改",
					"responsible_unit": "区教育局", "responsible_person": "张三",
					"due_date": time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}, nil)
				mu.Lock()
				findings[id] = code
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(findings) != 6 || t.Failed() {
		t.Fatalf("setup: %d findings", len(findings))
	}
	kept := upload(t, base, tokens[codes[0]].token, "kept")

	// The load: two clients per finding, each sending progress reports with unique notes and keys.
	hc := &http.Client{Timeout: time.Minute}
	var actions []*progressAction
	var stopLoad atomic.Bool
	var seq atomic.Int64
	for id, code := range findings {
		for range 2 {
			wg.Go(func() {
				for !stopLoad.Load() {
					a := &progressAction{finding: id, note: fmt.Sprintf("n-%d", seq.Add(1))}
					send(hc, base, tokens[code].token, a)
					mu.Lock()
					actions = append(actions, a)
					mu.Unlock()
				}
			})
		}
	}
	answered := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(actions)
	}
	for start := time.Now(); time.Since(start) < 2*time.Second || answered() < 30; {
		time.Sleep(50 * time.Millisecond)
	}
	if left := time.Until(selfAssessmentDue); left < 3*time.Second {
		stopLoad.Store(true)
		wg.Wait()
		t.Fatalf("too slow: the backup would start %v before the deadline it is to keep pending", left)
	}
	if cycleOf(codes[3]).SelfAssessmentOverdue {
		t.Fatal("the self-assessment deadline fired before the backup")
	}
	backupStarted := time.Now()
	out, err := runMain(t, dirA, "backup", "--out", archive)
	backupFinished := time.Now()
	if err != nil {
		stopLoad.Store(true)
		wg.Wait()
		t.Fatalf("backup: %v\n%s", err, out)
	}
	t.Logf("backup in %v after %d answered reports, %v before the deadline: %s",
		backupFinished.Sub(backupStarted).Round(time.Millisecond), answered(),
		selfAssessmentDue.Sub(backupStarted).Round(time.Second), strings.TrimSpace(out))
	time.Sleep(1500 * time.Millisecond)
	stopLoad.Store(true)
	wg.Wait()
	lost := upload(t, base, tokens[codes[0]].token, "lost")

	var before, between, after int
	for _, a := range actions {
		if a.status/100 != 2 {
			t.Errorf("%s on %s: %d %s", a.note, a.finding, a.status, a.answer)
			continue
		}
		a.before, a.after = a.answered.Before(backupStarted), a.sent.After(backupFinished)
		switch {
		case a.before:
			before++
		case a.after:
			after++
		default:
			between++
		}
	}
	t.Logf("%d reports: %d answered before the backup started, %d in between, %d sent after it finished",
		len(actions), before, between, after)
	if before == 0 || after == 0 {
		t.Fatal("the load did not surround the backup")
	}
	// On the original directory every answered report is there once: what the restore lacks was really done.
	for id := range findings {
		notes := auditNotes(t, office, id, "progress")
		for _, a := range actions {
			if a.finding == id && a.status/100 == 2 && notes[a.note] != 1 {
				t.Errorf("before the restore, %s on %s is in the audit trail %d times", a.note, id, notes[a.note])
			}
		}
	}

	srvA.stop()
	if out, err := runMain(t, dirB, "restore", archive); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	temporalPort := freePort(t)
	srvB := &child{t: t, dir: dirB, addr: addr, log: logB, env: []string{"JUNHENG_TEMPORAL_PORT=" + temporalPort}}
	srvB.start()
	defer srvB.kill()

	// What the restored year holds: the progress Updates that Temporal accepted, and the audit trail.
	key, err := temporalx.ReadAPIKey(dirB) // made by the restored directory's first serve
	if err != nil {
		t.Fatal(err)
	}
	tc, err := temporalx.Dial(t.Context(), temporalx.DialOptions{HostPort: "127.0.0.1:" + temporalPort,
		Namespace: "default", APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	inTemporal, inDB := map[string]map[string]int{}, map[string]map[string]int{}
	for id := range findings {
		inTemporal[id] = acceptedNotes(t, tc, id)
		inDB[id] = auditNotes(t, office, id, "progress")
	}
	sentNotes := map[string]bool{}
	var orphans int
	for _, a := range actions {
		sentNotes[a.finding+" "+a.note] = true
		a.inTemporal, a.inDB = inTemporal[a.finding][a.note], inDB[a.finding][a.note]
		switch {
		case a.status/100 != 2:
		case a.before && (a.inTemporal != 1 || a.inDB != 1):
			t.Errorf("%s on %s, answered before the backup: %d times in Temporal, %d in the audit trail; want once",
				a.note, a.finding, a.inTemporal, a.inDB)
		case a.after && (a.inTemporal != 0 || a.inDB != 0):
			t.Errorf("%s on %s, sent after the backup: %d times in Temporal, %d in the audit trail; want none",
				a.note, a.finding, a.inTemporal, a.inDB)
		case a.inTemporal > 1 || a.inDB > 1:
			t.Errorf(
				"%s on %s, answered during the backup: %d times in Temporal, %d in the audit trail; want at most once",
				a.note, a.finding, a.inTemporal, a.inDB)
		case a.inDB > a.inTemporal:
			orphans++ // the app database is ahead of Temporal: allowed, and counted below
		case a.inTemporal > a.inDB:
			t.Errorf("%s on %s: in Temporal but not in the audit trail (the app database is behind)", a.note, a.finding)
		}
	}
	for id := range findings {
		for _, notes := range []map[string]int{inTemporal[id], inDB[id]} {
			for note := range notes {
				if !sentNotes[id+" "+note] {
					t.Errorf("%s on %s was never sent", note, id)
				}
			}
		}
	}
	t.Logf("%d reports answered during the backup are in the restored audit trail but not in Temporal", orphans)

	// A client that never saw the answer to one of those retries it now, with the same key: it must not be
	// doubled. Whether it is replayed without acting (the idempotency record came with the app database) or acts
	// now is reported.
	for _, a := range actions {
		if a.status/100 != 2 || a.inDB <= a.inTemporal {
			continue
		}
		retry := *a
		replayed := send(hc, base, tokens[findings[a.finding]].token, &retry)
		temporal := acceptedNotes(t, tc, a.finding)[a.note]
		db := auditNotes(t, office, a.finding, "progress")[a.note]
		t.Logf("retry of %s on %s after the restore: %d, replayed %v; now %d times in Temporal, %d in the audit trail",
			a.note, a.finding, retry.status, replayed, temporal, db)
		if retry.status/100 != 2 || temporal > 1 || db > 1 {
			t.Errorf("retry of %s on %s: %d %s; %d times in Temporal, %d in the audit trail; want at most once",
				a.note, a.finding, retry.status, retry.answer, temporal, db)
		}
	}
	for id := range findings {
		inTemporal[id] = acceptedNotes(t, tc, id)
	}
	status, body := get(t, hc, base, office.token, "/api/v1/files/"+kept)
	if status != 200 || !bytes.Contains(body, []byte("kept")) {
		t.Errorf("evidence uploaded before the backup: %d", status)
	}
	if status, _ := get(t, hc, base, office.token, "/api/v1/files/"+lost); status != 404 {
		t.Errorf("evidence uploaded after the backup: %d, want 404", status)
	}

	type findingDetail struct {
		State workflows.ItemState
	}
	for id := range findings {
		var d findingDetail
		office.do("GET", "/api/v1/findings/"+url.PathEscape(id), nil, &d)
		t.Logf("finding %s after the restore: the read model counts %d progress reports, Temporal %d", id,
			d.State.ProgressReports, len(inTemporal[id]))
	}

	// The year goes on: the deadline pending at the backup fires; every finding is closed, its state counting the
	// reports Temporal has, in the answer and in the read model; the first district is certified.
	waitUntil(t, func() bool { return cycleOf(codes[3]).SelfAssessmentOverdue }, "the self-assessment deadline")
	for id, code := range findings {
		path := "/api/v1/findings/" + url.PathEscape(id)
		var st workflows.ItemState
		tokens[code].do("POST", path+"/request-close", map[string]string{"note": "完成 " + id}, &st)
		if want := len(inTemporal[id]); st.ProgressReports != want {
			t.Errorf("finding %s counts %d progress reports, Temporal accepted %d", id, st.ProgressReports, want)
		}
		office.do("POST", path+"/verify", map[string]any{"accepted": true}, &st)
		if st.Status != vocab.ItemClosed {
			t.Errorf("finding %s: %s after verification", id, st.Status)
		}
		var d findingDetail
		office.do("GET", path, nil, &d)
		if d.State.Status != vocab.ItemClosed || d.State.ProgressReports != len(inTemporal[id]) {
			t.Errorf("finding %s in the read model: %s with %d progress reports; want closed with %d", id,
				d.State.Status, d.State.ProgressReports, len(inTemporal[id]))
		}
		for _, action := range []string{"request_close", "verify_accepted"} {
			if n := len(auditNotes(t, office, id, action)); n != 1 {
				t.Errorf("finding %s: %d %s entries in the audit trail after the restore, want 1", id, n, action)
			}
		}
	}
	clerk, cycle := tokens[codes[0]], "/api/v1/cycles/2025/districts/"+codes[0]
	clerk.do("PUT", cycle+"/self-assessment", withDistrict(data, codes[0]), nil)
	clerk.do("POST", cycle+"/self-assessment/submit", nil, nil)
	clerk.do("POST", cycle+"/application", nil, nil)
	office.do("POST", cycle+"/acceptance", map[string]any{"passed": true, "comment": "通过"}, nil)
	tokens["province"].do("POST", cycle+"/province-result", map[string]any{"passed": true, "comment": "通过"}, nil)
	if st := cycleOf(codes[0]); st.Stage != vocab.StageCertified {
		t.Errorf("district %s: %s, want certified", codes[0], st.Stage)
	}
}

// send reports progress once, with its own Idempotency-Key, and answers what came back and when.
// The key derives from the note, so sending the same report again is a retry. It answers whether the answer was
// a replay of the first.
func send(hc *http.Client, base, token string, a *progressAction) (replayed bool) {
	body, _ := json.Marshal(map[string]string{"note": a.note})
	path := "/api/v1/findings/" + url.PathEscape(a.finding) + "/progress"
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "backup-test-"+a.note)
	a.sent = time.Now()
	resp, err := hc.Do(req)
	a.answered = time.Now()
	if err != nil {
		a.status, a.answer = 0, err.Error()
		return false
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a.status, a.answer = resp.StatusCode, string(data)
	return resp.Header.Get("Idempotent-Replayed") == "true"
}

func get(t *testing.T, hc *http.Client, base, token, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// upload stores a small PDF as evidence and answers its ID.
func upload(t *testing.T, base, token, text string) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", text+".pdf")
	fmt.Fprintf(fw, "%%PDF-1.4\n%% %s %d\n", text, time.Now().UnixNano())
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/files", &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var f struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil || resp.StatusCode != 201 {
		t.Fatalf("upload: %d, %v", resp.StatusCode, err)
	}
	return f.ID
}

// auditNotes counts a finding's successful audit entries of one action by their detail (a report's note).
func auditNotes(t *testing.T, office *retrying, finding, action string) map[string]int {
	t.Helper()
	notes := map[string]int{}
	query := url.Values{"target": {finding}, "action": {action}, "limit": {"500"}}
	for {
		var page []struct {
			ID      int64
			Outcome string
			Detail  string
		}
		office.do("GET", "/api/v1/audit?"+query.Encode(), nil, &page)
		for _, e := range page {
			if e.Outcome == "ok" {
				notes[e.Detail]++
			}
		}
		if len(page) < 500 {
			return notes
		}
		query.Set("before", strconv.FormatInt(page[len(page)-1].ID, 10))
	}
}

// acceptedNotes counts the progress reports that the finding's workflow accepted, by note, from its history.
func acceptedNotes(t *testing.T, tc client.Client, finding string) map[string]int {
	t.Helper()
	notes := map[string]int{}
	events := tc.GetWorkflowHistory(t.Context(), finding, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for events.HasNext() {
		ev, err := events.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", finding, err)
		}
		in := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput()
		if in.GetName() != workflows.UpdateReportProgress {
			continue
		}
		var report workflows.NoteInput
		if err := converter.GetDefaultDataConverter().FromPayloads(in.GetArgs(), &report); err != nil {
			t.Fatal(err)
		}
		notes[report.Note]++
	}
	return notes
}

// sampleData is the sample district's self-assessment, which meets the standard.
func sampleData(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../../evaluation/testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	return data
}

// withDistrict is a copy of a self-assessment made for the district code.
func withDistrict(data map[string]any, code string) map[string]any {
	out := map[string]any{"district": map[string]string{"code": code, "name": "区" + code}}
	for k, v := range data {
		if k != "district" {
			out[k] = v
		}
	}
	return out
}

func freePort(t *testing.T) string {
	_, port, _ := net.SplitHostPort(freeAddr(t))
	return port
}
