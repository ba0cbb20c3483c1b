package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Token is an API bearer token. Only its SHA-256 hash is stored; the token itself is shown once, at creation.
type Token struct {
	ID        int64      `gorm:"primaryKey" json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	UnitCode  string     `json:"unit_code,omitempty"`
	Hash      string     `json:"-"`
	AccountID int64      `json:"account_id,omitempty"` // the account that made it for itself; 0 = an admin's
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// TableName keeps the table's name explicit: "tokens" would be ambiguous in a database shared with others.
func (Token) TableName() string { return "api_tokens" }

// CreateToken stores a token by its hash, with the audit entry of its making when ev is not nil (its target is
// filled in).
func (s *Store) CreateToken(ctx context.Context, t *Token, ev *AuditEvent) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(t).Error; err != nil || ev == nil {
			return err
		}
		ev.Target = fmt.Sprintf("token:%d", t.ID)
		return appendAudit(tx, ev)
	}))
}

// AccountTokens lists the tokens an account made for itself, revoked ones included, newest first.
func (s *Store) AccountTokens(ctx context.Context, accountID int64) ([]Token, error) {
	var ts []Token
	err := s.db.WithContext(ctx).Where("account_id = ?", accountID).Order("id DESC").Find(&ts).Error
	return ts, translate(err)
}

// RevokeAccountToken revokes a token the account made, with the audit entry; ErrNotFound when the account has no
// such live token.
func (s *Store) RevokeAccountToken(ctx context.Context, id, accountID int64, ev *AuditEvent) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Token{}).Where("id = ? AND account_id = ? AND revoked_at IS NULL", id, accountID).
			Update("revoked_at", time.Now().UTC())
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrNotFound
		}
		if res.Error != nil {
			return res.Error
		}
		return appendAudit(tx, ev)
	}))
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
