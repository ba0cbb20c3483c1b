package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

// TokenRequest asks for a new API token.
type TokenRequest struct {
	Role     workflows.Role `json:"role"`
	District string         `json:"district,omitempty"`
	Name     string         `json:"name"`
}

// IssuedToken is a new token: the value is shown once, only its hash is kept.
type IssuedToken struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
}

// createToken lets an admin issue tokens over HTTP, as `junheng token create` does on the server.
func (s *Server) createToken(c echo.Context) error {
	req, err := bind[TokenRequest](c)
	if err != nil {
		return err
	}
	t, err := IssueToken(c.Request().Context(), s.store, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

// IssueToken checks a request and stores the new token's hash; bad requests are a *Problem naming the fields.
func IssueToken(ctx context.Context, db *store.Store, req TokenRequest) (IssuedToken, error) {
	var errs usecase.Fields
	if !slices.Contains(Roles, req.Role) {
		errs.Add("role", "角色应为 admin、office、province 或 district", "role must be admin, office, province or district")
	}
	if (req.Role == workflows.RoleDistrict) != (req.District != "") {
		errs.Add("district", "区县令牌须且仅须指定区县", "district is required for a district token, and only for one")
	}
	errs.Required("name", req.Name)
	if err := errs.Err(); err != nil {
		return IssuedToken{}, err
	}
	if req.District != "" {
		if _, err := db.District(ctx, req.District); errors.Is(err, store.ErrNotFound) {
			return IssuedToken{}, usecase.InvalidInput(FieldError{Field: "district", MessageZh: "该区县尚未登记",
				MessageEn: "the district is not registered"})
		} else if err != nil {
			return IssuedToken{}, err
		}
	}
	token, hash := NewToken()
	t := &store.Token{
		Name: req.Name, Role: string(req.Role), DistrictCode: req.District, Hash: hash, CreatedAt: time.Now().UTC(),
	}
	if err := db.CreateToken(ctx, t); err != nil {
		return IssuedToken{}, err
	}
	return IssuedToken{ID: t.ID, Token: token}, nil
}
