package http_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// E-mail that respects people: one message per uploader's batch once it has
// ended, one per run of comments on one's items, a daily digest for those who
// want it, nothing for the actor, for those who chose none, for suspended and
// former members; and a link that stops it without signing in.
func TestEmailNews(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		root := e.instanceAdmin()
		ana := e.signup("ana@example.com", "Ana")
		gid := ana.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Lisbon 2026"}).str("id")
		members := map[string]*client{}
		for _, name := range []string{"Bea", "Carl", "Dan", "Eve", "Fay"} {
			c := e.signup(strings.ToLower(name)+"@example.com", name)
			c.must(200, "POST", "/api/v1/invites/"+ana.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")+"/accept", nil)
			members[name] = c
		}
		bea, carl, dan, eve, fay := members["Bea"], members["Carl"], members["Dan"], members["Eve"], members["Fay"]
		settings := "/api/v1/groups/" + gid + "/notifications"
		if got := bea.must(200, "GET", settings, nil).str("email"); got != "batched" {
			t.Fatalf("default choice %q", got)
		}
		if r := carl.call("PUT", settings, map[string]string{"email": "weekly"}); r.status != 400 {
			t.Fatalf("PUT weekly = %d %s", r.status, r.body)
		}
		carl.must(200, "PUT", settings, map[string]string{"email": "off"})
		dan.must(200, "PUT", settings, map[string]string{"email": "daily"})
		root.must(404, "GET", settings, nil)
		eve.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+eve.userID, nil)
		root.must(200, "POST", "/api/v1/admin/users/"+fay.userID+"/suspend", nil)
		before := len(e.sent())

		news := func() []mail.Message {
			t.Helper()
			all := e.sent()
			out := all[before:]
			before = len(all)
			return out
		}
		to := func(msgs []mail.Message) string {
			var out []string
			for _, m := range msgs {
				out = append(out, m.To)
			}
			return strings.Join(out, " ")
		}

		// Fifty photos in three minutes: nothing while the batch runs, then
		// one message to Bea, the only one who wants each batch.
		for i := range 50 {
			ana.upload(gid, fmt.Sprintf("p%02d.jpg", i), "image/jpeg", jpegNumbered(i))
			e.advance(3600 * time.Millisecond)
		}
		e.advance(9 * time.Minute)
		if got := news(); len(got) != 0 {
			t.Fatalf("mail while the batch runs: %s", to(got))
		}
		e.advance(time.Minute)
		got := news()
		if to(got) != "bea@example.com" {
			t.Fatalf("the batch was told to %q; want Bea alone", to(got))
		}
		m := got[0]
		if m.Subject != "Ana added 50 photos to Lisbon 2026" || !strings.Contains(m.Text, "Hello Bea") ||
			!strings.Contains(m.Text, "http://wmory.test/groups/"+gid+"/activity") || !strings.Contains(m.HTML, "Ana added 50 photos to Lisbon 2026") {
			t.Fatalf("message:\n%s\n%s", m.Subject, m.Text)
		}
		stop, err := url.Parse(m.Unsubscribe)
		if err != nil || stop.Path != "/api/v1/unsubscribe" || stop.Query().Get("token") == "" || !strings.Contains(m.Text, "/unsubscribe?token="+stop.Query().Get("token")) {
			t.Fatalf("unsubscribe link %q in\n%s", m.Unsubscribe, m.Text)
		}
		if got := news(); len(got) != 0 {
			t.Fatalf("told twice: %s", to(got))
		}

		// A second batch fifteen minutes later is a second message; a batch
		// that grows is told ten minutes after its last item.
		// An MP4's opening is enough for the store's checks.
		ana.upload(gid, "v.mp4", "video/mp4", append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), make([]byte, 200)...))
		e.advance(9 * time.Minute)
		ana.upload(gid, "late.jpg", "image/jpeg", jpegNumbered(99))
		e.advance(9 * time.Minute)
		if got := news(); len(got) != 0 {
			t.Fatalf("mail 9 minutes after the batch's last item: %s", to(got))
		}
		e.advance(time.Minute)
		if got := news(); to(got) != "bea@example.com" || got[0].Subject != "Ana added 1 photo and 1 video to Lisbon 2026" {
			t.Fatalf("second batch: %v", got)
		}

		// Comments on Ana's item are told to Ana, batched; hers are not.
		items := ana.must(200, "GET", "/api/v1/groups/"+gid+"/media?limit=1", nil).items()
		mid := items[0]["id"].(string)
		bea.must(201, "POST", "/api/v1/media/"+mid+"/comments", map[string]string{"text": "<b>Wow</b> & more"})
		e.advance(2 * time.Minute)
		dan.must(201, "POST", "/api/v1/media/"+mid+"/comments", map[string]string{"text": "Where is this?"})
		ana.must(201, "POST", "/api/v1/media/"+mid+"/comments", map[string]string{"text": "Belém!"})
		e.advance(10 * time.Minute)
		got = news()
		if to(got) != "ana@example.com" {
			t.Fatalf("comments told to %q; want Ana", to(got))
		}
		m = got[0]
		if m.Subject != "Bea and Dan commented on what you shared in Lisbon 2026" || !strings.Contains(m.Text, `Bea: "<b>Wow</b> & more"`) ||
			!strings.Contains(m.HTML, "&lt;b&gt;Wow&lt;/b&gt; &amp; more") || strings.Contains(m.HTML, "<b>Wow") || strings.Contains(m.Text, "Belém") {
			t.Fatalf("comment message:\n%s\n%s\n%s", m.Subject, m.Text, m.HTML)
		}

		// Dan's digest: a day after he chose it, the day's news once.
		e.advance(24 * time.Hour)
		w := e.worker()
		w.Cleanup(context.Background())
		got = news()
		if to(got) != "dan@example.com" || got[0].Subject != "Today in Lisbon 2026: 51 photos and 1 video from Ana" {
			t.Fatalf("digest: %v", got)
		}
		if n, err := e.db.SendDigests(context.Background(), e.letters, 100); err != nil || n != 0 {
			t.Fatalf("digests again: %d %v", n, err)
		}
		ana.upload(gid, "next-day.jpg", "image/jpeg", jpegNumbered(100))
		e.advance(11 * time.Minute)
		news() // Bea's batch
		e.advance(24 * time.Hour)
		if n, err := e.db.SendDigests(context.Background(), e.letters, 100); err != nil || n != 1 {
			t.Fatalf("next day's digests: %d %v", n, err)
		}
		if got := news(); to(got) != "dan@example.com" || got[0].Subject != "Today in Lisbon 2026: 1 photo from Ana" {
			t.Fatalf("the next day's digest: %v", got)
		}

		// One click, no session: Bea's e-mail about the group stops. The link
		// works twice (mail clients retry); a made-up one does not.
		for range 2 {
			req, _ := http.NewRequest("POST", e.srv.URL+stop.RequestURI(), strings.NewReader("List-Unsubscribe=One-Click"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("one-click unsubscribe = %d", resp.StatusCode)
			}
		}
		if got := bea.must(200, "GET", settings, nil).str("email"); got != "off" {
			t.Fatalf("after unsubscribing: %q", got)
		}
		if r := e.anon().call("POST", "/api/v1/unsubscribe?token=made-up", nil); r.status != 400 || r.code() != "invalid_token" {
			t.Fatalf("made-up token = %d %s", r.status, r.body)
		}
		e.anon().must(400, "POST", "/api/v1/unsubscribe", nil)
		ana.upload(gid, "after.jpg", "image/jpeg", jpegNumbered(101))
		e.advance(11 * time.Minute)
		if got := news(); len(got) != 0 {
			t.Fatalf("mail after everyone turned it off: %s", to(got))
		}

		// The page the message's own link opens asks before it acts.
		bea.must(200, "PUT", settings, map[string]string{"email": "batched"})
		page, err := http.Get(e.srv.URL + "/unsubscribe?token=" + stop.Query().Get("token"))
		if err != nil {
			t.Fatal(err)
		}
		page.Body.Close()
		if got := bea.must(200, "GET", settings, nil).str("email"); page.StatusCode != 200 || got != "batched" {
			t.Fatalf("opening the page = %d, and it changed the choice to %q", page.StatusCode, got)
		}
		if r := bea.call("POST", "/unsubscribe", nil); r.status == 200 {
			t.Fatalf("the page's form without a token = %d", r.status)
		}
		resp, err := http.PostForm(e.srv.URL+"/unsubscribe", url.Values{"token": {stop.Query().Get("token")}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := bea.must(200, "GET", settings, nil).str("email"); resp.StatusCode != 200 || got != "off" {
			t.Fatalf("the page's form = %d; choice %q", resp.StatusCode, got)
		}

		// A group or account that goes takes its pending batches along.
		bea.must(200, "PUT", settings, map[string]string{"email": "batched"})
		ana.upload(gid, "last.jpg", "image/jpeg", jpegNumbered(102))
		ana.must(204, "DELETE", "/api/v1/groups/"+gid, nil)
		e.advance(11 * time.Minute)
		if got := news(); len(got) != 0 {
			t.Fatalf("mail about a deleted group: %s", to(got))
		}
		if left := sqldbtest.Snapshot(t, e.dbURL, "notices")["notices"]; len(left) != 0 {
			t.Fatalf("notices left: %v", left)
		}
	})
}
