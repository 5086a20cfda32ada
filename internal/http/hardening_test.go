package http_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/s3"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// An admin resolving a report may remove only plain members, as on the members
// page: not another admin, not the owner.
func TestResolveRemoveUploaderObeysMemberRules(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		gid, owner, cs := e.moderationScene("admin1", "admin2", "member")
		admin1, admin2, member := cs[0], cs[1], cs[2]
		for _, c := range []*client{admin1, admin2} {
			owner.must(200, "PATCH", "/api/v1/groups/"+gid+"/members/"+c.userID, map[string]string{"role": "admin"})
		}
		mid := admin2.upload(gid, "a.jpg", "image/jpeg", tinyJPEG).str("id")
		rid := member.must(201, "POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "spam"}).str("id")
		before := sqldbtest.Snapshot(t, e.dbURL, "group_members", "media", "reports")
		if r := admin1.call("POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "remove_uploader"}); r.status != 403 || r.code() != "forbidden" {
			t.Fatalf("admin removing an admin through a report = %d %s", r.status, r.body)
		}
		if after := sqldbtest.Snapshot(t, e.dbURL, "group_members", "media", "reports"); !equalSnap(before, after) {
			t.Fatal("the refused resolution changed something")
		}
		// The owner may; an admin may remove a member's item and the member.
		owner.must(200, "POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "remove_uploader"})
		admin2.must(404, "GET", "/api/v1/groups/"+gid, nil)
		mid = member.upload(gid, "b.jpg", "image/jpeg", tinyJPEG).str("id")
		rid = admin1.must(201, "POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "spam"}).str("id")
		admin1.must(200, "POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "remove_uploader"})
		member.must(404, "GET", "/api/v1/groups/"+gid, nil)
	})
}

// Removed members do not walk back in through older invites, their own
// included; leaving or being removed revokes the invites one made; turning
// members_can_invite off revokes the invites of plain members.
func TestRemovedMembersStayOut(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		gid, owner, cs := e.moderationScene("mallory", "leaver", "member")
		mallory, leaver, member := cs[0], cs[1], cs[2]
		ownerCode := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", map[string]any{"max_uses": 100}).str("code")
		owner.must(200, "PATCH", "/api/v1/groups/"+gid, map[string]any{"members_can_invite": true})
		malloryCode := mallory.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")
		leaverCode := leaver.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")
		memberCode := member.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")

		owner.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+mallory.userID, nil)
		for _, code := range []string{malloryCode, ownerCode} {
			if r := mallory.call("POST", "/api/v1/invites/"+code+"/accept", nil); r.status != 404 || r.code() != "invite_invalid" {
				t.Fatalf("removed member through an invite made before the removal = %d %s", r.status, r.body)
			}
		}
		mallory.must(404, "GET", "/api/v1/groups/"+gid, nil)
		// Mallory's own link is dead for everybody.
		newcomer := e.signup("new@example.com", "New")
		if r := newcomer.call("GET", "/api/v1/invites/"+malloryCode, nil); r.status != 404 {
			t.Fatalf("a removed member's invite still previews: %d", r.status)
		}
		// An invite made after the removal lets them back.
		fresh := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")
		mallory.must(200, "POST", "/api/v1/invites/"+fresh+"/accept", nil)

		leaver.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/me", nil)
		if r := newcomer.call("POST", "/api/v1/invites/"+leaverCode+"/accept", nil); r.code() != "invite_invalid" {
			t.Fatalf("a departed member's invite still admits: %d %s", r.status, r.body)
		}
		owner.must(200, "PATCH", "/api/v1/groups/"+gid, map[string]any{"members_can_invite": false})
		if r := newcomer.call("POST", "/api/v1/invites/"+memberCode+"/accept", nil); r.code() != "invite_invalid" {
			t.Fatalf("a member's invite survives members_can_invite=false: %d %s", r.status, r.body)
		}
		newcomer.must(200, "POST", "/api/v1/invites/"+ownerCode+"/accept", nil)
	})
}

func equalSnap(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w := b[k]
		if len(v) != len(w) {
			return false
		}
		for i := range v {
			if v[i] != w[i] {
				return false
			}
		}
	}
	return true
}

