package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/progress"
	"junheng/report"
	"junheng/usecase"
)

// publicCacheFor is how long the public summary is served from memory. The page needs no login, so a flood of
// requests must not become a flood of city reports; a minute's delay does not matter for published results.
const publicCacheFor = time.Minute

// publicPage is the public summary (以适当方式公布监测结果) with its cached renderings.
type publicPage struct {
	progress.Publication
	mu         sync.Mutex
	at         time.Time
	page, data []byte
}

// getPublicSummary serves what the city publishes (usecase.Core.PublicSummary), as a page or (?format=json) as
// JSON, without a login.
func (s *Server) getPublicSummary(c echo.Context) error {
	p := s.public
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.page == nil || time.Since(p.at) > publicCacheFor {
		if err := s.renderPublic(c, p); err != nil {
			return err
		}
	}
	switch c.QueryParam("format") {
	case "", "html":
		return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, p.page)
	case "json":
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, p.data)
	}
	return usecase.InvalidInput(FieldError{Field: "format", MessageZh: "格式应为 html 或 json",
		MessageEn: "format must be html or json"})
}

func (s *Server) renderPublic(c echo.Context, p *publicPage) error {
	summary, err := s.core.PublicSummary(c.Request().Context(), p.Publication)
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := report.PublicHTML(&page, summary); err != nil {
		return err
	}
	data, err := json.Marshal(summary)
	if err != nil {
		return err
	}
	p.page, p.data, p.at = page.Bytes(), data, time.Now()
	return nil
}
