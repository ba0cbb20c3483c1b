package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"junheng/store"
	"junheng/store/storetest"
)

// atSchema runs fn on a new database of each dialect brought to schema version, for tests of the migration after
// it over rows written as that schema had them.
func atSchema(t *testing.T, version int64, fn func(t *testing.T, ctx context.Context, s *store.Store)) {
	urls := map[string]string{"sqlite": ""}
	if url := storetest.PostgresURL(t); url != "" {
		urls["postgres"] = storetest.Database(t, url)
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, url, filepath.Join(t.TempDir(), "junheng.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.MigrateTo(ctx, version); err != nil {
				t.Fatal(err)
			}
			fn(t, ctx, s)
		})
	}
}
