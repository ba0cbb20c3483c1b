package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"junheng/store"
)

// sendXLSX writes one sheet with a header row as an .xlsx download.
func sendXLSX(c echo.Context, filename, sheet string, header []string, rows [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, r := range rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), r); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, filename))
	c.Response().Header().Set(echo.HeaderContentType, mimeXLSX)
	c.Response().WriteHeader(http.StatusOK)
	return f.Write(c.Response())
}

var statusNames = map[string]string{
	"open": "待制定方案", "in_progress": "整改中", "awaiting_verification": "待核验", "closed": "已销号",
}

func (s *Server) ledgerXLSX(c echo.Context, rows []store.Finding) error {
	date := func(t *time.Time) any {
		if t == nil {
			return ""
		}
		return t.In(s.loc).Format(time.DateOnly)
	}
	out := make([][]any, len(rows))
	for i, f := range rows {
		out[i] = []any{f.ID, f.Year, f.DistrictCode, f.Title, f.Source, f.Severity, statusNames[f.Status],
			date(f.DueDate), yesNo(f.Overdue), yesNo(f.Escalated), f.Talks, f.Circulars, date(f.ClosedAt)}
	}
	return sendXLSX(c, "rectification-ledger.xlsx", "整改台账", []string{"编号 id", "年度 year", "区县 district",
		"问题 title", "来源 source", "严重程度 severity", "状态 status", "整改期限 due_date", "逾期 overdue",
		"挂牌督办 escalated", "约谈 talks", "通报 circulars", "销号日期 closed_at"}, out)
}

func (s *Server) bulletinXLSX(c echo.Context, b bulletin) error {
	out := make([][]any, len(b.Rows))
	for i, r := range b.Rows {
		out[i] = []any{r.District, r.DistrictName, stageNames[r.Stage], yesNo(r.Late), yesNo(r.Overdue), r.Verdict,
			strings.Join(r.ShortIndicators, ","), r.Findings.Open, r.Findings.Closed, r.Findings.Overdue,
			r.Findings.Escalated}
	}
	return sendXLSX(c, fmt.Sprintf("bulletin-%d.xlsx", b.Year), "进度通报", []string{"区县代码 district", "区县 name",
		"阶段 stage", "迟报 late", "逾期 overdue", "结论 verdict", "未达标指标 short_indicators", "未销号 open",
		"已销号 closed", "逾期问题 overdue", "挂牌督办 escalated"}, out)
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}
