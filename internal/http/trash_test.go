package http_test

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// A trash that forgives: deleted items leave every member's sight but stay,
// counted, for 30 days; their uploader or a moderator restores them (also
// after the uploader left); someone else's deletion is told to the uploader
// once; the days over, the sweep purges them and their objects.
func TestTrash(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Trip"}).str("id")
		bea, carl := e.signup("bea@example.com", "Bea"), e.signup("carl@example.com", "Carl")
		for _, c := range []*client{bea, carl} {
			c.must(200, "POST", "/api/v1/invites/"+ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")+"/accept", nil)
		}
		var b []string
		for i := range 4 {
			b = append(b, bea.upload(gid, fmt.Sprintf("b%d.jpg", i), "image/jpeg", jpegNumbered(i)).str("id"))
		}
		ann.upload(gid, "a.jpg", "image/jpeg", jpegNumbered(10))
		e.advance(time.Hour) // the uploads' batch is told; what follows is about the trash
		told := len(e.sent())
		// What each was told since the last look.
		mailsTo := func() map[string][]string {
			all := e.sent()
			out := map[string][]string{}
			for _, m := range all[told:] {
				out[m.To] = append(out[m.To], m.Subject)
			}
			told = len(all)
			return out
		}
		gallery := func(c *client) (ids []string) {
			for _, m := range c.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items() {
				ids = append(ids, m["id"].(string))
			}
			return ids
		}
		trash := func(c *client) (ids []string) {
			for _, m := range c.must(200, "GET", "/api/v1/groups/"+gid+"/trash", nil).items() {
				ids = append(ids, m["id"].(string))
			}
			return ids
		}
		stored := func(c *client) any {
			return c.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any)["stored_bytes"]
		}
		storedBefore := stored(bea)

		// Bea trashes her own: gone from sight, comments and counts; still stored.
		bea.must(204, "DELETE", "/api/v1/media/"+b[0], nil)
		if slices.Contains(gallery(ann), b[0]) || slices.Contains(gallery(bea), b[0]) {
			t.Fatal("a trashed item is still in the gallery")
		}
		for _, c := range []*client{ann, bea} {
			c.must(404, "GET", "/api/v1/media/"+b[0], nil)
		}
		bea.must(404, "POST", "/api/v1/media/"+b[0]+"/comments", map[string]string{"text": "hm"})
		bea.must(404, "DELETE", "/api/v1/media/"+b[0], nil) // already in the trash
		if n := ann.must(200, "GET", "/api/v1/groups/"+gid, nil).json()["media_count"]; n != float64(4) {
			t.Fatalf("media_count %v; want 4", n)
		}
		if stored(bea) != storedBefore {
			t.Fatalf("stored bytes %v; want %v (the trash still counts)", stored(bea), storedBefore)
		}
		item := bea.must(200, "GET", "/api/v1/groups/"+gid+"/trash", nil).items()[0]
		deleted, _ := time.Parse(time.RFC3339, item["deleted_at"].(string))
		purge, _ := time.Parse(time.RFC3339, item["purge_at"].(string))
		if item["id"] != b[0] || item["deleted_by"].(map[string]any)["name"] != "Bea" || purge.Sub(deleted) != 30*24*time.Hour {
			t.Fatalf("trash entry %v", item)
		}
		if got := trash(ann); !slices.Equal(got, []string{b[0]}) {
			t.Fatalf("the owner's trash %v", got)
		}
		if got := trash(carl); len(got) != 0 {
			t.Fatalf("Carl sees others' trash: %v", got)
		}
		carl.must(403, "POST", "/api/v1/media/"+b[0]+"/restore", nil)
		if m := bea.must(200, "POST", "/api/v1/media/"+b[0]+"/restore", nil).json(); m["id"] != b[0] || !slices.Contains(gallery(carl), b[0]) {
			t.Fatalf("restored %v", m)
		}
		bea.must(404, "POST", "/api/v1/media/"+b[0]+"/restore", nil)

		// The owner trashes two of Bea's a minute apart: Bea is told once, of both.
		carl.must(403, "DELETE", "/api/v1/media/"+b[1], nil)
		ann.must(204, "DELETE", "/api/v1/media/"+b[1], nil)
		e.advance(time.Minute)
		ann.must(204, "DELETE", "/api/v1/media/"+b[2], nil)
		e.advance(11 * time.Minute)
		if got := mailsTo(); len(got) != 1 || !slices.Equal(got["bea@example.com"], []string{"Ann moved 2 of your items to the trash in Trip"}) {
			t.Fatalf("told: %q", got)
		}

		// Gone for good, now: the row and, through a job, the objects.
		bea.must(204, "DELETE", "/api/v1/media/"+b[1]+"/permanent", nil)
		bea.must(404, "POST", "/api/v1/media/"+b[1]+"/restore", nil)
		e.runJobs()
		if left := e.orphans(); len(left) != 0 {
			t.Fatalf("left behind: %v", left)
		}

		// Bea leaves and takes hers away; the owner may still restore one.
		bea.must(400, "DELETE", "/api/v1/groups/"+gid+"/members/me?media=burn", nil)
		ann.must(400, "DELETE", "/api/v1/groups/"+gid+"/members/"+carl.userID+"?media=trash", nil)
		bea.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/me?media=trash", nil)
		if got := trash(ann); len(got) != 3 || !slices.Contains(got, b[0]) || !slices.Contains(got, b[3]) {
			t.Fatalf("after Bea left, the trash %v", got)
		}
		bea.must(404, "POST", "/api/v1/media/"+b[3]+"/restore", nil)
		ann.must(200, "POST", "/api/v1/media/"+b[3]+"/restore", nil)
		if got := gallery(carl); len(got) != 2 || !slices.Contains(got, b[3]) {
			t.Fatalf("after the restore, the gallery %v", got)
		}

		// Thirty days later the sweep purges what is left in the trash.
		e.advance(29 * 24 * time.Hour)
		e.worker().Cleanup(t.Context())
		if got := trash(ann); len(got) != 2 {
			t.Fatalf("purged before its days were over: %v", got)
		}
		e.advance(24 * time.Hour)
		e.worker().Cleanup(t.Context())
		e.runJobs()
		ann = e.login(ann.email, goodPassword)
		if got := trash(ann); len(got) != 0 {
			t.Fatalf("left in the trash after 30 days: %v", got)
		}
		if left := e.orphans(); len(left) != 0 {
			t.Fatalf("left behind: %v", left)
		}
		bea, carl = e.login(bea.email, goodPassword), e.login(carl.email, goodPassword) // a month idle
		if s := stored(bea); s != float64(len(jpegNumbered(3))) {
			t.Fatalf("Bea's stored bytes after the purge: %v; want the one restored item's", s)
		}

		// The same file again, while it is in the trash: the group has it there.
		body := jpegNumbered(20)
		sum := fmt.Sprintf("%x", sha256.Sum256(body))
		up := carl.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "c.jpg", "content_type": "image/jpeg", "size": len(body), "sha256": sum})
		carl.sendSigned(up, body)
		cid := carl.must(201, "POST", "/api/v1/uploads/"+up.str("upload_id")+"/complete", nil).str("id")
		carl.must(204, "DELETE", "/api/v1/media/"+cid, nil)
		if r := carl.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "again.jpg", "content_type": "image/jpeg",
			"size": len(body), "sha256": sum}); r.status != 409 || r.json()["trashed"] != true || r.json()["media_id"] != cid {
			t.Fatalf("the trashed file again = %d %s", r.status, r.body)
		}

		// Moderation's removal does not go through the trash: removed content goes now.
		reported := carl.upload(gid, "reported.jpg", "image/jpeg", jpegNumbered(30)).str("id")
		rid := ann.must(201, "POST", "/api/v1/media/"+reported+"/reports", map[string]string{"reason": "other"}).str("id")
		ann.must(200, "POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "remove_media"})
		if got := trash(ann); slices.Contains(got, reported) {
			t.Fatalf("a removed item went to the trash: %v", got)
		}
		e.runJobs()
		if left := e.orphans(); len(left) != 0 {
			t.Fatalf("left behind after a removal: %v", left)
		}

		// Every step is in the group's audit log.
		var actions []string
		for _, a := range ann.must(200, "GET", "/api/v1/groups/"+gid+"/audit?limit=200", nil).items() {
			actions = append(actions, a["action"].(string))
		}
		for _, want := range []string{"media_trash", "media_restore", "media_delete"} {
			if !slices.Contains(actions, want) {
				t.Errorf("no %s in the audit log: %s", want, strings.Join(actions, " "))
			}
		}
	})
}
