package evaluation

import (
	"fmt"
	"testing"
)

// A district of 500 schools close to the standard (raw quantities 0.97 to 1.57 times what the thresholds need).
func BenchmarkEvaluateDistrict500(b *testing.B) {
	in, p := generated(1, "370211", 500, 0.97), National2017()
	b.ReportAllocs()
	var r Result
	for b.Loop() {
		r, _ = Evaluate(in, p)
	}
	b.ReportMetric(float64(len(r.Shortfalls)), "shortfalls")
}

// The same district far from the standard (0.8 to 1.4 times): most schools fail somewhere, so the cost is in
// writing thousands of shortfalls.
func BenchmarkEvaluateDistrict500FarFromStandard(b *testing.B) {
	in, p := generated(1, "370211", 500, 0.8), National2017()
	b.ReportAllocs()
	var r Result
	for b.Loop() {
		r, _ = Evaluate(in, p)
	}
	b.ReportMetric(float64(len(r.Shortfalls)), "shortfalls")
}

// A province of 20,000 schools in 100 districts of 200, evaluated district by district.
func BenchmarkEvaluateProvince20000(b *testing.B) {
	p := National2017()
	districts := make([]Input, 100)
	for i := range districts {
		districts[i] = generated(uint64(i), fmt.Sprintf("37%04d", i), 200, 0.97)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range districts {
			if _, err := Evaluate(in, p); err != nil {
				b.Fatal(err)
			}
		}
	}
}
