package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"junheng/evaluation"
	"junheng/progress"
)

// DistrictXLSX writes a district's multi-year report as a workbook: progress by year, milestones, difference
// coefficients and the school ledger.
func DistrictXLSX(w io.Writer, r progress.DistrictReport) error {
	b := newWorkbook()
	schools := schoolNames(r.Schools)
	b.sheet("进展", progressHeader, progressRows(b, r.Years, schools))
	b.sheet("里程碑", []string{"年度 (year)", "计划达标学校 (schools)", "计划消除短板 (indicators)",
		"大规模学校上限 (oversized max)", "大班额上限 (large classes max)", "备注 (note)", "达成 (met)",
		"未达成事项 (missed)"}, milestoneRows(r.Years, schools))
	b.sheet("差异系数", []string{"年度 (year)", "学段 (stage)", "指标 (indicator)", "差异系数 (cv)", "限值 (limit)",
		"达标 (passes)", "上年 (previous)", "变化 (change)"}, coefficientRows(b, r.Years))
	b.sheet("学校台账", []string{"学校代码 (code)", "学校名称 (name)", "年度 (year)", "报送 (reported)",
		"达标 (complies)", "大规模 (oversized)", "大班额 (large classes)", "未达标项 (shortfalls)",
		"所需数量 (needed)", "已解决 (resolved)", "新增 (new)"}, ledgerRows(r.Schools))
	return b.write(w)
}

var progressHeader = []string{"年度 (year)", "已提交 (submitted)", "评估结论 (verdict)", "已认定 (certified)",
	"学校数 (schools)", "未达标学校数 (non-compliant)", "上年未达标基数 (brought-up base)", "已达标数 (brought up)",
	"达标提升比例 (brought-up share)", "提升目标 (brought-up target)", "提升达成 (brought-up met)",
	"大规模学校 (oversized)", "上年大规模学校 (oversized previous)", "减少比例 (oversized reduction)",
	"减少目标 (reduction target)", "减少达成 (reduction met)", "新增大规模学校 (new oversized)",
	"大班额 (large classes)", "上年大班额 (large classes previous)", "预警 (flags)",
	"评估规则版本 (rules version)"}

func progressRows(b *workbook, years []progress.DistrictYear, schools names) [][]any {
	rows := make([][]any, len(years))
	for i, y := range years {
		var base, count, share, target, reached any
		if u := y.BroughtUp; u != nil {
			base, count, share, target, reached = u.Base, u.Count, b.pct(u.Share), b.pct(&u.Target), yesNo(u.Met)
		}
		o := y.Oversized
		rows[i] = []any{y.Year, yesNo(y.Submitted), text(verdictZh(y.Verdict)), yesNo(y.Certified), y.Schools,
			len(y.NonCompliant), base, count, share, target, reached, o.Now, optIntCell(o.Previous), b.pct(o.Reduced),
			b.pct(o.Target), optYesNo(o.Met), text(strings.Join(mapStrings(o.New, schools.Of), "; ")),
			y.LargeClasses.Now, optIntCell(y.LargeClasses.Previous), text(flagMessages(y.Flags)), optIntCell(engine(y))}
	}
	return rows
}

// engine is the version of the rules that judged the year, nil when nothing was submitted.
func engine(y progress.DistrictYear) *int {
	if y.Engine == 0 {
		return nil
	}
	return &y.Engine
}

func milestoneRows(years []progress.DistrictYear, schools names) [][]any {
	var rows [][]any
	for _, y := range years {
		if m := y.Milestone; m != nil {
			rows = append(rows, []any{y.Year, text(strings.Join(mapStrings(m.Milestone.Schools, schools.Of), "; ")),
				text(strings.Join(mapStrings(m.Milestone.Indicators, shortfallZh), "; ")),
				optIntCell(m.Milestone.OversizedMax), optIntCell(m.Milestone.LargeClassesMax), text(m.Milestone.Note),
				yesNo(m.Met), text(flagMessages(m.Missed))})
		}
	}
	return rows
}

func coefficientRows(b *workbook, years []progress.DistrictYear) [][]any {
	var rows [][]any
	for _, y := range years {
		for _, c := range y.Coefficients {
			rows = append(rows, []any{y.Year, c.Stage.NameZh(), indicatorZh(c.Indicator), b.decimal(float64(c.CV)),
				b.decimal(float64(c.Limit)), yesNo(c.Passes), b.optDecimal(c.Previous), b.optDecimal(c.Change)})
		}
	}
	return rows
}

