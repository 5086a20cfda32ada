package http_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

func TestAccountLifecycle(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		anon := e.anon()
		r := anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "Ann@Example.com", "password": goodPassword, "name": " Ann "})
		if r.str("status") != "verification_sent" {
			t.Fatalf("register body %s", r.body)
		}
		e.runJobs() // the worker carries the sign-up out
		// Not verified yet: the right password learns that, a wrong one does not.
		if r := anon.call("POST", "/api/v1/auth/login", map[string]string{"email": "ann@example.com", "password": goodPassword}); r.status != 403 || r.code() != "email_not_verified" {
			t.Fatalf("login before verification = %d %s", r.status, r.body)
		}
		if !strings.Contains(e.sent()[0].Text, "http://wmory.test/verify-email?token=") {
			t.Fatalf("verification mail lacks the link:\n%s", e.sent()[0].Text)
		}
		token := e.lastToken("ann@example.com")
		// Another site cannot confirm for the browser (and sign it in): the
		// token stays unspent.
		crossSite := e.anon()
		crossSite.header.Set("Sec-Fetch-Site", "cross-site")
		crossSite.header.Set("Origin", "https://evil.example")
		if r := crossSite.call("POST", "/api/v1/auth/verify-email", map[string]string{"token": token}); r.status != 403 {
			t.Fatalf("cross-site confirmation = %d %s", r.status, r.body)
		}
		r = anon.must(200, "POST", "/api/v1/auth/verify-email", map[string]string{"token": token})
		if r.json()["email"] != "ann@example.com" || r.json()["name"] != "Ann" || r.json()["email_verified"] != true {
			t.Fatalf("verified user = %s", r.body)
		}
		// The browser that confirmed is signed in.
		cookies := (&http.Response{Header: r.header}).Cookies()
		if len(cookies) != 1 || !cookies[0].HttpOnly {
			t.Fatalf("cookies after confirming: %v", cookies)
		}
		browser := e.anon()
		browser.header.Set("Cookie", cookies[0].Name+"="+cookies[0].Value)
		if me := browser.must(200, "GET", "/api/v1/me", nil).json(); me["user"].(map[string]any)["email"] != "ann@example.com" {
			t.Fatalf("me after confirming = %v", me)
		}
		anon.must(400, "POST", "/api/v1/auth/verify-email", map[string]string{"token": token})

		phone := e.login("ann@example.com", goodPassword)
		laptop := e.login("ANN@example.com", goodPassword)
		me := laptop.must(200, "GET", "/api/v1/me", nil).json()
		quota := me["quota"].(map[string]any)
		if quota["daily_files_limit"] != float64(1000) || quota["daily_bytes_used"] != float64(0) {
			t.Fatalf("quota = %v", quota)
		}
		sessions := laptop.must(200, "GET", "/api/v1/me/sessions", nil).items()
		if len(sessions) != 3 {
			t.Fatalf("%d sessions; want 3 (the confirming browser, phone, laptop)", len(sessions))
		}
		current := 0
		for _, s := range sessions {
			if s["current"] == true {
				current++
			}
		}
		if current != 1 {
			t.Fatalf("%d sessions marked current", current)
		}

		laptop.must(200, "PATCH", "/api/v1/me", map[string]string{"name": "Ann B."})
		// Password change: wrong current password refused, then the other
		// session is signed out and this one stays.
		if r := laptop.call("PATCH", "/api/v1/me", map[string]string{"password": "wrong password!", "new_password": "a new good passphrase"}); r.status != 403 || r.code() != "wrong_password" {
			t.Fatalf("password change with a wrong current password = %d %s", r.status, r.body)
		}
		if r := laptop.call("PATCH", "/api/v1/me", map[string]string{"new_password": "a new good passphrase"}); r.status != 400 {
			t.Fatalf("password change without the current password = %d", r.status)
		}
		laptop.must(200, "PATCH", "/api/v1/me", map[string]string{"password": goodPassword, "new_password": "a new good passphrase"})
		phone.must(401, "GET", "/api/v1/me", nil)
		browser.must(401, "GET", "/api/v1/me", nil)
		laptop.must(200, "GET", "/api/v1/me", nil)
		anon.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "ann@example.com", "password": goodPassword})

		// Revoke a session by id, then log out.
		tablet := e.login("ann@example.com", "a new good passphrase")
		var tabletID string
		for _, s := range tablet.must(200, "GET", "/api/v1/me/sessions", nil).items() {
			if s["current"] == true {
				tabletID = s["id"].(string)
			}
		}
		laptop.must(204, "DELETE", "/api/v1/me/sessions/"+tabletID, nil)
		tablet.must(401, "GET", "/api/v1/me", nil)
		laptop.must(404, "DELETE", "/api/v1/me/sessions/"+tabletID, nil)
		laptop.must(204, "POST", "/api/v1/auth/logout", nil)
		laptop.must(401, "GET", "/api/v1/me", nil)

		// Password reset: all sessions die, the old password stops working, the
		// link works once.
		s1 := e.login("ann@example.com", "a new good passphrase")
		anon.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "ann@example.com"})
		reset := e.lastToken("ann@example.com")
		if !strings.Contains(e.sent()[len(e.sent())-1].Text, "http://wmory.test/reset-password?token=") {
			t.Fatal("reset mail lacks the link")
		}
		anon.must(204, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": reset, "password": "third good passphrase"})
		s1.must(401, "GET", "/api/v1/me", nil)
		anon.must(400, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": reset, "password": "fourth good passphrase"})
		anon.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "ann@example.com", "password": "a new good passphrase"})
		last := e.sent()[len(e.sent())-1]
		if !strings.Contains(last.Subject, "password was changed") {
			t.Fatalf("no notice after the reset; last mail %q", last.Subject)
		}

		// Delete the account.
		final := e.login("ann@example.com", "third good passphrase")
		final.must(403, "DELETE", "/api/v1/me", map[string]string{"password": "not my password"})
		final.must(204, "DELETE", "/api/v1/me", map[string]string{"password": "third good passphrase"})
		final.must(401, "GET", "/api/v1/me", nil)
		anon.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "ann@example.com", "password": "third good passphrase"})

		// Every step left its audit entry, and no secret is in any of them.
		entries, err := e.db.AuditEntries(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, en := range entries {
			seen[string(en.Action)] = true
			row := fmt.Sprintf("%+v", en)
			for _, secret := range []string{token, reset, phone.token, goodPassword, "third good passphrase"} {
				if strings.Contains(row, secret) {
					t.Fatalf("audit entry %s holds a secret", en.Action)
				}
			}
			if en.RequestID == "" || en.IP == "" || en.At.IsZero() {
				t.Fatalf("audit entry without request id, ip or time: %+v", en)
			}
		}
		for _, want := range []string{"user_register", "email_verify", "authn_login_success", "authn_login_fail", "user_update",
			"authn_password_change", "session_revoke", "session_logout", "password_reset_request", "password_reset_complete", "user_delete"} {
			if !seen[want] {
				t.Errorf("no %s in the audit log", want)
			}
		}
	})
}

