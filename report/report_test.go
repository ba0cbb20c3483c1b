package report

import (
	"bytes"
	"html/template"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"junheng/evaluation"
	"junheng/progress"
)

func ptr[T any](v T) *T { return &v }

var generated = time.Date(2025, 3, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

// district is a district over three years: 2 of the 8 schools short in 2022 comply in 2023, a coefficient above
// its limit in 2022 falls below it in 2023, and nothing is submitted in 2024.
func district() progress.DistrictReport {
	worse := progress.Flag{Key: progress.FlagSchoolsWorse, MessageZh: "1 所上年达标学校本年未达标", MessageEn: "1 school fell back"}
	return progress.DistrictReport{
		District: "330102", Name: "江北区", From: 2022, To: 2024, GeneratedAt: generated,
		Plan: &progress.PlanInfo{Status: "approved", Version: 2, ApprovedVersion: 2, Approved: &progress.Plan{
			TargetYear: 2025,
			Milestones: []progress.Milestone{{Year: 2023, Schools: []string{"S01"},
				Indicators: []string{"qualified_teachers_per_100"}, OversizedMax: ptr(1), Note: "先补教师"}},
		}},
		Years: []progress.DistrictYear{
			{Year: 2022, Submitted: true, Verdict: "does_not_meet", Engine: 1, Schools: 10,
				NonCompliant: []string{"S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08"},
				Oversized:    progress.Count{Now: 2, Schools: []string{"S09", "S10"}},
				LargeClasses: progress.Count{Now: 4},
				Coefficients: []progress.Coefficient{
					{Stage: evaluation.Primary, Indicator: "qualified_teachers_per_100", CV: 0.62, Limit: 0.50},
					{Stage: evaluation.Junior, Indicator: "qualified_teachers_per_100", CV: 0.40,
						Limit: 0.45, Passes: true},
				}},
			{Year: 2023, Submitted: true, Verdict: "does_not_meet", Engine: evaluation.EngineVersion, Schools: 10,
				NonCompliant: []string{"S03", "S04", "S05", "S06", "S07", "S11"},
				BroughtUp: &progress.BroughtUp{Base: 8, Count: 2, Share: ptr(0.25), Target: 0.25, Met: true,
					Schools: []string{"S01", "S02"}, Worse: []string{"S11"}},
				Oversized: progress.Count{Now: 1, Previous: ptr(2), Change: ptr(-1), Reduced: ptr(0.5),
					Target: ptr(0.25), Met: ptr(true), Schools: []string{"S10"}, Resolved: []string{"S09"}},
				LargeClasses: progress.Count{Now: 3, Previous: ptr(4), Change: ptr(-1)},
				Coefficients: []progress.Coefficient{
					{Stage: evaluation.Primary, Indicator: "qualified_teachers_per_100", CV: 0.48,
						Limit: 0.50, Passes: true,
						Previous: ptr[evaluation.Number](0.62), Change: ptr[evaluation.Number](-0.14)},
				},
				Milestone: &progress.MilestoneResult{Milestone: progress.Milestone{Year: 2023, OversizedMax: ptr(0)},
					Missed: []progress.Flag{{Key: progress.FlagMilestoneOversized, MessageZh: "大规模学校 1 所, 超过计划的 0 所"}}},
				Flags: []progress.Flag{worse}},
			{Year: 2024, Flags: []progress.Flag{{Key: progress.FlagNoSubmission, MessageZh: "本年度未提交自评"}}},
		},
		Schools: []progress.SchoolLedger{{Code: "S01", Name: "实验小学", Years: []progress.SchoolYear{
			{Year: 2022, Reported: true, Kind: evaluation.KindPrimary, Students: 1200,
				Shortfalls: []progress.SchoolShortfall{{
					Key: "qualified_teachers_per_100", Stage: evaluation.Primary, Op: evaluation.AtLeast,
					Needed: map[string]int64{"qualified_teachers": 3}, MessageZh: "高于规定学历教师数低于要求"}}},
			{Year: 2023, Reported: true, Complies: true, Kind: evaluation.KindPrimary, Students: 1250,
				Shortfalls: []progress.SchoolShortfall{},
				Changes: &progress.Changes{Since: 2022, Resolved: []string{"qualified_teachers_per_100/primary"},
					Values: []progress.ValueChange{{Stage: evaluation.Primary, Indicator: "qualified_teachers_per_100",
						Previous: 3.9, Now: 4.4}}}},
			{Year: 2024},
		}}},
	}
}

func city() progress.CityReport {
	return progress.CityReport{From: 2022, To: 2023, GeneratedAt: generated,
		Years: []progress.CityYear{
			{Year: 2022, Districts: 3, Meeting: 0, Share: 0},
			{Year: 2023, Districts: 3, Meeting: 1, Certified: 1, Share: 1.0 / 3, Target: ptr(0.3), TargetMet: true,
				AtRisk: []string{"330103"}, Lagging: []string{"330102", "330103"}},
		},
		Districts: []progress.DistrictRows{
			{District: "330102", Name: "江北区", TargetYear: 2025, Years: district().Years[:2]},
			{District: "330103", Name: "下城区", TargetYear: 2023},
		},
	}
}

func render[T any](t *testing.T, f func(io.Writer, T) error, v T) string {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, v); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b.String())
	return b.String()
}

