package report

import (
	"strings"
	"testing"

	"junheng/store"
)

func bulletin() Bulletin {
	return Bulletin{Year: 2025, GeneratedAt: generated, Districts: 3, Meeting: 1, Certified: 1, MeetingShare: 1.0 / 3,
		Target: 0.5, Stages: map[string]int{"certified": 1, "rectification": 1, "self_assessment": 1},
		Rows: []BulletinRow{
			{District: "330102", DistrictName: "江北区", Stage: "certified", Verdict: "meets",
				ShortIndicators: []string{}, Findings: store.FindingCounts{Closed: 2}},
			{District: "330103", DistrictName: "下城区", Stage: "rectification", Late: true, Verdict: "does_not_meet",
				ShortIndicators: []string{"qualified_teachers_per_100/primary", "unknown_key"},
				Findings:        store.FindingCounts{Open: 3, Closed: 1, Overdue: 2, Escalated: 1}},
			{District: "330104", DistrictName: "<b>拱墅区</b>", Stage: "self_assessment", Overdue: true,
				ShortIndicators: []string{}},
		}}
}

func TestBulletinHTML(t *testing.T) {
	page := render(t, BulletinHTML, bulletin())
	contains(t, page, "<title>2025年度义务教育优质均衡发展创建工作进度通报</title>", "@media print",
		"生成时间 2025-03-01 09:30", "达到国家标准 1 个(占 33.33%)", "已认定 1 个", "本年度目标 50.00%, "+
			`<span class="bad">未达成</span>`,
		"<td>江北区 (330102)</td><td>已认定</td>\n<td>按时</td>\n<td>达标</td>\n<td>—</td>",
		`<td>整改</td>`+"\n"+`<td><span class="bad">迟报</span></td>`+"\n"+`<td><span class="bad">未达标</span></td>`,
		"<td>每百名学生拥有高于规定学历教师数(小学)、unknown_key</td>", "<td class=\"n\">3 / 1 / 2 / 1</td>",
		"<td>&lt;b&gt;拱墅区&lt;/b&gt; (330104)</td><td>自评</td>", `<span class="bad">逾期</span>`)
	if strings.Contains(page, "<script") || strings.Contains(page, "<b>") {
		t.Error("the page has a script or an unescaped name")
	}
	contains(t, render(t, BulletinHTML, Bulletin{Year: 2026}), `<td colspan="6">—</td>`)
}
