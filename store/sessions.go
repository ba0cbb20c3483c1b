package store

import (
	"context"
	"time"
)

// Session is a person signed in to the pages. The browser holds a random ID and the row is kept under its hash,
// so that reading the table signs no one in; it holds the principal as its account's or token's ID, never a
// password or a token.
type Session struct {
	IDHash    string `gorm:"primaryKey"`
	AccountID int64  // the person's account, or 0 for a session opened with an API token
	Federated bool   // signed in through the unified identity provider, not with a password
	TokenID   int64
	Name      string
	Role      string
	UnitCode  string
	CSRF      string `gorm:"column:csrf"`
	// Flash is a form's outcome (JSON), shown once on the page the form redirects to, whichever process serves it.
	Flash     string
	CreatedAt time.Time
	// ExpiresAt moves on with use: a session ends when it has not been used for the idle time.
	ExpiresAt time.Time
}

// TableName names the table apart from the API's tokens.
func (Session) TableName() string { return "web_sessions" }

// CreateSession stores a new session and deletes the expired ones: sign-ins are rare, and sweeping then keeps
// the table small.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	db := s.db.WithContext(ctx)
	if err := db.Where("expires_at < ?", time.Now().UTC()).Delete(&Session{}).Error; err != nil {
		return translate(err)
	}
	return translate(db.Create(sess).Error)
}

// Session returns the unexpired session with this ID hash, or ErrNotFound.
func (s *Store) Session(ctx context.Context, idHash string) (Session, error) {
	var sess Session
	err := s.db.WithContext(ctx).Where("id_hash = ? AND expires_at >= ?", idHash, time.Now().UTC()).Take(&sess).Error
	return sess, translate(err)
}

// ExtendSession moves a session's expiry.
func (s *Store) ExtendSession(ctx context.Context, idHash string, expires time.Time) error {
	return translate(s.db.WithContext(ctx).Model(&Session{}).Where("id_hash = ?", idHash).
		Update("expires_at", expires.UTC()).Error)
}

// SetSessionFlash replaces a session's flash ("" clears it).
func (s *Store) SetSessionFlash(ctx context.Context, idHash, flash string) error {
	return translate(s.db.WithContext(ctx).Model(&Session{}).Where("id_hash = ?", idHash).
		Update("flash", flash).Error)
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return translate(s.db.WithContext(ctx).Where("id_hash = ?", idHash).Delete(&Session{}).Error)
}
