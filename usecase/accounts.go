package usecase

import (
	"cmp"
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
	Unit     string     `json:"unit,omitempty"`     // the code of their unit (checkPrincipal)
	District string     `json:"district,omitempty"` // the older spelling of unit, for a district's person
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
	unit, f := checkPrincipal(ctx, db, req.Role, cmp.Or(req.Unit, req.District))
	f.Required("login", req.Login)
	if strings.ContainsFunc(req.Login, unicode.IsSpace) || utf8.RuneCountInString(req.Login) > 64 {
		f.Add("login", "登录名不得含空白, 且不超过 64 个字符", "the login must have no spaces and at most 64 characters")
	}
	f.Required("name", req.Name)
	if err := f.Err(); err != nil {
		return NewAccount{}, err
	}
	password := firstPassword()
	a := &store.Account{Login: req.Login, Name: req.Name, Role: string(req.Role), UnitCode: unit,
		PasswordHash: hashPassword(password), MustChangePassword: true, CreatedBy: by.Name, CreatedAt: time.Now().UTC()}
	ev := by.event("create_account", districtOf(req.Role, unit), "")
	ev.Detail = fmt.Sprintf("%s %s (%s)", req.Role, req.Login, req.Name)
	if err := db.CreateAccount(ctx, a, ev); errors.Is(err, store.ErrConflict) {
		f.Add("login", "该登录名已被使用", "the login is taken")
		return NewAccount{}, f.Err()
	} else if err != nil {
		return NewAccount{}, err
	}
	return NewAccount{ID: a.ID, Password: password}, nil
}

// checkPrincipal checks a role and the unit that goes with it, for an account or a token, and answers the unit:
// a district's or a school's person names theirs; a city's office a city and a province's office a province,
// by default the deployment's only one; an administrator any unit, or none for the whole deployment. Before any
// city is registered (a deployment whose organisation is not yet imported), an office or province without a unit
// acts for the whole deployment, as every principal did before the organisation.
func checkPrincipal(ctx context.Context, db *store.Store, role vocab.Role, unit string) (string, Fields) {
	var f Fields
	want, ok := principalLevels[role]
	if !ok {
		f.Add("role", "角色应为 admin、province、office、district 或 school",
			"role must be admin, province, office, district or school")
		return unit, f
	}
	org, err := db.Organisation(ctx)
	if err != nil {
		f.Add("unit", "暂时无法核对单位, 请稍后重试", "the unit could not be checked; retry later")
		return unit, f
	}
	if unit == "" {
		switch {
		case role == vocab.RoleOffice && len(org.Cities) == 1:
			unit = org.Cities[0].Code
		case role == vocab.RoleProvince && len(org.Provinces) == 1:
			unit = org.Provinces[0].Code
		}
	}
	switch {
	case unit == "" && role == vocab.RoleAdmin:
	case unit == "" && (role == vocab.RoleOffice || role == vocab.RoleProvince) && len(org.Cities) == 0:
	case unit == "":
		f.Add("unit", "请指定所属单位", "name the unit the "+string(role)+" belongs to")
	case levelOf(org, role, unit) != "":
	case levelOf(org, vocab.RoleAdmin, unit) == "" && !org.Tree().Has(store.LevelSchool, unit):
		f.Add("unit", "该单位尚未登记", "the unit is not registered")
	default:
		f.Add("unit", fmt.Sprintf("%s角色的单位应为%s", role.Label().Zh, levelNames(want, false)),
			fmt.Sprintf("the unit of the %s role must be a %s", role, levelNames(want, true)))
	}
	return unit, f
}

// levelOf is the level of a role's unit, "" when unit is no unit of the levels the role may belong to.
func levelOf(org store.Organisation, role vocab.Role, unit string) store.Level {
	t := org.Tree()
	for _, l := range principalLevels[role] {
		if t.Has(l, unit) {
			return l
		}
	}
	return ""
}

// principalLevels are the levels of unit each role may belong to, highest first.
var principalLevels = map[vocab.Role][]store.Level{
	vocab.RoleAdmin:    {store.LevelProvince, store.LevelCity, store.LevelDistrict},
	vocab.RoleProvince: {store.LevelProvince},
	vocab.RoleOffice:   {store.LevelCity},
	vocab.RoleDistrict: {store.LevelDistrict},
	vocab.RoleSchool:   {store.LevelSchool},
}

var levelLabels = map[store.Level]vocab.Label{store.LevelProvince: {Zh: "省", En: "province"},
	store.LevelCity: {Zh: "市", En: "city"}, store.LevelDistrict: {Zh: "区县", En: "district"},
	store.LevelSchool: {Zh: "学校", En: "school"}}

func levelNames(levels []store.Level, en bool) string {
	names := make([]string, len(levels))
	for i, l := range levels {
		names[i] = levelLabels[l].In(en)
	}
	if en {
		return strings.Join(names, " or ")
	}
	return strings.Join(names, "或")
}

