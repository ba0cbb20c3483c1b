package usecase

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// ReadInput reads a self-assessment from JSON or from a workbook of size bytes, within a workbook's limits (the
// size of its file, and as many schools as a sheet's rows). A workbook is checked against profile as it is read,
// so that what only profile needs is put on its cell too. Every problem comes back at once, as an Invalid Error.
func ReadInput(r io.Reader, size int64, workbook bool, profile evaluation.Profile) (evaluation.Input, error) {
	if workbook {
		in, err := excel.Import(r, size, profile)
		return in, inputError(err)
	}
	data, err := io.ReadAll(io.LimitReader(r, excel.MaxFileSize+1))
	if err != nil {
		return evaluation.Input{}, err
	}
	if len(data) > excel.MaxFileSize {
		return evaluation.Input{}, InvalidInput(evaluation.Problem{Field: "$",
			MessageZh: fmt.Sprintf("自评数据超过 %d MiB 上限", excel.MaxFileSize>>20),
			MessageEn: fmt.Sprintf("the self-assessment is over the %d MiB limit", excel.MaxFileSize>>20)})
	}
	in, err := evaluation.Decode(bytes.NewReader(data))
	return in, inputError(err)
}

// inputError turns the evaluation's input errors into an Invalid Error listing them all.
func inputError(err error) error {
	var ie *evaluation.InputError
	if errors.As(err, &ie) {
		return InvalidInput(ie.Problems...)
	}
	return err
}

// Profile is the standard self-assessments are judged by: the deployment's (name ""), or a built-in one by name,
// e.g. basic-2012 to monitor a district certified for basic balance. Only built-in names are taken: a caller
// cannot make the server read a file.
func (c *Core) Profile(name string) (evaluation.Profile, error) {
	if name == "" {
		return c.profile, nil
	}
	p, ok := evaluation.Builtin(name)
	if !ok {
		names := strings.Join(evaluation.BuiltinNames(), ", ")
		return p, InvalidInput(evaluation.Problem{Field: "profile", MessageZh: "标准应为 " + names,
			MessageEn: "profile must be one of " + names})
	}
	return p, nil
}

// Evaluate judges a self-assessment by profile without storing anything.
func Evaluate(in evaluation.Input, profile evaluation.Profile) (evaluation.Result, error) {
	res, err := evaluation.Evaluate(in, profile)
	return res, inputError(err)
}

// DraftSaved is a saved draft: its ID, the cycle's new state and the draft's evaluation.
type DraftSaved struct {
	DraftID    int64                `json:"draft_id"`
	State      workflows.CycleState `json:"state"`
	Evaluation evaluation.Result    `json:"evaluation"`
}

// SaveDraft evaluates the district's data and stores it with its evaluation as a new draft before anything else
// (so nothing submitted is lost), then asks the cycle to take it: the workflow records it.
func (c *Core) SaveDraft(ctx context.Context, a Actor, key string, year int, district string, in evaluation.Input,
) (_ DraftSaved, err error) {
	defer c.refused(ctx, a, "save_draft", district, vocab.CycleID(year, district), &err)
	var out DraftSaved
	if _, err := c.cycle(ctx, a, year, district, vocab.RoleDistrict); err != nil {
		return out, err
	}
	var fields []evaluation.Problem
	if in.District.Code != district {
		fields = append(fields, evaluation.Problem{Field: "district.code",
			MessageZh: fmt.Sprintf("数据中的区县代码应为 %s", district), MessageEn: "district.code must be " + district})
	}
	if in.Year != year {
		fields = append(fields, evaluation.Problem{Field: "year", MessageZh: fmt.Sprintf("数据中的年度应为 %d", year),
			MessageEn: fmt.Sprintf("year must be %d", year)})
	}
	if len(fields) > 0 {
		return out, InvalidInput(fields...)
	}
	res, err := Evaluate(in, c.profile)
	if err != nil {
		return out, err
	}
	// Stored with its evaluation, which the workflow's activity then only reads: the draft is evaluated once.
	// Keyed by the request: sent again after its Update was lost with a workflow task whose record was written
	// (the record runs in the task that takes the Update), it carries the same draft, and the trail holds it once.
	d := &store.Draft{Year: year, DistrictCode: district, Data: in, Evaluation: &res,
		Verdict: string(res.Verdict), Shortfalls: len(res.Shortfalls), CreatedBy: a.Name, CreatedAt: time.Now().UTC(),
		RequestKey: updateID(a, key)}
	if err := c.store.AddDraft(ctx, d); err != nil {
		return out, err
	}
	out.DraftID, out.Evaluation = d.ID, res
	err = c.act(ctx, a, key, vocab.CycleID(year, district), workflows.UpdateSaveDraft,
		workflows.SaveDraftInput{Actor: a.workflow(), DraftID: d.ID}, &out.State)
	return out, err
}

// SavedDraft is the latest saved draft with its evaluation, so that a district picks up where it left off.
type SavedDraft struct {
	DraftID    int64             `json:"draft_id"`
	SavedBy    string            `json:"saved_by"`
	SavedAt    time.Time         `json:"saved_at"`
	Data       evaluation.Input  `json:"data"`
	Evaluation evaluation.Result `json:"evaluation"`
}

// LatestDraft is the district's latest saved draft, or ErrNotFound when it has saved none.
func (c *Core) LatestDraft(ctx context.Context, a Actor, year int, district string) (SavedDraft, error) {
	var out SavedDraft
	cy, err := c.cycle(ctx, a, year, district)
	if err != nil {
		return out, err
	}
	if cy.State.DraftID == 0 {
		return out, ErrNotFound
	}
	d, err := c.store.Draft(ctx, cy.State.DraftID)
	if errors.Is(err, store.ErrNotFound) {
		return out, ErrNotFound
	}
	if err != nil {
		return out, err
	}
	out = SavedDraft{DraftID: d.ID, SavedBy: d.CreatedBy, SavedAt: d.CreatedAt, Data: d.Data}
	if d.Evaluation == nil {
		// Saved by a release that left the evaluation to the workflow, which has not run it yet.
		out.Evaluation, err = Evaluate(out.Data, c.profile)
		return out, err
	}
	out.Evaluation = *d.Evaluation
	return out, nil
}
