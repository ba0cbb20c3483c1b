package usecase

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"junheng/store"
	"junheng/vocab"
)

// Sign-in throttling per account: the attempt that makes lockAfter wrong passwords in a row locks the account
// for lockFor. The address throttle of the faces comes on top, against guessing across accounts.
const (
	lockAfter = 5
	lockFor   = 15 * time.Minute
)

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
	_ = c.record(ctx, a, "sign_in", a.District(), accountTarget(acc.ID), "ok", "password")
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
	ev := actorOf(acc).event("lock_account", actorOf(acc).District(), accountTarget(acc.ID))
	ev.Outcome, ev.Detail = "locked", fmt.Sprintf("%d wrong passwords or codes in a row", lockAfter)
	if until, err = c.store.FailSignIn(ctx, acc.ID, lockAfter, lockFor, ev); err != nil {
		return false, err
	}
	if until != nil {
		return false, lockedUntil(*until, c.loc)
	}
	return false, nil
}

// checkCurrent checks the signed-in person's current password, given on a page that changes their sign-in: a
// wrong one is added to f at field and counts towards the lock like a wrong sign-in.
func (c *Core) checkCurrent(ctx context.Context, acc store.Account, password string, f *Fields, field string) error {
	right, err := c.passwordRight(ctx, acc, func() bool { return passwordMatches(acc.PasswordHash, password) })
	if err == nil && !right {
		f.Add(field, "当前密码不正确", "the current password is wrong")
	}
	return err
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
	_ = c.record(ctx, a, "sign_in", a.District(), accountTarget(acc.ID), "ok", "unified identity")
	return a, nil
}

func actorOf(acc store.Account) Actor {
	return Actor{AccountID: acc.ID, Name: acc.Name, Role: vocab.Role(acc.Role), Unit: acc.UnitCode}
}

func accountTarget(id int64) string { return fmt.Sprintf("account:%d", id) }
