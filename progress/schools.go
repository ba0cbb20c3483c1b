package progress

import "junheng/evaluation"

// Schools builds the ledger of every school reported in any submitted year, sorted by code. Each ledger has an
// entry for every year given, oldest first; a year the school was not reported in says only that.
func Schools(years []Year) []SchoolLedger {
	years = byYear(years)
	data := make([]*ledgerYear, len(years))
	names := map[string]string{} // the newest name of every school
	for i, y := range years {
		if d := index(y); d != nil {
			data[i] = newLedgerYear(d)
			for code, s := range d.schools {
				names[code] = s.Name
			}
		}
	}
	ledgers := make([]SchoolLedger, 0, len(names))
	for _, code := range sortedKeys(names) {
		ledgers = append(ledgers, ledger(code, names[code], years, data))
	}
	return ledgers
}

// ledger is one school across the years; data holds the submitted years (nil for the others).
func ledger(code, name string, years []Year, data []*ledgerYear) SchoolLedger {
	l := SchoolLedger{Code: code, Name: name, Years: make([]SchoolYear, len(years))}
	var prev *SchoolYear // the previous year the school was reported in
	for i, y := range years {
		l.Years[i] = SchoolYear{Year: y.Year, Shortfalls: []SchoolShortfall{}}
		if data[i] == nil || data[i].schools[code] == nil {
			continue
		}
		l.Years[i] = data[i].school(code, y.Year)
		if prev != nil {
			l.Years[i].Changes = changes(prev, &l.Years[i])
		}
		prev = &l.Years[i]
	}
	return l
}

// ledgerYear adds to a year's index what the ledger shows of each school: its indicator values per stage and why
// it was left out of the calculation.
type ledgerYear struct {
	*yearData
	stages   map[string][]StageValues
	excluded map[string]string
}

func newLedgerYear(d *yearData) *ledgerYear {
	l := &ledgerYear{yearData: d, stages: map[string][]StageValues{}, excluded: map[string]string{}}
	for _, g := range evaluation.CompulsoryStages {
		if sr := d.result.Resource.Stages[g]; sr != nil {
			for _, s := range sr.Schools {
				l.stages[s.Code] = append(l.stages[s.Code], StageValues{Stage: g, Values: s.Values})
			}
		}
	}
	for _, e := range d.result.Resource.Excluded {
		l.excluded[e.Code] = e.ReasonZh
	}
	return l
}

// school is the reported school's year, without its changes.
func (l *ledgerYear) school(code string, year int) SchoolYear {
	s := l.schools[code]
	sy := SchoolYear{Year: year, Reported: true, Kind: s.Kind, Stages: l.stages[code], Shortfalls: []SchoolShortfall{}}
	for _, d := range []*evaluation.StageData{s.Stages.Primary, s.Stages.Junior} {
		if d != nil {
			sy.Students += d.Students
		}
	}
	for _, f := range l.shortfalls[code] {
		sy.Shortfalls = append(sy.Shortfalls, SchoolShortfall{Key: f.Key, Stage: f.Stage, Actual: f.Actual, Op: f.Op,
			Required: f.Required, Needed: f.Needed, MessageZh: f.MessageZh, MessageEn: f.MessageEn})
		switch f.Key {
		case keySchoolSize:
			sy.Oversized = true
		case keyClassSize:
			sy.LargeClasses++
		}
	}
	sy.Complies = len(sy.Shortfalls) == 0
	sy.ExcludedNote, sy.Excluded = l.excluded[code]
	return sy
}

// changes compares a school's year with the previous year it was reported in.
func changes(prev, now *SchoolYear) *Changes {
	was, is := identities(prev.Shortfalls), identities(now.Shortfalls)
	return &Changes{Since: prev.Year, Resolved: minus(was, is), New: minus(is, was),
		Values: valueChanges(prev.Stages, now.Stages)}
}

func identities(shortfalls []SchoolShortfall) map[string]bool {
	ids := make(map[string]bool, len(shortfalls))
	for _, s := range shortfalls {
		ids[identity(s.Key, s.Stage)] = true
	}
	return ids
}

// valueChanges lists the values of the stages and indicators present both years that moved, as shown (4 decimals),
// by stage and then in the profile's order.
func valueChanges(prev, now []StageValues) []ValueChange {
	out := []ValueChange{}
	for _, st := range now {
		before := stageValues(prev, st.Stage)
		if before == nil {
			continue
		}
		for _, v := range st.Values {
			p, ok := before.Get(v.Key)
			if ok && round4(evaluation.Number(p)) != round4(v.Value) {
				out = append(out, ValueChange{Stage: st.Stage, Indicator: v.Key,
					Previous: evaluation.Number(p), Now: v.Value})
			}
		}
	}
	return out
}

func stageValues(stages []StageValues, g evaluation.SchoolStage) evaluation.Values {
	for _, st := range stages {
		if st.Stage == g {
			return st.Values
		}
	}
	return nil
}