// districtOf is the district a principal's unit is, for the audit trail's district column.
func districtOf(role vocab.Role, unit string) string {
	if role == vocab.RoleDistrict {
		return unit
	}
	return ""
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
		a.event("change_password", a.District(), accountTarget(acc.ID)))
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
		by.event("reset_password", districtOf(vocab.Role(acc.Role), acc.UnitCode), accountTarget(acc.ID))); err != nil {
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
		by.event(disableAction(disabled), districtOf(vocab.Role(acc.Role), acc.UnitCode), accountTarget(acc.ID)))
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
		return store.Account{}, noAccount()
	}
	return acc, err
}

func noAccount() error {
	var f Fields
	f.Add("login", "没有该登录名的账户", "no account has this login")
	return f.Err()
}

// event is the audit entry of a change a made to target, done in the store with the change.
func (a Actor) event(action, district, target string) *store.AuditEvent {
	return &store.AuditEvent{Actor: a.Name, Role: string(a.Role), ActorUnit: a.Unit, DistrictCode: district,
		Action: action, Target: target, RequestID: a.RequestID, Outcome: "ok"}
}

// administer answers ErrForbidden unless a is an administrator, then ErrNotFound unless their unit is the unit
// of a person in role or above it: an administrator manages the people of their unit and of the units below it.
func (c *Core) administer(ctx context.Context, a Actor, role vocab.Role, unit string) error {
	if err := c.may(ctx, a, "", vocab.RoleAdmin); err != nil || a.Unit == "" {
		return err
	}
	org, err := c.store.Organisation(ctx)
	if err != nil {
		return err
	}
	if !administers(org, a, role, unit) {
		return ErrNotFound
	}
	return nil
}

// administers says a's unit is a person's unit (of role) or above it.
func administers(org store.Organisation, a Actor, role vocab.Role, unit string) bool {
	return a.Unit == "" || org.Tree().Under(levelOf(org, role, unit), unit, a.Unit)
}

// grant answers whether a may make an account or a token of role for unit: an administrator, for their unit or
// one below it; an administrator of a unit names it (none would be the whole deployment, above them).
func (c *Core) grant(ctx context.Context, a Actor, role vocab.Role, unit string) error {
	if a.Role == vocab.RoleAdmin && a.Unit != "" && unit == "" {
		var f Fields
		f.Add("unit", "请指定所属单位", "name the unit the person or token belongs to")
		return f.Err()
	}
	return c.administer(ctx, a, role, unit)
}

// administered is the account with this login, which a must administer (administer).
func (c *Core) administered(ctx context.Context, a Actor, login string) (store.Account, error) {
	acc, err := accountByLogin(ctx, c.store, login)
	if err != nil {
		return acc, err
	}
	if err := c.administer(ctx, a, vocab.Role(acc.Role), acc.UnitCode); errors.Is(err, ErrNotFound) {
		return acc, noAccount() // another unit's people are not revealed
	} else if err != nil {
		return acc, err
	}
	return acc, nil
}

// Accounts lists the accounts of an administrator's unit and the units below it.
func (c *Core) Accounts(ctx context.Context, a Actor) ([]store.Account, error) {
	if err := c.may(ctx, a, "", vocab.RoleAdmin); err != nil {
		return nil, err
	}
	all, err := c.store.Accounts(ctx)
	if err != nil || a.Unit == "" {
		return all, err
	}
	org, err := c.store.Organisation(ctx)
	return slices.DeleteFunc(all, func(acc store.Account) bool {
		return !administers(org, a, vocab.Role(acc.Role), acc.UnitCode)
	}), err
}

// OpenAccount lets an administrator create an account, as CreateAccount does on the server; the first password
// is in the answer only.
func (c *Core) OpenAccount(ctx context.Context, a Actor, req AccountRequest) (_ NewAccount, err error) {
	defer c.refused(ctx, a, "create_account", "", "", &err)
	if err := c.grant(ctx, a, req.Role, cmp.Or(req.Unit, req.District)); err != nil {
		return NewAccount{}, err
	}
	return CreateAccount(ctx, c.store, a, req)
}

// DisableAccount lets an administrator disable an account or enable it again, as SetDisabled does on the
// server. An administrator cannot disable their own account: someone must be left to enable it.
func (c *Core) DisableAccount(ctx context.Context, a Actor, login string, disabled bool) (err error) {
	defer c.refused(ctx, a, disableAction(disabled), "", "", &err)
	if acc, err := c.administered(ctx, a, login); err != nil {
		return err
	} else if acc.ID == a.AccountID {
		var f Fields
		f.Add("login", "不能停用自己的账户", "you cannot disable your own account")
		return f.Err()
	}
	return SetDisabled(ctx, c.store, a, login, disabled)
}

// ResetAccountPassword lets an administrator reset a person's password, as ResetPassword does on the server.
func (c *Core) ResetAccountPassword(ctx context.Context, a Actor, login string) (_ NewAccount, err error) {
	defer c.refused(ctx, a, "reset_password", "", "", &err)
	if _, err := c.administered(ctx, a, login); err != nil {
		return NewAccount{}, err
	}
	return ResetPassword(ctx, c.store, a, login)
}
