package web

import (
	"html/template"

	"junheng/evaluation"
	"junheng/report"
)

// cvChart is one indicator of one stage: a bar per district for its difference coefficient, and a dashed line at
// the limit. Drawn on the server as SVG (report.LimitChart): it needs no script, prints sharply and works on old
// browsers.
type cvChart struct {
	Stage, Indicator string
	Limit            float64
	Bars             []report.LimitBar
}

// cvCharts gathers, from each district's evaluation, the coefficients per stage and indicator in the order of
// the standard; a bar is over the limit as the engine judged it.
func cvCharts(names []string, results []*evaluation.Result, en bool) []cvChart {
	profile := evaluation.National2017()
	var out []cvChart
	for _, stage := range []evaluation.SchoolStage{evaluation.Primary, evaluation.Junior} {
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
				c.Bars = append(c.Bars, report.LimitBar{Label: names[i], Value: float64(ir.CV), Over: !ir.CVPasses})
			}
			if len(c.Bars) > 0 {
				out = append(out, c)
			}
		}
	}
	return out
}

// SVG draws the chart.
func (c cvChart) SVG() template.HTML {
	return report.LimitChart(c.Stage+" · "+c.Indicator, c.Bars, c.Limit)
}
