package usecase

import (
	"cmp"
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The second factor an account may add (RFC 6238, as authenticator apps show it): six digits every 30 seconds.
// A code is taken one step either side of the server's clock, and never twice: the step of the last code taken
// is kept with the account.
const totpPeriod = 30

var totpOptions = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep is the time step at which code is secret's code, if that step is after last; 0 otherwise.
func totpStep(secret, code string, now time.Time, last int64) int64 {
	code = strings.TrimSpace(code)
	if secret == "" || len(code) != int(otp.DigitsSix) {
		return 0
	}
	for _, skew := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(skew*totpPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, totpOptions)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if step := at.Unix() / totpPeriod; step > last {
				return step
			}
			return 0
		}
	}
	return 0
}

// TOTPSetup is a new second factor to show its holder: the secret to type into an authenticator app and the
// otpauth:// address the apps read from a QR code.
type TOTPSetup struct {
	Secret, URL string
}

// NewTOTP makes a secret for the signed-in person to add to an authenticator app. Nothing is stored until
// EnableTOTP sees a code made from it.
func (c *Core) NewTOTP(ctx context.Context, a Actor) (TOTPSetup, error) {
	acc, err := c.ownAccount(ctx, a)
	if err != nil {
		return TOTPSetup{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "junheng", AccountName: acc.Login,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: key.Secret(), URL: key.URL()}, nil
}

// EnableTOTP turns the second factor on with secret, once code shows that the person's app holds it. From then
// on a sign-in with the password also asks for a code.
func (c *Core) EnableTOTP(ctx context.Context, a Actor, secret, code string) (err error) {
	defer c.refused(ctx, a, "enable_totp", "", accountTarget(a.AccountID), &err)
	if a.AccountID == 0 {
		return ErrForbidden
	}
	if on, err := c.TOTPEnabled(ctx, a); err != nil || on {
		return cmp.Or(err, error(&Error{Kind: Refused, MessageZh: "双重验证已开启; 如需更换, 请先关闭(须输入密码)",
			MessageEn: "two-step sign-in is on already: turn it off first (with your password) to change it"}))
	}
	step := totpStep(secret, code, time.Now(), 0)
	if step == 0 {
		var f Fields
		f.Add("code", "动态验证码不正确; 请核对手机时间后输入应用当前显示的 6 位数字",
			"the code is wrong: check the phone's clock and enter the 6 digits the app shows now")
		return f.Err()
	}
	return c.store.SetTOTP(ctx, a.AccountID, secret, step,
		a.event("enable_totp", a.District(), accountTarget(a.AccountID)))
}

// DisableTOTP turns the second factor off, given the password.
func (c *Core) DisableTOTP(ctx context.Context, a Actor, password string) (err error) {
	defer c.refused(ctx, a, "disable_totp", "", accountTarget(a.AccountID), &err)
	acc, err := c.ownAccount(ctx, a)
	if err != nil {
		return err
	}
	var f Fields
	if err := c.checkCurrent(ctx, acc, password, &f, "password"); err != nil {
		return err
	} else if err := f.Err(); err != nil {
		return err
	}
	return c.store.SetTOTP(ctx, acc.ID, "", 0, a.event("disable_totp", a.District(), accountTarget(acc.ID)))
}

// TOTPEnabled says whether the signed-in person's sign-in asks for a code.
func (c *Core) TOTPEnabled(ctx context.Context, a Actor) (bool, error) {
	acc, err := c.store.Account(ctx, a.AccountID)
	return acc.TOTPSecret != "", err
}
