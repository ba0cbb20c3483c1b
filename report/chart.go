package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The charts are SVG drawn on the server, for these reports and the web pages alike: no script, no external assets
// and no style attribute (the pages' content policy forbids inline style), so a report saved or printed stays
// whole. Whether a value is over its limit or short of its target is the caller's to say, from package progress
// or the engine: the charts draw, they do not judge. In lineChart and barChart each x position is a year.

const (
	chartW, chartH         = 420.0, 210.0
	padL, padR, padT, padB = 44.0, 12.0, 30.0, 22.0
	plotW, plotH           = chartW - padL - padR, chartH - padT - padB
	colorOK, colorBad      = "#3b6ea5", "#c0392b"
	limitStroke            = `stroke="#000" stroke-dasharray="4 3"`
)

// linePoint is one year of a line chart; Missing leaves a gap (nothing submitted that year).
type linePoint struct {
	Label        string
	Value, Limit float64
	Over         bool // over the limit: drawn red
	Missing      bool
}

// lineChart draws the values with each year's limit as a dashed step line; a point above its limit is red.
func lineChart(title string, pts []linePoint) template.HTML {
	top, drawn := 0.0, 0
	for _, p := range pts {
		if !p.Missing {
			top, drawn = max(top, p.Value, p.Limit), drawn+1
		}
	}
	c := newCanvas(title, len(pts), niceTop(top), func(v float64) string { return fmt.Sprintf("%.2f", v) })
	if c.empty(drawn == 0) {
		return c.close()
	}
	// A gap year ends both the line and the limit's steps; the next year drawn starts them again (M).
	var limit, line strings.Builder
	last := -1 // the last year drawn
	for i, p := range pts {
		c.xLabel(i, p.Label)
		if p.Missing {
			continue
		}
		if last >= 0 && last == i-1 {
			fmt.Fprintf(&limit, "V%.1fH%.1f", c.y(p.Limit), c.x(i)+c.slot()/2)
			fmt.Fprintf(&line, "L%.1f %.1f", c.x(i), c.y(p.Value))
		} else {
			fmt.Fprintf(&limit, "M%.1f %.1fH%.1f", c.x(i)-c.slot()/2, c.y(p.Limit), c.x(i)+c.slot()/2)
			fmt.Fprintf(&line, "M%.1f %.1f", c.x(i), c.y(p.Value))
		}
		last = i
	}
	fmt.Fprintf(&c.b, `<path class="limit" d="%s" fill="none" %s/>`, limit.String(), limitStroke)
	fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="end" font-size="10">限值 %.2f</text>`,
		c.x(last)+c.slot()/2, c.y(pts[last].Limit)-3, pts[last].Limit)
	fmt.Fprintf(&c.b, `<path d="%s" fill="none" stroke="%s" stroke-width="1.5"/>`, line.String(), colorOK)
	for i, p := range pts {
		if p.Missing {
			continue
		}
		fill, word := colorOK, "≤"
		if p.Over {
			fill, word = colorBad, "&gt;"
		}
		fmt.Fprintf(&c.b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s: %.4f %s %.4f</title></circle>`,
			c.x(i), c.y(p.Value), fill, template.HTMLEscapeString(p.Label), p.Value, word, p.Limit)
		fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%.3f</text>`,
			c.x(i), c.y(p.Value)-7, p.Value)
	}
	return c.close()
}

// niceTop is the top of a scale over v with some room: v×1.15 rounded up in v's decimal order (0.62 → 0.8), so
// that the ticks at half and full are round.
func niceTop(v float64) float64 {
	if v <= 0 {
		return 1 // all at zero: any scale shows them
	}
	step := math.Pow(10, math.Floor(math.Log10(v)))
	return math.Ceil(v*1.15/step) * step
}

// bar is one year of a share chart; Target, when set, is drawn as a dashed marker across the bar.
type bar struct {
	Label   string
	Share   float64
	Target  *float64
	Short   bool // short of the target: drawn red
	Missing bool
}

// barChart draws shares from 0 to 100%.
func barChart(title string, bars []bar) template.HTML {
	drawn := 0
	for _, b := range bars {
		if !b.Missing {
			drawn++
		}
	}
	c := newCanvas(title, len(bars), 1, func(v float64) string { return fmt.Sprintf("%.0f%%", v*100) })
	if c.empty(drawn == 0) {
		return c.close()
	}
	w := c.slot() * 0.5
	for i, b := range bars {
		c.xLabel(i, b.Label)
		if b.Missing {
			fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`, c.x(i),
				c.y(0)-3, dash)
			continue
		}
		fill := colorOK
		if b.Short {
			fill = colorBad
		}
		fmt.Fprintf(&c.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
			c.x(i)-w/2, c.y(b.Share), w, c.y(0)-c.y(b.Share), fill, template.HTMLEscapeString(b.Label), pct(b.Share))
		fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`,
			c.x(i), c.y(b.Share)-3, pct(b.Share))
		if b.Target != nil {
			fmt.Fprintf(&c.b,
				`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke-width="2" %s><title>目标 %s</title></line>`,
				c.x(i)-c.slot()*0.4, c.x(i)+c.slot()*0.4, c.y(*b.Target), c.y(*b.Target), limitStroke, pct(*b.Target))
		}
	}
	return c.close()
}

// canvas is one chart being drawn: the frame, the title, the y axis with three ticks, and a slot per year.
type canvas struct {
	b   strings.Builder
	n   int
	top float64
}

func newCanvas(title string, n int, top float64, tick func(float64) string) *canvas {
	c := &canvas{n: n, top: top}
	openSVG(&c.b, chartW, chartH, title)
	fmt.Fprintf(&c.b, `<text x="%.0f" y="16" text-anchor="middle" font-size="12" font-weight="bold">%s</text>`,
		chartW/2, template.HTMLEscapeString(title))
	for _, v := range []float64{0, top / 2, top} {
		fmt.Fprintf(&c.b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, padL, padL+plotW,
			c.y(v), c.y(v))
		fmt.Fprintf(&c.b, `<text x="%.0f" y="%.1f" text-anchor="end" font-size="10">%s</text>`, padL-4,
			c.y(v)+3, tick(v))
	}
	return c
}

// empty writes the no-data notice when there is nothing to draw, and says so.
func (c *canvas) empty(nothing bool) bool {
	if nothing {
		fmt.Fprintf(&c.b,
			`<text x="%.0f" y="%.0f" text-anchor="middle" font-size="12" fill="#666">无数据 (no data)</text>`,
			padL+plotW/2, padT+plotH/2)
	}
	return nothing
}

func (c *canvas) slot() float64       { return plotW / float64(c.n) }
func (c *canvas) x(i int) float64     { return padL + c.slot()*(float64(i)+0.5) }
func (c *canvas) y(v float64) float64 { return padT + plotH*(1-v/c.top) }
func (c *canvas) xLabel(i int, s string) {
	fmt.Fprintf(&c.b, `<text x="%.1f" y="%.0f" text-anchor="middle" font-size="10">%s</text>`,
		c.x(i), chartH-6, template.HTMLEscapeString(s))
}

func (c *canvas) close() template.HTML { return closeSVG(&c.b) }

// openSVG starts a chart of w × h; the title is its accessible name.
func openSVG(b *strings.Builder, w, h float64, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %.0f %.0f" `+
		`width="%.0f" height="%.0f" role="img" aria-label="%s">`, w, h, w, h, template.HTMLEscapeString(title))
}

