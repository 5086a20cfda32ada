package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/s3"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/imaging/imagingtest"
	"github.com/wmory/wmory/internal/jobs"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"

	wmoryhttp "github.com/wmory/wmory/internal/http"
)

// s3Store makes a bucket on a fresh versitygw and returns the store on it.
func s3Store(t *testing.T) blob.Store {
	gw := blobtest.StartVersityGW(t)
	gw.UseCredentials(t)
	gw.CreateBucket(t, "wmory")
	s, err := s3.New(context.Background(), s3.Config{Bucket: "wmory", Endpoint: gw.Endpoint, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type storeCase struct {
	name string
	make func(t *testing.T) blob.Store // nil: local
}

var stores = []storeCase{{"local", nil}, {"s3", s3Store}}

func (sc storeCase) env(t *testing.T, eng sqldbtest.Engine, tweak ...func(*wmoryhttp.Config)) *env {
	var st blob.Store
	if sc.make != nil {
		st = sc.make(t)
	}
	return newEnvWithStore(t, eng, st, tweak...)
}

func download(t *testing.T, rawURL string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// The upload path on both stores: authorize, PUT straight to storage,
// complete, list, download the original byte for byte, delete.
func TestUploadFlow(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			e := sc.env(t, sqldbtest.Engines(t)[0])
			ann, bob := e.signup("ann@example.com", "Ann"), e.signup("bob@example.com", "Bob")
			gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
			bob.must(200, "POST", "/api/v1/invites/"+ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")+"/accept", nil)

			body := append(append([]byte{}, tinyJPEG...), []byte("unique bytes of this photo")...)
			up := ann.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "../../Holiday \"pic\".jpg", "content_type": "image/jpeg", "size": len(body)})
			if exp, _ := time.Parse(time.RFC3339, up.str("expires_at")); time.Until(exp) > 15*time.Minute || up.json()["method"] != "PUT" {
				t.Fatalf("upload answer %s", up.body)
			}
			if strings.Contains(up.str("url"), "Holiday") {
				t.Fatal("the object key derives from the file name")
			}
			ann.must(409, "POST", "/api/v1/uploads/"+up.str("upload_id")+"/complete", nil) // nothing stored yet
			if code := ann.sendSigned(up, body); code/100 != 2 {
				t.Fatalf("PUT = %d", code)
			}
			bob.must(404, "POST", "/api/v1/uploads/"+up.str("upload_id")+"/complete", nil) // not his upload
			m := ann.must(201, "POST", "/api/v1/uploads/"+up.str("upload_id")+"/complete", nil).json()
			if m["status"] != "processing" || m["filename"] != `Holiday "pic".jpg` || m["kind"] != "photo" || m["size"] != float64(len(body)) {
				t.Fatalf("media %v", m)
			}
			again := ann.must(201, "POST", "/api/v1/uploads/"+up.str("upload_id")+"/complete", nil).json()
			if again["id"] != m["id"] {
				t.Fatal("completing twice made a second media item")
			}
			me := ann.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any)
			if me["daily_files_used"] != float64(1) || me["daily_bytes_used"] != float64(len(body)) || me["stored_bytes"] != float64(len(body)) {
				t.Fatalf("quota after one upload %v", me)
			}
			list := bob.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items()
			if len(list) != 1 || list[0]["id"] != m["id"] || list[0]["uploader"].(map[string]any)["name"] != "Ann" {
				t.Fatalf("gallery %v", list)
			}
			if g := bob.must(200, "GET", "/api/v1/groups/"+gid, nil).json(); g["media_count"] != float64(1) {
				t.Fatalf("media_count %v", g["media_count"])
			}
			full := bob.must(200, "GET", "/api/v1/media/"+m["id"].(string), nil).json()
			resp, got := download(t, full["original_url"].(string))
			if resp.StatusCode != 200 || !bytes.Equal(got, body) {
				t.Fatalf("original download = %d, %d bytes", resp.StatusCode, len(got))
			}
			if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''Holiday%20%22pic%22.jpg") {
				t.Fatalf("Content-Disposition %q", cd)
			}
			if resp.Header.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("Content-Type %q", resp.Header.Get("Content-Type"))
			}

			// Bob may not delete Ann's photo; Ann may. The object goes through a job.
			bob.must(403, "DELETE", "/api/v1/media/"+m["id"].(string), nil)
			bob.must(403, "DELETE", "/api/v1/media/"+m["id"].(string)+"/permanent", nil)
			ann.must(204, "DELETE", "/api/v1/media/"+m["id"].(string)+"/permanent", nil)
			bob.must(404, "GET", "/api/v1/media/"+m["id"].(string), nil)
			w := jobs.New(e.db, e.store, slogDiscard())
			for w.RunOne(context.Background()) {
			}
			key := "o/" + gid + "/" + up.str("upload_id")
			if _, err := e.store.Stat(context.Background(), key); err == nil {
				t.Fatal("the original survived its media's deletion")
			}
		})
	}
}

