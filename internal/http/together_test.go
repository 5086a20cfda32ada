package http_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/imaging/imagingtest"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// jpegNumbered is a distinct small "photo" for each n (completion reads magic
// bytes only; nobody processes them here).
func jpegNumbered(n int) []byte {
	return append(tinyJPEG[:len(tinyJPEG):len(tinyJPEG)], []byte(fmt.Sprint(n))...)
}

// A trip's group: who added what, in batches; who joined; comments and likes
// on the items, counted in the gallery; what is new since each last looked.
func TestTogether(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		ann, bob := e.signup("ann@example.com", "Ann"), e.signup("bob@example.com", "Bob")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Lisbon"}).str("id")
		bob.must(200, "POST", "/api/v1/invites/"+ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")+"/accept", nil)
		unseen := func(c *client) any { return c.must(200, "GET", "/api/v1/groups/"+gid, nil).json()["unseen_count"] }
		bob.must(204, "POST", "/api/v1/groups/"+gid+"/seen", nil)

		// Ann's first batch: three within minutes; a fourth after a pause.
		var ids []string
		for i := range 3 {
			ids = append(ids, ann.upload(gid, fmt.Sprintf("a%d.jpg", i), "image/jpeg", jpegNumbered(i)).str("id"))
			e.advance(4 * time.Minute)
		}
		e.advance(7 * time.Minute) // 11 minutes after the third
		ids = append(ids, ann.upload(gid, "later.jpg", "image/jpeg", jpegNumbered(9)).str("id"))
		act := ann.must(200, "GET", "/api/v1/groups/"+gid+"/activity", nil).items()
		var kinds []string
		for _, a := range act {
			kinds = append(kinds, fmt.Sprintf("%s:%v", a["type"], a["count"]))
		}
		if !slices.Equal(kinds, []string{"uploaded:1", "uploaded:3", "joined:0"}) {
			t.Fatalf("activity %v", kinds)
		}
		if first := act[1]; fmt.Sprint(first["media_ids"]) != fmt.Sprint([]any{ids[0], ids[1], ids[2]}) || first["actor"].(map[string]any)["name"] != "Ann" {
			t.Fatalf("the first batch %v", first)
		}
		if unseen(bob) != float64(4) || unseen(ann) != float64(0) {
			t.Fatalf("unseen: Bob %v, Ann %v; want 4 and 0", unseen(bob), unseen(ann))
		}
		bob.must(204, "POST", "/api/v1/groups/"+gid+"/seen", nil)
		e.advance(time.Second)
		ann.upload(gid, "new.jpg", "image/jpeg", jpegNumbered(10))
		if unseen(bob) != float64(1) {
			t.Fatalf("unseen after seen and one more: %v", unseen(bob))
		}

		// Comments: plain text, checked; the author and the group's admins delete.
		for _, bad := range []string{"", "   ", strings.Repeat("x", 1025), "bell\a", "two\nlines"} {
			if r := bob.call("POST", "/api/v1/media/"+ids[0]+"/comments", map[string]string{"text": bad}); r.status != 400 {
				t.Errorf("comment %q = %d; want 400", bad, r.status)
			}
		}
		html := `<b>What</b> a view & "light"`
		c1 := bob.must(201, "POST", "/api/v1/media/"+ids[0]+"/comments", map[string]string{"text": "  " + html + " "}).json()
		if c1["text"] != html || c1["author"].(map[string]any)["name"] != "Bob" {
			t.Fatalf("comment %v", c1)
		}
		c2 := ann.must(201, "POST", "/api/v1/media/"+ids[0]+"/comments", map[string]string{"text": "Thanks!"}).str("id")
		list := ann.must(200, "GET", "/api/v1/media/"+ids[0]+"/comments", nil).items()
		if len(list) != 2 || list[0]["id"] != c1["id"] || list[1]["id"] != c2 {
			t.Fatalf("comments %v", list)
		}
		if act := ann.must(200, "GET", "/api/v1/groups/"+gid+"/activity?limit=1", nil).items(); act[0]["type"] != "commented" || act[0]["comment_id"] != c2 {
			t.Fatalf("newest activity %v", act)
		}
		bob.must(403, "DELETE", "/api/v1/comments/"+c2, nil) // not his, and he is no admin
		ann.must(204, "DELETE", "/api/v1/comments/"+c1["id"].(string), nil)
		ann.must(204, "DELETE", "/api/v1/comments/"+c2, nil)
		if n := len(ann.must(200, "GET", "/api/v1/media/"+ids[0]+"/comments", nil).items()); n != 0 {
			t.Fatalf("%d comments left", n)
		}
		if act := ann.must(200, "GET", "/api/v1/groups/"+gid+"/activity?limit=1", nil).items(); act[0]["type"] == "commented" {
			t.Fatalf("a deleted comment is still in the activity: %v", act)
		}

		// Likes: one per member; counted in lists, without asking per item.
		bob.must(204, "PUT", "/api/v1/media/"+ids[1]+"/like", nil)
		bob.must(204, "PUT", "/api/v1/media/"+ids[1]+"/like", nil)
		ann.must(204, "PUT", "/api/v1/media/"+ids[1]+"/like", nil)
		ann.must(204, "DELETE", "/api/v1/media/"+ids[1]+"/like", nil)
		ann.must(204, "DELETE", "/api/v1/media/"+ids[1]+"/like", nil)
		bob.must(201, "POST", "/api/v1/media/"+ids[1]+"/comments", map[string]string{"text": "Best one"})
		byID := func(c *client, query string) map[string]map[string]any {
			out := map[string]map[string]any{}
			for _, m := range c.must(200, "GET", "/api/v1/groups/"+gid+"/media"+query, nil).items() {
				out[m["id"].(string)] = m
			}
			return out
		}
		if m := byID(bob, "")[ids[1]]; m["like_count"] != float64(1) || m["liked_by_me"] != true || m["comment_count"] != float64(1) {
			t.Fatalf("Bob sees %v", m)
		}
		if m := byID(ann, "")[ids[1]]; m["like_count"] != float64(1) || m["liked_by_me"] != false {
			t.Fatalf("Ann sees %v", m)
		}
		if liked := byID(bob, "?liked=true"); len(liked) != 1 || liked[ids[1]] == nil {
			t.Fatalf("Bob's liked items %v", liked)
		}
		if m := bob.must(200, "GET", "/api/v1/media/"+ids[1], nil).json(); m["liked_by_me"] != true {
			t.Fatalf("one item for Bob %v", m)
		}
		bob.must(400, "GET", "/api/v1/groups/"+gid+"/media?liked=maybe", nil)

		// An item's comments and likes go with it.
		ann.must(204, "DELETE", "/api/v1/media/"+ids[1]+"/permanent", nil)
		bob.must(404, "GET", "/api/v1/media/"+ids[1]+"/comments", nil)
		bob.must(404, "PUT", "/api/v1/media/"+ids[1]+"/like", nil)

		// Thirty comments in ten minutes, then a wait.
		for i := range 30 {
			bob.must(201, "POST", "/api/v1/media/"+ids[2]+"/comments", map[string]string{"text": fmt.Sprint("comment ", i)})
		}
		if r := bob.call("POST", "/api/v1/media/"+ids[2]+"/comments", map[string]string{"text": "one more"}); r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Fatalf("the 31st comment = %d %s", r.status, r.body)
		}
		e.advance(11 * time.Minute)
		bob.must(201, "POST", "/api/v1/media/"+ids[2]+"/comments", map[string]string{"text": "later"})

		// Bob leaves: the group's activity says so.
		bob.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+bob.userID, nil)
		if act := ann.must(200, "GET", "/api/v1/groups/"+gid+"/activity?limit=1", nil).items(); act[0]["type"] != "left" {
			t.Fatalf("after Bob left: %v", act)
		}
		// Paging keeps its place.
		first := ann.must(200, "GET", "/api/v1/groups/"+gid+"/activity?limit=2", nil)
		rest := ann.must(200, "GET", "/api/v1/groups/"+gid+"/activity?limit=100&cursor="+first.str("next_cursor"), nil).items()
		all := ann.must(200, "GET", "/api/v1/groups/"+gid+"/activity?limit=100", nil).items()
		if len(first.items())+len(rest) != len(all) || rest[0]["id"] != all[2]["id"] {
			t.Fatalf("paging: %d + %d of %d", len(first.items()), len(rest), len(all))
		}
	})
}

