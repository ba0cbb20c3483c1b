package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/store"
	"junheng/workflows"
)

const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// readInput reads a self-assessment from a JSON body, an .xlsx body, or an .xlsx uploaded as the multipart field
// "file". Every problem comes back at once, named by field (and by sheet, row and column for spreadsheets, which
// are checked against profile as they are read, so that what only profile needs is put on its cell too).
func readInput(c echo.Context, profile evaluation.Profile) (evaluation.Input, error) {
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	var in evaluation.Input
	var err error
	switch ct {
	case echo.MIMEApplicationJSON:
		in, err = decodeJSONInput(c.Request().Body)
	case mimeXLSX:
		in, err = excel.Import(c.Request().Body, c.Request().ContentLength, profile)
	case echo.MIMEMultipartForm:
		fh, ferr := c.FormFile("file")
		if ferr != nil {
			return in, invalidInput(FieldError{Field: "file", MessageZh: "请上传填好的 .xlsx 模板(表单字段 file)",
				MessageEn: "upload the filled .xlsx template as form field \"file\""})
		}
		f, ferr := fh.Open()
		if ferr != nil {
			return in, ferr
		}
		defer f.Close()
		in, err = excel.Import(f, fh.Size, profile)
	default:
		return in, problem(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"请以 JSON 或 .xlsx 提交自评数据", "send the self-assessment as application/json or an .xlsx file")
	}
	return in, inputProblem(err)
}

// decodeJSONInput decodes a JSON self-assessment within a workbook's limits: the size of its file, and as many
// schools as a sheet's rows (evaluation.MaxRows, checked by the decoder).
func decodeJSONInput(r io.Reader) (evaluation.Input, error) {
	data, err := io.ReadAll(io.LimitReader(r, excel.MaxFileSize+1))
	if err != nil {
		return evaluation.Input{}, err
	}
	if len(data) > excel.MaxFileSize {
		return evaluation.Input{}, invalidInput(FieldError{Field: "$",
			MessageZh: fmt.Sprintf("自评数据超过 %d MiB 上限", excel.MaxFileSize>>20),
			MessageEn: fmt.Sprintf("the self-assessment is over the %d MiB limit", excel.MaxFileSize>>20)})
	}
	return evaluation.Decode(bytes.NewReader(data))
}

// inputProblem turns the evaluation's input errors into a 422 listing them all.
func inputProblem(err error) error {
	var ie *evaluation.InputError
	if errors.As(err, &ie) {
		return invalidInput(ie.Problems...)
	}
	return err
}

type draftResponse struct {
	DraftID    int64                `json:"draft_id"`
	State      workflows.CycleState `json:"state"`
	Evaluation evaluation.Result    `json:"evaluation"`
}

