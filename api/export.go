package api

import (
	"bytes"
	"fmt"
	"io"
	"junheng/evaluation/excel"
	"net/http"

	"github.com/labstack/echo/v4"
)

// sendWorkbook answers a workbook that write makes (package report), as the download filename. It is made in
// memory first, so that a failure is a clean error rather than half a file.
func sendWorkbook(c echo.Context, filename string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, filename))
	return c.Blob(http.StatusOK, excel.ContentType, buf.Bytes())
}
