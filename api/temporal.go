package api

import (
	"fmt"

	"github.com/labstack/echo/v4"
)

const auditedKey = "audited" // set when a workflow recorded the action in the audit trail itself

// acted notes that an action the core carried out was audited with its change (by a workflow, or by the core
// with a database write), and passes err on.
func acted(c echo.Context, err error) error {
	if err == nil {
		c.Set(auditedKey, true)
	}
	return err
}

// actionKey is the core's idempotency key of the request: the Idempotency-Key with the request's hash, so that a
// key reused for another request once its answer has expired (JUNHENG_IDEMPOTENCY_TTL) is another Update, not
// the old one's answer.
func actionKey(c echo.Context) string {
	key := c.Request().Header.Get(headerIdempotencyKey)
	if key == "" {
		return ""
	}
	hash, _ := c.Get(requestHashKey).(string)
	return fmt.Sprintf("%s:%s", key, hash)
}
