package usecase

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"junheng/store"
	"junheng/workflows"
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
	return Actor{TokenID: t.ID, Name: t.Name, Role: workflows.Role(t.Role), District: t.DistrictCode}, nil
}
