package throttle

import (
	"net/netip"
	"testing"
	"time"
)

func TestFailuresBlockAfterTheBurst(t *testing.T) {
	f := &Failures{Every: time.Hour, Burst: 3}
	a, b := netip.MustParseAddr("203.0.113.9"), netip.MustParseAddr("198.51.100.1")
	for i := range 3 {
		if f.Blocked(a) {
			t.Fatalf("blocked after %d failures", i)
		}
		f.Fail(a)
	}
	if !f.Blocked(a) {
		t.Error("not blocked after the burst")
	}
	if f.Blocked(b) {
		t.Error("another address is blocked too")
	}
	now := time.Now()
	f.Now = func() time.Time { return now }
	now = now.Add(2 * time.Hour)
	if f.Blocked(a) {
		t.Error("still blocked once the allowance came back")
	}
}
