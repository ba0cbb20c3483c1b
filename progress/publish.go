package progress

import (
	"slices"
	"strings"
	"time"

	"junheng/evaluation"
)

// Publication is what the city decides to publish on the public summary page (以适当方式公布监测结果). Nothing is
// published unless Enabled, and then only the named sections.
type Publication struct {
	Enabled  bool     `json:"enabled"`
	Title    string   `json:"title"`
	Sections []string `json:"sections"`
}

// The sections a publication may name.
const (
	// districts meeting the standard and certified, by year, against the target
	SectionCityTargets = "city_targets"
	// the names of certified districts and the year of certification
	SectionCertified = "certified_districts"
	// each district's yearly result: meets the standard or not
	SectionDistrictResults = "district_results"
)

// Sections lists every section, in the order the page shows them.
var Sections = []string{SectionCityTargets, SectionCertified, SectionDistrictResults}

// DefaultPublication is off; when enabled without sections, it shows the city's targets and certifications,
// which are public anyway.
func DefaultPublication() Publication {
	return Publication{Title: "义务教育优质均衡发展创建进展", Sections: []string{SectionCityTargets, SectionCertified}}
}

// Publish builds the public summary of the given years. It copies names, counts and shares only, so a field added
// to the internal reports can never reach the public page by accident.
func Publish(pub Publication, ds []District, years []int, rules Rules, now time.Time) PublicSummary {
	s := PublicSummary{Title: pub.Title, GeneratedAt: now}
	ds = reviewedOnly(ds)
	if slices.Contains(pub.Sections, SectionCityTargets) {
		for _, y := range City(ds, years, rules) {
			s.Years = append(s.Years, PublicYear{Year: y.Year, Districts: y.Districts, Meeting: y.Meeting,
				Certified: y.Certified, Share: y.Share, Target: y.Target, TargetMet: y.TargetMet})
		}
	}
	certified, results :=
		slices.Contains(pub.Sections, SectionCertified), slices.Contains(pub.Sections, SectionDistrictResults)
	for _, d := range ds {
		was := false // certified in an earlier year
		for _, y := range byYear(d.Years) {
			if !slices.Contains(years, y.Year) {
				continue
			}
			if certified && y.Certified && !was {
				s.Certified = append(s.Certified, PublicResult{Name: d.Name, Year: y.Year, Meets: true,
					Certified: true})
			}
			was = was || y.Certified
			if results && (y.Result != nil || was) {
				meets := was || y.Result.Verdict == evaluation.Meets
				s.Results = append(s.Results, PublicResult{Name: d.Name, Year: y.Year, Meets: meets, Certified: was})
			}
		}
	}
	byYearName := func(a, b PublicResult) int {
		if a.Year != b.Year {
			return a.Year - b.Year
		}
		return strings.Compare(a.Name, b.Name)
	}
	slices.SortFunc(s.Certified, byYearName)
	slices.SortFunc(s.Results, byYearName)
	return s
}

// reviewedOnly drops the self-assessments the office has not reviewed: a district's own figures are not a
// monitoring result the city publishes. Certifications stay.
func reviewedOnly(ds []District) []District {
	out := make([]District, len(ds))
	for i, d := range ds {
		d.Years = slices.Clone(d.Years)
		for j := range d.Years {
			if !d.Years[j].Reviewed {
				d.Years[j].Input, d.Years[j].Result = nil, nil
			}
		}
		out[i] = d
	}
	return out
}
