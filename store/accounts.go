package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Account is a person who signs in to the pages: a login name (a mobile or staff number), the name shown in the
// audit trail, a role and the unit they work for. Only an argon2id hash of the password is kept.
type Account struct {
	ID                 int64  `gorm:"primaryKey"`
	Login              string // unique
	Name               string
	Role               string
	UnitCode           string // the code of the unit they work for, of any level; "" for the whole deployment
	PasswordHash       string
	MustChangePassword bool // a first or reset password, set by an administrator
	FailedAttempts     int  // wrong passwords since the last sign-in or lock
	LockedUntil        *time.Time
	DisabledAt         *time.Time
	CreatedBy          string
	CreatedAt          time.Time
	PasswordChangedAt  *time.Time
	LastSignInAt       *time.Time
	TOTPSecret         string `gorm:"column:totp_secret"` // the second factor's secret; "" = none
	TOTPStep           int64  `gorm:"column:totp_step"`   // the time step of the last code taken: none is taken twice
}

// CreateAccount stores a new account with the audit entry of its creation (its target is filled in); ErrConflict
// when its login is taken.
func (s *Store) CreateAccount(ctx context.Context, a *Account, ev *AuditEvent) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		ev.Target = fmt.Sprintf("account:%d", a.ID)
		return appendAudit(tx, ev)
	}))
}

// AccountByLogin returns the account with this login, or ErrNotFound.
func (s *Store) AccountByLogin(ctx context.Context, login string) (Account, error) {
	var a Account
	return a, translate(s.db.WithContext(ctx).Where("login = ?", login).Take(&a).Error)
}

// Account returns the account with this ID, or ErrNotFound.
func (s *Store) Account(ctx context.Context, id int64) (Account, error) {
	var a Account
	return a, translate(s.db.WithContext(ctx).Take(&a, id).Error)
}

// Accounts lists every account, oldest first.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	var as []Account
	return as, translate(s.db.WithContext(ctx).Order("id").Find(&as).Error)
}

// CountAccounts counts the accounts, disabled ones included.
func (s *Store) CountAccounts(ctx context.Context) (n int64, err error) {
	return n, translate(s.db.WithContext(ctx).Model(&Account{}).Count(&n).Error)
}

// ClaimSignIn takes one of the limit attempts an account allows in a row before its password is checked, so that
// parallel attempts cannot outrun the lock: false when the account is locked (with the lock's end) or its
// attempts are all in flight (nil).
func (s *Store) ClaimSignIn(ctx context.Context, id int64, limit int) (bool, *time.Time, error) {
	now := time.Now().UTC()
	res := s.db.WithContext(ctx).Model(&Account{}).
		Where("id = ? AND (locked_until IS NULL OR locked_until < ?) AND failed_attempts < ?", id, now, limit).
		Update("failed_attempts", gorm.Expr("failed_attempts + 1"))
	if res.Error != nil || res.RowsAffected == 1 {
		return res.Error == nil, nil, translate(res.Error)
	}
	var a Account
	if err := s.db.WithContext(ctx).Take(&a, id).Error; err != nil {
		return false, nil, translate(err)
	}
	if a.LockedUntil != nil && a.LockedUntil.Before(now) {
		return false, nil, nil
	}
	return false, a.LockedUntil, nil
}

// FailSignIn records that a claimed attempt was wrong. The one that used the last of limit attempts locks the
// account until now + lock, with the lock's audit entry, and starts the count again: the answer is the lock it
// set, nil for the others.
func (s *Store) FailSignIn(ctx context.Context, id int64, limit int, lock time.Duration, ev *AuditEvent) (
	*time.Time, error,
) {
	until := time.Now().UTC().Add(lock)
	var set bool
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Account{}).Where("id = ? AND failed_attempts >= ?", id, limit).
			Updates(map[string]any{"failed_attempts": 0, "locked_until": until})
		if set = res.RowsAffected == 1; res.Error != nil || !set {
			return res.Error
		}
		ev.At = time.Now().UTC()
		return appendAudit(tx, ev)
	})
	if err != nil || !set {
		return nil, translate(err)
	}
	return &until, nil
}

// ResetAttempts starts the count of attempts again after a right password. false when a lock was set meanwhile
// (by parallel wrong attempts): it stands, and the right password is refused with it.
func (s *Store) ResetAttempts(ctx context.Context, id int64) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Account{}).
		Where("id = ? AND (locked_until IS NULL OR locked_until < ?)", id, time.Now().UTC()).
		Updates(map[string]any{"failed_attempts": 0, "locked_until": nil})
	return res.RowsAffected == 1, translate(res.Error)
}

// SignedIn records when the person last signed in.
func (s *Store) SignedIn(ctx context.Context, id int64) error {
	return translate(s.db.WithContext(ctx).Model(&Account{ID: id}).Update("last_sign_in_at", time.Now().UTC()).Error)
}

// endSessions ends the account's sessions on the pages, in tx.
func endSessions(tx *gorm.DB, accountID int64) error {
	return tx.Where("account_id = ?", accountID).Delete(&Session{}).Error
}

// SetPassword replaces an account's password hash and unlocks it, with the change's audit entry. mustChange marks
// a password an administrator set, which its holder changes at the next sign-in: such a reset starts the person
// over (a lost phone or a stolen password is the usual reason for it), so it also removes the second factor,
// revokes the person's API tokens and ends their sessions.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, ev *AuditEvent) error {
	changes := map[string]any{"password_hash": hash, "must_change_password": mustChange, "failed_attempts": 0,
		"locked_until": nil, "password_changed_at": time.Now().UTC()}
	if mustChange {
		changes["totp_secret"], changes["totp_step"] = "", 0
	}
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Account{ID: id}).Updates(changes)
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrNotFound
		}
		if res.Error != nil {
			return res.Error
		}
		if mustChange {
			if err := tx.Model(&Token{}).Where("account_id = ? AND revoked_at IS NULL", id).
				Update("revoked_at", time.Now().UTC()).Error; err != nil {
				return err
			}
			if err := endSessions(tx, id); err != nil {
				return err
			}
		}
		return appendAudit(tx, ev)
	}))
}

// SetAccountDisabled disables an account, ending its sessions (its API tokens stop while it stays disabled), or
// enables it again, with the change's audit entry.
func (s *Store) SetAccountDisabled(ctx context.Context, id int64, disabled bool, ev *AuditEvent) error {
	var at *time.Time
	if disabled {
		now := time.Now().UTC()
		at = &now
	}
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Account{ID: id}).Update("disabled_at", at)
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrNotFound
		}
		if res.Error != nil {
			return res.Error
		}
		if disabled {
			if err := endSessions(tx, id); err != nil {
				return err
			}
		}
		return appendAudit(tx, ev)
	}))
}

// SetTOTP sets the second factor's secret ("" removes it) and the step of the code that confirmed it, with the
// change's audit entry.
func (s *Store) SetTOTP(ctx context.Context, id int64, secret string, step int64, ev *AuditEvent) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Account{ID: id}).Updates(map[string]any{"totp_secret": secret, "totp_step": step})
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrNotFound
		}
		if res.Error != nil {
			return res.Error
		}
		return appendAudit(tx, ev)
	}))
}

// UseTOTPStep records that the code of step was taken; false when a code of that step or a later one was taken
// already (the same code sent twice at once is taken once).
func (s *Store) UseTOTPStep(ctx context.Context, id int64, step int64) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Account{}).Where("id = ? AND totp_step < ?", id, step).
		Update("totp_step", step)
	return res.RowsAffected == 1, translate(res.Error)
}
