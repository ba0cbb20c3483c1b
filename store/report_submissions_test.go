package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"junheng/evaluation"
	"junheng/store"
	"junheng/store/storetest"
)

// TestMigrationTenCopiesEngineAndProfile: the submissions stored before migration 10 get the engine version and
// profile digest of their stored evaluation (0 and "" for an evaluation from before the engine was recorded), and
// Submit writes those of the evaluation it stores.
func TestMigrationTenCopiesEngineAndProfile(t *testing.T) {
	atSchema(t, 9, func(t *testing.T, ctx context.Context, s *store.Store) {
		for district, result := range map[string]string{
			"370211": `{"verdict":"meets","engine":2,"profile_digest":"9f3a61c2e0b4","year":2025}`,
			"370202": `{"verdict":"meets","year":2025}`,
		} {
			if err := s.Exec(ctx, "INSERT INTO submissions (year, district_code, version, draft_id, data, "+
				"evaluation, verdict, late, submitted_by, submitted_at) "+
				"VALUES (2025, ?, 1, 1, '{}', ?, 'meets', FALSE, 'clerk', CURRENT_TIMESTAMP)",
				district, result); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Submit(ctx, &store.Submission{Year: 2025, DistrictCode: "370203", DraftID: 1,
			Evaluation: evaluation.Result{Engine: 3, ProfileDigest: "0c1d2e3f4a5b"}}); err != nil {
			t.Fatal(err)
		}
		for district, want := range map[string]string{
			"370211": "2/9f3a61c2e0b4", "370202": "0/", "370203": "3/0c1d2e3f4a5b",
		} {
			got, err := s.Text(ctx, "SELECT CAST(engine AS TEXT) || '/' || profile_digest FROM submissions "+
				"WHERE district_code = ?", district)
			if err != nil || got == nil || *got != want {
				t.Errorf("%s: engine/profile %v, %v; want %s", district, got, err, want)
			}
		}
	})
}

// TestReportSubmissions: the reports' read answers from its cache what it answers with the cache off, for the
// newest and the reviewed versions, and the versions under a unit; a new version, or an evaluation stored again
// under another engine or profile, is read from the database, never answered with the evaluation cached before.
func TestReportSubmissions(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			for code, city := range map[string]string{"370211": "370200", "370202": "370200", "370102": "370100"} {
				if err := s.CreateDistrict(ctx, &store.District{Code: code, Name: code, CityCode: city}); err != nil {
					t.Fatal(err)
				}
			}
			draft := int64(0)
			submit := func(year int, district string) {
				t.Helper()
				draft++
				name := fmt.Sprintf("%s/%d/d%d", district, year, draft)
				sub := &store.Submission{Year: year, DistrictCode: district, DraftID: draft,
					Data: evaluation.Input{Year: year, District: evaluation.District{Code: district},
						Schools: []evaluation.School{{Code: name}}},
					Evaluation: evaluation.Result{Standard: name, Engine: evaluation.EngineVersion,
						ProfileDigest: "9f3a61c2e0b4", Shortfalls: []evaluation.Shortfall{{ID: name}}},
					Verdict: "meets", SubmittedBy: "clerk", SubmittedAt: time.Now().UTC()}
				if err := s.Submit(ctx, sub); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range []struct {
				year     int
				district string
			}{{2024, "370211"}, {2025, "370211"}, {2025, "370211"}, {2024, "370202"}, {2025, "370202"},
				{2025, "370102"}} {
				submit(c.year, c.district)
			}
			for _, district := range []string{"370211", "370202"} {
				if err := s.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: district, ReviewedVersion: 1},
					nil); err != nil {
					t.Fatal(err)
				}
			}
			read := func(versions store.Versions, unit string) (subs []store.Submission, statements int64) {
				t.Helper()
				before := s.Queries()
				subs, err := s.ReportSubmissions(ctx, versions, unit, 2024, 2025)
				if err != nil {
					t.Fatal(err)
				}
				return subs, s.Queries() - before
			}
			names := func(subs []store.Submission) (out []string) {
				for _, sub := range subs {
					out = append(out, fmt.Sprintf("v%d %s %s", sub.Version, sub.Data.Schools[0].Code,
						sub.Evaluation.Standard))
				}
				return out
			}

			// What reading every row answers: the same reads with the cache off; then it is on again, empty.
			s.SetReportCache(0)
			every, _ := read(store.NewestVersions, "")
			reviewed, _ := read(store.ReviewedVersions, "")
			if len(every) != 5 || len(reviewed) != 2 {
				t.Fatalf("with the cache off: newest versions %v, reviewed %v", names(every), names(reviewed))
			}
			s.SetReportCache(store.DefaultReportCache)
			cold, coldStatements := read(store.NewestVersions, "")
			warm, warmStatements := read(store.NewestVersions, "")
			if !reflect.DeepEqual(cold, every) || !reflect.DeepEqual(warm, every) {
				t.Errorf("newest versions, cold\n%v\nwarm\n%v\nwant what reading every row answers\n%v",
					names(cold), names(warm), names(every))
			}
			if warmStatements != coldStatements-1 {
				t.Errorf("the second read ran %d statements, the first %d: it read the data again",
					warmStatements, coldStatements)
			}
			if got, _ := read(store.ReviewedVersions, ""); !reflect.DeepEqual(got, reviewed) {
				t.Errorf("reviewed versions %v, want %v", names(got), names(reviewed))
			}
			for _, c := range []struct {
				versions store.Versions
				unit     string
				want     []string
			}{
				{store.NewestVersions, "370200", []string{"v1 370202/2024/d4 370202/2024/d4",
					"v1 370202/2025/d5 370202/2025/d5", "v1 370211/2024/d1 370211/2024/d1",
					"v2 370211/2025/d3 370211/2025/d3"}},
				{store.NewestVersions, "370100", []string{"v1 370102/2025/d6 370102/2025/d6"}},
				{store.ReviewedVersions, "370211", []string{"v1 370211/2025/d2 370211/2025/d2"}},
			} {
				if got, _ := read(c.versions, c.unit); !slices.Equal(names(got), c.want) {
					t.Errorf("versions %d under %s: %v, want %v", c.versions, c.unit, names(got), c.want)
				}
			}

			// A new version, then that version's evaluation stored again under the next engine, then under another
			// profile: each is read, not the evaluation cached before.
			submit(2025, "370211")
			for _, c := range []struct{ change, want string }{
				{"", "v3 370211/2025/d7 370211/2025/d7"},
				{`engine = 3, evaluation = '{"standard":"next engine","engine":3}'`, "v3 370211/2025/d7 next engine"},
				{`profile_digest = 'a1b2c3d4e5f6', evaluation = '{"standard":"other profile","engine":3,` +
					`"profile_digest":"a1b2c3d4e5f6"}'`, "v3 370211/2025/d7 other profile"},
			} {
				if c.change != "" {
					if err := s.Exec(ctx, "UPDATE submissions SET "+c.change+
						" WHERE year = 2025 AND district_code = '370211' AND version = 3"); err != nil {
						t.Fatal(err)
					}
				}
				if got, _ := read(store.NewestVersions, "370211"); len(got) != 2 || names(got)[1] != c.want {
					t.Errorf("after %q: %v, want %s last", c.change, names(got), c.want)
				}
			}
		})
	}
}

// TestReportSubmissionsInBatches: versions beyond what one statement may name are read in batches, all of them.
func TestReportSubmissionsInBatches(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			const n = 2500 // three statements of data
			if err := s.Exec(ctx, "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?) "+
				"INSERT INTO submissions (year, district_code, version, draft_id, data, evaluation, verdict, late, "+
				"submitted_by, submitted_at) SELECT 2025, 'D' || CAST(n AS TEXT), 1, n, '{}', "+
				"'{\"standard\":\"D' || CAST(n AS TEXT) || '\"}', 'meets', FALSE, 'clerk', CURRENT_TIMESTAMP FROM i",
				n); err != nil {
				t.Fatal(err)
			}
			subs, err := s.ReportSubmissions(ctx, store.NewestVersions, "", 2025, 2025)
			if err != nil || len(subs) != n {
				t.Fatalf("%d submissions, %v; want %d", len(subs), err, n)
			}
			for _, sub := range subs {
				if sub.Evaluation.Standard != sub.DistrictCode {
					t.Fatalf("%s has the evaluation of %q", sub.DistrictCode, sub.Evaluation.Standard)
				}
			}
		})
	}
}
