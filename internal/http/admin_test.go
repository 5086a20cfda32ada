package http_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

func (e *env) instanceAdmin() *client {
	e.t.Helper()
	c := e.signup("root@example.com", "Root")
	if _, err := e.db.SetAdmin(context.Background(), wmory.Actor{}, "root@example.com", true); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestInstanceAdministration(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		root := e.instanceAdmin()
		gid, owner, cs := e.moderationScene("uploader", "reporter")
		uploader, reporter := cs[0], cs[1]
		mid := uploader.upload(gid, "a.jpg", "image/jpeg", tinyJPEG).str("id")
		// Clients learn from /me whether to offer the administration (API 1.1).
		isAdmin := func(c *client) any {
			return c.must(200, "GET", "/api/v1/me", nil).json()["user"].(map[string]any)["is_admin"]
		}
		if isAdmin(root) != true || isAdmin(uploader) != false {
			t.Fatalf("is_admin: root %v, uploader %v", isAdmin(root), isAdmin(uploader))
		}

		users := root.must(200, "GET", "/api/v1/admin/users?q=UPLOAD", nil).items()
		if len(users) != 1 || users[0]["email"] != "uploader@example.com" || users[0]["stored_bytes"] != float64(len(tinyJPEG)) || users[0]["daily_bytes_used"] != float64(len(tinyJPEG)) {
			t.Fatalf("user search %v", users)
		}
		if all := root.must(200, "GET", "/api/v1/admin/users?q=%25", nil).items(); len(all) != 0 {
			t.Fatalf("a literal %% matched %d users", len(all))
		}

		// Escalation reaches the instance queue.
		rid := reporter.must(201, "POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "copyright"}).str("id")
		if q := root.must(200, "GET", "/api/v1/admin/reports", nil).items(); len(q) != 0 {
			t.Fatalf("queue before escalation %v", q)
		}
		if r := owner.must(200, "POST", "/api/v1/reports/"+rid+"/escalate", nil).json(); r["escalated"] != true {
			t.Fatalf("escalated %v", r)
		}
		if q := root.must(200, "GET", "/api/v1/admin/reports", nil).items(); len(q) != 1 || q[0]["id"] != rid {
			t.Fatalf("queue after escalation %v", q)
		}

		// Per-user limits: a smaller photo limit refuses the next upload; null restores the default.
		lim := root.must(200, "PATCH", "/api/v1/admin/users/"+uploader.userID+"/limits", map[string]any{"max_photo_bytes": 100, "daily_files_limit": 50}).json()
		if lim["max_photo_bytes"] != float64(100) || lim["daily_bytes_limit"] != float64(wmory.DefaultLimits.DailyBytesLimit) {
			t.Fatalf("limits %v", lim)
		}
		if q := uploader.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any); q["daily_files_limit"] != float64(50) {
			t.Fatalf("quota with override %v", q)
		}
		if r := uploader.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "b.jpg", "content_type": "image/jpeg", "size": 101}); r.status != 413 {
			t.Fatalf("upload over the user's limit = %d", r.status)
		}
		root.must(200, "PATCH", "/api/v1/admin/users/"+uploader.userID+"/limits", map[string]any{"max_photo_bytes": nil})
		uploader.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "b.jpg", "content_type": "image/jpeg", "size": 101})
		root.must(400, "PATCH", "/api/v1/admin/users/"+uploader.userID+"/limits", map[string]any{"max_photo_bytes": -1})

		// Suspension: every session ends at once, login is refused, uploads too.
		other := e.login("uploader@example.com", goodPassword)
		if u := root.must(200, "POST", "/api/v1/admin/users/"+uploader.userID+"/suspend", nil).json(); u["suspended"] != true {
			t.Fatalf("suspended %v", u)
		}
		uploader.must(401, "GET", "/api/v1/me", nil)
		other.must(401, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "c.jpg", "content_type": "image/jpeg", "size": 10})
		if r := e.anon().call("POST", "/api/v1/auth/login", map[string]string{"email": "uploader@example.com", "password": goodPassword}); r.status != 403 || r.code() != "account_suspended" {
			t.Fatalf("login while suspended = %d %s", r.status, r.body)
		}
		root.must(403, "POST", "/api/v1/admin/users/"+root.userID+"/suspend", nil)
		root.must(404, "POST", "/api/v1/admin/users/01aaaaaaaaaaaaaaaaaaaaaaaa/suspend", nil)
		root.must(200, "POST", "/api/v1/admin/users/"+uploader.userID+"/reinstate", nil)
		uploader = e.login("uploader@example.com", goodPassword)

		// A group whose owner is suspended hands its open reports to the admins.
		mid2 := uploader.upload(gid, "d.jpg", "image/jpeg", tinyJPEG).str("id")
		rid2 := reporter.must(201, "POST", "/api/v1/media/"+mid2+"/reports", map[string]string{"reason": "spam"}).str("id")
		root.must(200, "POST", "/api/v1/admin/users/"+owner.userID+"/suspend", nil)
		found := false
		for _, r := range root.must(200, "GET", "/api/v1/admin/reports", nil).items() {
			found = found || r["id"] == rid2
		}
		if !found {
			t.Fatal("a report in a group with a suspended owner is not in the admin queue")
		}

		// Audit search by actor, group, action and time.
		hits := root.must(200, "GET", "/api/v1/admin/audit?action=user_suspend&actor="+root.userID, nil).items()
		if len(hits) != 2 {
			t.Fatalf("%d suspensions found; want 2", len(hits))
		}
		if g := root.must(200, "GET", "/api/v1/admin/audit?group="+gid+"&action=report_create", nil).items(); len(g) != 2 || g[0]["group_id"] != gid {
			t.Fatalf("group search %v", g)
		}
		future := url.QueryEscape(e.now().Add(time.Hour).UTC().Format(time.RFC3339))
		if f := root.must(200, "GET", "/api/v1/admin/audit?since="+future, nil).items(); len(f) != 0 {
			t.Fatalf("entries from the future: %v", f)
		}
		root.must(400, "GET", "/api/v1/admin/audit?since=yesterday", nil)
	})
}

// Deleting an account keeps its audit entries, shown as a deleted user.
func TestDeletedUserInAudit(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	root := e.instanceAdmin()
	gone := e.signup("gone@example.com", "Gone")
	gone.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Mine"})
	gone.must(204, "DELETE", "/api/v1/me", map[string]string{"password": goodPassword})
	entries := root.must(200, "GET", "/api/v1/admin/audit?actor="+gone.userID, nil).items()
	if len(entries) < 3 {
		t.Fatalf("%d entries left", len(entries))
	}
	for _, en := range entries {
		if en["actor"].(map[string]any)["name"] != "deleted user" {
			t.Fatalf("entry %v", en)
		}
	}
}
