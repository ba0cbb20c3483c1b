package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"junheng/files"
	"junheng/usecase"
)

// uploadFile stores an evidence file (multipart field "file"); the office names the district it uploads for (form
// field "district"), or none for office-only files.
func (s *Server) uploadFile(c echo.Context) error {
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
	f, err := s.core.UploadFile(c.Request().Context(), caller(c),
		usecase.NewFile{Name: fh.Filename, District: c.FormValue("district"), Content: r})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, f)
}

func (s *Server) getFile(c echo.Context) error {
	f, r, err := s.core.OpenFile(c.Request().Context(), caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	defer r.Close()
	name := files.DownloadName(f.Name, f.ContentType)
	c.Response().Header().Set(echo.HeaderContentDisposition, files.Attachment(name))
	return c.Stream(http.StatusOK, f.ContentType, r)
}