// Every refusal with its code, and nothing left behind: no row, no object, no
// quota used.
func TestUploadRefusalsLeaveNothing(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			e := sc.env(t, sqldbtest.Engines(t)[0], func(c *wmorycfg) { c.Limits.MaxPhotoBytes = 1 << 20 })
			ann, eve := e.signup("ann@example.com", "Ann"), e.signup("eve@example.com", "Eve")
			gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
			tables := []string{"media", "uploads", "quota_days"}
			state := func() map[string][]string {
				s := sqldbtest.Snapshot(t, e.dbURL, tables...)
				// Quota rows may exist at zero; what matters is what they hold.
				for i, q := range s["quota_days"] {
					s["quota_days"][i] = q[strings.Index(q, "bytes="):]
				}
				return s
			}
			auth := func(c *client, ct string, size int, name string) response {
				return c.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": name, "content_type": ct, "size": size})
			}
			for _, tc := range []struct {
				name   string
				r      func() response
				status int
				code   string
			}{
				{"svg", func() response { return auth(ann, "image/svg+xml", 100, "a.svg") }, 415, "unsupported_media_type"},
				{"html", func() response { return auth(ann, "text/html", 100, "a.html") }, 415, "unsupported_media_type"},
				{"octet-stream", func() response { return auth(ann, "application/octet-stream", 100, "a.heic.php") }, 415, "unsupported_media_type"},
				{"too large", func() response { return auth(ann, "image/jpeg", 1<<20+1, "a.jpg") }, 413, "file_too_large"},
				{"far too large", func() response { return auth(ann, "image/jpeg", 3<<20, "a.jpg") }, 413, "file_too_large"},
				{"size 0", func() response { return auth(ann, "image/jpeg", 0, "a.jpg") }, 400, "invalid_request"},
				{"control chars in name", func() response { return auth(ann, "image/jpeg", 10, "a\x00.jpg") }, 400, "invalid_request"},
				{"non-member", func() response { return auth(eve, "image/jpeg", 10, "a.jpg") }, 404, "not_found"},
				{"bad sha256", func() response {
					return ann.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "a.jpg", "content_type": "image/jpeg", "size": 10, "sha256": "xyz"})
				}, 400, "invalid_request"},
			} {
				before := state()
				r := tc.r()
				if r.status != tc.status || r.code() != tc.code {
					t.Errorf("%s: %d %s; want %d %s", tc.name, r.status, r.body, tc.status, tc.code)
				}
				if tc.name == "far too large" && !strings.Contains(string(r.body), `"This photo is 3.0 MB; photos can be at most 1.0 MB."`) {
					t.Errorf("%s: %s; want the sizes in words", tc.name, r.body)
				}
				if !reflect.DeepEqual(before, state()) {
					t.Errorf("%s changed the database", tc.name)
				}
			}

			// Refused at completion: the object is deleted (by the queued job) and
			// the reservation given back.
			png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...)
			for _, tc := range []struct {
				name string
				ct   string
				body []byte
			}{
				{"png declared as jpeg", "image/jpeg", png},
				{"html declared as jpeg", "image/jpeg", []byte("<html><script>alert(1)</script></html>")},
				{"not media at all", "image/png", bytes.Repeat([]byte("MZ"), 100)},
			} {
				id := ann.put(gid, "x", tc.ct, tc.body)
				r := ann.call("POST", "/api/v1/uploads/"+id+"/complete", nil)
				if r.status != 422 || r.code() != "upload_rejected" {
					t.Errorf("%s: complete = %d %s", tc.name, r.status, r.body)
				}
				if r := ann.call("POST", "/api/v1/uploads/"+id+"/complete", nil); r.status != 422 {
					t.Errorf("%s: second complete = %d", tc.name, r.status)
				}
			}
			w := jobs.New(e.db, e.store, slogDiscard())
			for w.RunOne(context.Background()) {
			}
			if b, f, _ := e.db.QuotaUsed(context.Background(), ann.userID); b != 0 || f != 0 {
				t.Errorf("quota after refusals: %d bytes, %d files; want 0", b, f)
			}
			if media := ann.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items(); len(media) != 0 {
				t.Errorf("refused uploads became media: %v", media)
			}
			assertNoObjects(t, e, gid)

			// A PUT of another length than declared never stores anything.
			up := ann.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "a.jpg", "content_type": "image/jpeg", "size": 500})
			if code := ann.sendSigned(up, tinyJPEG[:400]); code/100 == 2 {
				t.Errorf("short PUT accepted: %d", code)
			}
			ann.must(409, "POST", "/api/v1/uploads/"+up.str("upload_id")+"/complete", nil)
		})
	}
}