// A comment reported goes into the group's queue without hiding its item;
// resolving it removes the comment, not the photo.
func TestCommentReports(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		gid, owner, cs := e.moderationScene("uploader", "rude", "a", "b", "c")
		uploader, rude := cs[0], cs[1]
		mid := uploader.upload(gid, "a.jpg", "image/jpeg", tinyJPEG).str("id")
		cid := rude.must(201, "POST", "/api/v1/media/"+mid+"/comments", map[string]string{"text": "Nobody wants to see this"}).str("id")
		var rid string
		for _, c := range cs[2:] {
			rep := c.must(201, "POST", "/api/v1/comments/"+cid+"/reports", map[string]string{"reason": "harassment"}).json()
			if rep["comment_id"] != cid || rep["media_id"] != mid {
				t.Fatalf("report %v", rep)
			}
			rid = rep["id"].(string)
		}
		cs[2].must(409, "POST", "/api/v1/comments/"+cid+"/reports", map[string]string{"reason": "spam"})
		// Three reports on the comment hide nothing: the photo is not reported.
		if r := cs[2].must(200, "GET", "/api/v1/media/"+mid, nil).json(); r["id"] != mid {
			t.Fatalf("the item %v", r)
		}
		queue := owner.must(200, "GET", "/api/v1/groups/"+gid+"/reports?status=open", nil).items()
		if len(queue) != 3 || queue[0]["comment_id"] != cid {
			t.Fatalf("queue %v", queue)
		}
		owner.must(200, "POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "remove_media"})
		if n := len(owner.must(200, "GET", "/api/v1/groups/"+gid+"/reports?status=open", nil).items()); n != 0 {
			t.Fatalf("%d reports still open", n)
		}
		if comments := owner.must(200, "GET", "/api/v1/media/"+mid+"/comments", nil).items(); len(comments) != 0 {
			t.Fatalf("the comment survived: %v", comments)
		}
		owner.must(200, "GET", "/api/v1/media/"+mid, nil)
		cs[2].must(404, "POST", "/api/v1/comments/"+cid+"/reports", map[string]string{"reason": "spam"})
	})
}

// Capture times as people remember them: the camera's offset where the file
// has one, else the uploader's time zone when the app said it, else the
// upload; and the gallery in the order things happened.
func TestCaptureTimes(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Trip"}).str("id")
		camera, err := os.ReadFile("../imaging/testdata/camera.jpg")
		if err != nil {
			t.Fatal(err)
		}
		imaging.Start() // as a worker does, before images are made here
		shot := func(wall, offset string) []byte {
			b, err := imagingtest.WithCaptureTime(camera, wall, offset)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		send := func(name string, body []byte, zone string) string {
			up := ann.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": name, "content_type": "image/jpeg", "size": len(body), "time_zone": zone})
			if code := ann.sendSigned(up, body); code/100 != 2 {
				t.Fatalf("PUT %s = %d", name, code)
			}
			return ann.must(201, "POST", "/api/v1/uploads/"+up.str("upload_id")+"/complete", nil).str("id")
		}
		newYork := send("ny.jpg", shot("2020:02:19 19:00:00", "-04:00"), "")
		paris := send("paris.jpg", shot("2020:02:19 19:01:00", "+02:00"), "America/New_York") // the file's offset wins
		zoned := send("zoned.jpg", shot("2020:02:19 19:00:00", ""), "America/New_York")
		bare := send("bare.jpg", shot("2020:02:19 19:00:00", ""), "")
		alpha, _ := os.ReadFile("../imaging/testdata/alpha.png")
		up := ann.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "a.png", "content_type": "image/png", "size": len(alpha)})
		ann.sendSigned(up, alpha)
		none := ann.must(201, "POST", "/api/v1/uploads/"+up.str("upload_id")+"/complete", nil).str("id")
		ann.must(400, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "x.jpg", "content_type": "image/jpeg", "size": 10, "time_zone": "Mars/Olympus"})
		e.processMedia()

		for id, want := range map[string][4]any{
			newYork: {"2020-02-19T23:00:00Z", "2020-02-19T19:00:00", "-04:00", "camera"},
			paris:   {"2020-02-19T17:01:00Z", "2020-02-19T19:01:00", "+02:00", "camera"},
			zoned:   {"2020-02-20T00:00:00Z", "2020-02-19T19:00:00", "-05:00", "camera"},
			bare:    {"2020-02-19T19:00:00Z", "2020-02-19T19:00:00", nil, "camera"},
		} {
			m := ann.must(200, "GET", "/api/v1/media/"+id, nil).json()
			if got := [4]any{m["taken_at"], m["taken_at_local"], m["taken_at_offset"], m["taken_at_source"]}; got != want {
				t.Errorf("%s: %v; want %v", m["filename"], got, want)
			}
		}
		if m := ann.must(200, "GET", "/api/v1/media/"+none, nil).json(); m["taken_at_source"] != "upload" {
			t.Errorf("a file without a capture time: %v", m["taken_at_source"])
		}
		// Newest first, by the instant: 19:00 in New York came after 19:01 in Paris.
		var order []string
		for _, m := range ann.must(200, "GET", "/api/v1/groups/"+gid+"/media?until=2021-01-01T00:00:00Z", nil).items() {
			order = append(order, m["filename"].(string))
		}
		if !slices.Equal(order, []string{"zoned.jpg", "ny.jpg", "bare.jpg", "paris.jpg"}) {
			t.Fatalf("gallery order %v", order)
		}

		// An instance whose items were processed before offsets were read
		// (migration 0008 came after them) reads their files again, once.
		rereads := func() (n int) {
			for _, job := range sqldbtest.Snapshot(t, e.dbURL, "jobs")["jobs"] {
				if strings.Contains(job, "kind=reread_capture;") {
					n++
				}
			}
			return n
		}
		if n := rereads(); n != 0 {
			t.Fatalf("a new instance reads %d pages of capture times again", n)
		}
		sqldbtest.Exec(t, e.dbURL,
			`UPDATE media SET taken_offset = NULL, taken_at = taken_at - 4 * 3600000 WHERE filename = 'ny.jpg'`,
			`UPDATE media SET taken_offset = NULL, taken_at = taken_at + 2 * 3600000 WHERE filename = 'paris.jpg'`,
			`UPDATE media SET taken_offset = NULL WHERE filename = 'zoned.jpg'`,
			fmt.Sprintf(`UPDATE schema_migrations SET applied_at = %d WHERE version = 8`, e.now().Add(time.Minute).UnixMilli()),
			`DELETE FROM schema_migrations WHERE version = 16`)
		if applied, err := e.db.Migrate(t.Context()); err != nil || !slices.Equal(applied, []int{16}) {
			t.Fatalf("Migrate applied %v, %v", applied, err)
		}
		before := ann.must(200, "GET", "/api/v1/media/"+paris, nil).json()
		if before["taken_at"] != "2020-02-19T19:01:00Z" || before["taken_at_offset"] != nil {
			t.Fatalf("the item as an old version left it: %v %v", before["taken_at"], before["taken_at_offset"])
		}
		e.processMedia()
		for id, want := range map[string][2]any{
			newYork: {"2020-02-19T23:00:00Z", "-04:00"},
			paris:   {"2020-02-19T17:01:00Z", "+02:00"},
			zoned:   {"2020-02-20T00:00:00Z", nil}, // the upload's zone is not in the file: the time stays
			bare:    {"2020-02-19T19:00:00Z", nil},
		} {
			m := ann.must(200, "GET", "/api/v1/media/"+id, nil).json()
			if got := [2]any{m["taken_at"], m["taken_at_offset"]}; got != want {
				t.Errorf("%s read again: %v; want %v", m["filename"], got, want)
			}
		}
		if n := rereads(); n != 0 {
			t.Fatalf("%d pages left", n)
		}
	})
}
