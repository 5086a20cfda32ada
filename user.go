package wmory

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is an account. Email is stored lower-cased and is the login name.
type User struct {
	ID            string
	Email         string
	Name          string
	EmailVerified bool
	Suspended     bool
	IsAdmin       bool // an instance administrator
	CreatedAt     time.Time
}

// Session is one signed-in device. The bearer token itself is never stored.
type Session struct {
	ID         string
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is when the session ends unless used again (it slides);
	// EndsAt is when it ends however active it stays.
	ExpiresAt time.Time
	EndsAt    time.Time
	UserAgent string
	IP        string
}

// Quota is a user's upload allowance for the current UTC day.
type Quota struct {
	DailyBytesLimit int64
	DailyBytesUsed  int64
	DailyFilesLimit int64
	DailyFilesUsed  int64
	ResetsAt        time.Time
}

// Lifetimes of the secrets the server hands out.
const (
	SessionIdleLifetime = 30 * 24 * time.Hour
	// DefaultSessionMaxAge is a session's absolute lifetime unless configured:
	// a stolen token cannot be kept alive forever by using it.
	DefaultSessionMaxAge = 365 * 24 * time.Hour
	VerifyTokenLifetime  = 24 * time.Hour
	ResetTokenLifetime   = time.Hour
)

const (
	MinPasswordChars = 10
	MaxPasswordBytes = 256
	MaxNameChars     = 100
	MaxEmailBytes    = 254
)

// NormalizeEmail validates an address and returns the form used as the login
// name. Only plain addresses are accepted: no display names, no comments.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Invalid("email", "is required.")
	}
	if len(s) > MaxEmailBytes {
		return "", Invalid("email", "is too long.")
	}
	addr, err := mail.ParseAddress(s)
	// Domain literals (a@[127.0.0.1]) are valid RFC 5322 but deliver to an
	// address of the sender's choosing, never to a mailbox anyone owns by name.
	domain := s[strings.LastIndexByte(s, '@')+1:]
	if err != nil || addr.Address != s || addr.Name != "" || !strings.Contains(domain, ".") || strings.ContainsAny(domain, "[]") {
		return "", Invalid("email", "is not a valid e-mail address.")
	}
	return strings.ToLower(s), nil
}

// ValidateName checks a display name (of a user or a group) and returns it trimmed.
func ValidateName(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Invalid(field, "is required.")
	}
	if !utf8.ValidString(s) {
		return "", Invalid(field, "is not valid UTF-8.")
	}
	if utf8.RuneCountInString(s) > MaxNameChars {
		return "", Invalid(field, "must be at most 100 characters.")
	}
	visible := false
	runes := []rune(s)
	for i, r := range runes {
		// Control and bidi-override characters make names that lie about themselves
		// in lists and in e-mails.
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return "", Invalid(field, "must not contain control characters.")
		}
		// Invisible characters make "Al\u200bice" look exactly like "Alice".
		if invisible(r) && !joinerBetweenLetters(runes, i) {
			return "", Invalid(field, "must not contain invisible characters.")
		}
		if unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) && !invisible(r) {
			visible = true
		}
	}
	if !visible {
		return "", Invalid(field, "must contain a visible character.")
	}
	return s, nil
}

// invisible reports format characters (zero-width spaces, word joiners, the
// byte-order mark, soft hyphens) and the other code points that render as
// nothing (the Hangul fillers, the combining grapheme joiner).
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point) || r == '\u2800'
}

// joinerBetweenLetters allows the zero-width (non-)joiner inside a word, where
// Persian and Indic scripts and emoji sequences need it; anywhere else it only
// hides something.
func joinerBetweenLetters(runes []rune, i int) bool {
	if r := runes[i]; r != '\u200c' && r != '\u200d' {
		return false
	}
	if i == 0 || i == len(runes)-1 {
		return false
	}
	glyph := func(r rune) bool { return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.S) }
	return glyph(runes[i-1]) && glyph(runes[i+1])
}

// ValidatePassword applies the contract's policy: 10 characters at least, 256
// bytes at most, not one of the most common passwords. No composition rules, and
// the password is never trimmed or case-folded.
func ValidatePassword(field, p string) error {
	if p == "" {
		return Invalid(field, "is required.")
	}
	// Said as sentences: people read these in the app and the CLI.
	if len(p) > MaxPasswordBytes {
		return &Error{Code: ECodeWeakPassword, Message: "This password is too long: 256 bytes at most."}
	}
	if utf8.RuneCountInString(p) < MinPasswordChars {
		return &Error{Code: ECodeWeakPassword, Message: "This password is too short: choose one of at least 10 characters."}
	}
	if isCommonPassword(p) {
		return &Error{Code: ECodeWeakPassword, Message: "This password is too common: choose another."}
	}
	return nil
}