func closeSVG(b *strings.Builder) template.HTML {
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text inside was escaped as it was written
}

// LimitBar is one row of a LimitChart.
type LimitBar struct {
	Label string
	Value float64
	Over  bool // over the limit: drawn red
}

// LimitChart draws a bar per row, its value written after it, against a limit drawn as a dashed line across the
// rows; the scale runs from 0 past the larger of the limit and the largest value (see niceTop). The web pages
// use it for the districts' difference coefficients.
func LimitChart(title string, bars []LimitBar, limit float64) template.HTML {
	const label, width, row = 130.0, 260.0, 20.0
	top := limit
	for _, b := range bars {
		top = max(top, b.Value)
	}
	top = niceTop(top)
	height := row*float64(len(bars)) + 10
	x := func(v float64) float64 { return label + width*v/top }
	var b strings.Builder
	openSVG(&b, label+width+50, height, title)
	for i, bar := range bars {
		y := 5 + row*float64(i)
		fill := colorOK
		if bar.Over {
			fill = colorBad
		}
		name := template.HTMLEscapeString(bar.Label)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end" font-size="12">%s</text>`, label-6, y+13, name)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.1f" height="%.0f" fill="%s"><title>%s %.4f</title></rect>`,
			label, y+2, x(bar.Value)-label, row-6, fill, name, bar.Value)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="11">%.3f</text>`, x(bar.Value)+4, y+13, bar.Value)
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="0" y2="%.0f" %s/>`, x(limit), x(limit), height, limitStroke)
	return closeSVG(&b)
}
