package store

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"junheng/evaluation"
)

// TestReportCacheBound: the cache keeps its entries' sizes within its budget by dropping the least recently used
// first (a read counts as a use), never keeps an entry larger than the budget, and reset empties it.
func TestReportCacheBound(t *testing.T) {
	key := func(district string) reportKey {
		return reportKey{versionKey{2025, district, 1}, evaluation.EngineVersion, "9f3a61c2e0b4"}
	}
	put := func(c *reportCache, district string, size int) {
		c.put(key(district), decoded{evaluation: evaluation.Result{Standard: district}}, size)
	}
	held := func(c *reportCache) (out []string) {
		for _, d := range []string{"a", "b", "c", "d", "e"} {
			if got, ok := c.get(key(d)); ok && got.evaluation.Standard == d {
				out = append(out, d)
			}
		}
		return out
	}
	c := newReportCache(100)
	put(c, "a", 40)
	put(c, "b", 40)
	c.get(key("a"))
	put(c, "c", 40) // over by 20: b, used longest ago, goes
	if got := held(c); !slices.Equal(got, []string{"a", "c"}) || c.used != 80 {
		t.Errorf("held %v using %d, want [a c] using 80", got, c.used)
	}
	put(c, "d", 101)
	put(c, "e", 100) // exactly the budget: the others go
	if got := held(c); !slices.Equal(got, []string{"e"}) || c.used != 100 {
		t.Errorf("held %v using %d, want [e] using 100", got, c.used)
	}
	c.reset(0)
	put(c, "a", 1)
	if got := held(c); len(got) != 0 || c.used != 0 || len(c.entries) != 0 || c.order.Len() != 0 {
		t.Errorf("turned off, held %v using %d", got, c.used)
	}
}

// TestReportCacheConcurrently: reports read and fill the cache at once (run with -race).
func TestReportCacheConcurrently(t *testing.T) {
	c := newReportCache(1000)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := reportKey{versionKey{2025, fmt.Sprint(i % 50), 1}, g % 2, ""}
				if _, ok := c.get(k); !ok {
					c.put(k, decoded{}, 30)
				}
			}
		})
	}
	wg.Wait()
	if c.used > 1000 || c.used != 30*len(c.entries) || c.order.Len() != len(c.entries) {
		t.Errorf("using %d for %d entries, %d in order", c.used, len(c.entries), c.order.Len())
	}
}
