package usecase

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"junheng/store"
	"junheng/vocab"
)

// Sign-in throttling per account: the attempt that makes lockAfter wrong passwords in a row locks the account
// for lockFor. The address throttle of the faces comes on top, against guessing across accounts.
const (
	lockAfter = 5
	lockFor   = 15 * time.Minute
)

// Password rules: at least minPassword characters of at least three of the four kinds (lower and upper case
// letters, digits, other), not containing the login.
const (
	minPassword = 10
	maxPassword = 128 // argon2 reads all of it: a bound on the work one attempt may cause
)

// argon2id parameters, the second of OWASP's recommended sets (19 MiB, 2 passes, 1 lane): about 20 ms a hash on
// the 2-core reference machine. They are stored with each hash, so raising them later keeps old hashes valid.
var argon = struct {
	memory  uint32
	time    uint32
	threads uint8
}{19 * 1024, 2, 1}

// hashPassword answers the PHC string of an argon2id hash of password under a fresh salt.
func hashPassword(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // crypto/rand never fails on supported platforms
	key := argon2.IDKey([]byte(password), salt, argon.time, argon.memory, argon.threads, 32)
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argon.memory, argon.time,
		argon.threads, b64(salt), b64(key))
}

// passwordMatches checks password against a PHC string of hashPassword, in constant time.
func passwordMatches(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// unknownAccount is hashed against when no account has the login, so that a wrong login takes as long as a wrong
// password and does not reveal which logins exist.
var unknownAccount = hashPassword(rand.Text())

// checkPassword adds what is wrong with password, as the new password of the account login, to f.
func checkPassword(f *Fields, field, login, password string) {
	n := utf8.RuneCountInString(password)
	kinds := 0
	for _, is := range []func(rune) bool{unicode.IsLower, unicode.IsUpper, unicode.IsDigit,
		func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }} {
		if strings.IndexFunc(password, is) >= 0 {
			kinds++
		}
	}
	switch {
	case n < minPassword || n > maxPassword:
		f.Add(field, fmt.Sprintf("密码长度须为 %d 至 %d 个字符", minPassword, maxPassword),
			fmt.Sprintf("the password must have %d to %d characters", minPassword, maxPassword))
	case kinds < 3:
		f.Add(field, "密码须包含小写字母、大写字母、数字、符号中的至少三类",
			"the password must mix at least three of: lower case, upper case, digits, symbols")
	case login != "" && strings.Contains(strings.ToLower(password), strings.ToLower(login)):
		f.Add(field, "密码不得包含登录名", "the password must not contain the login name")
	}
}

// firstPassword is a random password that meets the rules, for an administrator to hand over: four groups of
// four letters and digits, without the ones easily mistaken for each other (0/O, 1/l/I).
func firstPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		groups := make([]string, 4)
		for i := range groups {
			g := make([]byte, 4)
			for j := range g {
				g[j] = alphabet[int(b[i*4+j])%len(alphabet)]
			}
			groups[i] = string(g)
		}
		p := strings.Join(groups, "-")
		var f Fields
		if checkPassword(&f, "", "", p); f.Err() == nil {
			return p
		}
	}
}

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

// Sign-in refusals. A wrong login and a wrong password answer the same, so that logins cannot be probed.
var (
	ErrSignInFailed = &Error{Kind: Unauthenticated, MessageZh: "登录名、密码或动态验证码错误",
		MessageEn: "wrong login name, password or code"}
	errDisabled = &Error{Kind: Unauthenticated, MessageZh: "该账户已停用, 请联系管理员",
		MessageEn: "this account is disabled; ask your administrator"}
	// ErrPasswordChange answers a person who must change a first or reset password before anything else.
	ErrPasswordChange = &Error{Kind: Forbidden, MessageZh: "请先修改初始密码",
		MessageEn: "change the password you were given first"}
)

// lockedUntil is the refusal of a locked account, naming when it opens again.
func lockedUntil(t time.Time, loc *time.Location) *Error {
	at := t.In(loc).Format("2006-01-02 15:04")
	return &Error{Kind: Unauthenticated,
		MessageZh: fmt.Sprintf("密码连续错误 %d 次, 账户已锁定至 %s; 如需提前解锁请联系管理员重置密码", lockAfter, at),
		MessageEn: fmt.Sprintf("%d wrong passwords in a row: the account is locked until %s; an administrator "+
			"can reset the password", lockAfter, at)}
}

// PasswordSignIn is the actor of the account with this login and password, and, when the account has a second
// factor, the code its app shows now. A wrong password or code counts towards the lock, which refuses even the
// right ones until it ends; a sign-in starts the count again. A person with a first or reset password is signed
// in and then asked to change it (Live answers ErrPasswordChange).
func (c *Core) PasswordSignIn(ctx context.Context, login, password, code string) (Actor, error) {
	if len(password) > 4*maxPassword {
		return Actor{}, ErrSignInFailed
	}
	acc, err := c.store.AccountByLogin(ctx, strings.TrimSpace(login))
	if errors.Is(err, store.ErrNotFound) {
		_, err = hashed(ctx, func() bool { return passwordMatches(unknownAccount, password) })
		return Actor{}, cmp.Or(err, error(ErrSignInFailed))
	} else if err != nil {
		return Actor{}, err
	}
	ok, err := c.passwordRight(ctx, acc, func() bool {
		step := totpStep(acc.TOTPSecret, code, time.Now(), acc.TOTPStep)
		return passwordMatches(acc.PasswordHash, password) && (acc.TOTPSecret == "" ||
			(step != 0 && c.takeStep(ctx, acc.ID, step)))
	})
	switch {
	case err != nil:
		return Actor{}, err
	case !ok:
		return Actor{}, ErrSignInFailed
	case acc.DisabledAt != nil:
		return Actor{}, errDisabled
	}
	if err := c.store.SignedIn(ctx, acc.ID); err != nil {
		return Actor{}, err
	}
	a := actorOf(acc)
	_ = c.record(ctx, a, "sign_in", acc.DistrictCode, accountTarget(acc.ID), "ok", "password")
	return a, nil
}

