package api

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/usecase"
)

// readInput reads a self-assessment from a JSON body, an .xlsx body, or an .xlsx uploaded as the multipart field
// "file" (see usecase.ReadInput).
func readInput(c echo.Context, profile evaluation.Profile) (evaluation.Input, error) {
	switch mediaType(c) {
	case echo.MIMEApplicationJSON:
		return usecase.ReadInput(c.Request().Body, c.Request().ContentLength, false, profile)
	case excel.ContentType:
		return usecase.ReadInput(c.Request().Body, c.Request().ContentLength, true, profile)
	case echo.MIMEMultipartForm:
		fh, err := c.FormFile("file")
		if err != nil {
			return evaluation.Input{}, usecase.InvalidInput(FieldError{Field: "file",
				MessageZh: "请上传填好的 .xlsx 模板(表单字段 file)",
				MessageEn: "upload the filled .xlsx template as form field \"file\""})
		}
		f, err := fh.Open()
		if err != nil {
			return evaluation.Input{}, err
		}
		defer f.Close()
		return usecase.ReadInput(f, fh.Size, true, profile)
	}
	return evaluation.Input{}, problem(http.StatusUnsupportedMediaType, "unsupported_media_type",
		"请以 JSON 或 .xlsx 提交自评数据", "send the self-assessment as application/json or an .xlsx file")
}

func mediaType(c echo.Context) string {
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	return ct
}

// selfAssessmentSaved is a saved draft and, for a workbook, what became of its schools' own data.
type selfAssessmentSaved struct {
	usecase.DraftSaved
	Schools *usecase.SchoolsEntered `json:"schools,omitempty"`
}

// saveSelfAssessment saves the district's data as a new draft, evaluated (usecase.Core.SaveDraft). A workbook is
// the district filling in for its schools, so each school it holds whose own data is not submitted or accepted is
// then entered as the district's (usecase.Core.EnterSchoolsFromWorkbook); JSON is the workspace's working copy.
func (s *Server) saveSelfAssessment(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	in, err := readInput(c, s.profile)
	if err != nil {
		return err
	}
	ctx, a, key, district := c.Request().Context(), caller(c), actionKey(c), c.Param("code")
	workbook := mediaType(c) != echo.MIMEApplicationJSON
	if workbook {
		if in, err = s.core.WithSchoolsOwnData(ctx, a, year, district, in); err != nil {
			return err
		}
	}
	saved, err := s.core.SaveDraft(ctx, a, key, year, district, in)
	if err := acted(c, err); err != nil {
		return err
	}
	out := selfAssessmentSaved{DraftSaved: saved}
	if workbook {
		entered, err := s.core.EnterSchoolsFromWorkbook(ctx, a, key, year, district, in)
		if err != nil {
			return err
		}
		out.Schools = &entered
	}
	return c.JSON(http.StatusOK, out)
}

// getSelfAssessment answers the latest saved draft: as JSON with its evaluation, for the workspace's edit box and
// draft evaluation, or its data filled into the template (?format=xlsx) to work on in Excel and upload again.
func (s *Server) getSelfAssessment(c echo.Context) error {
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "xlsx" {
		return usecase.InvalidInput(FieldError{Field: "format", MessageZh: "格式应为 json 或 xlsx",
			MessageEn: "format must be json or xlsx"})
	}
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	code := c.Param("code")
	d, err := s.core.LatestDraft(c.Request().Context(), caller(c), year, code)
	if err != nil {
		return err
	}
	if format != "xlsx" {
		return c.JSON(http.StatusOK, d)
	}
	var buf bytes.Buffer
	if err := excel.Write(&buf, d.Data); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="self-assessment-%s-%d.xlsx"`, code, year))
	return c.Blob(http.StatusOK, excel.ContentType, buf.Bytes())
}

// evaluate is the stateless evaluation: nothing is stored. It judges by the server's profile (JUNHENG_PROFILE, by
// default the 2017 standard), or by the built-in standard named in ?profile=.
func (s *Server) evaluate(c echo.Context) error {
	profile, err := s.core.Profile(c.QueryParam("profile"))
	if err != nil {
		return err
	}
	in, err := readInput(c, profile)
	if err != nil {
		return err
	}
	res, err := usecase.Evaluate(in, profile)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Server) template(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="self-assessment.xlsx"`)
	c.Response().Header().Set(echo.HeaderContentType, excel.ContentType)
	c.Response().WriteHeader(http.StatusOK)
	return excel.WriteTemplate(c.Response())
}
