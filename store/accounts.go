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
	DistrictCode       string // the unit of a district's people
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

// FailSignIn counts a wrong password. The attempt that reaches limit locks the account until now + lock and
// starts the count again; the answer is the account as it now stands. Each step is one statement, so that
// parallel attempts are all counted and lock the account once.
func (s *Store) FailSignIn(ctx context.Context, id int64, limit int, lock time.Duration) (Account, error) {
	var a Account
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		count := tx.Model(&Account{ID: id}).Update("failed_attempts", gorm.Expr("failed_attempts + 1"))
		if count.Error != nil {
			return count.Error
		}
		locked := tx.Model(&Account{}).Where("id = ? AND failed_attempts >= ?", id, limit).
			Updates(map[string]any{"failed_attempts": 0, "locked_until": time.Now().UTC().Add(lock)})
		if locked.Error != nil {
			return locked.Error
		}
		return tx.Take(&a, id).Error
	})
	return a, translate(err)
}

// SignedIn records a sign-in: the count of wrong passwords starts again.
func (s *Store) SignedIn(ctx context.Context, id int64) error {
	return translate(s.db.WithContext(ctx).Model(&Account{ID: id}).
		Updates(map[string]any{"failed_attempts": 0, "locked_until": nil, "last_sign_in_at": time.Now().UTC()}).Error)
}

// SetPassword replaces an account's password hash and unlocks it, with the change's audit entry. mustChange marks
// a password an administrator set, which its holder changes at the next sign-in: such a reset starts the person
// over, so it also removes the second factor (a lost phone is the usual reason for it).
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
		return appendAudit(tx, ev)
	}))
}

// SetAccountDisabled disables an account (its sessions end at their next request) or enables it again, with the
// change's audit entry.
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