// takeStep takes a second factor's code of step, once: the same code sent twice at once signs in once.
func (c *Core) takeStep(ctx context.Context, id, step int64) bool {
	taken, err := c.store.UseTOTPStep(ctx, id, step)
	return err == nil && taken
}

// signInSlots bounds the password checks under way: each holds argon2's 19 MiB, and a flood of sign-ins must not
// exhaust the memory. A check waits for a slot up to slotWait.
var signInSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))

const slotWait = 5 * time.Second

var errSignInBusy = &Error{Kind: Unavailable, MessageZh: "正在登录的人数较多, 请稍后重试",
	MessageEn: "many people are signing in; try again in a moment"}

// hashed runs check, a password check, in one of the signInSlots.
func hashed(ctx context.Context, check func() bool) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, slotWait)
	defer cancel()
	select {
	case signInSlots <- struct{}{}:
		defer func() { <-signInSlots }()
		return check(), nil
	case <-ctx.Done():
		return false, errSignInBusy
	}
}

// passwordRight runs check, the check of acc's password (and code), as one of the attempts the lock allows in a
// row: claimed before the check, so that parallel attempts cannot outrun the lock. A right one starts the count
// again; a wrong one that uses the last attempt locks the account, with its audit entry; a locked account is
// refused unchecked.
func (c *Core) passwordRight(ctx context.Context, acc store.Account, check func() bool) (bool, error) {
	claimed, until, err := c.store.ClaimSignIn(ctx, acc.ID, lockAfter)
	switch {
	case err != nil:
		return false, err
	case !claimed && until != nil:
		return false, lockedUntil(*until, c.loc)
	case !claimed:
		return false, ErrSignInFailed // every attempt the lock allows is under way
	}
	ok, err := hashed(ctx, check)
	if err != nil {
		return false, err
	}
	if ok { // the count starts again, unless parallel wrong attempts locked the account meanwhile
		if reset, err := c.store.ResetAttempts(ctx, acc.ID); err != nil || !reset {
			return false, cmp.Or(err, error(ErrSignInFailed))
		}
		return true, nil
	}
	ev := actorOf(acc).event("lock_account", acc.DistrictCode, accountTarget(acc.ID))
	ev.Outcome, ev.Detail = "locked", fmt.Sprintf("%d wrong passwords or codes in a row", lockAfter)
	if until, err = c.store.FailSignIn(ctx, acc.ID, lockAfter, lockFor, ev); err != nil {
		return false, err
	}
	if until != nil {
		return false, lockedUntil(*until, c.loc)
	}
	return false, nil
}

// FederatedSignIn is the actor of the account whose login the unified identity provider vouched for (the
// provider's token is checked by the face that received it). No account, no entry: a provider's user without
// one is refused, as is a disabled account.
func (c *Core) FederatedSignIn(ctx context.Context, login string) (Actor, error) {
	acc, err := c.store.AccountByLogin(ctx, login)
	if errors.Is(err, store.ErrNotFound) {
		return Actor{}, &Error{Kind: Unauthenticated,
			MessageZh: fmt.Sprintf("统一身份认证用户 %s 在本系统中没有账户, 请联系管理员开通", login),
			MessageEn: fmt.Sprintf("the unified identity %s has no account here; ask your administrator", login)}
	} else if err != nil {
		return Actor{}, err
	}
	if acc.DisabledAt != nil {
		return Actor{}, errDisabled
	}
	if err := c.store.SignedIn(ctx, acc.ID); err != nil {
		return Actor{}, err
	}
	a := actorOf(acc)
	_ = c.record(ctx, a, "sign_in", acc.DistrictCode, accountTarget(acc.ID), "ok", "unified identity")
	return a, nil
}

func actorOf(acc store.Account) Actor {
	return Actor{AccountID: acc.ID, Name: acc.Name, Role: vocab.Role(acc.Role), District: acc.DistrictCode}
}

func accountTarget(id int64) string { return fmt.Sprintf("account:%d", id) }

// ChangePassword replaces the signed-in person's password, given the current one.
func (c *Core) ChangePassword(ctx context.Context, a Actor, current, next string) (err error) {
	defer c.refused(ctx, a, "change_password", "", accountTarget(a.AccountID), &err)
	if a.AccountID == 0 {
		return ErrForbidden
	}
	acc, err := c.store.Account(ctx, a.AccountID)
	if err != nil {
		return err
	}
	var f Fields
	right, err := c.passwordRight(ctx, acc, func() bool { return passwordMatches(acc.PasswordHash, current) })
	if err != nil {
		return err
	} else if !right {
		f.Add("current", "当前密码不正确", "the current password is wrong")
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
