package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// group of an owner (the moderator), an uploader and reporters.
func (e *env) moderationScene(members ...string) (gid string, owner *client, cs []*client) {
	owner = e.signup("owner@example.com", "Owner")
	gid = owner.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	code := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")
	for _, m := range members {
		c := e.signup(m+"@example.com", m)
		c.must(200, "POST", "/api/v1/invites/"+code+"/accept", nil)
		cs = append(cs, c)
	}
	return gid, owner, cs
}

func TestModerationFlow(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		for _, action := range []string{"dismiss", "remove_media", "remove_uploader"} {
			t.Run(action, func(t *testing.T) {
				e := newEnv(t, eng)
				gid, owner, cs := e.moderationScene("uploader", "reporter")
				uploader, reporter := cs[0], cs[1]
				mid := uploader.upload(gid, "a.jpg", "image/jpeg", tinyJPEG).str("id")
				sent := len(e.sent())
				rep := reporter.must(201, "POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "harassment", "details": "not nice"}).json()
				if rep["status"] != "open" || rep["reporter_id"] != reporter.userID || rep["action"] != nil {
					t.Fatalf("report %v", rep)
				}
				if msgs := e.sent()[sent:]; len(msgs) != 1 || msgs[0].To != "owner@example.com" {
					t.Fatalf("notices %v", msgs)
				}
				if r := reporter.call("POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "spam"}); r.status != 409 || r.code() != "already_reported" {
					t.Fatalf("second report = %d %s", r.status, r.body)
				}
				// The uploader sees only its own reports (none); the owner sees the queue.
				if l := uploader.must(200, "GET", "/api/v1/groups/"+gid+"/reports", nil).items(); len(l) != 0 {
					t.Fatalf("uploader sees %v", l)
				}
				if l := reporter.must(200, "GET", "/api/v1/groups/"+gid+"/reports", nil).items(); len(l) != 1 {
					t.Fatalf("reporter sees %v", l)
				}
				uploader.must(403, "POST", "/api/v1/reports/"+rep["id"].(string)+"/resolve", map[string]string{"action": action})
				res := owner.must(200, "POST", "/api/v1/reports/"+rep["id"].(string)+"/resolve", map[string]string{"action": action}).json()
				if res["status"] != "resolved" || res["action"] != action || res["resolved_by"] != owner.userID || res["resolved_at"] == nil {
					t.Fatalf("resolved %v", res)
				}
				if r := owner.call("POST", "/api/v1/reports/"+rep["id"].(string)+"/resolve", map[string]string{"action": action}); r.status != 409 {
					t.Fatalf("resolving twice = %d", r.status)
				}
				if open := owner.must(200, "GET", "/api/v1/groups/"+gid+"/reports?status=open", nil).items(); len(open) != 0 {
					t.Fatalf("open after resolve: %v", open)
				}
				items := reporter.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items()
				switch action {
				case "dismiss":
					if len(items) != 1 {
						t.Fatal("dismiss removed the media")
					}
					uploader.must(200, "GET", "/api/v1/groups/"+gid, nil)
				case "remove_media":
					if len(items) != 0 {
						t.Fatal("remove_media left the media")
					}
					uploader.must(200, "GET", "/api/v1/groups/"+gid, nil)
				case "remove_uploader":
					if len(items) != 0 {
						t.Fatal("remove_uploader left the media")
					}
					uploader.must(404, "GET", "/api/v1/groups/"+gid, nil)
				}
				audit := owner.must(200, "GET", "/api/v1/groups/"+gid+"/audit", nil).body
				if !strings.Contains(string(audit), `"report_create"`) || !strings.Contains(string(audit), `"report_resolve"`) {
					t.Fatal("moderation not audited")
				}
			})
		}
	})
}