func assertNoObjects(t *testing.T, e *env, gid string) {
	t.Helper()
	rows := sqldbtest.Snapshot(t, e.dbURL, "uploads")["uploads"]
	for _, row := range rows {
		for _, f := range strings.Split(row, ";") {
			if key, ok := strings.CutPrefix(f, "object_key="); ok {
				if _, err := e.store.Stat(context.Background(), key); err == nil && !strings.Contains(row, "status=completed") {
					t.Errorf("object %s of a refused upload is still stored", key)
				}
			}
		}
	}
}

// A member removed between authorizing and completing (on the local store:
// before the bytes arrive, which completes the upload) cannot complete, and
// gets the reservation back.
func TestRemovedMemberCannotComplete(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	ann, bob := e.signup("ann@example.com", "Ann"), e.signup("bob@example.com", "Bob")
	gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	bob.must(200, "POST", "/api/v1/invites/"+ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")+"/accept", nil)
	up := bob.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "a.jpg", "content_type": "image/jpeg", "size": len(tinyJPEG)})
	ann.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+bob.userID, nil)
	bob.sendSigned(up, tinyJPEG)
	id := up.str("upload_id")
	bob.must(404, "POST", "/api/v1/uploads/"+id+"/complete", nil)
	if b, f, _ := e.db.QuotaUsed(context.Background(), bob.userID); b != 0 || f != 0 {
		t.Fatalf("quota kept: %d bytes %d files", b, f)
	}
}

// Uploads whose bytes never arrive expire: the cleanup ends them (deleting
// whatever object came too late) and gives the quota back. (Bytes that did
// arrive complete the upload; see TestUploadsFinishThemselves.)
func TestPendingUploadsExpire(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	ann := e.signup("ann@example.com", "Ann")
	gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	id := ann.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "a.jpg", "content_type": "image/jpeg", "size": len(tinyJPEG)}).str("upload_id")
	w := jobs.New(e.db, e.store, slogDiscard())
	w.Cleanup(context.Background())
	if b, f, _ := e.db.QuotaUsed(context.Background(), ann.userID); b != int64(len(tinyJPEG)) || f != 1 {
		t.Fatalf("cleanup ended a live upload: quota %d %d", b, f)
	}
	e.advance(2*wmory.UploadTTL + time.Second)
	w.Cleanup(context.Background())
	for w.RunOne(context.Background()) {
	}
	if b, f, _ := e.db.QuotaUsed(context.Background(), ann.userID); b != 0 || f != 0 {
		t.Fatalf("quota kept after expiry: %d %d", b, f)
	}
	if r := ann.call("POST", "/api/v1/uploads/"+id+"/complete", nil); r.status != 410 || r.code() != "upload_expired" {
		t.Fatalf("complete after expiry = %d %s", r.status, r.body)
	}
}

