// Package throttle slows guessing: each client address may fail (a wrong password, an unknown token) only so often,
// and is refused before anything is checked once it has used its allowance.
package throttle

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failures counts failures by client address: Burst at once, then one every Every.
type Failures struct {
	Every time.Duration
	Burst int
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	mu    sync.Mutex
	seen  map[netip.Addr]*entry
	swept time.Time
}

type entry struct {
	limiter *rate.Limiter
	last    time.Time
}

// Blocked reports whether addr has used its allowance: its next attempt is refused unchecked.
func (f *Failures) Blocked(addr netip.Addr) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.seen[addr]
	return ok && e.limiter.TokensAt(f.now()) < 1
}

// Fail records a failure of addr.
func (f *Failures) Fail(addr netip.Addr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if f.seen == nil {
		f.seen = map[netip.Addr]*entry{}
	}
	f.sweep(now)
	e, ok := f.seen[addr]
	if !ok {
		e = &entry{limiter: rate.NewLimiter(rate.Every(f.Every), f.Burst)}
		f.seen[addr] = e
	}
	e.last = now
	e.limiter.AllowN(now, 1)
}

// sweep forgets the addresses whose allowance has long been whole again, so that the map does not grow with
// every address that ever failed.
func (f *Failures) sweep(now time.Time) {
	idle := f.Every * time.Duration(f.Burst+1)
	if now.Sub(f.swept) < idle {
		return
	}
	f.swept = now
	for addr, e := range f.seen {
		if now.Sub(e.last) > idle {
			delete(f.seen, addr)
		}
	}
}

func (f *Failures) now() time.Time {
	if f.Now == nil {
		return time.Now()
	}
	return f.Now()
}
