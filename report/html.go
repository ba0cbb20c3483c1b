// Package report renders the multi-year reports of package progress: printable HTML pages with inline SVG
// charts, and .xlsx workbooks. It also draws the web pages' charts (LimitChart), so that there is one renderer.
// It decides nothing; every figure and flag comes from package progress or the engine.
package report

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"junheng/evaluation"
	"junheng/progress"
	"junheng/vocab"
)

//go:embed templates/*.html
var templateFiles embed.FS

var funcs = template.FuncMap{
	"pct": pct, "optPct": optPct, "optInt": optInt, "num": num,
	"yesNo": yesNo, "met": met, "optMet": optMet, "date": date,
	"planStatus": func(s string) string { return vocab.CreationPlanStatus(s).Label().Zh },
	"indicator":  indicatorZh, "shortfalls": shortfallsZh,
	"verdict": func(v string) string { return cmp.Or(verdictZh(v), dash) },
	"stage":   func(s string) string { return vocab.CycleStage(s).Label().Zh },
}

// ContentSecurityPolicy is the policy to serve the printable pages under: they carry their style sheet inline and
// draw their charts as inline SVG, so they need nothing else: they load nothing, run no script, are not framed.
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " +
	"frame-ancestors 'none'; form-action 'none'; base-uri 'none'"

var (
	districtTemplate = parse("district.html")
	cityTemplate     = parse("city.html")
	publicTemplate   = parse("public.html")
)

// parse gives each page its own set with the shared head, so that the pages' definitions cannot collide.
func parse(page string) *template.Template {
	return template.Must(template.New(page).Funcs(funcs).ParseFS(templateFiles, "templates/base.html",
		"templates/"+page))
}

// districtPage is what the district template reads: the report, its charts, and the names of the schools the
// plan lists by code.
type districtPage struct {
	progress.DistrictReport
	SchoolNames names
	ShareChart  template.HTML
	CVCharts    []template.HTML
}

func (p districtPage) Title() string {
	return fmt.Sprintf("%s 义务教育优质均衡发展创建进展报告 (%d–%d)", p.Name, p.From, p.To)
}

// MilestoneYears are the years the plan set a milestone for.
func (p districtPage) MilestoneYears() []progress.DistrictYear {
	var out []progress.DistrictYear
	for _, y := range p.Years {
		if y.Milestone != nil {
			out = append(out, y)
		}
	}
	return out
}

// DistrictHTML writes a district's multi-year report as a printable page.
func DistrictHTML(w io.Writer, r progress.DistrictReport) error {
	p := districtPage{DistrictReport: r, SchoolNames: schoolNames(r.Schools),
		ShareChart: complianceChart(r.Years), CVCharts: cvCharts(r.Years)}
	return districtTemplate.Execute(w, p)
}

func schoolNames(ledger []progress.SchoolLedger) names {
	n := names{}
	for _, s := range ledger {
		n[s.Code] = s.Name
	}
	return n
}

// complianceChart is the share of schools without a school-level shortfall (校校达标), by year.
func complianceChart(years []progress.DistrictYear) template.HTML {
	bars := make([]bar, len(years))
	for i, y := range years {
		bars[i] = bar{Label: strconv.Itoa(y.Year), Missing: !y.Submitted || y.Schools == 0}
		if !bars[i].Missing {
			bars[i].Share = float64(y.Schools-len(y.NonCompliant)) / float64(y.Schools)
		}
	}
	return barChart("校校达标比例 (schools complying)", bars)
}

// cvCharts draws each stage's coefficient of each indicator over the years, in the order the years list them
// (the profile's); a year without it is a gap.
func cvCharts(years []progress.DistrictYear) []template.HTML {
	type series struct {
		stage evaluation.SchoolStage
		key   string
	}
	var order []series
	found := map[series][]*progress.Coefficient{} // by index of the year
	for i, y := range years {
		for j, c := range y.Coefficients {
			s := series{c.Stage, c.Indicator}
			if found[s] == nil {
				order = append(order, s)
				found[s] = make([]*progress.Coefficient, len(years))
			}
			found[s][i] = &years[i].Coefficients[j]
		}
	}
	charts := make([]template.HTML, len(order))
	for k, s := range order {
		pts := make([]linePoint, len(years))
		for i, y := range years {
			pts[i] = linePoint{Label: strconv.Itoa(y.Year), Missing: found[s][i] == nil}
			if c := found[s][i]; c != nil {
				pts[i].Value, pts[i].Limit, pts[i].Over = float64(c.CV), float64(c.Limit), !c.Passes
			}
		}
		charts[k] = lineChart(s.stage.NameZh()+" · "+indicatorZh(s.key), pts)
	}
	return charts
}

// cityPage is what the city template reads: the report, its chart, and the names of the districts the years
// list by code.
type cityPage struct {
	progress.CityReport
	DistrictNames names
	Chart         template.HTML
}

func (p cityPage) Title() string {
	return fmt.Sprintf("全市义务教育优质均衡发展创建进展报告 (%d–%d)", p.From, p.To)
}

// CityHTML writes the city's multi-year report as a printable page.
func CityHTML(w io.Writer, r progress.CityReport) error {
	p := cityPage{CityReport: r, DistrictNames: names{}, Chart: meetingChart(r.Years)}
	for _, d := range r.Districts {
		p.DistrictNames[d.District] = d.Name
	}
	return cityTemplate.Execute(w, p)
}

// meetingChart is the share of districts meeting the standard (or certified) by year, against the target.
func meetingChart(years []progress.CityYear) template.HTML {
	bars := make([]bar, len(years))
	for i, y := range years {
		bars[i] = bar{Label: strconv.Itoa(y.Year), Share: y.Share, Target: y.Target,
			Short: y.Target != nil && !y.TargetMet, Missing: y.Districts == 0}
	}
	return barChart("达到标准的区(市)占比 (districts meeting; dashed: target)", bars)
}

// PublicHTML writes the published summary: only what the summary holds, with no link to the internal pages.
func PublicHTML(w io.Writer, s progress.PublicSummary) error {
	return publicTemplate.Execute(w, s)
}
