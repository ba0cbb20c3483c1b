package usecase

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules: at least minPassword characters of at least three of the four kinds (lower and upper case
// letters, digits, other), not containing the login.
const (
	minPassword = 10
	maxPassword = 128 // argon2 reads all of it: a bound on the work one attempt may cause
)

// argon2id parameters, the second of OWASP's recommended sets (19 MiB, 2 passes, 1 lane): about 26–29 ms a
// check on the 2-core reference machine (BENCHMARKS.md). They are stored with each hash, so raising them later
// keeps old hashes valid.
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
