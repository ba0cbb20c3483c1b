package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"junheng/store"
	"junheng/vocab"
)

// AccountRequest asks for a new person's account.
type AccountRequest struct {
	Login    string     `json:"login"` // a mobile or staff number, as the person will type it
	Name     string     `json:"name"`  // shown in the audit trail
	Role     vocab.Role `json:"role"`
	District string     `json:"district,omitempty"` // the unit of a district's person
}

// NewAccount is a created account and its first password, shown once: its holder changes it at first sign-in.
type NewAccount struct {
	ID       int64  `json:"id"`
	Password string `json:"password"`
}

// CreateAccount checks a request and stores the account with a first password. It asks for no actor: the
// command line (`junheng account create`) runs it on the server, with the database's own access; by is who.
func CreateAccount(ctx context.Context, db *store.Store, by Actor, req AccountRequest) (NewAccount, error) {
	req.Login, req.Name = strings.TrimSpace(req.Login), strings.TrimSpace(req.Name)
	f := checkPrincipal(ctx, db, req.Role, req.District)
	f.Required("login", req.Login)
	if strings.ContainsFunc(req.Login, unicode.IsSpace) || utf8.RuneCountInString(req.Login) > 64 {
		f.Add("login", "登录名不得含空白, 且不超过 64 个字符", "the login must have no spaces and at most 64 characters")
	}
	f.Required("name", req.Name)
	if err := f.Err(); err != nil {
		return NewAccount{}, err
	}
	password := firstPassword()
	a := &store.Account{Login: req.Login, Name: req.Name, Role: string(req.Role), DistrictCode: req.District,
		PasswordHash: hashPassword(password), MustChangePassword: true, CreatedBy: by.Name, CreatedAt: time.Now().UTC()}
	ev := by.event("create_account", req.District, "")
	ev.Detail = fmt.Sprintf("%s %s (%s)", req.Role, req.Login, req.Name)
	if err := db.CreateAccount(ctx, a, ev); errors.Is(err, store.ErrConflict) {
		f.Add("login", "该登录名已被使用", "the login is taken")
		return NewAccount{}, f.Err()
	} else if err != nil {
		return NewAccount{}, err
	}
	return NewAccount{ID: a.ID, Password: password}, nil
}

// checkPrincipal checks a role and the district that goes with it, for an account or a token.
func checkPrincipal(ctx context.Context, db *store.Store, role vocab.Role, district string) Fields {
	var f Fields
	if !slices.Contains(Roles, role) {
		f.Add("role", "角色应为 admin、office、province 或 district", "role must be admin, office, province or district")
	}
	if (role == vocab.RoleDistrict) != (district != "") {
		f.Add("district", "区县角色须且仅须指定区县", "district is required for the district role, and only for it")
	} else if district != "" {
		if _, err := db.District(ctx, district); errors.Is(err, store.ErrNotFound) {
			f.Add("district", "该区县尚未登记", "the district is not registered")
		} else if err != nil {
			f.Add("district", "暂时无法核对区县, 请稍后重试", "the district could not be checked; retry later")
		}
	}
	return f
}

// ownAccount is the signed-in person's account; a token's holder has none to change (ErrForbidden).
func (c *Core) ownAccount(ctx context.Context, a Actor) (store.Account, error) {
	if a.AccountID == 0 {
		return store.Account{}, ErrForbidden
	}
	return c.store.Account(ctx, a.AccountID)
}