// Names that look like someone else's are refused at sign-up and rename.
func TestInvisibleNamesAndDomainLiterals(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	anon := e.anon()
	for _, name := range []string{"Al\u200bice", "\u3164", "Ali\u2060ce", "\ufeffAlice", "\u115f"} {
		if r := anon.call("POST", "/api/v1/auth/register", map[string]string{"email": "x@example.com", "password": goodPassword, "name": name}); r.status != 400 || r.code() != "invalid_request" {
			t.Errorf("register as %q = %d %s", name, r.status, r.body)
		}
	}
	if r := anon.call("POST", "/api/v1/auth/register", map[string]string{"email": "a@[127.0.0.1]", "password": goodPassword, "name": "A"}); r.status != 400 {
		t.Errorf("domain literal = %d %s", r.status, r.body)
	}
	alice := e.signup("alice@example.com", "Alice")
	alice.must(400, "PATCH", "/api/v1/me", map[string]string{"name": "Bo\u200bb"})
	alice.must(400, "POST", "/api/v1/groups", map[string]string{"name": "\u2060"})
	if n := len(e.sent()); n != 1 {
		t.Fatalf("%d mails sent; refused sign-ups must send none", n)
	}
}

// An attacker who registers the victim's address first gains nothing when the
// victim registers too and follows the older link.
func TestPreRegistrationTakeover(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	anon := e.anon()
	anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "victim@example.com", "password": "attacker's passphrase", "name": "V"})
	first := e.lastToken("victim@example.com")
	anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "victim@example.com", "password": "victim's passphrase", "name": "V"})
	second := e.lastToken("victim@example.com")
	if r := anon.call("POST", "/api/v1/auth/verify-email", map[string]string{"token": first}); r.status != 400 || r.code() != "invalid_token" {
		t.Fatalf("the older link still verifies: %d %s", r.status, r.body)
	}
	anon.must(200, "POST", "/api/v1/auth/verify-email", map[string]string{"token": second})
	anon.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": "attacker's passphrase"})
	e.login("victim@example.com", "victim's passphrase")
}

// A bogus reset token costs no argon2 time, and bogus tokens and sign-ups are
// limited per client address.
func TestResetConfirmAndRegisterCostAndLimits(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0], func(c *wmorycfg) { c.IPFailures = 5; c.RegistrationsPerIP = 3 })
	anon := e.anon()
	runs := e.hasher.Runs()
	for range 5 {
		anon.must(400, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": "bogus", "password": "a new passphrase"})
	}
	if n := e.hasher.Runs() - runs; n != 0 {
		t.Fatalf("bogus reset confirmations computed %d hashes", n)
	}
	if r := anon.call("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": "bogus", "password": "a new passphrase"}); r.status != 429 {
		t.Fatalf("reset confirmation after 5 bad tokens = %d %s", r.status, r.body)
	}
	for i := range 3 {
		anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": fmt.Sprintf("u%d@example.com", i), "password": goodPassword, "name": "U"})
	}
	runs = e.hasher.Runs()
	if r := anon.call("POST", "/api/v1/auth/register", map[string]string{"email": "u9@example.com", "password": goodPassword, "name": "U"}); r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("fourth sign-up from one address in an hour = %d %s", r.status, r.body)
	}
	if e.hasher.Runs() != runs {
		t.Fatal("a refused sign-up computed a hash")
	}
	e.advance(61 * time.Minute)
	anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "u9@example.com", "password": goodPassword, "name": "U"})
}

// Five wrong passwords from one client lock the account against that client
// and other failing ones, not against its owner elsewhere with the password.
func TestLockoutSparesTheOwner(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng, func(c *wmorycfg) { c.TrustedProxies = []netip.Prefix{mustPrefix("127.0.0.0/8"), mustPrefix("::1/128")} })
		// A long address: throttle keys carry it whole on every engine.
		victim := "a.rather.long.address.of.someone@mail.example.com"
		e.signup(victim, "V")
		from := func(ip string) *client {
			c := e.anon()
			c.header.Set("X-Forwarded-For", ip)
			return c
		}
		attacker, owner, other := from("203.0.113.66"), from("198.51.100.7"), from("192.0.2.9")
		for i := range 5 {
			attacker.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": victim, "password": fmt.Sprintf("guess %d passphrase", i)})
		}
		attacker.must(429, "POST", "/api/v1/auth/login", map[string]string{"email": victim, "password": goodPassword})
		// A wrong password from a clean client is still refused while locked…
		other.must(429, "POST", "/api/v1/auth/login", map[string]string{"email": victim, "password": "another guess here"})
		// …and that client has now failed, so not even the password helps it.
		other.must(429, "POST", "/api/v1/auth/login", map[string]string{"email": victim, "password": goodPassword})
		// The owner, from a client that has not failed, gets in.
		owner.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": victim, "password": goodPassword})
	})
}

