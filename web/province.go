package web

import (
	"errors"
	"net/http"

	"junheng/usecase"
)

type provinceData struct {
	NotOpen bool
	Stages  []string // the funnel's columns, in the order of the year
	usecase.ProvinceDashboard
}

// provinceDashboard is the province office's year across its cities: each city's funnel, the applications
// waiting for the province (each linking to the district's page, where the province records its result) and the
// certified share against the city's target. Without ?year= it shows the latest year with cycles.
func (s *server) provinceDashboard(w http.ResponseWriter, r *http.Request) {
	year := 0
	if r.FormValue("year") != "" {
		year = s.yearOf(r)
	}
	d := provinceData{}
	for _, st := range stages {
		d.Stages = append(d.Stages, string(st))
	}
	var err error
	d.ProvinceDashboard, err = s.opts.Core.ProvinceDashboard(r.Context(), actor(r), year)
	switch {
	case errors.Is(err, usecase.ErrNotFound):
		d.NotOpen = true
		if year == 0 {
			year = defaultYear(s.opts.Location)
		}
		s.render(w, r, http.StatusOK, "province", "prov_dashboard", year, d)
	case err != nil:
		s.coreError(w, r, err)
	default:
		s.render(w, r, http.StatusOK, "province", "prov_dashboard", d.Year, d)
	}
}