func TestAutoHide(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	gid, owner, cs := e.moderationScene("uploader", "r1", "r2", "r3")
	owner.must(200, "PATCH", "/api/v1/groups/"+gid, map[string]int{"auto_hide_reports": 2})
	uploader := cs[0]
	mid := uploader.upload(gid, "a.jpg", "image/jpeg", tinyJPEG).str("id")
	visible := func(c *client) bool {
		return len(c.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items()) == 1
	}
	sent := len(e.sent())
	cs[1].must(201, "POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "depicts_me"})
	if !visible(cs[3]) {
		t.Fatal("hidden after one report; threshold is two")
	}
	rid := cs[2].must(201, "POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "spam"}).str("id")
	if visible(cs[3]) || visible(uploader) {
		t.Fatal("still visible to members after two reports")
	}
	// The group's count is what each one's gallery shows.
	count := func(c *client) any { return c.must(200, "GET", "/api/v1/groups/"+gid, nil).json()["media_count"] }
	if count(cs[3]) != float64(0) || count(owner) != float64(1) {
		t.Fatalf("media_count: member %v, owner %v; want 0 and 1 (the hidden item)", count(cs[3]), count(owner))
	}
	if n := len(e.sent()) - sent; n != 1 {
		t.Fatalf("%d notices for two reports within the hour; want 1", n)
	}
	if m := e.sent()[sent]; m.Subject != "An item in G was reported" || !strings.Contains(m.Text, "reported an item in G, a wmory group you manage") {
		t.Errorf("the notice does not name the group: %q\n%s", m.Subject, m.Text)
	}
	cs[3].must(404, "GET", "/api/v1/media/"+mid, nil)
	if !visible(owner) {
		t.Fatal("hidden from the owner")
	}
	owner.must(200, "GET", "/api/v1/media/"+mid, nil)
	owner.must(200, "POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "dismiss"})
	if !visible(cs[3]) {
		t.Fatal("still hidden after the reports were dismissed")
	}
	e.advance(time.Hour + time.Minute)
	mid2 := uploader.upload(gid, "b.jpg", "image/jpeg", tinyJPEG).str("id")
	cs[1].must(201, "POST", "/api/v1/media/"+mid2+"/reports", map[string]string{"reason": "spam"})
	if n := len(e.sent()) - sent; n != 2 {
		t.Fatalf("%d notices after an hour; want 2", n)
	}
}

func TestReportBadInput(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	gid, owner, cs := e.moderationScene("uploader", "reporter")
	mid := cs[0].upload(gid, "a.jpg", "image/jpeg", tinyJPEG).str("id")
	other := e.signup("other@example.com", "Other")
	otherGid := other.must(201, "POST", "/api/v1/groups", map[string]string{"name": "O"}).str("id")
	otherMid := other.upload(otherGid, "b.jpg", "image/jpeg", tinyJPEG).str("id")
	otherRid := other.must(201, "POST", "/api/v1/media/"+otherMid+"/reports", map[string]string{"reason": "other"}).str("id")
	for _, tc := range []struct {
		name   string
		c      *client
		path   string
		body   any
		status int
		code   string
	}{
		{"unknown reason", cs[1], "/api/v1/media/" + mid + "/reports", map[string]string{"reason": "ugly"}, 400, "invalid_request"},
		{"oversized details", cs[1], "/api/v1/media/" + mid + "/reports", map[string]string{"reason": "other", "details": strings.Repeat("x", 2001)}, 400, "invalid_request"},
		{"media of another group", cs[1], "/api/v1/media/" + otherMid + "/reports", map[string]string{"reason": "spam"}, 404, "not_found"},
		{"resolve another group's report", owner, "/api/v1/reports/" + otherRid + "/resolve", map[string]string{"action": "dismiss"}, 404, "not_found"},
		{"unknown action", owner, "/api/v1/reports/" + otherRid + "/resolve", map[string]string{"action": "ban"}, 400, "invalid_request"},
		{"escalate another group's report", owner, "/api/v1/reports/" + otherRid + "/escalate", nil, 404, "not_found"},
	} {
		before := sqldbtest.Snapshot(t, e.dbURL, "reports", "media", "group_members")
		r := tc.c.call("POST", tc.path, tc.body)
		if r.status != tc.status || r.code() != tc.code {
			t.Errorf("%s: %d %s; want %d %s", tc.name, r.status, r.body, tc.status, tc.code)
		}
		if after := sqldbtest.Snapshot(t, e.dbURL, "reports", "media", "group_members"); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("%s changed the database", tc.name)
		}
	}
	// The owner's own media: remove_uploader may not remove the owner.
	omid := owner.upload(gid, "c.jpg", "image/jpeg", tinyJPEG).str("id")
	rid := cs[1].must(201, "POST", "/api/v1/media/"+omid+"/reports", map[string]string{"reason": "spam"}).str("id")
	owner.must(403, "POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "remove_uploader"})
}
