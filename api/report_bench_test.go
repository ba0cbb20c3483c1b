package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/evaluation"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/usecase"
	"junheng/vocab"
)

// cityOf seeds a city of n districts with five years (2021–2025) of submitted self-assessments of 100 schools
// each, evaluated by the real engine, and returns the API with an office token and its store.
func cityOf(b testing.TB, n int) (*echo.Echo, string, *store.Store) {
	raw, err := os.ReadFile("../evaluation/testdata/district.json")
	if err != nil {
		b.Fatal(err)
	}
	ctx, now := context.Background(), time.Now().UTC()
	db := storetest.Open(b)[store.SQLite]
	for i := range n {
		code := fmt.Sprintf("%d", 370200+i)
		if err := db.CreateDistrict(ctx, &store.District{Code: code, Name: "区" + code}); err != nil {
			b.Fatal(err)
		}
		for year := 2021; year <= 2025; year++ {
			var in evaluation.Input
			if err := json.Unmarshal(raw, &in); err != nil {
				b.Fatal(err)
			}
			in.Year, in.District.Code = year, code
			base := in.Schools[0]
			in.Schools = in.Schools[:0]
			for s := range 100 {
				school := base
				school.Code, school.Name = fmt.Sprintf("S%03d", s), fmt.Sprintf("第%d小学", s)
				stage := *base.Stages.Primary
				stage.LargestClass += (s + year) % 3 // some schools have a large class, a different set each year
				school.Stages.Primary = &stage
				in.Schools = append(in.Schools, school)
			}
			res, err := evaluation.Evaluate(in, evaluation.National2017())
			if err != nil {
				b.Fatal(err)
			}
			for _, err := range []error{
				db.OpenCycle(ctx, &store.Cycle{Year: year, DistrictCode: code, Stage: "rectification", UpdatedAt: now}),
				db.Submit(ctx, &store.Submission{Year: year, DistrictCode: code, DraftID: int64(year),
					Data: in, Evaluation: res, Verdict: string(res.Verdict), SubmittedBy: "clerk", SubmittedAt: now}),
			} {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	e, _ := seeded(b, db, 0)
	tok, err := usecase.IssueToken(ctx, db, usecase.TokenRequest{Role: vocab.RoleOffice, Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return e, tok.Token, db
}

// BenchmarkReports measures the multi-year reads of a 16-district city over five years, from the database to the
// rendered answer. A request finds the evaluations decoded in the store's cache by the one before the timing; a
// cold one ("cold" in the name) finds the cache empty, as the first after a start does.
func BenchmarkReports(b *testing.B) {
	e, token, db := cityOf(b, 16)
	for _, path := range []string{"/api/v1/progress", "/api/v1/progress?format=xlsx",
		"/api/v1/districts/370200/progress", "/api/v1/accountability", "cold/api/v1/progress"} {
		b.Run(path, func(b *testing.B) {
			path, cold := strings.CutPrefix(path, "cold")
			get(e, token, path)
			for b.Loop() {
				if cold {
					db.SetReportCache(store.DefaultReportCache)
				}
				if rec := get(e, token, path); rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
