package api

import (
	"errors"
	"io"
	"junheng/usecase"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
)

// TestUpdateLimitAnswersRetryLater: Temporal refusing an Update because the run has taken all it may (its run is
// continuing as new) is a 503 with Retry-After, so that a client retries with the same Idempotency-Key; it is not
// a fault of the request.
func TestUpdateLimitAnswersRetryLater(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.POST("/", func(echo.Context) error {
		return usecase.WorkflowError(serviceerror.NewFailedPrecondition(
			"The limit on the total number of distinct updates in this workflow has been reached (2000)."))
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "5" {
		t.Errorf("the Update limit answered %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	for _, err := range []error{errors.New("other"), serviceerror.NewFailedPrecondition("Workflow is paused")} {
		if p := toProblem(usecase.WorkflowError(err)); p.RetryAfter != 0 {
			t.Errorf("%v asks for a retry after %d s", err, p.RetryAfter)
		}
	}
}