// wellFormed checks that every element but the void ones is closed, in order.
func wellFormed(t *testing.T, page string) {
	t.Helper()
	void := map[string]bool{"meta": true, "br": true}
	var open []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatal(z.Err())
			}
			if len(open) > 0 {
				t.Fatalf("unclosed %v", open)
			}
			return
		case html.StartTagToken:
			if name, _ := z.TagName(); !void[string(name)] {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				t.Fatalf("</%s> closes %v", name, open)
			}
			open = open[:len(open)-1]
		}
	}
}

func contains(t *testing.T, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestDistrictHTML(t *testing.T) {
	page := render(t, DistrictHTML, district())
	contains(t, page,
		"<title>江北区 义务教育优质均衡发展创建进展报告 (2022–2024)</title>", "@media print",
		"已批准", "2025", "实验小学", "每百名学生拥有高于规定学历教师数", "先补教师", // the plan
		"25.00% (2/8), 目标 25.00%", "1 / 2", "减少 50.00%", "3 / 4", "1 所上年达标学校本年未达标", "本年度未提交自评",
		"大规模学校 1 所, 超过计划的 0 所", // the milestone missed
		"20.00%", "40.00%", // schools complying: 2 of 10, then 4 of 10
		`class="limit"`, `stroke-dasharray="4 3"`, "限值 0.50", "限值 0.45",
		"高于规定学历教师数低于要求", "已解决: 每百名学生拥有高于规定学历教师数(小学)", "3.9 → 4.4", "未报送",
		"规则 v1", "规则 v"+strconv.Itoa(evaluation.EngineVersion)) // which rules judged each year
	red := regexp.MustCompile(`<circle [^>]*fill="#c0392b"><title>([^<]*)</title>`).FindAllStringSubmatch(page, -1)
	if len(red) != 1 || red[0][1] != "2022: 0.6200 &gt; 0.5000" {
		t.Errorf("red points: %q, want the 2022 primary coefficient only", red)
	}
	if strings.Contains(page, "<script") {
		t.Error("the page has a script")
	}
}

func TestEscaping(t *testing.T) {
	r := district()
	r.Name = `<script>alert(1)</script>`
	r.Schools[0].Name = `<img src=x onerror=alert(2)>`
	r.Years[1].Flags[0].MessageZh = `<b>flag</b>`
	page := render(t, DistrictHTML, r)
	for _, raw := range []string{"<script>", "<img", "<b>flag"} {
		if strings.Contains(page, raw) {
			t.Errorf("%q is not escaped", raw)
		}
	}
	contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;flag&lt;/b&gt;")

	c := city()
	c.Districts[1].Name = `<script>x</script>`
	contains(t, render(t, CityHTML, c), "&lt;script&gt;x&lt;/script&gt;")
	svg := string(lineChart(`<script>`, []linePoint{{Label: "<i>", Value: 1, Limit: 1}}))
	if strings.Contains(svg, "<script>") || strings.Contains(svg, "<i>") {
		t.Errorf("a chart's texts are not escaped: %s", svg)
	}
}

func TestMissingValues(t *testing.T) {
	r := district()
	r.Plan = nil
	contains(t, render(t, DistrictHTML, r), "未报送创建方案")
	r.Plan = &progress.PlanInfo{Status: "submitted", Version: 1}
	contains(t, render(t, DistrictHTML, r), "已报送待审批", "尚无批准的方案")

	r.Years[1].BroughtUp.Share = nil // a base of 0
	r.Years[1].Oversized = progress.Count{Now: 1}
	page := render(t, DistrictHTML, r)
	contains(t, page, "— (2/8)", "1 / —")

	empty := render(t, DistrictHTML, progress.DistrictReport{})
	contains(t, empty, "未报送创建方案", "无数据 (no data)")
	if err := DistrictXLSX(io.Discard, progress.DistrictReport{}); err != nil {
		t.Error(err)
	}

	c := city()
	c.Years[1].Target = nil
	page = render(t, CityHTML, c)
	contains(t, page, "下城区", "<td class=\"n\">—</td>")
	contains(t, render(t, CityHTML, progress.CityReport{}), "无数据 (no data)")
	if err := CityXLSX(io.Discard, progress.CityReport{}); err != nil {
		t.Error(err)
	}
	render(t, PublicHTML, progress.PublicSummary{})
}

func TestCityHTML(t *testing.T) {
	page := render(t, CityHTML, city())
	contains(t, page, "全市义务教育优质均衡发展创建进展报告 (2022–2023)",
		"33.33%", "30.00%", `<span class="ok">达成</span>`, // 1 of 3 against a 30% target
		"<td>下城区</td>", "<td>江北区、下城区</td>", // codes named
		"目标 30.00%", // the target marker on the chart
		"计划认定年度 <span class=\"en\">target year</span> 2025", "1 所上年达标学校本年未达标")
}

func publicSummary() progress.PublicSummary {
	return progress.PublicSummary{Title: "2023年度义务教育优质均衡发展监测结果", GeneratedAt: generated,
		Years: []progress.PublicYear{
			{Year: 2023, Districts: 3, Meeting: 1, Certified: 1, Share: 1.0 / 3, Target: ptr(0.3)}},
		Certified: []progress.PublicResult{{Name: "西湖区", Year: 2023, Meets: true, Certified: true}},
		Results: []progress.PublicResult{{Name: "西湖区", Year: 2023, Meets: true, Certified: true},
			{Name: "江北区", Year: 2023}},
	}
}

// TestPublicHTML checks every text of the page: it is a fixed label or a figure of the summary.
func TestPublicHTML(t *testing.T) {
	s := publicSummary()
	page := render(t, PublicHTML, s)
	allowed := map[string]bool{s.Title: true, "发布时间 " + date(s.GeneratedAt): true, "是": true, "否": true,
		"全市目标完成情况": true, "通过认定的区(市)": true, "各区(市)评估结果": true, "年度": true, "区(市)数": true,
		"达到标准": true, "已认定": true, "占比": true, "目标": true, "目标完成": true, "区(市)": true}
	for _, y := range s.Years {
		for _, v := range []int{y.Year, y.Districts, y.Meeting, y.Certified} {
			allowed[strconv.Itoa(v)] = true
		}
		allowed[pct(y.Share)], allowed[optPct(y.Target)] = true, true
	}
	for _, r := range slices.Concat(s.Certified, s.Results) {
		allowed[r.Name], allowed[strconv.Itoa(r.Year)] = true, true
	}
	z := html.NewTokenizer(strings.NewReader(page))
	for inStyle := false; z.Next() != html.ErrorToken; {
		tok := z.Token()
		switch tok.Type {
		case html.StartTagToken, html.EndTagToken:
			inStyle = tok.Data == "style" && tok.Type == html.StartTagToken
			if tok.Data == "a" || tok.Data == "script" || tok.Data == "svg" {
				t.Errorf("the public page has <%s>", tok.Data)
			}
		case html.TextToken:
			if text := strings.TrimSpace(tok.Data); text != "" && !inStyle && !allowed[text] {
				t.Errorf("the public page prints %q, which the summary does not hold", text)
			}
		}
	}
	for _, absent := range []string{"实验小学", "330102", "href", "差异系数"} {
		if strings.Contains(page, absent) {
			t.Errorf("the public page has %q", absent)
		}
	}

	sections := map[string]func(*progress.PublicSummary){
		"全市目标完成情况":  func(s *progress.PublicSummary) { s.Years = nil },
		"通过认定的区(市)": func(s *progress.PublicSummary) { s.Certified = nil },
		"各区(市)评估结果": func(s *progress.PublicSummary) { s.Results = nil },
	}
	for heading, drop := range sections {
		s := publicSummary()
		drop(&s)
		page := render(t, PublicHTML, s)
		if strings.Contains(page, heading) {
			t.Errorf("%s shows without its data", heading)
		}
		for other := range sections {
			if other != heading && !strings.Contains(page, other) {
				t.Errorf("%s is gone with %s", other, heading)
			}
		}
	}
}

func TestCharts(t *testing.T) {
	for name, svg := range map[string]template.HTML{
		"line empty":   lineChart("t", nil),
		"line missing": lineChart("t", []linePoint{{Label: "2024", Missing: true}}),
		"bar empty":    barChart("t", nil),
		"bar missing":  barChart("t", []bar{{Label: "2024", Missing: true}}),
	} {
		if !strings.Contains(string(svg), "无数据") {
			t.Errorf("%s: no notice in %s", name, svg)
		}
	}
	one := string(lineChart("t", []linePoint{{Label: "2023", Value: 0.3, Limit: 0.5}}))
	// A single year's limit spans the whole plot.
	contains(t, one, `<path class="limit" d="M44.0 `, `H408.0"`, "<circle", "0.300")
	if strings.Contains(one, "NaN") || strings.Contains(one, "Inf") {
		t.Error(one)
	}
	// A gap year breaks the line: two subpaths.
	gap := string(lineChart("t", []linePoint{{Label: "a", Value: 1, Limit: 2}, {Label: "b", Missing: true},
		{Label: "c", Value: 1, Limit: 2}}))
	if n := strings.Count(gap, `stroke-width="1.5"`); n != 1 || strings.Count(gap, "M") < 4 {
		t.Errorf("gap: %s", gap)
	}
	bar1 := string(barChart("t", []bar{{Label: "2023", Share: 0.2, Target: ptr(0.3), Short: true}}))
	contains(t, bar1, `fill="#c0392b"`, "20.00%", "目标 30.00%")
}

// The web pages' chart: red as the caller judged, texts escaped, no style attribute (the pages' content policy),
// and a limit of 0 with every value at 0 still drawn.
func TestLimitChart(t *testing.T) {
	svg := string(LimitChart(`<t>`, []LimitBar{{Label: "<b>", Value: 0.62, Over: true}, {Label: "b", Value: 0.4}},
		0.5))
	contains(t, svg, `aria-label="&lt;t&gt;"`, "&lt;b&gt; 0.6200", `fill="#c0392b"`, `fill="#3b6ea5"`, "0.400",
		"stroke-dasharray")
	if strings.Contains(svg, "<b>") || strings.Contains(svg, "<t>") || strings.Contains(svg, "style=") {
		t.Error(svg)
	}
	if zero := string(LimitChart("t", []LimitBar{{Label: "a"}}, 0)); strings.Contains(zero, "NaN") ||
		strings.Contains(zero, "Inf") {
		t.Error(zero)
	}
}

func openXLSX(t *testing.T, write func(io.Writer) error) *excelize.File {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func cells(t *testing.T, f *excelize.File, sheet string, want map[string]string) {
	t.Helper()
	for cell, w := range want {
		got, err := f.GetCellValue(sheet, cell)
		if err != nil || got != w {
			t.Errorf("%s!%s = %q (%v), want %q", sheet, cell, got, err, w)
		}
	}
}

func TestDistrictXLSX(t *testing.T) {
	f := openXLSX(t, func(w io.Writer) error { return DistrictXLSX(w, district()) })
	if got := f.GetSheetList(); !slices.Equal(got, []string{"进展", "里程碑", "差异系数", "学校台账"}) {
		t.Fatalf("sheets %v", got)
	}
	cells(t, f, "进展", map[string]string{"A1": "年度 (year)", "I1": "达标提升比例 (brought-up share)",
		"A3": "2023", "B3": "是", "C3": "未达标", "F3": "6", "G3": "8", "H3": "2", "I3": "25.00%", "K3": "是",
		"L3": "1", "M3": "2", "N3": "50.00%", "P3": "是", "T3": "1 所上年达标学校本年未达标",
		"M2": "", "I2": "", "B4": "否", "C4": "", "U1": "评估规则版本 (rules version)",
		"U3": strconv.Itoa(evaluation.EngineVersion), "U4": ""})
	share, _ := f.GetCellValue("进展", "I3", excelize.Options{RawCellValue: true})
	if share != "0.25" {
		t.Errorf("the share is kept as %q, want the fraction 0.25", share)
	}
	cells(t, f, "里程碑", map[string]string{"A1": "年度 (year)", "A2": "2023", "D2": "0", "G2": "否",
		"H2": "大规模学校 1 所, 超过计划的 0 所", "A3": ""})
	cells(t, f, "差异系数", map[string]string{"D1": "差异系数 (cv)", "A2": "2022", "B2": "小学",
		"C2": "每百名学生拥有高于规定学历教师数", "D2": "0.6200", "E2": "0.5000", "F2": "否", "G2": "",
		"A4": "2023", "G4": "0.6200", "H4": "-0.1400"})
	cells(t, f, "学校台账", map[string]string{"A1": "学校代码 (code)", "A2": "S01", "B2": "实验小学", "C2": "2022",
		"E2": "否", "H2": "高于规定学历教师数低于要求", "I2": "每百名学生拥有高于规定学历教师数(小学): 高于规定学历教师 +3 人",
		"E3": "是", "J3": "每百名学生拥有高于规定学历教师数(小学)", "D4": "否", "E4": ""})
}

func TestCityXLSX(t *testing.T) {
	f := openXLSX(t, func(w io.Writer) error { return CityXLSX(w, city()) })
	if got := f.GetSheetList(); !slices.Equal(got, []string{"全市", "各区"}) {
		t.Fatalf("sheets %v", got)
	}
	cells(t, f, "全市", map[string]string{"A1": "年度 (year)", "E3": "33.33%", "F3": "30.00%", "G3": "是",
		"H3": "下城区", "J3": "江北区; 下城区", "F2": "", "G2": ""})
	cells(t, f, "各区", map[string]string{"A1": "区县代码 (district)", "A2": "330102", "B2": "江北区", "C2": "2025",
		"D3": "2023", "J3": "25.00%", "K3": "是", "A4": ""})
}