func TestLoginThrottlePerIP(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0], func(c *wmorycfg) { c.IPFailures = 3 })
	e.signup("real@example.com", "R")
	anon := e.anon()
	for i := range 3 {
		anon.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": fmt.Sprintf("spray%d@example.com", i), "password": "guess passphrase"})
	}
	// A different account from the same address is refused too, before any hashing.
	anon.must(429, "POST", "/api/v1/auth/login", map[string]string{"email": "real@example.com", "password": goodPassword})
}

// Registration, reset and login answer the same whether or not an address has
// an account; only the mailbox's owner learns the difference.
func TestNoAccountEnumeration(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	e.signup("known@example.com", "Known")
	anon := e.anon()
	before := e.snapshot()
	r1 := anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "known@example.com", "password": "another passphrase", "name": "X"})
	r2 := anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "new@example.com", "password": "another passphrase", "name": "X"})
	if string(r1.body) != string(r2.body) {
		t.Fatalf("register answers differ: %s vs %s", r1.body, r2.body)
	}
	after := e.snapshot()
	if !reflect.DeepEqual(before["users"][0], after["users"][0]) {
		t.Fatal("registering a taken address changed the account")
	}
	if last := e.sent()[len(e.sent())-2]; last.To != "known@example.com" || !strings.Contains(last.Subject, "tried to sign up") {
		t.Fatalf("the owner was not told; mail %+v", last)
	}
	p1 := anon.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "known@example.com"})
	p2 := anon.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "nobody@example.com"})
	if string(p1.body) != string(p2.body) {
		t.Fatalf("reset answers differ: %s vs %s", p1.body, p2.body)
	}
	l1 := anon.call("POST", "/api/v1/auth/login", map[string]string{"email": "known@example.com", "password": "wrong passphrase"})
	l2 := anon.call("POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.com", "password": "wrong passphrase"})
	if l1.status != 401 || l2.status != 401 || l1.code() != "invalid_credentials" || l1.json()["error"].(map[string]any)["message"] != l2.json()["error"].(map[string]any)["message"] {
		t.Fatalf("login answers differ: %d %s vs %d %s", l1.status, l1.body, l2.status, l2.body)
	}
}

