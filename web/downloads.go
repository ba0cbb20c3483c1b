package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"junheng/evaluation/excel"
	"junheng/files"
	"junheng/report"
)

// template is the empty self-assessment workbook to fill in.
func (s *server) template(w http.ResponseWriter, r *http.Request) {
	s.download(w, r, "self-assessment.xlsx", excel.ContentType, excel.WriteTemplate)
}

// savedWorkbook is the district's latest saved draft filled into the template, to work on in Excel and upload.
func (s *server) savedWorkbook(w http.ResponseWriter, r *http.Request) {
	year, district := s.yearOf(r), current(r).me.District()
	d, err := s.opts.Core.LatestDraft(r.Context(), actor(r), year, district)
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	s.download(w, r, fmt.Sprintf("self-assessment-%s-%d.xlsx", district, year), excel.ContentType,
		func(w io.Writer) error { return excel.Write(w, d.Data) })
}

// bulletinWorkbook is the year's progress bulletin as a workbook.
func (s *server) bulletinWorkbook(w http.ResponseWriter, r *http.Request) {
	b, err := s.opts.Core.Bulletin(r.Context(), actor(r), s.yearOf(r))
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	s.download(w, r, fmt.Sprintf("bulletin-%d.xlsx", b.Year), excel.ContentType,
		func(w io.Writer) error { return report.BulletinXLSX(w, b) })
}

// file is an evidence file or report the caller may read, under a name safe to save.
func (s *server) file(w http.ResponseWriter, r *http.Request) {
	f, content, err := s.opts.Core.OpenFile(r.Context(), actor(r), r.URL.Query().Get("id"))
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	defer content.Close()
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", files.Attachment(files.DownloadName(f.Name, f.ContentType)))
	_, _ = io.Copy(w, content)
}

// download answers a file that write makes, as filename: made in memory first, so that a failure is a clean
// error page rather than half a file.
func (s *server) download(w http.ResponseWriter, r *http.Request, filename, contentType string,
	write func(io.Writer) error,
) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		s.coreError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	_, _ = buf.WriteTo(w)
}
