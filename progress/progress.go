package progress

import "junheng/evaluation"

// Progress measures each year of the district, oldest first, against the rules and the district's plan. A year is
// compared with the calendar year before it when that year was submitted; otherwise it has no previous year and
// the year-on-year measures are left out.
func Progress(d District, rules Rules) []DistrictYear {
	years := byYear(d.Years)
	out := make([]DistrictYear, len(years))
	var prev *snapshot
	certified := false
	for i, y := range years {
		cur := newSnapshot(y)
		if i == 0 || years[i-1].Year != y.Year-1 {
			prev = nil
		}
		certified = certified || y.Certified
		out[i] = districtYear(y.Year, cur, prev, certified, d.planFor(y.Year), rules)
		out[i].Pending = cur == nil && y.Pending
		if out[i].Pending { // nothing is due yet: no flag, no milestone to check
			out[i].Milestone, out[i].Flags = nil, []Flag{}
		}
		prev = cur
	}
	return out
}

// snapshot is what the year-on-year measures compare: a submitted year's schools that fall short, are oversized
// or have a large class, and how often each shortfall key occurs.
type snapshot struct {
	*yearData
	nonCompliant []string        // the codes of shortfalls, sorted
	oversized    map[string]bool // school codes
	large        map[string]bool // "code/stage"
	largeSchools map[string]bool // the schools of large
	keys         map[string]int  // every shortfall of the result, by key
}

// newSnapshot returns nil for a year without a submission.
func newSnapshot(y Year) *snapshot {
	d := index(y)
	if d == nil {
		return nil
	}
	s := &snapshot{yearData: d, oversized: map[string]bool{}, large: map[string]bool{}, largeSchools: map[string]bool{},
		keys: map[string]int{}}
	for _, f := range d.result.Shortfalls {
		s.keys[f.Key]++
		if f.Scope != evaluation.ScopeSchool {
			continue
		}
		switch f.Key {
		case keySchoolSize:
			s.oversized[f.School] = true
		case keyClassSize:
			s.large[identity(f.School, f.Stage)] = true
			s.largeSchools[f.School] = true
		}
	}
	s.nonCompliant = sortedKeys(d.shortfalls)
	return s
}

func districtYear(year int, cur, prev *snapshot, certified bool, plan *Plan, rules Rules) DistrictYear {
	dy := DistrictYear{Year: year, Submitted: cur != nil, Certified: certified, NonCompliant: []string{},
		Oversized: emptyCount(), LargeClasses: emptyCount(), Coefficients: []Coefficient{}}
	if cur != nil {
		dy.Verdict, dy.Engine = string(cur.result.Verdict), max(cur.result.Engine, 1)
		dy.Schools = len(cur.schools)
		dy.NonCompliant = cur.nonCompliant
		if prev != nil {
			dy.BroughtUp = broughtUp(prev, cur, rules.BringUpShare)
		}
		dy.Oversized = oversized(prev, cur, rules.OversizedReduction)
		dy.LargeClasses = largeClasses(prev, cur)
		dy.Coefficients = coefficients(prev, cur)
	}
	dy.Milestone = milestone(plan, &dy, cur)
	dy.Flags = flags(&dy, cur, plan, rules)
	return dy
}

func emptyCount() Count {
	return Count{Schools: []string{}, New: []string{}, Resolved: []string{}}
}

// broughtUp is the 25% measure over last year's non-compliant schools still reported. The tolerance lets a count
// exactly at the target pass however the product lands in floats (2 of 8 is a quarter).
func broughtUp(prev, cur *snapshot, target float64) *BroughtUp {
	b := &BroughtUp{Target: target, Schools: []string{}, Gone: []string{}, Worse: []string{}}
	for _, code := range prev.nonCompliant {
		switch {
		case cur.schools[code] == nil:
			b.Gone = append(b.Gone, code)
		case cur.shortfalls[code] == nil:
			b.Schools = append(b.Schools, code)
		}
	}
	for _, code := range cur.nonCompliant {
		if prev.schools[code] != nil && prev.shortfalls[code] == nil {
			b.Worse = append(b.Worse, code)
		}
	}
	b.Base, b.Count = len(prev.shortfalls)-len(b.Gone), len(b.Schools)
	if b.Base > 0 {
		share := float64(b.Count) / float64(b.Base)
		b.Share = &share
	}
	b.Met = float64(b.Count) >= target*float64(b.Base)-1e-9
	return b
}

// count compares this year's set with last year's; before is nil without a previous year.
func count(now, before map[string]bool) Count {
	c := emptyCount()
	c.Now, c.Schools = len(now), sortedKeys(now)
	if before == nil {
		return c
	}
	p, change := len(before), len(now)-len(before)
	c.Previous, c.Change = &p, &change
	if p > 0 {
		reduced := float64(p-c.Now) / float64(p)
		c.Reduced = &reduced
	}
	c.New, c.Resolved = minus(now, before), minus(before, now)
	return c
}

// oversized counts the oversized schools against the yearly reduction; with none last year, none may appear.
func oversized(prev, cur *snapshot, target float64) Count {
	var before map[string]bool
	if prev != nil {
		before = prev.oversized
	}
	c := count(cur.oversized, before)
	c.Target = &target
	if c.Previous != nil {
		met := c.Now == 0
		if c.Reduced != nil {
			met = *c.Reduced >= target-1e-9
		}
		c.Met = &met
	}
	return c
}

// largeClasses counts school stages with a large class; Schools names their schools, Stages the stages.
func largeClasses(prev, cur *snapshot) Count {
	var before map[string]bool
	if prev != nil {
		before = prev.large
	}
	c := count(cur.large, before)
	c.Stages, c.Schools = c.Schools, sortedKeys(cur.largeSchools)
	return c
}

// coefficients lists each stage's difference coefficients in the profile's order, which the schools' values
// keep, with last year's of the same stage and indicator.
func coefficients(prev, cur *snapshot) []Coefficient {
	out := []Coefficient{}
	for _, g := range evaluation.CompulsoryStages {
		sr := cur.result.Resource.Stages[g]
		if sr == nil || len(sr.Schools) == 0 {
			continue
		}
		for _, v := range sr.Schools[0].Values {
			ir := sr.Indicators[v.Key]
			if ir == nil {
				continue
			}
			c := Coefficient{Stage: g, Indicator: v.Key, CV: ir.CV, Limit: ir.CVLimit, Passes: ir.CVPasses}
			if p := prev.indicator(g, v.Key); p != nil {
				was, change := p.CV, ir.CV-p.CV
				c.Previous, c.Change = &was, &change
			}
			out = append(out, c)
		}
	}
	return out
}

// indicator returns the stage's indicator result, or nil (also for a nil snapshot).
func (s *snapshot) indicator(g evaluation.SchoolStage, key string) *evaluation.IndicatorResult {
	if s == nil || s.result.Resource.Stages[g] == nil {
		return nil
	}
	return s.result.Resource.Stages[g].Indicators[key]
}

// planFor is the plan a year is judged against: the version in effect then, or the current one.
func (d District) planFor(year int) *Plan {
	if p, ok := d.PlanFor[year]; ok {
		return p
	}
	return d.Plan
}
