package api

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"junheng/files"
	"junheng/store"
	"junheng/usecase"
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
			return usecase.InvalidInput(FieldError{Field: "district", MessageZh: "区县代码无效",
				MessageEn: "not a district code"})
		}
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return usecase.InvalidInput(FieldError{Field: "file", MessageZh: "请上传文件(表单字段 file)",
			MessageEn: `upload the file as form field "file"`})
	}
	r, err := fh.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	id, size, ct, err := s.files.Put(c.Request().Context(), r)
	switch {
	case errors.Is(err, files.ErrTooLarge):
		return problem(http.StatusRequestEntityTooLarge, "too_large", "文件超过 20 MiB 上限",
			"the file is over the 20 MiB limit")
	case errors.Is(err, files.ErrType):
		return usecase.InvalidInput(FieldError{Field: "file", MessageZh: "只接受 PDF、图片和 Office 文档(按内容识别)",
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
	f, err := s.core.File(c.Request().Context(), caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	r, err := s.files.Open(c.Request().Context(), f.ID)
	if err != nil {
		return err
	}
	defer r.Close()
	c.Response().Header().Set(echo.HeaderContentDisposition, attachment(downloadName(f.Name, f.ContentType)))
	return c.Stream(http.StatusOK, f.ContentType, r)
}

// extensions are the name extensions of each type files.Sniff accepts; a name with none of its type's gets the
// first. An uploader chooses the name, the content chooses the type: "x.html" holding a PDF is saved as x.pdf.
var extensions = map[string][]string{
	"application/pdf": {".pdf"}, "image/png": {".png"}, "image/jpeg": {".jpg", ".jpeg"}, "image/gif": {".gif"},
	"image/webp": {".webp"}, "application/vnd.openxmlformats-officedocument": {".docx", ".xlsx", ".pptx"},
	"application/x-ole-storage": {".doc", ".xls", ".ppt"},
}

// downloadName is a file's name made safe to save: no path, no control or invisible formatting characters (a
// right-to-left override can disguise an extension), none that Windows forbids, and the extension of its type.
func downloadName(name, contentType string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`<>:"/\|?*`, r):
			return '_'
		}
		return r
	}, strings.ToValidUTF8(cleanName(name), ""))
	exts := extensions[contentType]
	if len(exts) == 0 {
		exts = []string{".bin"}
	}
	ext := path.Ext(name)
	if slices.Contains(exts, strings.ToLower(ext)) {
		return name
	}
	base := strings.Trim(strings.TrimSuffix(name, ext), ". ")
	if base == "" {
		base = "file"
	}
	return base + exts[0]
}

// attachment is a Content-Disposition for name: an ASCII filename for old clients and the exact name as an RFC 5987
// filename*.
func attachment(name string) string {
	var ascii, encoded strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			r = '_'
		}
		ascii.WriteRune(r)
	}
	for _, b := range []byte(name) {
		if b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
			strings.IndexByte("!#$&+-.^_`|~", b) >= 0) {
			encoded.WriteByte(b)
			continue
		}
		fmt.Fprintf(&encoded, "%%%02X", b)
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii.String(), encoded.String())
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