// Sessions end a year (configurable) after sign-in however active they stay,
// and the session list says when.
func TestSessionsHaveAnAbsoluteLifetime(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0], func(c *wmorycfg) { c.SessionMaxAge = 60 * 24 * time.Hour })
	c := e.signup("a@example.com", "A")
	list := c.must(200, "GET", "/api/v1/me/sessions", nil).items()
	ends, _ := time.Parse(time.RFC3339, list[0]["ends_at"].(string))
	if d := time.Until(ends); d < 59*24*time.Hour || d > 61*24*time.Hour {
		t.Fatalf("ends_at %v; want in 60 days", ends)
	}
	for range 3 {
		e.advance(20*24*time.Hour + time.Minute)
		if e.offset < 60*24*time.Hour {
			c.must(200, "GET", "/api/v1/me", nil)
		}
	}
	c.must(401, "GET", "/api/v1/me", nil)
}

// A signed upload URL does not outlive its upload: bytes sent again after a
// refusal or a deletion are refused (local store) or deleted again once the URL
// is dead (S3), and the periodic reconciliation removes whatever else has no
// row. Every store ends with no orphan object and no quota used for them.
func TestReusedUploadURLsStoreNothingForGood(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		local := eng.Dialect == sqldb.SQLite
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		junk := bytes.Repeat([]byte("not a photo "), 1000)
		resend := func(up response) {
			t.Helper()
			code := ann.sendSigned(up, junk)
			if local && code != 403 {
				t.Fatalf("local store: PUT for an ended upload = %d; want 403", code)
			}
			if !local && code/100 != 2 {
				t.Fatalf("S3: PUT for an ended upload = %d (S3 accepts it until the URL expires)", code)
			}
		}

		// Refused at completion, then sent again.
		up := ann.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "x.jpg", "content_type": "image/jpeg", "size": len(junk)})
		if code := ann.sendSigned(up, junk); code/100 != 2 {
			t.Fatalf("first PUT = %d", code)
		}
		ann.must(422, "POST", "/api/v1/uploads/"+up.str("upload_id")+"/complete", nil)
		e.runJobs()
		resend(up)

		// Deleted after completion, then sent again.
		up2 := ann.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "y.jpg", "content_type": "image/jpeg", "size": len(junk)})
		junk = append(tinyJPEG[:11:11], junk[11:]...)
		if code := ann.sendSigned(up2, junk); code/100 != 2 {
			t.Fatalf("PUT = %d", code)
		}
		mid := ann.must(201, "POST", "/api/v1/uploads/"+up2.str("upload_id")+"/complete", nil).str("id")
		ann.must(204, "DELETE", "/api/v1/media/"+mid+"/permanent", nil)
		e.runJobs()
		resend(up2)

		// An object nobody accounts for (a crash between a delete and its job).
		stray := wmory.UploadPrefix + gid + "/stray"
		if err := e.store.Put(t.Context(), stray, bytes.NewReader(junk), int64(len(junk)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		// A live item stays whatever the sweep does.
		keep := ann.upload(gid, "keep.jpg", "image/jpeg", tinyJPEG).str("id")

		// The refused upload gave its reservation back; the deleted item was
		// uploaded today and stays counted in today's allowance.
		if used := ann.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any)["daily_bytes_used"]; used != float64(len(junk)+len(tinyJPEG)) {
			t.Fatalf("daily_bytes_used = %v; want %d", used, len(junk)+len(tinyJPEG))
		}
		// Once every URL involved is dead, the delayed deletions and the
		// reconciliation leave nothing behind.
		e.advance(wmory.UploadTTL + 2*time.Minute)
		e.runJobs()
		if o := e.orphans(); len(o) != 1 || o[0] != stray {
			t.Fatalf("orphans after the delayed deletions: %v; want only %s", o, stray)
		}
		if n, err := e.worker().Reconcile(t.Context()); err != nil || n != 1 {
			t.Fatalf("Reconcile = %d, %v; want 1 deleted", n, err)
		}
		if o := e.orphans(); len(o) != 0 {
			t.Fatalf("orphan objects: %v", o)
		}
		ann.must(200, "GET", "/api/v1/media/"+keep, nil)
	})
}

