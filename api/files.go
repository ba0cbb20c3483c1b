package api

import (
	"errors"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/files"
	"junheng/store"
	"junheng/workflows"
)

// uploadFile stores an evidence file (multipart field "file"). A district's upload is its own; the office names
// the district it uploads for (form field "district"), or none for office-only files.
func (s *Server) uploadFile(c echo.Context) error {
	p := principal(c)
	district := p.District
	if p.Role != workflows.RoleDistrict {
		district = c.FormValue("district")
		if district != "" && !districtCode.MatchString(district) {
			return invalidInput(FieldError{Field: "district", MessageZh: "区县代码无效", MessageEn: "not a district code"})
		}
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return invalidInput(FieldError{Field: "file", MessageZh: "请上传文件(表单字段 file)", MessageEn: `upload the file as form field "file"`})
	}
	r, err := fh.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	id, size, ct, err := s.files.Put(c.Request().Context(), r)
	switch {
	case errors.Is(err, files.ErrTooLarge):
		return problem(http.StatusRequestEntityTooLarge, "too_large", "文件超过 20 MiB 上限", "the file is over the 20 MiB limit")
	case errors.Is(err, files.ErrType):
		return invalidInput(FieldError{Field: "file", MessageZh: "只接受 PDF、图片和 Office 文档(按内容识别)",
			MessageEn: "only PDF, images and Office documents are accepted (checked by content)"})
	case err != nil:
		return err
	}
	f := &store.File{ID: id, DistrictCode: district, Name: cleanName(fh.Filename), ContentType: ct, Size: size,
		UploadedBy: p.Name, CreatedAt: time.Now().UTC()}
	if err := s.store.AddFile(c.Request().Context(), f); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, f)
}

func (s *Server) getFile(c echo.Context) error {
	f, err := s.visibleFile(c, c.Param("id"))
	if err != nil {
		return err
	}
	r, err := s.files.Open(c.Request().Context(), f.ID)
	if err != nil {
		return err
	}
	defer r.Close()
	c.Response().Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	return c.Stream(http.StatusOK, f.ContentType, r)
}

// visibleFile returns a file the caller may read: the office, the province and admins read every file, a
// district only those recorded for it. Anything else is a 404.
func (s *Server) visibleFile(c echo.Context, id string) (store.File, error) {
	p := principal(c)
	var f store.File
	var err error
	if p.Role == workflows.RoleDistrict {
		f, err = s.store.FileFor(c.Request().Context(), id, p.District)
	} else {
		f, err = s.store.AnyFile(c.Request().Context(), id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return f, errNotFound
	}
	return f, err
}

// checkFile adds a field error when a referenced file is not one the caller may use.
func (s *Server) checkFile(c echo.Context, errs *fieldErrors, field, id string) {
	if id == "" {
		return
	}
	if _, err := s.visibleFile(c, id); err != nil {
		errs.add(field, "引用的文件不存在, 请先上传", "no such file: upload it first")
	}
}

// shareFile lets a district read a file the office attached to its cycle (a feedback or acceptance report).
func (s *Server) shareFile(c echo.Context, id, district string) error {
	if id == "" {
		return nil
	}
	f, err := s.visibleFile(c, id)
	if err != nil {
		return err
	}
	f.DistrictCode = district
	return s.store.AddFile(c.Request().Context(), &f)
}

// cleanName keeps a display name without path parts or control characters.
func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}
