package usecase

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
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

// SignIn is the actor of a live token, or ErrNotFound for an unknown or revoked one.
func (c *Core) SignIn(ctx context.Context, token string) (Actor, error) {
	t, err := c.store.TokenByHash(ctx, HashToken(strings.TrimSpace(token)))
	if errors.Is(err, store.ErrNotFound) {
		return Actor{}, ErrNotFound
	}
	if err != nil {
		return Actor{}, err
	}
	return Actor{TokenID: t.ID, Name: t.Name, Role: vocab.Role(t.Role), District: t.DistrictCode}, nil
}

// Roles a token may have.
var Roles = []vocab.Role{vocab.RoleAdmin, vocab.RoleOffice, vocab.RoleProvince, vocab.RoleDistrict}

// TokenRequest asks for a new API token.
type TokenRequest struct {
	Role     vocab.Role `json:"role"`
	District string     `json:"district,omitempty"`
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
	if err := a.may("", vocab.RoleAdmin); err != nil {
		return IssuedToken{}, err
	}
	return IssueToken(ctx, c.store, req)
}

// IssueToken checks a request and stores the new token's hash. It asks for no actor: the command line (`junheng
// token create`) runs it on the server, with the database's own access.
func IssueToken(ctx context.Context, db *store.Store, req TokenRequest) (IssuedToken, error) {
	f := checkPrincipal(ctx, db, req.Role, req.District)
	f.Required("name", req.Name)
	if err := f.Err(); err != nil {
		return IssuedToken{}, err
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
