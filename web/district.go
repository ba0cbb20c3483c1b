package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"junheng/evaluation"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

type workspaceData struct {
	districtData
	JSON string // the edit box: the latest saved draft's data, or the text a refused save sent
}

// workspace is the district's year: template, upload and edit, the evaluation, submission, findings and the
// application.
func (s *server) workspace(w http.ResponseWriter, r *http.Request) {
	sess, year := current(r), s.yearOf(r)
	d := workspaceData{districtData: districtData{Code: sess.me.District()}}
	var err error
	if d.Detail, err = s.opts.Core.Cycle(r.Context(), actor(r), year, sess.me.District()); err != nil {
		s.coreError(w, r, err)
		return
	}
	if st := d.Detail.State; st.Stage == vocab.StageSelfAssessment && st.DraftID != 0 {
		saved, err := s.opts.Core.LatestDraft(r.Context(), actor(r), year, sess.me.District())
		if err != nil {
			s.coreError(w, r, err)
			return
		}
		data, err := json.MarshalIndent(saved.Data, "", "  ")
		if err != nil {
			s.coreError(w, r, err)
			return
		}
		d.JSON = string(data)
		if st.DraftID != st.SubmittedDraftID {
			d.Draft = &saved.Evaluation
		}
	}
	// A refused save keeps the text to correct; the evaluation shown stays that of the last good draft.
	if fl := sess.flash; fl != nil && fl.Text != "" {
		d.JSON = fl.Text
	}
	s.render(w, r, http.StatusOK, "workspace", "workspace", year, d)
}

func workspaceURL(year int) string { return fmt.Sprintf("/district?year=%d", year) }

// upload saves an uploaded .xlsx (or .json) as a draft.
func (s *server) upload(w http.ResponseWriter, r *http.Request) {
	data, workbook, ok := s.uploaded(w, r, "upload", workspaceURL(s.yearOf(r)))
	if !ok {
		return
	}
	text := ""
	if !workbook {
		text = string(data) // kept for the edit box, should the save be refused
	}
	s.save(w, r, "upload", data, workbook, text)
}

// uploaded reads the file chosen in the form's "file" field, and whether it is a workbook (anything but .json).
// Without a file the form comes back to the page back with the hint; ok is false when the answer has been written.
func (s *server) uploaded(w http.ResponseWriter, r *http.Request, form, back string) (data []byte, workbook, ok bool) {
	file, header, err := r.FormFile("file")
	if err != nil {
		s.back(w, r, &flash{Form: form, Fields: map[string]string{"file": s.t(r, "upload_hint")}}, back)
		return nil, false, false
	}
	defer file.Close()
	if data, err = io.ReadAll(file); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, false, false
	}
	return data, !strings.EqualFold(filepath.Ext(header.Filename), ".json"), true
}

// monitor evaluates the district's data under the 2012 basic-balance standard, the yearly monitoring of a district
// certified for basic balance, and answers the form with the report. Nothing is stored.
func (s *server) monitor(w http.ResponseWriter, r *http.Request) {
	sess, year := current(r), s.yearOf(r)
	back := workspaceURL(year) + "#monitor"
	data, workbook, ok := s.uploaded(w, r, "monitor", back)
	if !ok {
		return
	}
	profile, err := s.opts.Core.Profile(evaluation.Basic2012Name)
	var res evaluation.Result
	if err == nil {
		var in evaluation.Input
		if in, err = usecase.ReadInput(bytes.NewReader(data), int64(len(data)), workbook, profile); err == nil {
			res, err = usecase.Evaluate(in, profile)
		}
	}
	if err != nil {
		s.back(w, r, result("monitor", err, english(r), ""), back)
		return
	}
	if res.District.Code != sess.me.District() {
		s.back(w, r, &flash{Form: "monitor", Msg: fmt.Sprintf(translate(english(r), "other_district"),
			res.District.Code, sess.me.District())}, back)
		return
	}
	s.render(w, r, http.StatusOK, "monitor", "monitor", year, &res)
}

// edit saves the data edited on the page as a draft.
func (s *server) edit(w http.ResponseWriter, r *http.Request) {
	text := r.PostFormValue("data")
	s.save(w, r, "edit", []byte(text), false, text)
}

// save reads and saves a draft, once for the form's key; a refused text comes back in the edit box.
func (s *server) save(w http.ResponseWriter, r *http.Request, form string, data []byte, workbook bool, text string) {
	year, district := s.yearOf(r), current(r).me.District()
	f := s.once(r, form, data, func(ctx context.Context, key string) *flash {
		profile, err := s.opts.Core.Profile("") // the deployment's
		var in evaluation.Input
		if err == nil {
			in, err = usecase.ReadInput(bytes.NewReader(data), int64(len(data)), workbook, profile)
		}
		if err == nil && workbook { // the schools' own submitted data stands over the district's rows
			in, err = s.opts.Core.WithSchoolsOwnData(ctx, actor(r), year, district, in)
		}
		if err == nil {
			_, err = s.opts.Core.SaveDraft(ctx, actor(r), key, year, district, in)
		}
		out := result(form, err, english(r), s.t(r, "saved"))
		if err == nil && workbook { // a workbook holds the schools' data as the district has it
			s.enterSchools(ctx, r, out, key, year, district, in)
		}
		return out
	})
	if !f.OK {
		f.Text = text
	}
	s.back(w, r, f, workspaceURL(year)+"#evaluation")
}

