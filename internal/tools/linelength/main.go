// Command linelength reports Go source lines wider than 120 columns.
//
// Usage: go run ./internal/tools/linelength [dir ...]
//
// It walks each directory (default "."), skipping .git and files whose first lines say
// "Code generated", and prints file:line: N columns for every line over the limit, counting
// runes with a tab as 4 columns. It exits 1 if it found any.
package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	maxColumns = 120
	tabWidth   = 4
	// headerLines is how many leading lines are searched for the "Code generated" marker.
	headerLines = 10
)

func main() {
	dirs := os.Args[1:]
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	long, err := run(os.Stdout, dirs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "linelength:", err)
		os.Exit(2)
	}
	if long > 0 {
		os.Exit(1)
	}
}

// run reports the long lines of every .go file under dirs to w and returns how many it found.
func run(w io.Writer, dirs []string) (int, error) {
	long := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".git" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") {
				return nil
			}
			n, err := checkFile(w, path)
			long += n
			return err
		})
		if err != nil {
			return long, err
		}
	}
	return long, nil
}

// checkFile reports the long lines of one file, unless it is generated.
func checkFile(w io.Writer, path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines) && i < headerLines; i++ {
		if strings.Contains(lines[i], "Code generated") {
			return 0, nil
		}
	}
	long := 0
	for i, line := range lines {
		if n := columns(line); n > maxColumns {
			fmt.Fprintf(w, "%s:%d: %d columns\n", path, i+1, n)
			long++
		}
	}
	return long, nil
}

// columns is the width of a line: one per rune, tabWidth per tab.
func columns(line string) int {
	n := 0
	for _, r := range strings.TrimRight(line, "\r") {
		if r == '\t' {
			n += tabWidth
		} else {
			n++
		}
	}
	return n
}