// 50 concurrent authorizations against a quota that allows 10 get exactly 10.
func TestQuotaUnderConcurrency(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng, func(c *wmorycfg) { c.Limits.DailyBytesLimit = 10_000 })
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := ann.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": fmt.Sprintf("%d.jpg", i), "content_type": "image/jpeg", "size": 1000})
				mu.Lock()
				codes[r.status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[201] != 10 || codes[429] != 40 {
			t.Fatalf("statuses %v; want 10×201 and 40×429\n%s", codes, grepLines(e.logs.String(), "ERROR"))
		}
		if b, f, _ := e.db.QuotaUsed(context.Background(), ann.userID); b != 10_000 || f != 10 {
			t.Fatalf("quota used %d bytes, %d files; want 10000 and 10", b, f)
		}
		r := ann.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "x.jpg", "content_type": "image/jpeg", "size": 1})
		if r.status != 429 || r.code() != "quota_exceeded" || r.header.Get("Retry-After") == "" || !strings.Contains(r.json()["error"].(map[string]any)["message"].(string), "resets at") {
			t.Fatalf("over quota = %d %s", r.status, r.body)
		}
	})
}

func TestAttachmentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"a.jpg":             `attachment; filename="a.jpg"; filename*=UTF-8''a.jpg`,
		"a\".html; x=.jpg":  `attachment; filename="a_.html_ x=.jpg"; filename*=UTF-8''a%22.html%3B%20x=.jpg`,
		"Zoë's photo.heic":  `attachment; filename="Zo_'s photo.heic"; filename*=UTF-8''Zo%C3%AB%27s%20photo.heic`,
		"line\r\nbreak.jpg": `attachment; filename="line__break.jpg"; filename*=UTF-8''line%0D%0Abreak.jpg`,
	} {
		if got := wmoryhttp.AttachmentDisposition(name); got != want {
			t.Errorf("AttachmentDisposition(%q) = %s; want %s", name, got, want)
		}
	}
}

func FuzzAttachmentDisposition(f *testing.F) {
	f.Add("a.jpg")
	f.Add("\"\r\n;%")
	f.Fuzz(func(t *testing.T, name string) {
		got := wmoryhttp.AttachmentDisposition(name)
		if strings.ContainsAny(got, "\r\n\x00") || strings.Count(got, `"`) != 2 {
			t.Fatalf("unsafe header value %q", got)
		}
	})
}

func TestGalleryPagesNewestFirst(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	ann := e.signup("ann@example.com", "Ann")
	gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	var ids []string
	for i := range 5 {
		ids = append(ids, ann.upload(gid, fmt.Sprintf("%d.jpg", i), "image/jpeg", tinyJPEG).str("id"))
	}
	var seen []string
	path := "/api/v1/groups/" + gid + "/media?limit=2"
	for pages := 0; ; pages++ {
		r := ann.must(200, "GET", path, nil)
		for _, it := range r.items() {
			seen = append(seen, it["id"].(string))
		}
		next := r.str("next_cursor")
		if next == "" {
			if pages != 2 {
				t.Fatalf("%d pages; want 3", pages+1)
			}
			break
		}
		path = "/api/v1/groups/" + gid + "/media?limit=2&cursor=" + next
	}
	for i := range ids {
		if seen[i] != ids[len(ids)-1-i] {
			t.Fatalf("order %v; want newest first %v", seen, ids)
		}
	}
}

// Deleting a group or an account removes its media's objects through jobs.
func TestGroupAndAccountDeletionRemoveObjects(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	ann, bob := e.signup("ann@example.com", "Ann"), e.signup("bob@example.com", "Bob")
	g1 := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G1"}).str("id")
	g2 := bob.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G2"}).str("id")
	ann.must(200, "POST", "/api/v1/invites/"+bob.must(201, "POST", "/api/v1/groups/"+g2+"/invites", nil).str("code")+"/accept", nil)
	ann.upload(g1, "a.jpg", "image/jpeg", tinyJPEG)
	keyOf := func(c *client, mid string) string {
		// The original's URL names its key; both stores put it in the path.
		u := c.must(200, "GET", "/api/v1/media/"+mid, nil).str("original_url")
		i := strings.Index(u, "o/")
		return u[i : i+2+26+1+26]
	}
	m1 := ann.must(200, "GET", "/api/v1/groups/"+g1+"/media", nil).items()[0]["id"].(string)
	key1 := keyOf(ann, m1)
	m2 := ann.upload(g2, "b.jpg", "image/jpeg", tinyJPEG).str("id")
	key2 := keyOf(ann, m2)
	ann.must(204, "DELETE", "/api/v1/groups/"+g1, nil)
	ann.must(204, "DELETE", "/api/v1/me", map[string]string{"password": goodPassword})
	w := jobs.New(e.db, e.store, slogDiscard())
	for w.RunOne(context.Background()) {
	}
	for _, k := range []string{key1, key2} {
		if _, err := e.store.Stat(context.Background(), k); err == nil {
			t.Errorf("%s survived the deletion", k)
		}
	}
	if items := bob.must(200, "GET", "/api/v1/groups/"+g2+"/media", nil).items(); len(items) != 0 {
		t.Errorf("the deleted account's media is still listed: %v", items)
	}
}

