package report

import (
	"io"
	"strings"
	"time"

	"junheng/store"
	"junheng/vocab"
)

// LedgerXLSX writes the rectification ledger (整改台账) as a workbook, dates in loc.
func LedgerXLSX(w io.Writer, rows []store.Finding, loc *time.Location) error {
	date := func(t *time.Time) any {
		if t == nil {
			return ""
		}
		return t.In(loc).Format(time.DateOnly)
	}
	out := make([][]any, len(rows))
	for i, f := range rows {
		out[i] = []any{f.ID, f.Year, f.DistrictCode, text(f.Title), f.Source, f.Severity,
			vocab.ItemStatus(f.Status).Label().Zh, date(f.DueDate), yesNo(f.Overdue), yesNo(f.Escalated), f.Talks,
			f.Circulars, date(f.ClosedAt)}
	}
	b := newWorkbook()
	b.sheet("整改台账", []string{"编号 id", "年度 year", "区县 district", "问题 title", "来源 source",
		"严重程度 severity", "状态 status", "整改期限 due_date", "逾期 overdue", "挂牌督办 escalated", "约谈 talks",
		"通报 circulars", "销号日期 closed_at"}, out)
	return b.write(w)
}

// BulletinXLSX writes the progress bulletin (定期通报) as a workbook.
func BulletinXLSX(w io.Writer, bl Bulletin) error {
	out := make([][]any, len(bl.Rows))
	for i, r := range bl.Rows {
		stage := vocab.CycleStage(r.Stage).Label().Zh
		out[i] = []any{r.District, text(r.DistrictName), stage, yesNo(r.Late), yesNo(r.Overdue), r.Verdict,
			strings.Join(r.ShortIndicators, ","), r.Findings.Open, r.Findings.Closed, r.Findings.Overdue,
			r.Findings.Escalated}
	}
	b := newWorkbook()
	b.sheet("进度通报", []string{"区县代码 district", "区县 name", "阶段 stage", "迟报 late", "逾期 overdue",
		"结论 verdict", "未达标指标 short_indicators", "未销号 open", "已销号 closed", "逾期问题 overdue",
		"挂牌督办 escalated"}, out)
	return b.write(w)
}