func ledgerRows(ledger []progress.SchoolLedger) [][]any {
	var rows [][]any
	for _, s := range ledger {
		for _, y := range s.Years {
			row := []any{s.Code, s.Name, y.Year, yesNo(y.Reported)}
			if y.Reported {
				var resolved, added string
				if c := y.Changes; c != nil {
					resolved = strings.Join(mapStrings(c.Resolved, shortfallZh), "; ")
					added = strings.Join(mapStrings(c.New, shortfallZh), "; ")
				}
				messages := make([]string, len(y.Shortfalls))
				for i, f := range y.Shortfalls {
					messages[i] = f.MessageZh
				}
				row = append(row, yesNo(y.Complies), yesNo(y.Oversized), y.LargeClasses,
					text(strings.Join(messages, "; ")), text(needed(y.Shortfalls)), text(resolved), text(added))
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// needed lists what each shortfall still takes, as "indicator(stage): quantity ±n unit" (a negative amount is a
// reduction: pupils, or the largest class).
func needed(shortfalls []progress.SchoolShortfall) string {
	var parts []string
	for _, f := range shortfalls {
		if len(f.Needed) == 0 {
			continue
		}
		amounts := make([]string, 0, len(f.Needed))
		for _, q := range slices.Sorted(maps.Keys(f.Needed)) {
			zh, unit := evaluation.QuantityName(q)
			amounts = append(amounts, fmt.Sprintf("%s %+d %s", zh, f.Needed[q], unit))
		}
		name := indicatorZh(f.Key)
		if f.Stage != "" {
			name += "(" + f.Stage.NameZh() + ")"
		}
		parts = append(parts, name+": "+strings.Join(amounts, ", "))
	}
	return strings.Join(parts, "; ")
}

// CityXLSX writes the city's multi-year report as a workbook: the city by year, and every district by year.
func CityXLSX(w io.Writer, r progress.CityReport) error {
	b := newWorkbook()
	districts := names{}
	for _, d := range r.Districts {
		districts[d.District] = d.Name
	}
	city := make([][]any, len(r.Years))
	for i, y := range r.Years {
		var targetMet any
		if y.Target != nil {
			targetMet = yesNo(y.TargetMet)
		}
		city[i] = []any{y.Year, y.Districts, y.Meeting, y.Certified, b.pct(&y.Share), b.pct(y.Target), targetMet,
			text(strings.Join(mapStrings(y.AtRisk, districts.Of), "; ")),
			text(strings.Join(mapStrings(y.Late, districts.Of), "; ")),
			text(strings.Join(mapStrings(y.Lagging, districts.Of), "; "))}
	}
	b.sheet("全市", []string{"年度 (year)", "区(市)数 (districts)", "达到标准 (meeting)", "已认定 (certified)",
		"占比 (share)", "目标 (target)", "目标达成 (target met)", "目标年度未达标 (at risk)", "逾期未认定 (late)",
		"存在预警 (lagging)"}, city)
	var rows [][]any
	for _, d := range r.Districts {
		var targetYear any
		if d.TargetYear != 0 {
			targetYear = d.TargetYear
		}
		for _, y := range d.Years {
			var share, reached any
			if u := y.BroughtUp; u != nil {
				share, reached = b.pct(u.Share), yesNo(u.Met)
			}
			rows = append(rows, []any{d.District, d.Name, targetYear, y.Year, yesNo(y.Submitted),
				text(verdictZh(y.Verdict)), yesNo(y.Certified), y.Schools, len(y.NonCompliant), share, reached,
				y.Oversized.Now, b.pct(y.Oversized.Reduced), y.LargeClasses.Now, text(flagMessages(y.Flags))})
		}
	}
	b.sheet("各区", []string{"区县代码 (district)", "区县名称 (name)", "计划认定年度 (target year)", "年度 (year)",
		"已提交 (submitted)", "评估结论 (verdict)", "已认定 (certified)", "学校数 (schools)",
		"未达标学校数 (non-compliant)", "达标提升比例 (brought-up share)", "提升达成 (brought-up met)",
		"大规模学校 (oversized)", "减少比例 (oversized reduction)", "大班额 (large classes)", "预警 (flags)"}, rows)
	return b.write(w)
}

func flagMessages(flags []progress.Flag) string {
	out := make([]string, len(flags))
	for i, f := range flags {
		out[i] = f.MessageZh
	}
	return strings.Join(out, "; ")
}

// Cells: nil leaves a cell empty, which is what a missing value (no previous year, no target) should be in a
// sheet meant for filtering and formulas.

func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optIntCell(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

func optYesNo(b *bool) any {
	if b == nil {
		return nil
	}
	return yesNo(*b)
}

// workbook writes sheets of a header row and value rows, keeping the first error so that a report reads as a
// list of sheets.
type workbook struct {
	f                     *excelize.File
	sheets                int
	head, share, decimal4 int // style IDs
	err                   error
}

func newWorkbook() *workbook {
	b := &workbook{f: excelize.NewFile()}
	b.head = b.style(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	b.share = b.style(&excelize.Style{NumFmt: 10}) // 0.00%
	format := "0.0000"
	b.decimal4 = b.style(&excelize.Style{CustomNumFmt: &format})
	return b
}

func (b *workbook) style(s *excelize.Style) int {
	if b.err != nil {
		return 0
	}
	id, err := b.f.NewStyle(s)
	b.err = err
	return id
}

// pct is a share kept as a fraction and shown as a percentage.
func (b *workbook) pct(f *float64) any {
	if f == nil {
		return nil
	}
	return excelize.Cell{StyleID: b.share, Value: *f}
}

// decimal is a coefficient, unrounded and shown with the 4 decimals of the reports.
func (b *workbook) decimal(f float64) any { return excelize.Cell{StyleID: b.decimal4, Value: f} }

func (b *workbook) optDecimal(n *evaluation.Number) any {
	if n == nil {
		return nil
	}
	return b.decimal(float64(*n))
}

func (b *workbook) sheet(name string, header []string, rows [][]any) {
	if b.err == nil {
		b.err = b.writeSheet(name, header, rows)
	}
}

func (b *workbook) writeSheet(name string, header []string, rows [][]any) error {
	var err error
	if b.sheets == 0 {
		err = b.f.SetSheetName("Sheet1", name)
	} else {
		_, err = b.f.NewSheet(name)
	}
	b.sheets++
	if err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(header), 16); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2",
		ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = excelize.Cell{StyleID: b.head, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, row := range rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func (b *workbook) write(w io.Writer) error {
	defer b.f.Close()
	if b.err != nil {
		return fmt.Errorf("report workbook: %w", b.err)
	}
	return b.f.Write(w)
}