// With the object store down, authorization answers 503 storage_unavailable and
// reserves nothing; completion fails cleanly and works once the store is back.
func TestStorageOutage(t *testing.T) {
	gw := blobtest.StartVersityGW(t)
	gw.UseCredentials(t)
	gw.CreateBucket(t, "wmory")
	st, err := s3.New(context.Background(), s3.Config{Bucket: "wmory", Endpoint: gw.Endpoint, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWithStore(t, sqldbtest.Engines(t)[0], st)
	ann := e.signup("ann@example.com", "Ann")
	gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	id := ann.put(gid, "a.jpg", "image/jpeg", tinyJPEG)
	gw.Stop()
	e.advance(3 * time.Second) // past the cached health check
	before := sqldbtest.Snapshot(t, e.dbURL, "uploads", "quota_days", "media")
	r := ann.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "b.jpg", "content_type": "image/jpeg", "size": 10})
	if r.status != 503 || r.code() != "storage_unavailable" || r.header.Get("Retry-After") == "" {
		t.Fatalf("authorize with the store down = %d %s", r.status, r.body)
	}
	if r := ann.call("POST", "/api/v1/uploads/"+id+"/complete", nil); r.status != 503 || r.code() != "storage_unavailable" {
		t.Fatalf("complete with the store down = %d %s", r.status, r.body)
	}
	if !reflect.DeepEqual(before, sqldbtest.Snapshot(t, e.dbURL, "uploads", "quota_days", "media")) {
		t.Fatal("the outage changed the database")
	}
	if r := e.anon().call("GET", "/readyz", nil); r.status != 503 {
		t.Fatalf("readyz with the store down = %d", r.status)
	}
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A file the group already holds (by verified SHA-256) is refused before any
// quota is reserved; the store itself refuses bytes that do not match the
// declared hash.
func TestDuplicateUploads(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			e := sc.env(t, sqldbtest.Engines(t)[0])
			ann := e.signup("ann@example.com", "Ann")
			gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
			body := append(append([]byte{}, tinyJPEG...), "dedupe"...)
			sum := fmt.Sprintf("%x", sha256.Sum256(body))
			auth := func() response {
				return ann.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "a.jpg", "content_type": "image/jpeg", "size": len(body), "sha256": sum})
			}
			// Two uploads of the same file race; the first to complete wins.
			first, second := auth(), auth()
			if first.status != 201 || second.status != 201 {
				t.Fatalf("authorizations: %d %d", first.status, second.status)
			}
			wrong := append([]byte{}, body...)
			wrong[len(wrong)-1] ^= 1
			if code := ann.sendSigned(second, wrong); code/100 == 2 {
				t.Fatalf("bytes with another hash were stored: %d", code)
			}
			for _, up := range []response{first, second} {
				if code := ann.sendSigned(up, body); code/100 != 2 {
					t.Fatalf("PUT = %d", code)
				}
			}
			m := ann.must(201, "POST", "/api/v1/uploads/"+first.str("upload_id")+"/complete", nil).str("id")
			r := ann.call("POST", "/api/v1/uploads/"+second.str("upload_id")+"/complete", nil)
			if r.status != 409 || r.code() != "duplicate" || r.json()["media_id"] != m {
				t.Fatalf("second complete = %d %s", r.status, r.body)
			}
			before := sqldbtest.Snapshot(t, e.dbURL, "uploads", "quota_days")
			r = auth()
			if r.status != 409 || r.code() != "duplicate" || r.json()["media_id"] != m {
				t.Fatalf("authorizing a held file = %d %s", r.status, r.body)
			}
			if !reflect.DeepEqual(before, sqldbtest.Snapshot(t, e.dbURL, "uploads", "quota_days")) {
				t.Fatal("the duplicate reserved something")
			}
			if _, f, _ := e.db.QuotaUsed(context.Background(), ann.userID); f != 1 {
				t.Fatalf("%d files counted; want 1", f)
			}
			// Without a hash nothing is deduplicated.
			ann.upload(gid, "again.jpg", "image/jpeg", body)
		})
	}
}

