package usecase

import (
	"context"
	"slices"
	"time"

	"junheng/progress"
)

// Reasons a district is on the accountability list.
const (
	reasonLagging   = "lagging"   // this year's progress falls short of the seed's targets or its plan
	reasonOverdue   = "overdue"   // rectification items past their due date
	reasonEscalated = "escalated" // items under listed supervision (挂牌督办)
	reasonRepeated  = "repeated"  // more than one talk or circular within a year: an aggravating circumstance
)

// AccountabilityRow is one district the office may have to act on: circular, talk or accountability (通报、约谈、
// 问责, seed 002 四(二) and the 2021 measures on supervision accountability).
type AccountabilityRow struct {
	District  string          `json:"district"`
	Name      string          `json:"name"`
	Reasons   []string        `json:"reasons"`
	Flags     []progress.Flag `json:"flags"`     // the year's progress flags
	Overdue   int             `json:"overdue"`   // open items past their due date, of any year
	Escalated int             `json:"escalated"` // open escalated items, of any year
	Talks     int             `json:"talks"`     // between talks_since and talks_until
	Circulars int             `json:"circulars"` // idem
}

// AccountabilityList is the districts on the list for a year, most reasons first.
type AccountabilityList struct {
	Year        int                 `json:"year"`
	GeneratedAt time.Time           `json:"generated_at"`
	TalksSince  time.Time           `json:"talks_since"` // talks and circulars are counted from here
	TalksUntil  time.Time           `json:"talks_until"` // to here
	Rows        []AccountabilityRow `json:"rows"`
}

// Accountability lists the districts lagging on their year (0: the latest with cycles), with overdue or
// escalated items, or with repeated talks and circulars within twelve months; most reasons first.
func (c *Core) Accountability(ctx context.Context, a Actor, year int) (AccountabilityList, error) {
	if err := c.may(ctx, a, "", overseers...); err != nil {
		return AccountabilityList{}, err
	}
	if year == 0 {
		var err error
		if _, year, err = c.store.CycleYears(ctx); err != nil {
			return AccountabilityList{}, err
		}
	}
	// The list is for deciding now: talks and circulars count over the twelve months before it is drawn up,
	// whichever year's progress it judges (a year's findings are rectified, and talked about, in the next).
	now := time.Now().In(c.loc)
	list := AccountabilityList{Year: year, GeneratedAt: now, TalksSince: now.AddDate(-1, 0, 0), TalksUntil: now,
		Rows: []AccountabilityRow{}}
	if year == 0 { // no cycle yet: nothing to judge
		return list, nil
	}
	ds, err := c.districtYears(ctx, a.Unit, "", year, year)
	if err != nil {
		return list, err
	}
	counts, err := c.store.FindingCountsByDistrict(ctx, year)
	if err != nil {
		return list, err
	}
	talks, err := c.store.TalkCounts(ctx, list.TalksSince, now)
	if err != nil {
		return list, err
	}
	cities, err := c.store.Districts(ctx, a.Unit)
	if err != nil {
		return list, err
	}
	cityOf := make(map[string]string, len(cities))
	for _, d := range cities {
		cityOf[d.Code] = d.CityCode
	}
	for _, d := range ds {
		row := AccountabilityRow{District: d.Code, Name: d.Name, Reasons: []string{}, Flags: []progress.Flag{},
			Overdue: counts[d.Code].Overdue, Escalated: counts[d.Code].Escalated,
			Talks: talks[d.Code].Talks, Circulars: talks[d.Code].Circulars}
		for _, y := range progress.Progress(d, c.rulesOf(cityOf[d.Code]).Progress) {
			if y.Year == year {
				row.Flags = y.Flags
			}
		}
		for reason, applies := range map[string]bool{
			reasonLagging:   len(row.Flags) > 0,
			reasonOverdue:   row.Overdue > 0,
			reasonEscalated: row.Escalated > 0,
			reasonRepeated:  row.Talks+row.Circulars > 1,
		} {
			if applies {
				row.Reasons = append(row.Reasons, reason)
			}
		}
		if len(row.Reasons) > 0 {
			slices.Sort(row.Reasons)
			list.Rows = append(list.Rows, row)
		}
	}
	slices.SortStableFunc(list.Rows, func(a, b AccountabilityRow) int { return len(b.Reasons) - len(a.Reasons) })
	return list, nil
}
