package usecase

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"junheng/store"
	"junheng/vocab"
)

// HashToken is how tokens are stored: tokens are 256 random bits, so a plain SHA-256 is enough.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SignIn is the actor of a live token, or ErrNotFound for an unknown or revoked one, or one whose account is
// disabled.
func (c *Core) SignIn(ctx context.Context, token string) (Actor, error) {
	t, err := c.store.TokenByHash(ctx, HashToken(strings.TrimSpace(token)))
	if err == nil {
		err = c.holderLive(ctx, t)
	}
	if errors.Is(err, store.ErrNotFound) {
		return Actor{}, ErrNotFound
	}
	if err != nil {
		return Actor{}, err
	}
	return Actor{TokenID: t.ID, Name: t.Name, Role: vocab.Role(t.Role), Unit: t.UnitCode}, nil
}

// holderLive answers store.ErrNotFound when the account that made t for itself is disabled: a person's
// integrations stop with the person.
func (c *Core) holderLive(ctx context.Context, t store.Token) error {
	if t.AccountID == 0 {
		return nil
	}
	acc, err := c.store.Account(ctx, t.AccountID)
	if err == nil && acc.DisabledAt != nil {
		return store.ErrNotFound
	}
	return err
}

// OwnTokens lists the tokens the signed-in person made for their integrations, revoked ones included.
func (c *Core) OwnTokens(ctx context.Context, a Actor) ([]store.Token, error) {
	if a.AccountID == 0 {
		return nil, ErrForbidden
	}
	return c.store.AccountTokens(ctx, a.AccountID)
}

// IssueOwnToken makes a token for an integration of the signed-in person: it acts with the person's role and
// district, under the person's name and the integration's in the audit trail, and stops when it is revoked or
// the account is disabled. The token is in the answer only.
func (c *Core) IssueOwnToken(ctx context.Context, a Actor, name string) (_ IssuedToken, err error) {
	defer c.refused(ctx, a, "create_token", "", "", &err)
	if a.AccountID == 0 {
		return IssuedToken{}, ErrForbidden
	}
	var f Fields
	if f.Required("name", strings.TrimSpace(name)); len([]rune(name)) > 60 {
		f.Add("name", "用途说明不超过 60 个字符", "the purpose has at most 60 characters")
	}
	if err := f.Err(); err != nil {
		return IssuedToken{}, err
	}
	token, hash := NewToken()
	t := &store.Token{Name: a.Name + " · " + strings.TrimSpace(name), Role: string(a.Role),
		UnitCode: a.Unit, Hash: hash, AccountID: a.AccountID, CreatedAt: time.Now().UTC()}
	if err := c.store.CreateToken(ctx, t, a.event("create_token", a.District(), "")); err != nil {
		return IssuedToken{}, err
	}
	return IssuedToken{ID: t.ID, Token: token}, nil
}

// RevokeOwnToken revokes one of the signed-in person's tokens; another's answers ErrNotFound.
func (c *Core) RevokeOwnToken(ctx context.Context, a Actor, id int64) (err error) {
	target := fmt.Sprintf("token:%d", id)
	defer c.refused(ctx, a, "revoke_token", "", target, &err)
	if a.AccountID == 0 {
		return ErrForbidden
	}
	err = c.store.RevokeAccountToken(ctx, id, a.AccountID, a.event("revoke_token", a.District(), target))
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// Roles an account or a token may have.
var Roles = []vocab.Role{vocab.RoleAdmin, vocab.RoleProvince, vocab.RoleOffice, vocab.RoleDistrict, vocab.RoleSchool}

// TokenRequest asks for a new API token.
type TokenRequest struct {
	Role     vocab.Role `json:"role"`
	Unit     string     `json:"unit,omitempty"`     // the code of its unit (checkPrincipal)
	District string     `json:"district,omitempty"` // the older spelling of unit, for a district's token
	Name     string     `json:"name"`
}

// IssuedToken is a new token: the value is shown once, only its hash is kept.
type IssuedToken struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
}

// NewToken returns a fresh random bearer token and the hash under which it is stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	token = "jh_" + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// IssueToken lets an admin issue a token over the API, as IssueToken does for whoever runs the server.
func (c *Core) IssueToken(ctx context.Context, a Actor, req TokenRequest) (_ IssuedToken, err error) {
	defer c.refused(ctx, a, "create_token", "", "", &err)
	if err := c.grant(ctx, a, req.Role, cmp.Or(req.Unit, req.District)); err != nil {
		return IssuedToken{}, err
	}
	return IssueToken(ctx, c.store, req)
}

// IssueToken checks a request and stores the new token's hash. It asks for no actor: the command line (`junheng
// token create`) runs it on the server, with the database's own access.
func IssueToken(ctx context.Context, db *store.Store, req TokenRequest) (IssuedToken, error) {
	unit, f := checkPrincipal(ctx, db, req.Role, cmp.Or(req.Unit, req.District))
	f.Required("name", req.Name)
	if err := f.Err(); err != nil {
		return IssuedToken{}, err
	}
	token, hash := NewToken()
	t := &store.Token{
		Name: req.Name, Role: string(req.Role), UnitCode: unit, Hash: hash, CreatedAt: time.Now().UTC(),
	}
	if err := db.CreateToken(ctx, t, nil); err != nil {
		return IssuedToken{}, err
	}
	return IssuedToken{ID: t.ID, Token: token}, nil
}
