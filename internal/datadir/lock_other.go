//go:build !unix

package datadir

import (
	"errors"
	"os"
)

// errHeld is what lock answers when another process holds the lock.
var errHeld = errors.New("held")

// lock does nothing where there is no flock(2): junheng runs on Linux (the Dockerfile), and the other systems
// build only for development tools.
func lock(*os.File) error { return nil }
