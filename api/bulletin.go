package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/progress"
	"junheng/report"
	"junheng/usecase"
	"junheng/workflows"
)

// The progress bulletin (定期通报) is report's type: the pages print the JSON the API answers with it.
type (
	bulletin    = report.Bulletin
	bulletinRow = report.BulletinRow
)

// stageNames name the stages in the bulletin's workbook as on its printable page.
var stageNames = report.StageNames

// getBulletin is the progress bulletin of a year as JSON or .xlsx (?format=json|xlsx). The pages print it: ?format=html
// sends a browser to the printable page (see sendReport).
func (s *Server) getBulletin(c echo.Context) error {
	b, err := s.bulletin(c)
	if err != nil {
		return err
	}
	switch c.QueryParam("format") {
	case "xlsx":
		return s.bulletinXLSX(c, b)
	case "html":
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/bulletin?year=%d&print=1", b.Year))
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
