//go:build unix

package datadir

import (
	"os"
	"syscall"
)

// errHeld is what lock answers when another process holds the lock.
var errHeld = syscall.EWOULDBLOCK

// lock takes an exclusive flock(2) on f without waiting: the kernel drops it when the process dies, so a crash
// leaves nothing to clean up.
func lock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }
