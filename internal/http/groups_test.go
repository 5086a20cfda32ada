package http_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	wmoryhttp "github.com/wmory/wmory/internal/http"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

func TestGroupLifecycleThreeUsers(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		ann, bob, cid := e.signup("ann@example.com", "Ann"), e.signup("bob@example.com", "Bob"), e.signup("cid@example.com", "Cid")

		g := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Lisbon 2026"}).json()
		gid := g["id"].(string)
		if g["role"] != "owner" || g["member_count"] != float64(1) || g["members_can_invite"] != false || g["auto_hide_reports"] != float64(3) {
			t.Fatalf("new group = %v", g)
		}
		inv := ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", map[string]any{"max_uses": 2, "expires_in_hours": 48}).json()
		code := inv["code"].(string)
		if inv["url"] != "http://wmory.test/invite/"+code || inv["uses"] != float64(0) || inv["max_uses"] != float64(2) || len(code) < 26 {
			t.Fatalf("invite = %v", inv)
		}
		if exp, _ := time.Parse(time.RFC3339, inv["expires_at"].(string)); exp.Sub(e.now()) < 47*time.Hour || exp.Sub(e.now()) > 49*time.Hour {
			t.Fatalf("invite expires at %v; want in 48 h", exp)
		}
		p := bob.must(200, "GET", "/api/v1/invites/"+code, nil).json()
		if p["group_name"] != "Lisbon 2026" || p["invited_by"] != "Ann" {
			t.Fatalf("preview = %v", p)
		}
		if g := bob.must(200, "POST", "/api/v1/invites/"+code+"/accept", nil).json(); g["role"] != "member" || g["member_count"] != float64(2) {
			t.Fatalf("accepted group = %v", g)
		}
		// Accepting again uses nothing up.
		bob.must(200, "POST", "/api/v1/invites/"+code+"/accept", nil)
		cid.must(200, "POST", "/api/v1/invites/"+code+"/accept", nil)
		invites := ann.must(200, "GET", "/api/v1/groups/"+gid+"/invites", nil).items()
		if len(invites) != 1 || invites[0]["uses"] != float64(2) {
			t.Fatalf("invites = %v", invites)
		}
		dave := e.signup("dave@example.com", "Dave")
		if r := dave.call("POST", "/api/v1/invites/"+code+"/accept", nil); r.status != 404 || r.code() != "invite_invalid" {
			t.Fatalf("used-up invite = %d %s", r.status, r.body)
		}
		dave.must(404, "GET", "/api/v1/groups/"+gid, nil)

		members := cid.must(200, "GET", "/api/v1/groups/"+gid+"/members", nil).items()
		if len(members) != 3 || members[0]["name"] != "Ann" || members[0]["role"] != "owner" || members[2]["name"] != "Cid" {
			t.Fatalf("members = %v", members)
		}
		// Roles: Bob becomes admin; as admin he can invite and remove members,
		// not the owner and not other admins.
		if m := ann.must(200, "PATCH", "/api/v1/groups/"+gid+"/members/"+bob.userID, map[string]string{"role": "admin"}).json(); m["role"] != "admin" {
			t.Fatalf("changed member = %v", m)
		}
		bob.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil)
		bob.must(403, "DELETE", "/api/v1/groups/"+gid+"/members/"+ann.userID, nil)
		cid.must(403, "POST", "/api/v1/groups/"+gid+"/invites", nil)
		ann.must(200, "PATCH", "/api/v1/groups/"+gid, map[string]any{"members_can_invite": true, "name": "Lisbon, spring 2026"})
		cinv := cid.must(201, "POST", "/api/v1/groups/"+gid+"/invites", map[string]any{}).json()
		cid.must(403, "GET", "/api/v1/groups/"+gid+"/invites", nil)
		ann.must(204, "DELETE", "/api/v1/groups/"+gid+"/invites/"+cinv["id"].(string), nil)
		if r := dave.call("GET", "/api/v1/invites/"+cinv["code"].(string), nil); r.status != 404 || r.code() != "invite_invalid" {
			t.Fatalf("revoked invite preview = %d", r.status)
		}
		bob.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+cid.userID, nil)
		cid.must(404, "GET", "/api/v1/groups/"+gid, nil)

		// Transfer, then the old owner (now admin) may leave.
		ann.must(409, "DELETE", "/api/v1/groups/"+gid+"/members/me", nil)
		if g := ann.must(200, "POST", "/api/v1/groups/"+gid+"/transfer", map[string]string{"user_id": bob.userID}).json(); g["role"] != "admin" {
			t.Fatalf("old owner's role after transfer = %v", g["role"])
		}
		if g := bob.must(200, "GET", "/api/v1/groups/"+gid, nil).json(); g["role"] != "owner" || g["name"] != "Lisbon, spring 2026" {
			t.Fatalf("new owner's view = %v", g)
		}
		ann.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/me", nil)
		if l := ann.must(200, "GET", "/api/v1/groups", nil).items(); len(l) != 0 {
			t.Fatalf("Ann still lists %v", l)
		}

		audit := bob.must(200, "GET", "/api/v1/groups/"+gid+"/audit", nil).items()
		want := []string{"member_leave", "group_transfer", "member_remove", "invite_revoke", "invite_create", "group_update",
			"invite_create", "member_role_change", "invite_accept", "invite_accept", "invite_create", "group_create"}
		if len(audit) != len(want) {
			t.Fatalf("audit has %d entries; want %d: %v", len(audit), len(want), audit)
		}
		seen := map[string]int{}
		for _, a := range audit {
			seen[a["action"].(string)]++
			if a["actor"] == nil || a["ip"] == "" {
				t.Errorf("entry without actor or ip: %v", a)
			}
		}
		for _, w := range want {
			seen[w]--
		}
		for k, n := range seen {
			if n != 0 {
				t.Errorf("audit action %s off by %d", k, n)
			}
		}
		if audit[0]["action"] != "member_leave" || audit[len(audit)-1]["action"] != "group_create" {
			t.Errorf("audit is not newest first: first %v, last %v", audit[0]["action"], audit[len(audit)-1]["action"])
		}
		// Cursor pages cover the same entries.
		var paged []map[string]any
		path := "/api/v1/groups/" + gid + "/audit?limit=5"
		for {
			r := bob.must(200, "GET", path, nil)
			paged = append(paged, r.items()...)
			next := r.str("next_cursor")
			if next == "" {
				break
			}
			path = "/api/v1/groups/" + gid + "/audit?limit=5&cursor=" + next
		}
		if len(paged) != len(audit) || paged[5]["id"] != audit[5]["id"] {
			t.Fatalf("paging gave %d entries; want %d in the same order", len(paged), len(audit))
		}
		cid.must(404, "GET", "/api/v1/groups/"+gid+"/audit", nil)

		bob.must(204, "DELETE", "/api/v1/groups/"+gid, nil)
		bob.must(404, "GET", "/api/v1/groups/"+gid, nil)
	})
}

