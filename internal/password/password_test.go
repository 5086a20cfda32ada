package password

import (
	"context"
	"regexp"
	"testing"
)

func TestHashIsSaltedArgon2idPHC(t *testing.T) {
	h := New(DefaultParams)
	ctx := context.Background()
	a, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := h.Hash(ctx, "correct horse battery")
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(a) {
		t.Fatalf("hash %q is not a PHC argon2id string with OWASP parameters", a)
	}
	if a == b {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse battery", true}, {"Correct horse battery", false}, {"correct horse battery ", false}, {"", false}} {
		ok, err := h.Verify(ctx, a, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
}

func TestVerifyUnknownAccountFails(t *testing.T) {
	h := New(DefaultParams)
	if ok, err := h.Verify(context.Background(), "", "wmory-dummy-password"); ok || err != nil {
		t.Fatalf("Verify against no hash = %v, %v; want false, nil", ok, err)
	}
}

func TestVerifyMalformedHash(t *testing.T) {
	h := New(DefaultParams)
	for _, enc := range []string{"plain", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA", "$argon2id$v=19$m=8,t=1,p=1$!!$AAAA"} {
		if ok, err := h.Verify(context.Background(), enc, "x"); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want an error", enc, ok, err)
		}
	}
}