// However an e-mail is triggered, an address gets at most its hourly share,
// and a suspended account gets none.
func TestMailIsCappedPerAddress(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	e.signup("ann@example.com", "Ann")
	anon := e.anon()
	before := len(e.sent())
	for range 12 {
		anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "ann@example.com", "password": "someone else's pass", "name": "X"})
	}
	for range 3 {
		anon.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "ann@example.com"})
	}
	// The verification mail of the sign-up counts too.
	if n := len(e.sent()) - before; n != sqldb.MaxMailsPerAddressHour-1 {
		t.Fatalf("%d mails to one address in an hour; want %d", n, sqldb.MaxMailsPerAddressHour-1)
	}
	e.advance(61 * time.Minute)
	anon.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "ann@example.com"})
	if n := len(e.sent()) - before; n != sqldb.MaxMailsPerAddressHour {
		t.Fatalf("after an hour: %d mails; want one more", n)
	}
	// Suspended while a reset request waited in the queue: nothing is sent.
	e.signup("bob@example.com", "Bob")
	sent := len(e.sent())
	anon.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "bob@example.com"})
	if err := e.db.SetSuspended(t.Context(), wmory.Actor{}, bobID(t, e), true); err != nil {
		t.Fatal(err)
	}
	if n := len(e.sent()) - sent; n != 0 {
		t.Fatalf("%d mails to a suspended account", n)
	}
}

func bobID(t *testing.T, e *env) string {
	u, _, err := e.db.Credentials(t.Context(), "bob@example.com")
	if err != nil || u == nil {
		t.Fatal(err)
	}
	return u.ID
}

// A JSON request whose body trickles is ended at the body deadline, and bodies
// are small.
func TestSlowBodiesAreEnded(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0], func(c *wmorycfg) { c.BodyTimeout = 300 * time.Millisecond })
	u, _ := url.Parse(e.srv.URL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"email\":", u.Host)
	done := make(chan error, 1)
	go func() {
		// One byte now and then, for far longer than the deadline.
		for range 40 {
			time.Sleep(100 * time.Millisecond)
			if _, err := c.Write([]byte(" ")); err != nil {
				done <- nil
				return
			}
		}
		done <- fmt.Errorf("the server still read a trickling body after 4 s")
	}()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	out, err := io.ReadAll(c)
	// A reset is fine (the server closes while the client still writes); the
	// test's own deadline is not.
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the connection was held: %v (%q)", err, out)
	}
	if !strings.HasPrefix(string(out), "HTTP/1.1 400") && len(out) != 0 {
		t.Fatalf("answer to a trickling body: %q", out)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r := e.anon().call("POST", "/api/v1/auth/login", `{"email":"`+strings.Repeat("a", 70<<10)+`"}`)
	if r.status != 413 || r.code() != "request_too_large" {
		t.Fatalf("a 70 KiB body = %d %s", r.status, r.body)
	}
}

// An original that fails decoding is withdrawn: the uploader sees why (a code),
// nobody can download it, its quota is back, and the audit log holds the code
// alone. A good file downloads under a name with its verified type's extension.
func TestFailedOriginalsAreWithdrawn(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		bad := ann.upload(gid, "x.html", "image/jpeg", tinyJPEG).str("id")
		photo, err := os.ReadFile(filepath.Join("..", "imaging", "testdata", "camera.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		good := ann.upload(gid, "y.html", "image/jpeg", photo).str("id")
		e.processMedia()

		m := ann.must(200, "GET", "/api/v1/media/"+bad, nil).json()
		if m["status"] != "failed" || m["failure_reason"] != "undecodable" || m["original_url"] != nil {
			t.Fatalf("withdrawn item: %v", m)
		}
		q := ann.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any)
		if q["daily_bytes_used"] != float64(len(photo)) || q["daily_files_used"] != float64(1) {
			t.Fatalf("quota %v; want only the good file counted", q)
		}
		for _, a := range ann.must(200, "GET", "/api/v1/groups/"+gid+"/audit", nil).items() {
			if a["action"] == "media_processing_failed" && fmt.Sprint(a["details"]) != "map[reason:undecodable withdrawn:true]" {
				t.Fatalf("audit details %v: internals or more than the code", a["details"])
			}
		}
		g := ann.must(200, "GET", "/api/v1/media/"+good, nil).json()
		if g["status"] != "ready" || g["failure_reason"] != nil {
			t.Fatalf("good item: %v", g)
		}
		resp, err := http.Get(g["original_url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="y.html.jpg"`) {
			t.Fatalf("downloads as %q; want y.html.jpg", cd)
		}
		if o := e.orphans(); len(o) != 0 {
			t.Fatalf("orphans: %v", o)
		}
	})
}