func (s *server) submit(w http.ResponseWriter, r *http.Request) {
	s.cycleStep(w, r, "submit", s.opts.Core.Submit)
}

func (s *server) apply(w http.ResponseWriter, r *http.Request) {
	s.cycleStep(w, r, "apply", s.opts.Core.Apply)
}

// cycleStep runs a district's step that takes nothing but the district, once for the form's key.
func (s *server) cycleStep(w http.ResponseWriter, r *http.Request, form string,
	step func(context.Context, usecase.Actor, string, int, string) (workflows.CycleState, error),
) {
	year := s.yearOf(r)
	f := s.once(r, form, []byte(strconv.Itoa(year)), func(ctx context.Context, key string) *flash {
		_, err := step(ctx, actor(r), key, year, current(r).me.District())
		return result(form, err, english(r), s.t(r, "done"))
	})
	s.back(w, r, f, workspaceURL(year))
}

// findingAction runs one action on a finding, once for the form's key; the form names the finding and the page to
// return to.
func (s *server) findingAction(w http.ResponseWriter, r *http.Request) {
	action, id, f := r.PathValue("action"), r.PostFormValue("id"), r.PostForm
	core, form := s.opts.Core, action+":"+id
	// A malformed date goes to the core as none, so that the core still checks first that the caller may act on
	// the finding; its "required" then gives way to the page's own reading of the date.
	var malformed usecase.Fields
	due := core.When(&malformed, "due_date", f.Get("due_date"))
	var evidence chosenFile
	var act findingStep
	switch action {
	case "plan":
		act = stepOf(core.PlanFinding, usecase.FindingPlan{Measures: f.Get("measures"),
			ResponsibleUnit: f.Get("responsible_unit"), ResponsiblePerson: f.Get("responsible_person"), DueDate: due})
	case "progress", "request-close":
		note := core.ReportProgress
		if action == "request-close" {
			note = core.RequestClose
		}
		var ok bool
		if evidence, ok = s.formFile(w, r, "evidence"); !ok {
			return
		}
		act = func(ctx context.Context, a usecase.Actor, key, id string) error {
			in := usecase.FindingNote{Text: f.Get("note")}
			if evidence.name != "" {
				file, err := core.UploadFile(ctx, a, usecase.NewFile{Name: evidence.name,
					Content: bytes.NewReader(evidence.data)})
				if err != nil {
					return err
				}
				in.Evidence = []string{file.ID}
			}
			_, err := note(ctx, a, key, id, in)
			return err
		}
	case "extension":
		act = stepOf(core.RequestExtension, usecase.Extension{DueDate: due, Reason: f.Get("reason")})
	case "verify":
		act = stepOf(core.VerifyFinding,
			usecase.Verification{Accepted: f.Get("accepted") == "true", Comment: f.Get("comment")})
	case "extension-decision":
		act = stepOf(core.DecideExtension,
			usecase.ExtensionDecision{Approved: f.Get("approved") == "true", Comment: f.Get("comment")})
	case "talks":
		act = stepOf(core.RecordTalk, usecase.Talk{Kind: f.Get("kind"), Note: f.Get("note")})
	default:
		http.NotFound(w, r)
		return
	}
	out := s.once(r, form, append([]byte(f.Encode()+"\n"), evidence.data...),
		func(ctx context.Context, key string) *flash {
			err := act(ctx, actor(r), key, id)
			var e *usecase.Error
			if errors.As(err, &e) && e.Kind == usecase.Invalid && len(malformed) > 0 {
				err = malformed.Err()
			}
			return result(form, err, english(r), s.t(r, "done"))
		})
	s.back(w, r, out, localPath(f.Get("back")))
}

// findingStep is one of the core's actions on the finding id, its input given.
type findingStep func(ctx context.Context, a usecase.Actor, key, id string) error

// stepOf is the core's action act with its input in.
func stepOf[In any](act func(context.Context, usecase.Actor, string, string, In) (workflows.ItemState, error),
	in In,
) findingStep {
	return func(ctx context.Context, a usecase.Actor, key, id string) error {
		_, err := act(ctx, a, key, id, in)
		return err
	}
}

// finding is one finding with its state and audit trail.
func (s *server) finding(w http.ResponseWriter, r *http.Request) {
	v, err := s.opts.Core.Finding(r.Context(), actor(r), r.URL.Query().Get("id"))
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "finding", "findings", v.Year, v)
}
