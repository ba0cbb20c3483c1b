package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"junheng/evaluation"
	"junheng/usecase"
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
	d := workspaceData{districtData: districtData{Code: sess.me.District}}
	var err error
	if d.Detail, err = s.opts.Core.Cycle(r.Context(), actor(r), year, sess.me.District); err != nil {
		s.coreError(w, r, err)
		return
	}
	if st := d.Detail.State; st.Stage == workflows.StageSelfAssessment && st.DraftID != 0 {
		saved, err := s.opts.Core.LatestDraft(r.Context(), actor(r), year, sess.me.District)
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
	if res.District.Code != sess.me.District {
		s.back(w, r, &flash{Form: "monitor", Msg: fmt.Sprintf(translate(english(r), "other_district"),
			res.District.Code, sess.me.District)}, back)
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
	year, district := s.yearOf(r), current(r).me.District
	f := s.once(r, form, data, func(ctx context.Context, key string) *flash {
		profile, err := s.opts.Core.Profile("") // the deployment's
		var in evaluation.Input
		if err == nil {
			in, err = usecase.ReadInput(bytes.NewReader(data), int64(len(data)), workbook, profile)
		}
		if err == nil {
			_, err = s.opts.Core.SaveDraft(ctx, actor(r), key, year, district, in)
		}
		return result(form, err, english(r), s.t(r, "saved"))
	})
	if !f.OK {
		f.Text = text
	}
	s.back(w, r, f, workspaceURL(year)+"#evaluation")
}

// multipartBody is a body of one file, for a request made for r: the same bytes when the form is resent.
func multipartBody(r *http.Request, field, name string, content io.Reader) (io.Reader, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if b := multipartBoundary(requestKey(r)); b != "" {
		_ = mw.SetBoundary(b) // hex digits, fewer than 70: always valid
	}
	fw, err := mw.CreateFormFile(field, name)
	if err == nil {
		_, err = io.Copy(fw, content)
	}
	if err == nil {
		err = mw.Close()
	}
	return &buf, mw.FormDataContentType(), err
}

// uploadFile sends the file chosen in a form's field, if any, to the API as an evidence file. It answers the
// stored file's ID ("" when no file was chosen), or the API's reply when the upload was refused. The upload has
// its own idempotency key, so that a resent form stores the file once and then acts once.
func (s *server) uploadFile(r *http.Request, field string) (id string, failed *reply, err error) {
	file, header, err := r.FormFile(field)
	if err != nil || header.Filename == "" {
		return "", nil, nil
	}
	defer file.Close()
	r = keyed(r, "file:"+field)
	mb, ct, err := multipartBody(r, "file", header.Filename, file)
	if err != nil {
		return "", nil, err
	}
	up := s.call(r, http.MethodPost, "/api/v1/files", mb, ct)
	var stored struct {
		ID string `json:"id"`
	}
	if !up.ok() || up.decode(&stored) != nil || stored.ID == "" {
		return "", &up, nil
	}
	return stored.ID, nil, nil
}

// attached uploads the file chosen in field, if any, and returns its ID. When the upload fails, it has answered:
// the form (key) comes back to the page back with the upload's error, and ok is false.
func (s *server) attached(w http.ResponseWriter, r *http.Request, field, key, back string) (id string, ok bool) {
	id, failed, err := s.uploadFile(r, field)
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return "", false
	case failed != nil:
		s.back(w, r, outcome(key, *failed, english(r), ""), back)
		return "", false
	}
	return id, true
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
		_, err := step(ctx, actor(r), key, year, current(r).me.District)
		return result(form, err, english(r), s.t(r, "done"))
	})
	s.back(w, r, f, workspaceURL(year))
}

// findingAction sends one action on a finding; the form names the finding and the page to return to.
func (s *server) findingAction(w http.ResponseWriter, r *http.Request) {
	action, id, f := r.PathValue("action"), r.PostFormValue("id"), r.PostForm
	back := localPath(f.Get("back"))
	var body map[string]any
	switch action {
	case "plan":
		body = map[string]any{"measures": f.Get("measures"), "responsible_unit": f.Get("responsible_unit"),
			"responsible_person": f.Get("responsible_person"), "due_date": f.Get("due_date")}
	case "progress", "request-close":
		body = map[string]any{"note": f.Get("note")}
		fileID, ok := s.attached(w, r, "evidence", action+":"+id, back)
		if !ok {
			return
		}
		if fileID != "" {
			body["evidence"] = []string{fileID}
		}
	case "extension":
		body = map[string]any{"due_date": f.Get("due_date"), "reason": f.Get("reason")}
	case "verify":
		body = map[string]any{"accepted": f.Get("accepted") == "true", "comment": f.Get("comment")}
	case "extension-decision":
		body = map[string]any{"approved": f.Get("approved") == "true", "comment": f.Get("comment")}
	case "talks":
		body = map[string]any{"kind": f.Get("kind"), "note": f.Get("note")}
	default:
		http.NotFound(w, r)
		return
	}
	path := "/api/v1/findings/" + url.PathEscape(id) + "/" + strings.Replace(action, "-decision", "/decision", 1)
	rep := s.postJSON(r, path, body)
	s.back(w, r, outcome(action+":"+id, rep, english(r), s.t(r, "done")), back)
}

// finding is one finding with its state and audit trail.
func (s *server) finding(w http.ResponseWriter, r *http.Request) {
	var d findingDetail
	if rep := s.get(r, "/api/v1/findings/"+url.PathEscape(r.URL.Query().Get("id")), &d); !rep.ok() {
		s.apiError(w, r, rep)
		return
	}
	s.render(w, r, http.StatusOK, "finding", "findings", d.Year, d)
}