// A client that gives up on an upload abandons it: the day's allowance is
// free again at once, its URL stores nothing more, and nothing stays.
func TestAbandonUpload(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	ann, bob := e.signup("ann@example.com", "Ann"), e.signup("bob@example.com", "Bob")
	gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	up := ann.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "a.jpg", "content_type": "image/jpeg", "size": len(tinyJPEG)})
	id := up.str("upload_id")
	if b, f, _ := e.db.QuotaUsed(context.Background(), ann.userID); b != int64(len(tinyJPEG)) || f != 1 {
		t.Fatalf("reserved: %d bytes %d files", b, f)
	}
	bob.must(404, "DELETE", "/api/v1/uploads/"+id, nil) // someone else's
	ann.must(204, "DELETE", "/api/v1/uploads/"+id, nil)
	if b, f, _ := e.db.QuotaUsed(context.Background(), ann.userID); b != 0 || f != 0 {
		t.Fatalf("quota after abandoning: %d bytes %d files", b, f)
	}
	ann.must(204, "DELETE", "/api/v1/uploads/"+id, nil) // again: nothing left to do
	if code := ann.sendSigned(up, tinyJPEG); code/100 == 2 {
		t.Errorf("the abandoned upload's URL still stores bytes: %d", code)
	}
	if r := ann.call("POST", "/api/v1/uploads/"+id+"/complete", nil); r.status != 410 || r.code() != "upload_expired" {
		t.Errorf("complete after abandoning = %d %s", r.status, r.body)
	}
	for w := e.worker(); w.RunOne(context.Background()); {
	}
	if orphans := e.orphans(); len(orphans) > 0 {
		t.Errorf("objects left behind: %v", orphans)
	}
	if n := len(ann.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items()); n != 0 {
		t.Errorf("%d media from an abandoned upload", n)
	}
	// An upload that became media is not abandoned: the item is deleted instead.
	done := ann.put(gid, "b.jpg", "image/jpeg", tinyJPEG)
	ann.must(201, "POST", "/api/v1/uploads/"+done+"/complete", nil)
	if r := ann.call("DELETE", "/api/v1/uploads/"+done, nil); r.status != 409 {
		t.Errorf("abandoning a completed upload = %d %s", r.status, r.body)
	}
	audit := ann.must(200, "GET", "/api/v1/groups/"+gid+"/audit", nil).items()
	found := false
	for _, a := range audit {
		found = found || a["action"] == "upload_abandon"
	}
	if !found {
		t.Errorf("no upload_abandon in the audit log: %v", audit)
	}
}

