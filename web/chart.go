package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"junheng/evaluation"
)

// cvChart is one indicator of one stage: a bar per district for its difference coefficient, and a dashed line at
// the limit. Drawn on the server as SVG: it needs no script, prints sharply and works on old browsers.
type cvChart struct {
	Stage, Indicator string
	Limit            float64
	Bars             []cvBar
}

type cvBar struct {
	District string
	CV       float64
}

// cvCharts gathers, from each district's evaluation, the coefficients per stage and indicator in the order of
// the standard.
func cvCharts(names []string, results []*evaluation.Result, en bool) []cvChart {
	profile := evaluation.National2017()
	var out []cvChart
	for _, stage := range []evaluation.Stage{evaluation.Primary, evaluation.Junior} {
		for _, ind := range profile.Indicators {
			c := cvChart{Stage: pick(en, stage.NameZh(), stage.NameEn()), Indicator: pick(en, ind.NameZh, ind.NameEn)}
			for i, res := range results {
				if res == nil {
					continue
				}
				st := res.Resource.Stages[stage]
				if st == nil || st.Indicators[ind.Key] == nil {
					continue
				}
				ir := st.Indicators[ind.Key]
				c.Limit = float64(ir.CVLimit)
				c.Bars = append(c.Bars, cvBar{District: names[i], CV: float64(ir.CV)})
			}
			if len(c.Bars) > 0 {
				out = append(out, c)
			}
		}
	}
	return out
}

// SVG draws the chart; the scale runs to the larger of the limit and the largest coefficient, plus a margin.
func (c cvChart) SVG() template.HTML {
	const label, width, row = 130.0, 260.0, 20.0
	top := c.Limit
	for _, b := range c.Bars {
		top = math.Max(top, b.CV)
	}
	top *= 1.15
	height := row*float64(len(c.Bars)) + 10
	x := func(v float64) float64 { return label + width*v/top }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" `+
		`viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img">`,
		label+width+50, height, label+width+50, height)
	for i, bar := range c.Bars {
		y := 5 + row*float64(i)
		fill := "#3b6ea5"
		if bar.CV > c.Limit+1e-9 {
			fill = "#c0392b"
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end" font-size="12">%s</text>`,
			label-6, y+13, template.HTMLEscapeString(bar.District))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.1f" height="%.0f" fill="%s"><title>%s %.4f</title></rect>`,
			label, y+2, x(bar.CV)-label, row-6, fill, template.HTMLEscapeString(bar.District), bar.CV)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="11">%.3f</text>`, x(bar.CV)+4, y+13, bar.CV)
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="0" y2="%.0f" stroke="#000" stroke-dasharray="4 3"/>`,
		x(c.Limit), x(c.Limit), height)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text inside was escaped above
}
