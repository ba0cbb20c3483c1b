package bench

import (
	"testing"
	"time"
)

// TestHandOutStopsEarly: a run stopped by its time limit or by an interrupt starts no further district and says how
// many it started.
func TestHandOutStopsEarly(t *testing.T) {
	stopped := make(chan struct{})
	close(stopped)
	r := &runner{opts: Options{Districts: 10, Stop: stopped}}
	if n := r.handOut(make(chan int)); n != 0 {
		t.Errorf("interrupted before any driver was free: started %d, want 0", n)
	}

	r = &runner{opts: Options{Districts: 10, StopAfter: 10 * time.Millisecond}}
	work := make(chan int)
	go func() { <-work; <-work }() // two drivers take a district each and stay busy past the limit
	if n := r.handOut(work); n != 2 {
		t.Errorf("stopped after two districts were taken: started %d, want 2", n)
	}

	r = &runner{opts: Options{Districts: 3}}
	work = make(chan int, 3)
	if n := r.handOut(work); n != 3 {
		t.Errorf("not stopped: started %d, want 3", n)
	}
}