// The gallery narrows to one member's items, to photos or videos, to a span
// of capture times, or to named items (a client's look at what it shows as
// processing), in the gallery's order; a bad filter is a 400.
func TestGalleryFilters(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		ann, bob := e.signup("ann@example.com", "Ann"), e.signup("bob@example.com", "Bob")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		bob.must(200, "POST", "/api/v1/invites/"+ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")+"/accept", nil)
		// An MP4's opening is enough for the store's checks; nobody processes it here.
		clip := append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), make([]byte, 200)...)
		a1 := ann.upload(gid, "a1.jpg", "image/jpeg", tinyJPEG).str("id")
		e.advance(time.Hour)
		middle := e.now().Add(-time.Minute).UTC().Format(time.RFC3339)
		b1 := bob.upload(gid, "b1.mp4", "video/mp4", clip).str("id")
		e.advance(time.Hour)
		a2 := ann.upload(gid, "a2.jpg", "image/jpeg", append(tinyJPEG[:len(tinyJPEG):len(tinyJPEG)], 0)).str("id")

		gallery := func(query string) []string {
			t.Helper()
			var ids []string
			for _, it := range ann.must(200, "GET", "/api/v1/groups/"+gid+"/media?"+query, nil).items() {
				ids = append(ids, it["id"].(string))
			}
			return ids
		}
		for query, want := range map[string][]string{
			"uploader=" + ann.userID:                       {a2, a1},
			"uploader=" + bob.userID:                       {b1},
			"kind=video":                                   {b1},
			"kind=photo&uploader=" + ann.userID:            {a2, a1},
			"since=" + url.QueryEscape(middle):             {a2, b1},
			"until=" + url.QueryEscape(middle):             {a1},
			"ids=" + a1 + "," + b1:                         {b1, a1},
			"ids=" + a2 + "&limit=1":                       {a2},
			"uploader=" + ann.userID + "&kind=video":       nil,
			"uploader=" + strings.Repeat("0", 26) + "&x=1": nil,
		} {
			if got := gallery(query); !slices.Equal(got, want) {
				t.Errorf("gallery?%s = %v; want %v", query, got, want)
			}
		}
		// Paging keeps the filter: one page at a time, the same items.
		p := ann.must(200, "GET", "/api/v1/groups/"+gid+"/media?uploader="+ann.userID+"&limit=1", nil)
		if items := p.items(); len(items) != 1 || items[0]["id"] != a2 || p.str("next_cursor") == "" {
			t.Fatalf("first page = %s", p.body)
		}
		if items := ann.must(200, "GET", "/api/v1/groups/"+gid+"/media?uploader="+ann.userID+"&limit=1&cursor="+p.str("next_cursor"), nil).items(); len(items) != 1 || items[0]["id"] != a1 {
			t.Fatalf("second page = %v", items)
		}
		for _, bad := range []string{"uploader=ann", "kind=audio", "since=yesterday", "ids=" + a1 + ",x", "ids=" + strings.TrimSuffix(strings.Repeat(a1+",", 101), ",")} {
			if r := ann.call("GET", "/api/v1/groups/"+gid+"/media?"+bad, nil); r.status != 400 || r.code() != "invalid_request" {
				t.Errorf("gallery?%.60s = %d %s; want 400 invalid_request", bad, r.status, r.body)
			}
		}
	})
}

// The months of a gallery, as the cameras' calendars had them (a photo taken
// at half past midnight on 1 March in Athens is March's, though it was still
// February in UTC), newest first, with how many items each holds.
func TestGalleryMonths(t *testing.T) {
	imaging.Start()
	camera, err := os.ReadFile(filepath.Join("..", "imaging", "testdata", "camera.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	taken := func(wall, offset string) []byte {
		out, err := imagingtest.WithCaptureTime(camera, wall, offset)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	photos := [][]byte{
		taken("2026:03:01 00:30:00", "+02:00"), // 28 February, 22:30 UTC
		taken("2026:02:27 12:00:00", ""),
		taken("2025:12:31 23:00:00", "-05:00"), // 1 January, 04:00 UTC
	}
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		ann, bob := e.signup("ann@example.com", "Ann"), e.signup("bob@example.com", "Bob")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		for i, p := range photos {
			ann.upload(gid, fmt.Sprintf("%d.jpg", i), "image/jpeg", p)
		}
		e.processMedia()
		months := ann.must(200, "GET", "/api/v1/groups/"+gid+"/media/months", nil).items()
		var got []string
		for _, m := range months {
			got = append(got, fmt.Sprintf("%v:%v", m["month"], m["count"]))
		}
		if want := []string{"2026-03:1", "2026-02:1", "2025-12:1"}; !slices.Equal(got, want) {
			t.Fatalf("months = %v; want %v", got, want)
		}
		// Jumping to February: the gallery from the end of that month on.
		until := url.QueryEscape("2026-03-01T00:00:00Z")
		if n := len(ann.must(200, "GET", "/api/v1/groups/"+gid+"/media?until="+until, nil).items()); n != 3 {
			t.Fatalf("%d items taken before March (UTC); want 3", n)
		}
		bob.must(404, "GET", "/api/v1/groups/"+gid+"/media/months", nil)
	})
}
