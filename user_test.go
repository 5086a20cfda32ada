package wmory

import (
	"strings"
	"testing"
	"time"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{"Ann@Example.COM": "ann@example.com", " a.b+c@x.io ": "a.b+c@x.io"} {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ann", "ann@", "@x.io", "Ann <ann@x.io>", "ann@localhost", "a b@x.io", "ann@x.io\r\nBcc: e@x.io", "a@[127.0.0.1]", "a@[IPv6:::1]", strings.Repeat("a", 250) + "@x.io"} {
		if _, err := NormalizeEmail(bad); ErrorCode(err) != ECodeInvalidRequest {
			t.Errorf("NormalizeEmail(%q) = %v; want invalid_request", bad, err)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for _, ok := range []string{"ten chars!", strings.Repeat("x", 64) + " passphrase", "Password 1", "ünïcödé pässwörd"} {
		if err := ValidatePassword("password", ok); err != nil {
			t.Errorf("ValidatePassword(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"short", "nine char", "1234567890", "Password123", strings.Repeat("x", 257), strings.Repeat("x", 1<<20)} {
		if err := ValidatePassword("password", bad); ErrorCode(err) != ECodeWeakPassword {
			t.Errorf("ValidatePassword(%.20q…) = %v; want weak_password", bad, err)
		}
	}
	if err := ValidatePassword("password", ""); ErrorCode(err) != ECodeInvalidRequest {
		t.Errorf("empty password = %v; want invalid_request", err)
	}
}

func TestValidateName(t *testing.T) {
	if got, err := ValidateName("name", "  Zoë  "); err != nil || got != "Zoë" {
		t.Errorf("ValidateName = %q, %v", got, err)
	}
	for _, ok := range []string{"Alice", "محمد\u200cرضا", "👨\u200d👩\u200d👧", "José", "李小龍", "O'Brien"} {
		if _, err := ValidateName("name", ok); err != nil {
			t.Errorf("ValidateName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "   ", "a\nb", "evil\u202egnp.exe", strings.Repeat("é", 101), "bad\xffutf8",
		"Al\u200bice", "Al\u2060ice", "\ufeffAlice", "Al\u00adice", "\u3164", "\u115f\u1160", "Alice\u200d", "\u200c", "\u2800", "\u0301", "Ali\u180ece"} {
		if _, err := ValidateName("name", bad); ErrorCode(err) != ECodeInvalidRequest {
			t.Errorf("ValidateName(%q) = %v; want invalid_request", bad, err)
		}
	}
}

func TestIDsSortByTimeAndTokensAreLong(t *testing.T) {
	a := NewID(time.UnixMilli(1_000))
	b := NewID(time.UnixMilli(2_000))
	if len(a) != 26 || a >= b {
		t.Fatalf("ids %q, %q: want 26 chars, sorted by time", a, b)
	}
	if tok := NewToken(); len(tok) != 43 || tok == NewToken() {
		t.Fatalf("token %q: want 43 base64url chars (256 bits), all different", tok)
	}
	if len(HashToken("x")) != 64 {
		t.Fatal("token hash is not hex SHA-256")
	}
	if c := NewInviteCode(); len(c) != 32 {
		t.Fatalf("invite code %q: want 32 chars (160 bits)", c)
	}
}