// An invite link opened signed out says at once whether it still works, and
// an address that guesses codes is stopped (API 1.1, docs/API.md).
func TestInvitePreviewSignedOut(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0], func(c *wmoryhttp.Config) { c.InviteLookupsPerIP = 3 })
	ann := e.signup("ann@example.com", "Ann")
	gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Lisbon 2026"}).json()["id"].(string)
	code := ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).json()["code"].(string)
	revoked := ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).json()
	ann.must(204, "DELETE", "/api/v1/groups/"+gid+"/invites/"+revoked["id"].(string), nil)

	visitor := e.anon()
	p := visitor.must(200, "GET", "/api/v1/invites/"+code, nil).json()
	if p["group_name"] != "Lisbon 2026" || p["invited_by"] != "Ann" || p["expires_at"] == nil {
		t.Fatalf("preview signed out = %v", p)
	}
	for _, dead := range []string{revoked["code"].(string), "made-up-code"} {
		if r := visitor.call("GET", "/api/v1/invites/"+dead, nil); r.status != 404 || r.code() != "invite_invalid" {
			t.Errorf("dead invite %s = %d %s", dead, r.status, r.body)
		}
	}
	// The third failed lookup locks the address, valid codes included; the
	// lock ends with its window.
	visitor.call("GET", "/api/v1/invites/another-guess", nil)
	if r := visitor.call("GET", "/api/v1/invites/"+code, nil); r.status != 429 || r.code() != "rate_limited" {
		t.Fatalf("after guessing = %d %s", r.status, r.body)
	}
	e.advance(16 * time.Minute)
	visitor.must(200, "GET", "/api/v1/invites/"+code, nil)
	// Valid lookups are not counted.
	for range 5 {
		visitor.must(200, "GET", "/api/v1/invites/"+code, nil)
	}
}

// The list of groups carries each one's cover, the thumbnail of its newest
// item, so that the app draws it without asking each gallery.
func TestGroupCover(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	ann := e.signup("ann@example.com", "Ann")
	gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	if g := ann.must(200, "GET", "/api/v1/groups", nil).items()[0]; g["cover_url"] != nil {
		t.Fatalf("an empty group has a cover: %v", g)
	}
	ann.upload(gid, "broken.jpg", "image/jpeg", tinyJPEG) // not a real JPEG: it fails
	e.processMedia()
	photo, err := os.ReadFile(filepath.Join("..", "imaging", "testdata", "camera.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	ann.upload(gid, "a.jpg", "image/jpeg", photo)
	if g := ann.must(200, "GET", "/api/v1/groups", nil).items()[0]; g["cover_url"] != nil {
		t.Fatalf("a cover before any item is ready: %v", g)
	}
	e.processMedia()
	for _, g := range []map[string]any{ann.must(200, "GET", "/api/v1/groups", nil).items()[0], ann.must(200, "GET", "/api/v1/groups/"+gid, nil).json()} {
		u, _ := g["cover_url"].(string)
		if u == "" {
			t.Fatalf("no cover: %v", g)
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.HasPrefix(b, []byte("RIFF")) || !bytes.Contains(b[:16], []byte("WEBP")) {
			t.Fatalf("cover answers %d with %d bytes that are not a WebP thumbnail", resp.StatusCode, len(b))
		}
	}
}
