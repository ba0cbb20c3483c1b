package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// apiClient calls the API as one token and records each call's latency under its route name.
type apiClient struct {
	base  string
	token string
	http  *http.Client
	lat   *latencies
}

// call sends body as JSON and decodes a 2xx answer into out; anything else is an error naming the route.
func (c apiClient) call(ctx context.Context, route, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", route, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	c.lat.add(route, time.Since(start))
	if err != nil {
		return fmt.Errorf("%s: %w", route, err)
	}
	if resp.StatusCode >= 300 {
		return &statusError{route: route, code: resp.StatusCode, body: bytes.TrimSpace(data)}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// statusError is an answer other than 2xx.
type statusError struct {
	route string
	code  int
	body  []byte
}

func (e *statusError) Error() string { return fmt.Sprintf("%s: %d %s", e.route, e.code, e.body) }

// latencies collects durations per route.
type latencies struct {
	mu sync.Mutex
	by map[string][]time.Duration
}

func newLatencies() *latencies { return &latencies{by: map[string][]time.Duration{}} }

func (l *latencies) add(route string, d time.Duration) {
	l.mu.Lock()
	l.by[route] = append(l.by[route], d)
	l.mu.Unlock()
}

// Latency summarises one route's calls, in milliseconds.
type Latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
}

func summarise(ds []time.Duration) Latency {
	s := slices.Clone(ds)
	slices.Sort(s)
	q := func(p float64) float64 {
		if len(s) == 0 {
			return 0
		}
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
	}
	return Latency{Count: len(s), P50: q(0.50), P95: q(0.95), P99: q(0.99)}
}

// p99 is the 99th percentile over all the routes named.
func (l *latencies) p99(routes func(string) bool) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var all []time.Duration
	for r, ds := range l.by {
		if routes(r) {
			all = append(all, ds...)
		}
	}
	return summarise(all).P99
}

func (l *latencies) report() map[string]Latency {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]Latency, len(l.by))
	for r, ds := range l.by {
		out[r] = summarise(ds)
	}
	return out
}
