package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/progress"
	"junheng/usecase"
)

// Reasons a district is on the accountability list.
const (
	reasonLagging   = "lagging"   // this year's progress falls short of the seed's targets or its plan
	reasonOverdue   = "overdue"   // rectification items past their due date
	reasonEscalated = "escalated" // items under listed supervision (挂牌督办)
	reasonRepeated  = "repeated"  // more than one talk or circular within a year: an aggravating circumstance
)

// accountabilityRow is one district the office may have to act on: circular, talk or accountability (通报、约谈、
// 问责, seed 002 四(二) and the 2021 measures on supervision accountability).
type accountabilityRow struct {
	District  string          `json:"district"`
	Name      string          `json:"name"`
	Reasons   []string        `json:"reasons"`
	Flags     []progress.Flag `json:"flags"`     // the year's progress flags
	Overdue   int             `json:"overdue"`   // open items past their due date, of any year
	Escalated int             `json:"escalated"` // open escalated items, of any year
	Talks     int             `json:"talks"`     // between talks_since and talks_until
	Circulars int             `json:"circulars"` // idem
}

type accountabilityList struct {
	Year        int                 `json:"year"`
	GeneratedAt time.Time           `json:"generated_at"`
	TalksSince  time.Time           `json:"talks_since"` // talks and circulars are counted from here
	TalksUntil  time.Time           `json:"talks_until"` // to here
	Rows        []accountabilityRow `json:"rows"`
}

// getAccountability lists the districts lagging on their year (?year=, by default the latest with cycles), with
// overdue or escalated items, or with repeated talks and circulars within twelve months; most reasons first.
func (s *Server) getAccountability(c echo.Context) error {
	ctx := c.Request().Context()
	_, year, err := s.store.CycleYears(ctx)
	if err != nil {
		return err
	}
	if v := c.QueryParam("year"); v != "" {
		if year, err = strconv.Atoi(v); err != nil || year < 2000 || year > 2100 {
			return usecase.InvalidInput(FieldError{Field: "year", MessageZh: "年度应为 2000 至 2100 之间的整数",
				MessageEn: "must be a year from 2000 to 2100"})
		}
	}
	// The list is for deciding now: talks and circulars count over the twelve months before it is drawn up,
	// whichever year's progress it judges (a year's findings are rectified, and talked about, in the next).
	now := time.Now().In(s.loc)
	list := accountabilityList{Year: year, GeneratedAt: now, TalksSince: now.AddDate(-1, 0, 0), TalksUntil: now,
		Rows: []accountabilityRow{}}
	if year == 0 { // no cycle yet: nothing to judge
		return c.JSON(http.StatusOK, list)
	}
	ds, err := s.loadHistory(ctx, "", year, year)
	if err != nil {
		return err
	}
	counts, err := s.store.FindingCountsByDistrict(ctx, year)
	if err != nil {
		return err
	}
	talks, err := s.store.TalkCounts(ctx, list.TalksSince, now)
	if err != nil {
		return err
	}
	for _, d := range ds {
		row := accountabilityRow{District: d.Code, Name: d.Name, Reasons: []string{}, Flags: []progress.Flag{},
			Overdue: counts[d.Code].Overdue, Escalated: counts[d.Code].Escalated,
			Talks: talks[d.Code].Talks, Circulars: talks[d.Code].Circulars}
		for _, y := range progress.Progress(d, s.rules) {
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
	slices.SortStableFunc(list.Rows, func(a, b accountabilityRow) int { return len(b.Reasons) - len(a.Reasons) })
	return c.JSON(http.StatusOK, list)
}