func TestLoginThrottle(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	e.signup("victim@example.com", "V")
	anon := e.anon()
	for i := 0; i < 5; i++ {
		anon.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": "guess number " + string(rune('a'+i))})
	}
	r := anon.call("POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": goodPassword})
	if r.status != 429 || r.code() != "rate_limited" || r.header.Get("Retry-After") == "" {
		t.Fatalf("login during the lock = %d %s (Retry-After %q)", r.status, r.body, r.header.Get("Retry-After"))
	}
	// Another account from the same address is not locked.
	e.signup("other@example.com", "O")
	// The victim can still recover through the reset link, which lifts the lock.
	anon.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "victim@example.com"})
	anon.must(204, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": e.lastToken("victim@example.com"), "password": "recovered passphrase"})
	e.login("victim@example.com", "recovered passphrase")
	// And a lock ends by itself.
	for i := 0; i < 5; i++ {
		anon.call("POST", "/api/v1/auth/login", map[string]string{"email": "other@example.com", "password": "bad guess"})
	}
	anon.must(429, "POST", "/api/v1/auth/login", map[string]string{"email": "other@example.com", "password": goodPassword})
	e.advance(16 * time.Minute)
	anon.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "other@example.com", "password": goodPassword})

	var fails, locks int
	entries, _ := e.db.AuditEntries(t.Context())
	for _, en := range entries {
		switch en.Action {
		case "authn_login_fail":
			fails++
		case "authn_login_lock":
			locks++
		}
	}
	if fails != 10 || locks != 2 {
		t.Fatalf("audit has %d login failures and %d locks; want 10 and 2", fails, locks)
	}
}

func TestSessionsExpireAfterIdleTime(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	c := e.signup("a@example.com", "A")
	e.advance(29 * 24 * time.Hour)
	c.must(200, "GET", "/api/v1/me", nil) // slides the expiry forward
	e.advance(29 * 24 * time.Hour)
	c.must(200, "GET", "/api/v1/me", nil)
	e.advance(31 * 24 * time.Hour)
	c.must(401, "GET", "/api/v1/me", nil)
}

func TestTokensExpire(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	anon := e.anon()
	anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "late@example.com", "password": goodPassword, "name": "Late"})
	verify := e.lastToken("late@example.com")
	e.advance(24*time.Hour + time.Second)
	if r := anon.call("POST", "/api/v1/auth/verify-email", map[string]string{"token": verify}); r.status != 400 || r.code() != "invalid_token" {
		t.Fatalf("expired verification = %d %s", r.status, r.body)
	}
	e.signup("b@example.com", "B")
	anon.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "b@example.com"})
	reset := e.lastToken("b@example.com")
	// A verification token is not a reset token.
	anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "c@example.com", "password": goodPassword, "name": "C"})
	anon.must(400, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": e.lastToken("c@example.com"), "password": "some new passphrase"})
	e.advance(time.Hour + time.Second)
	if r := anon.call("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": reset, "password": "some new passphrase"}); r.status != 400 || r.code() != "invalid_token" {
		t.Fatalf("expired reset = %d %s", r.status, r.body)
	}
}

func TestSessionCookie(t *testing.T) {
	for _, tc := range []struct {
		base, name string
		secure     bool
	}{{"http://localhost:8080", "wmory_session", false}, {"https://photos.example.com", "__Host-wmory_session", true}} {
		t.Run(tc.base, func(t *testing.T) {
			e := newEnv(t, sqldbtest.Engines(t)[0], func(c *wmorycfg) { c.BaseURL = mustURL(tc.base) })
			e.signup("a@example.com", "A")
			r := e.anon().must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "a@example.com", "password": goodPassword})
			cookies := (&http.Response{Header: r.header}).Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies %v", cookies)
			}
			c := cookies[0]
			if c.Name != tc.name || !c.HttpOnly || c.Secure != tc.secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
				t.Fatalf("cookie %+v", c)
			}
			// The cookie authenticates same-origin requests…
			cc := e.anon()
			cc.header.Set("Cookie", c.Name+"="+c.Value)
			cc.must(200, "GET", "/api/v1/me", nil)
			cc.header.Set("Sec-Fetch-Site", "same-origin")
			cc.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Ours"})
			// …but not cross-site state changes, which change nothing.
			before := e.snapshot()
			cc.header.Set("Sec-Fetch-Site", "cross-site")
			cc.header.Set("Origin", "https://evil.example")
			if r := cc.call("POST", "/api/v1/groups", map[string]string{"name": "Theirs"}); r.status != 403 || r.code() != "forbidden" {
				t.Fatalf("cross-site POST = %d %s", r.status, r.body)
			}
			if r := cc.call("POST", "/api/v1/auth/logout", nil); r.status != 403 {
				t.Fatalf("cross-site logout = %d", r.status)
			}
			if !reflect.DeepEqual(before, e.snapshot()) {
				t.Fatal("a cross-site request changed the database")
			}
			// A token in the query string is not a credential.
			e.anon().must(401, "GET", "/api/v1/me?token="+c.Value, nil)
			// As the session slides forward, the cookie follows it: its
			// lifetime is counted on the server's clock, 30 days from now.
			e.advance(10 * 24 * time.Hour)
			cc.header.Del("Origin")
			cc.header.Set("Sec-Fetch-Site", "same-origin")
			slid := (&http.Response{Header: cc.must(200, "GET", "/api/v1/me", nil).header}).Cookies()
			if len(slid) != 1 || slid[0].Value != c.Value || slid[0].MaxAge < int(wmory.SessionIdleLifetime.Seconds())-60 || slid[0].MaxAge > int(wmory.SessionIdleLifetime.Seconds()) {
				t.Fatalf("the cookie after the session slid: %+v; want Max-Age %v", slid, wmory.SessionIdleLifetime)
			}
		})
	}
}
