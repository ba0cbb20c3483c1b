package temporalx

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// serverLogger passes the server's warnings and errors to slog and drops
// the rest: at info level the server reports every shard, queue and
// membership change.
type serverLogger struct {
	l *slog.Logger
	// stopping drops warnings and errors too: while stopping, the services
	// complain about each other going away.
	stopping *atomic.Bool
}

var _ log.WithLogger = serverLogger{}

func (serverLogger) Debug(string, ...tag.Tag) {}
func (serverLogger) Info(string, ...tag.Tag)  {}

func (s serverLogger) Warn(msg string, tags ...tag.Tag)   { s.report(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag)  { s.report(slog.LevelError, msg, tags) }
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.report(slog.LevelError, msg, tags) }

// Panic and Fatal keep the contract of the server's own logger: the code
// after these calls assumes they do not return.
func (s serverLogger) Panic(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(msg)
}

func (s serverLogger) Fatal(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	os.Exit(1)
}

func (s serverLogger) With(tags ...tag.Tag) log.Logger {
	return serverLogger{slog.New(s.l.Handler().WithAttrs(attrs(tags))), s.stopping}
}

// report logs unless the server is stopping.
func (s serverLogger) report(level slog.Level, msg string, tags []tag.Tag) {
	if !s.stopping.Load() {
		s.log(level, msg, tags)
	}
}

func (s serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	s.l.LogAttrs(context.Background(), level, msg, attrs(tags)...)
}

func attrs(tags []tag.Tag) []slog.Attr {
	as := make([]slog.Attr, len(tags))
	for i, t := range tags {
		as[i] = slog.Any(t.Key(), t.Value())
	}
	return as
}
