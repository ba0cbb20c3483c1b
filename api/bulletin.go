package api

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/progress"
	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

// bulletinRow is one district in the progress bulletin (定期通报).
type bulletinRow struct {
	District        string              `json:"district"`
	DistrictName    string              `json:"district_name"`
	Stage           string              `json:"stage"`
	Late            bool                `json:"late"`    // submitted after the deadline
	Overdue         bool                `json:"overdue"` // a deadline of the current stage has passed
	Verdict         string              `json:"verdict"`
	ShortIndicators []string            `json:"short_indicators"`
	Findings        store.FindingCounts `json:"findings"`
}

type bulletin struct {
	Year         int            `json:"year"`
	GeneratedAt  time.Time      `json:"generated_at"`
	Districts    int            `json:"districts"`
	Meeting      int            `json:"meeting"` // latest evaluation meets the standard, or certified
	Certified    int            `json:"certified"`
	MeetingShare float64        `json:"meeting_share"`
	Target       float64        `json:"target"`
	TargetMet    bool           `json:"target_met"`
	Stages       map[string]int `json:"stages"`
	Rows         []bulletinRow  `json:"rows"`
}

// getBulletin is the progress bulletin of a year as JSON, .xlsx or a printable page (?format=json|xlsx|html).
func (s *Server) getBulletin(c echo.Context) error {
	b, err := s.bulletin(c)
	if err != nil {
		return err
	}
	switch c.QueryParam("format") {
	case "xlsx":
		return s.bulletinXLSX(c, b)
	case "html":
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		return bulletinPage.Execute(c.Response(), b)
	case "", "json":
		return c.JSON(http.StatusOK, b)
	}
	return usecase.InvalidInput(FieldError{Field: "format", MessageZh: "格式应为 json、xlsx 或 html",
		MessageEn: "format must be json, xlsx or html"})
}

func (s *Server) bulletin(c echo.Context) (bulletin, error) {
	rows, err := s.yearRows(c)
	if err != nil {
		return bulletin{}, err
	}
	year := rows[0].Year
	subs, err := s.store.LatestSubmissions(c.Request().Context(), year)
	if err != nil {
		return bulletin{}, err
	}
	goal, _ := progress.Target(s.rules.Targets, year) // 0 before the first target year
	b := bulletin{Year: year, GeneratedAt: time.Now().In(s.loc), Districts: len(rows), Stages: map[string]int{},
		Target: goal, Rows: make([]bulletinRow, 0, len(rows))}
	for _, r := range rows {
		var st workflows.CycleState
		st.Stage, st.SelfAssessmentOverdue, st.ReviewOverdue =
			workflows.Stage(r.Stage), r.SelfAssessmentOverdue, r.ReviewOverdue
		row := bulletinRow{District: r.DistrictCode, DistrictName: r.DistrictName, Stage: r.Stage,
			Late: r.SubmittedLate, Overdue: st.Overdue(), Verdict: r.Verdict, ShortIndicators: []string{},
			Findings: r.Findings}
		if keys := subs[r.DistrictCode].ShortfallKeys; keys != "" {
			row.ShortIndicators = strings.Split(keys, ",")
		}
		b.Stages[r.Stage]++
		certified := r.Stage == string(workflows.StageCertified)
		if certified {
			b.Certified++
		}
		if progress.MeetsOrCertified(r.Verdict, certified) {
			b.Meeting++
		}
		b.Rows = append(b.Rows, row)
	}
	b.MeetingShare = progress.MeetingShare(b.Meeting, b.Districts)
	b.TargetMet = progress.TargetMet(b.Meeting, b.Districts, b.Target)
	return b, nil
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

var stageNames = map[string]string{
	"self_assessment": "自评", "city_review": "市级评估", "rectification": "整改", "city_acceptance": "市级验收",
	"province_review": "省级评估", "certified": "已认定", "not_certified": "未通过认定", "not_applied": "未申请认定",
}

var bulletinPage = template.Must(template.New("bulletin").Funcs(template.FuncMap{
	"stage": func(s string) string { return stageNames[s] },
	"pct":   pct,
	"join":  strings.Join,
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Year}}年度义务教育优质均衡发展创建工作进度通报</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}
h1{font-size:1.4em;text-align:center}table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #999;padding:.3em .5em;text-align:left}th{background:#eee}
.bad{color:#b00;font-weight:bold}@media print{body{margin:0}}
</style></head><body>
<h1>{{.Year}}年度义务教育优质均衡发展创建工作进度通报</h1>
<p>生成时间: {{.GeneratedAt.Format "2006-01-02 15:04"}}。共 {{.Districts}} 个区(市), ` +
	`达到国家标准 {{.Meeting}} 个(占 {{pct .MeetingShare}}),
已认定 {{.Certified}} 个; 本年度目标 {{pct .Target}}, {{if .TargetMet}}已达成{{else}}<span class="bad">未达成</span>{{end}}。</p>
<table><thead><tr><th>区(市)</th><th>阶段</th><th>按时</th><th>评估结论</th><th>未达标指标</th>` +
	`<th>整改问题 未销号/已销号/逾期/挂牌督办</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{.DistrictName}} ({{.District}})</td><td>{{stage .Stage}}</td>
<td>{{if .Overdue}}<span class="bad">逾期</span>{{else if .Late}}<span class="bad">迟报</span>{{else}}按时{{end}}</td>
<td>{{if eq .Verdict "meets"}}达标{{else if .Verdict}}<span class="bad">未达标</span>{{else}}—{{end}}</td>
<td>{{join .ShortIndicators "、"}}</td>
<td>{{.Findings.Open}} / {{.Findings.Closed}} / {{.Findings.Overdue}} / {{.Findings.Escalated}}</td></tr>
{{end}}</tbody></table></body></html>
`))