// ChangePassword replaces the signed-in person's password, given the current one.
func (c *Core) ChangePassword(ctx context.Context, a Actor, current, next string) (err error) {
	defer c.refused(ctx, a, "change_password", "", accountTarget(a.AccountID), &err)
	acc, err := c.ownAccount(ctx, a)
	if err != nil {
		return err
	}
	var f Fields
	if err := c.checkCurrent(ctx, acc, current, &f, "current"); err != nil {
		return err
	}
	checkPassword(&f, "password", acc.Login, next)
	if current == next {
		f.Add("password", "新密码不得与当前密码相同", "the new password must differ from the current one")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return c.store.SetPassword(ctx, acc.ID, hashPassword(next), false,
		a.event("change_password", a.District, accountTarget(acc.ID)))
}

// ResetPassword gives the account with this login a new first password, unlocks it and answers the password: its
// holder changes it at the next sign-in. The command line runs it on the server, with the database's own access
// (by is who); ResetAccountPassword is the administrators' way through a face.
func ResetPassword(ctx context.Context, db *store.Store, by Actor, login string) (NewAccount, error) {
	acc, err := accountByLogin(ctx, db, login)
	if err != nil {
		return NewAccount{}, err
	}
	password := firstPassword()
	if err := db.SetPassword(ctx, acc.ID, hashPassword(password), true,
		by.event("reset_password", acc.DistrictCode, accountTarget(acc.ID))); err != nil {
		return NewAccount{}, err
	}
	return NewAccount{ID: acc.ID, Password: password}, nil
}

// SetDisabled disables the account with this login, so that its holder can no longer sign in and their
// sessions end, or enables it again. The command line runs it on the server (by is who).
func SetDisabled(ctx context.Context, db *store.Store, by Actor, login string, disabled bool) error {
	acc, err := accountByLogin(ctx, db, login)
	if err != nil {
		return err
	}
	return db.SetAccountDisabled(ctx, acc.ID, disabled,
		by.event(disableAction(disabled), acc.DistrictCode, accountTarget(acc.ID)))
}

// disableAction names the change in the audit trail.
func disableAction(disabled bool) string {
	if disabled {
		return "disable_account"
	}
	return "enable_account"
}

// accountByLogin is the account with this login, or an Invalid error naming the field login.
func accountByLogin(ctx context.Context, db *store.Store, login string) (store.Account, error) {
	acc, err := db.AccountByLogin(ctx, strings.TrimSpace(login))
	if errors.Is(err, store.ErrNotFound) {
		var f Fields
		f.Add("login", "没有该登录名的账户", "no account has this login")
		return store.Account{}, f.Err()
	}
	return acc, err
}

// event is the audit entry of a change a made to target, done in the store with the change.
func (a Actor) event(action, district, target string) *store.AuditEvent {
	return &store.AuditEvent{Actor: a.Name, Role: string(a.Role), DistrictCode: district, Action: action,
		Target: target, RequestID: a.RequestID, Outcome: "ok"}
}

// Accounts lists every account, for administrators.
func (c *Core) Accounts(ctx context.Context, a Actor) ([]store.Account, error) {
	if err := a.may("", vocab.RoleAdmin); err != nil {
		return nil, err
	}
	return c.store.Accounts(ctx)
}

// OpenAccount lets an administrator create an account, as CreateAccount does on the server; the first password
// is in the answer only.
func (c *Core) OpenAccount(ctx context.Context, a Actor, req AccountRequest) (_ NewAccount, err error) {
	defer c.refused(ctx, a, "create_account", "", "", &err)
	if err := a.may("", vocab.RoleAdmin); err != nil {
		return NewAccount{}, err
	}
	return CreateAccount(ctx, c.store, a, req)
}

// DisableAccount lets an administrator disable an account or enable it again, as SetDisabled does on the
// server. An administrator cannot disable their own account: someone must be left to enable it.
func (c *Core) DisableAccount(ctx context.Context, a Actor, login string, disabled bool) (err error) {
	defer c.refused(ctx, a, disableAction(disabled), "", "", &err)
	if err := a.may("", vocab.RoleAdmin); err != nil {
		return err
	}
	if acc, err := c.store.AccountByLogin(ctx, strings.TrimSpace(login)); err == nil && acc.ID == a.AccountID {
		var f Fields
		f.Add("login", "不能停用自己的账户", "you cannot disable your own account")
		return f.Err()
	}
	return SetDisabled(ctx, c.store, a, login, disabled)
}

// ResetAccountPassword lets an administrator reset a person's password, as ResetPassword does on the server.
func (c *Core) ResetAccountPassword(ctx context.Context, a Actor, login string) (_ NewAccount, err error) {
	defer c.refused(ctx, a, "reset_password", "", "", &err)
	if err := a.may("", vocab.RoleAdmin); err != nil {
		return NewAccount{}, err
	}
	return ResetPassword(ctx, c.store, a, login)
}