// An upload whose bytes reached the store is completed by the server when the
// client never calls complete: on the local store as the bytes arrive, on any
// store by the sweep once the upload URL is dead. The client's complete stays
// idempotent, and bytes refused on arrival give its complete the same refusal.
func TestUploadsFinishThemselves(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		local := eng.Dialect == sqldb.SQLite
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		id := ann.put(gid, "a.jpg", "image/jpeg", tinyJPEG) // no complete
		junk := ann.put(gid, "b.jpg", "image/jpeg", bytes.Repeat([]byte("x"), 500))
		if !local {
			// S3 says nothing: the sweep finds the bytes once no URL can change them.
			if n := len(ann.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items()); n != 0 {
				t.Fatalf("%d items before the sweep", n)
			}
			e.advance(wmory.UploadTTL + 2*time.Minute)
			e.worker().Cleanup(t.Context())
		}
		items := ann.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items()
		if len(items) != 1 || items[0]["filename"] != "a.jpg" {
			t.Fatalf("gallery %v; want a.jpg alone", items)
		}
		m := ann.must(201, "POST", "/api/v1/uploads/"+id+"/complete", nil).json()
		if m["id"] != items[0]["id"] {
			t.Fatalf("complete after arrival = %v; want the same media", m)
		}
		if r := ann.call("POST", "/api/v1/uploads/"+junk+"/complete", nil); r.status != 422 || r.code() != "upload_rejected" ||
			!strings.Contains(string(r.body), "not an allowed photo or video") {
			t.Fatalf("complete of bytes refused on arrival = %d %s", r.status, r.body)
		}
		if used := ann.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any)["daily_files_used"]; used != float64(1) {
			t.Fatalf("files used %v; want 1 (the refused one given back)", used)
		}
		e.runJobs()
		e.advance(wmory.UploadTTL + 2*time.Minute)
		e.runJobs()
		if o := e.orphans(); len(o) != 0 {
			t.Fatalf("orphans: %v", o)
		}
	})
}

// versitygw's event notifications, sent to wmory's webhook, complete uploads
// whose client never calls complete; a repeated event changes nothing, and the
// webhook refuses a wrong secret.
func TestStoreEventsCompleteUploads(t *testing.T) {
	const secret = "a long enough event secret"
	var api atomic.Value // the API's URL, once it runs
	delivered := make(chan []byte, 16)
	relay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Stands for the network between the store and wmory: it forwards
		// the notification as sent, and tells the test it went through.
		body, _ := io.ReadAll(r.Body)
		base, _ := api.Load().(string)
		if base == "" {
			return // versitygw's test event at its start
		}
		req, _ := http.NewRequest("POST", base+"/events/s3?secret="+url.QueryEscape(secret), bytes.NewReader(body))
		req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		if resp.StatusCode != 204 {
			t.Errorf("webhook answered %d to %s (Content-Type %q)", resp.StatusCode, body, r.Header.Get("Content-Type"))
		}
		delivered <- body
	}))
	defer relay.Close()
	filter := filepath.Join(t.TempDir(), "filter.json")
	os.WriteFile(filter, []byte(`{"s3:ObjectCreated:*": true}`), 0o600)
	gw := blobtest.StartVersityGW(t, "--event-webhook-url", relay.URL, "--event-filter", filter)
	gw.UseCredentials(t)
	gw.CreateBucket(t, "wmory")
	store, err := s3.New(t.Context(), s3.Config{Bucket: "wmory", Endpoint: gw.Endpoint, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWithStore(t, sqldbtest.Engines(t)[0], store, func(c *wmorycfg) { c.EventSecret = secret })
	api.Store(e.srv.URL)

	ann := e.signup("ann@example.com", "Ann")
	gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	photo, err := os.ReadFile(filepath.Join("..", "imaging", "testdata", "camera.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	id := ann.put(gid, "a.jpg", "image/jpeg", photo) // no complete
	var event []byte
	select {
	case event = <-delivered:
	case <-time.After(10 * time.Second):
		t.Fatal("no event from the store")
	}
	items := ann.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items()
	if len(items) != 1 {
		t.Fatalf("gallery after the event: %v", items)
	}
	// The same event again, and the client's complete: still one item.
	ann.must(204, "POST", "/events/s3?secret="+url.QueryEscape(secret), string(event))
	if m := ann.must(201, "POST", "/api/v1/uploads/"+id+"/complete", nil).json(); m["id"] != items[0]["id"] {
		t.Fatalf("complete after the event = %v", m)
	}
	if n := len(ann.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items()); n != 1 {
		t.Fatalf("%d items after a repeated event", n)
	}
	if r := e.anon().call("POST", "/events/s3?secret=wrong", string(event)); r.status != 403 {
		t.Fatalf("webhook with a wrong secret = %d", r.status)
	}
	// The operators see where arrivals came from, and what they waited.
	e.processMedia()
	rec := httptest.NewRecorder()
	e.api.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`wmory_store_arrivals_total{outcome="completed",source="webhook"} 1`,
		// The repeated event, and the derived images' own, in time.
		`wmory_store_arrivals_total{outcome="ignored",source="webhook"} `,
		`wmory_media_ready_seconds_count 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
