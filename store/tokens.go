package store

import (
	"context"
	"time"
)

// Token is an API bearer token. Only its SHA-256 hash is stored; the token itself is shown once, at creation.
type Token struct {
	ID           int64      `gorm:"primaryKey" json:"id"`
	Name         string     `json:"name"`
	Role         string     `json:"role"`
	DistrictCode string     `json:"district_code,omitempty"`
	Hash         string     `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
}

// TableName keeps the table's name explicit: "tokens" would be ambiguous in a database shared with others.
func (Token) TableName() string { return "api_tokens" }

// CreateToken stores a token by its hash.
func (s *Store) CreateToken(ctx context.Context, t *Token) error {
	return translate(s.db.WithContext(ctx).Create(t).Error)
}

// TokenByHash returns the live (not revoked) token with this hash, or ErrNotFound.
func (s *Store) TokenByHash(ctx context.Context, hash string) (Token, error) {
	var t Token
	err := s.db.WithContext(ctx).Where("hash = ? AND revoked_at IS NULL", hash).Take(&t).Error
	return t, translate(err)
}

// Tokens lists every token, revoked ones included, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	var ts []Token
	err := s.db.WithContext(ctx).Order("id").Find(&ts).Error
	return ts, translate(err)
}

// RevokeToken revokes a token; ErrNotFound when it does not exist or is already revoked.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Model(&Token{}).Where("id = ? AND revoked_at IS NULL", id).
		Update("revoked_at", time.Now().UTC())
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return translate(res.Error)
}

// LiveToken returns the token with this ID unless it is revoked, or ErrNotFound.
func (s *Store) LiveToken(ctx context.Context, id int64) (Token, error) {
	var t Token
	err := s.db.WithContext(ctx).Where("id = ? AND revoked_at IS NULL", id).Take(&t).Error
	return t, translate(err)
}
