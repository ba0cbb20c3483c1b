package progress

// DefaultRules are seed 002's targets: a quarter of last year's non-compliant schools brought up and a quarter
// fewer oversized schools each year, none left by 2025, and 30% of districts meeting the standard by 2023, all by
// 2025. Each call returns a fresh Targets map, so a caller may change it.
func DefaultRules() Rules {
	return Rules{BringUpShare: 0.25, OversizedReduction: 0.25, EliminateBy: 2025,
		Targets: map[int]float64{2023: 0.30, 2025: 1.0}}
}

// Target returns the target of the latest target year not after year; ok is false before the first target year.
func Target(targets map[int]float64, year int) (share float64, ok bool) {
	best := 0
	for y, s := range targets {
		if y <= year && (!ok || y > best) {
			best, share, ok = y, s, true
		}
	}
	return share, ok
}
