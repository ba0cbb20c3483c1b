package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/internal/clientaddr"
	"junheng/usecase"
	"junheng/vocab"
)

// Principal is the authenticated caller.
type Principal struct {
	TokenID  int64      `json:"token_id"`
	Name     string     `json:"name"`
	Role     vocab.Role `json:"role"`
	Unit     string     `json:"unit,omitempty"`     // the code of its unit; none for the whole deployment
	District string     `json:"district,omitempty"` // a district's token's district
}

const principalKey = "principal"

// A client address may present guessBurst unknown or revoked tokens, then one every guessEvery.
const (
	guessBurst = 20
	guessEvery = time.Minute
)

// errGuessing answers an address that presented too many unknown or revoked tokens.
var errGuessing = func() *Problem {
	p := problem(http.StatusTooManyRequests, "too_many_bad_tokens", "该地址提交的无效令牌过多, 请稍后再试",
		"too many unknown or revoked tokens from this address; retry later")
	p.RetryAfter = int(guessEvery / time.Second)
	return p
}()

// authenticate resolves the bearer token to a Principal (usecase.Core.SignIn); a missing, unknown or revoked token
// answers 401. An address that keeps presenting unknown or revoked tokens is refused with 429 before its token is
// looked at, so that tokens cannot be guessed at speed.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		addr := clientaddr.Of(c.Request(), s.proxies)
		if s.guesses.Blocked(addr) {
			return errGuessing
		}
		raw, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		if !ok || raw == "" {
			return echo.ErrUnauthorized
		}
		a, err := s.core.SignIn(c.Request().Context(), raw)
		if errors.Is(err, usecase.ErrNotFound) {
			s.guesses.Fail(addr)
			return echo.ErrUnauthorized
		}
		if err != nil {
			return err
		}
		c.Set(principalKey, Principal{TokenID: a.TokenID, Name: a.Name, Role: a.Role, Unit: a.Unit,
			District: a.District()})
		return next(c)
	}
}

func principal(c echo.Context) Principal {
	p, _ := c.Get(principalKey).(Principal)
	return p
}

// caller is the principal as the core sees it, with the request ID for the audit trail.
func caller(c echo.Context) usecase.Actor {
	p := principal(c)
	return usecase.Actor{TokenID: p.TokenID, Name: p.Name, Role: p.Role, Unit: p.Unit,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
}

// allow answers 403 unless the caller has one of the roles.
func allow(roles ...vocab.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !slices.Contains(roles, principal(c).Role) {
				return usecase.ErrForbidden
			}
			return next(c)
		}
	}
}

// seeDistrict answers 404 when district lies outside the caller's reach (usecase.Core.Sees).
func (s *Server) seeDistrict(c echo.Context, district string) error {
	return s.core.Sees(c.Request().Context(), caller(c), district)
}

// pathYear reads the {year} path parameter; a malformed year is a 404 like any unknown year.
func pathYear(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 2000 || y > 2200 {
		return 0, usecase.ErrNotFound
	}
	return y, nil
}