// saveSelfAssessment evaluates the district's data and stores it with its evaluation as a new draft before anything
// else (so nothing submitted is lost), then asks the cycle to take it: the workflow records it.
func (s *Server) saveSelfAssessment(c echo.Context) error {
	cy, err := s.cycle(c)
	if err != nil {
		return err
	}
	in, err := readInput(c, s.profile)
	if err != nil {
		return err
	}
	var errs fieldErrors
	if in.District.Code != cy.DistrictCode {
		errs.add("district.code", fmt.Sprintf("数据中的区县代码应为 %s", cy.DistrictCode),
			"district.code must be "+cy.DistrictCode)
	}
	if in.Year != cy.Year {
		errs.add("year", fmt.Sprintf("数据中的年度应为 %d", cy.Year), fmt.Sprintf("year must be %d", cy.Year))
	}
	if err := errs.err(); err != nil {
		return err
	}
	res, err := evaluation.Evaluate(in, s.profile)
	if err != nil {
		return inputProblem(err)
	}
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	encoded, err := json.Marshal(res)
	if err != nil {
		return err
	}
	// Stored with its evaluation, which the workflow's activity then only reads: the draft is evaluated once.
	d := &store.Draft{Year: cy.Year, DistrictCode: cy.DistrictCode, Data: string(data), Evaluation: string(encoded),
		Verdict: string(res.Verdict), Shortfalls: len(res.Shortfalls), CreatedBy: principal(c).Name,
		CreatedAt: time.Now().UTC()}
	if err := s.store.AddDraft(c.Request().Context(), d); err != nil {
		return err
	}
	out := draftResponse{DraftID: d.ID, Evaluation: res}
	if err := s.act(c, workflows.CycleID(cy.Year, cy.DistrictCode), workflows.UpdateSaveDraft,
		workflows.SaveDraftInput{Actor: actor(c), DraftID: d.ID}, &out.State); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// savedDraft is the latest saved draft with its evaluation, so that a district picks up where it left off.
type savedDraft struct {
	DraftID    int64             `json:"draft_id"`
	SavedBy    string            `json:"saved_by"`
	SavedAt    time.Time         `json:"saved_at"`
	Data       evaluation.Input  `json:"data"`
	Evaluation evaluation.Result `json:"evaluation"`
}

// getSelfAssessment answers the latest saved draft: as JSON with its evaluation, for the workspace's edit box and
// draft evaluation, or its data filled into the template (?format=xlsx) to work on in Excel and upload again.
func (s *Server) getSelfAssessment(c echo.Context) error {
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "xlsx" {
		return invalidInput(FieldError{Field: "format", MessageZh: "格式应为 json 或 xlsx",
			MessageEn: "format must be json or xlsx"})
	}
	cy, err := s.cycle(c)
	if err != nil {
		return err
	}
	var st workflows.CycleState
	if err := json.Unmarshal([]byte(cy.State), &st); err != nil {
		return err
	}
	if st.DraftID == 0 {
		return errNotFound
	}
	d, err := s.store.Draft(c.Request().Context(), st.DraftID)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	out := savedDraft{DraftID: d.ID, SavedBy: d.CreatedBy, SavedAt: d.CreatedAt}
	if err := json.Unmarshal([]byte(d.Data), &out.Data); err != nil {
		return err
	}
	if format == "xlsx" {
		var buf bytes.Buffer
		if err := excel.Write(&buf, out.Data); err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition,
			fmt.Sprintf(`attachment; filename="self-assessment-%s-%d.xlsx"`, cy.DistrictCode, cy.Year))
		return c.Blob(http.StatusOK, mimeXLSX, buf.Bytes())
	}
	if d.Evaluation == "" {
		// Saved by a release that left the evaluation to the workflow, which has not run it yet.
		if out.Evaluation, err = evaluation.Evaluate(out.Data, s.profile); err != nil {
			return inputProblem(err)
		}
	} else if err := json.Unmarshal([]byte(d.Evaluation), &out.Evaluation); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// evaluate is the stateless evaluation: nothing is stored. It judges by the server's profile (JUNHENG_PROFILE, by
// default the 2017 standard), or by the built-in standard named in ?profile=, e.g. basic-2012 to monitor a district
// certified for basic balance. Only built-in names are taken: a caller cannot make the server read a file.
func (s *Server) evaluate(c echo.Context) error {
	profile := s.profile
	if name := c.QueryParam("profile"); name != "" {
		p, ok := evaluation.Builtin(name)
		if !ok {
			names := strings.Join(evaluation.BuiltinNames(), ", ")
			return invalidInput(FieldError{Field: "profile", MessageZh: "标准应为 " + names,
				MessageEn: "profile must be one of " + names})
		}
		profile = p
	}
	in, err := readInput(c, profile)
	if err != nil {
		return err
	}
	res, err := evaluation.Evaluate(in, profile)
	if err != nil {
		return inputProblem(err)
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Server) template(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="self-assessment.xlsx"`)
	c.Response().Header().Set(echo.HeaderContentType, mimeXLSX)
	c.Response().WriteHeader(http.StatusOK)
	return excel.WriteTemplate(c.Response())
}
