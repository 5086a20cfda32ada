package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/sqldb"

	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/imaging/imagingtest"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
	"github.com/wmory/wmory/internal/testtools"
)

// fetchZIP downloads a ZIP with a plain GET (no session: the link is the
// credential) and opens it with Go's reader and Debian's unzip -t.
func fetchZIP(t *testing.T, e *env, url string, header http.Header) (*zip.Reader, http.Header) {
	t.Helper()
	// Links are built from the instance's base URL; the test's server is elsewhere.
	url = strings.Replace(url, "http://wmory.test", e.srv.URL, 1)
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("GET %s = %d %s %.300s", url, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	r, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "d.zip")
	os.WriteFile(path, body, 0o600)
	if out, err := exec.Command("unzip", "-t", path).CombinedOutput(); err != nil || !strings.Contains(string(out), "No errors detected") {
		t.Fatalf("unzip -t: %v\n%s", err, out)
	}
	return r, resp.Header
}

func zipped(t *testing.T, r *zip.Reader) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc) // checks the CRC too
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	return out
}

// ZIP downloads of a group, a selection and an album, and an account's
// export: the originals as uploaded, in folders by day (the camera's), with
// unique names; never trashed, failed or (for members) hidden items; a link
// that works without a session for its hour, for a member only.
func TestDownloads(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Lisbon: 2026"}).str("id")
		bea := e.signup("bea@example.com", "Bea")
		bea.must(200, "POST", "/api/v1/invites/"+ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")+"/accept", nil)
		camera, err := os.ReadFile("../imaging/testdata/camera.jpg")
		if err != nil {
			t.Fatal(err)
		}
		imaging.Start() // as a worker does, before images are made here
		shot := func(wall, offset string, n int) []byte {
			b, err := imagingtest.WithCaptureTime(camera, wall, offset)
			if err != nil {
				t.Fatal(err)
			}
			return append(b, fmt.Sprint(n)...)
		}
		bytesOf := map[string][]byte{}
		up := func(c *client, name string, body []byte) string {
			id := c.upload(gid, name, "image/jpeg", body).str("id")
			bytesOf[id] = body
			return id
		}
		first := up(ann, "IMG_0001.jpg", shot("2026:04:17 19:01:00", "+02:00", 1))
		second := up(bea, "IMG_0001.jpg", shot("2026:04:17 23:30:00", "-04:00", 2)) // the 18th in Lisbon, the 17th where it was taken
		third := up(ann, "Café ☕.jpg", shot("2026:04:18 08:00:00", "+01:00", 3))
		trashed := up(ann, "trashed.jpg", shot("2026:04:18 09:00:00", "+01:00", 4))
		hidden := up(ann, "hidden.jpg", shot("2026:04:18 10:00:00", "+01:00", 5))
		failed := ann.upload(gid, "broken.mp4", "video/mp4", append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), make([]byte, 200)...)).str("id")
		e.processMedia()
		if m := ann.must(200, "GET", "/api/v1/media/"+failed, nil).json(); m["status"] != "failed" {
			t.Fatalf("the broken video is %v", m["status"])
		}
		ann.must(204, "DELETE", "/api/v1/media/"+trashed, nil)
		ann.must(200, "PATCH", "/api/v1/groups/"+gid, map[string]int{"auto_hide_reports": 1})
		bea.must(201, "POST", "/api/v1/media/"+hidden+"/reports", map[string]string{"reason": "other"})

		// The whole group, for Bea: the hidden item is not hers to see.
		d := bea.must(201, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{}).json()
		if d["count"] != float64(3) || d["bytes"] != float64(len(bytesOf[first])+len(bytesOf[second])+len(bytesOf[third])) {
			t.Fatalf("download %v", d)
		}
		r, h := fetchZIP(t, e, d["url"].(string), nil)
		if !strings.Contains(h.Get("Content-Disposition"), "filename*=UTF-8''Lisbon_%202026.zip") {
			t.Fatalf("Content-Disposition %q", h.Get("Content-Disposition"))
		}
		got := zipped(t, r)
		want := map[string]string{
			"Lisbon_ 2026/2026-04-17/IMG_0001.jpg":     first,
			"Lisbon_ 2026/2026-04-17/IMG_0001 (2).jpg": second,
			"Lisbon_ 2026/2026-04-18/Café ☕.jpg":       third,
		}
		if len(got) != len(want) {
			t.Fatalf("entries %v", slices.Sorted(mapKeys(got)))
		}
		for name, id := range want {
			if !bytes.Equal(got[name], bytesOf[id]) {
				t.Errorf("%s: %d bytes, not the original's %d", name, len(got[name]), len(bytesOf[id]))
			}
		}
		for _, f := range r.File {
			if f.Name == "Lisbon_ 2026/2026-04-17/IMG_0001 (2).jpg" && f.Modified.Format("2006-01-02 15:04") != "2026-04-17 23:30" {
				t.Errorf("%s modified %v; want the camera's clock", f.Name, f.Modified)
			}
		}
		// The owner sees the hidden item, so her archive has it.
		d = ann.must(201, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{}).json()
		if d["count"] != float64(4) {
			t.Fatalf("the owner's download %v", d)
		}

		// A selection, and an album; nothing outside what one sees.
		for _, bad := range [][]string{{first, trashed}, {first, failed}, {first, hidden}, {"nope"}} {
			if r := bea.call("POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{"media_ids": bad}); r.status != 400 {
				t.Fatalf("selection %v = %d %s", bad, r.status, r.body)
			}
		}
		d = bea.must(201, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{"media_ids": []string{third, first}}).json()
		r, _ = fetchZIP(t, e, d["url"].(string), nil)
		if names := slices.Sorted(mapKeys(zipped(t, r))); fmt.Sprint(names) != "[Lisbon_ 2026/2026-04-17/IMG_0001.jpg Lisbon_ 2026/2026-04-18/Café ☕.jpg]" {
			t.Fatalf("selection holds %q", names)
		}
		aid := bea.must(201, "POST", "/api/v1/groups/"+gid+"/albums", map[string]string{"name": "Evening"}).str("id")
		bea.must(200, "POST", "/api/v1/albums/"+aid+"/media", map[string]any{"media_ids": []string{second}})
		d = bea.must(201, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{"album_id": aid}).json()
		r, _ = fetchZIP(t, e, d["url"].(string), nil)
		if names := slices.Sorted(mapKeys(zipped(t, r))); fmt.Sprint(names) != "[Lisbon_ 2026 - Evening/IMG_0001.jpg]" {
			t.Fatalf("album holds %q", names)
		}
		bea.must(400, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{"album_id": aid, "media_ids": []string{first}})
		bea.must(404, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{"album_id": "01aaaaaaaaaaaaaaaaaaaaaaaa"})

		// A link is dead once its hour is over, or its member gone.
		link := bea.must(201, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{}).str("url")
		path := strings.TrimPrefix(link, "http://wmory.test")
		e.advance(61 * time.Minute)
		if r := e.anon().call("GET", path, nil); r.status != 400 || r.code() != "invalid_token" {
			t.Fatalf("an expired link = %d %s", r.status, r.body)
		}
		link = bea.must(201, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{}).str("url")
		bea.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/me", nil)
		if r := e.anon().call("GET", strings.TrimPrefix(link, "http://wmory.test"), nil); r.status != 400 {
			t.Fatalf("a former member's link = %d %s", r.status, r.body)
		}
		e.anon().must(400, "GET", "/api/v1/downloads/made-up", nil)

		// Ann's export: her originals by group and day, and the index.
		ann.must(201, "POST", "/api/v1/media/"+first+"/comments", map[string]string{"text": "Golden hour"})
		req := e.srv.URL + "/api/v1/me/export"
		r, _ = fetchZIP(t, e, req, http.Header{"Authorization": {"Bearer " + ann.token}})
		files := zipped(t, r)
		var index struct {
			Account  struct{ Email string }
			Groups   []struct{ Name string }
			Media    []struct{ ID, Path string }
			Comments []struct{ Text string }
		}
		if err := json.Unmarshal(files["wmory export/wmory-export.json"], &index); err != nil {
			t.Fatalf("index: %v (%v)", err, slices.Sorted(mapKeys(files)))
		}
		if index.Account.Email != "ann@example.com" || len(index.Groups) != 1 || len(index.Media) != 3 || len(index.Comments) != 1 || index.Comments[0].Text != "Golden hour" {
			t.Fatalf("index %+v", index)
		}
		for _, m := range index.Media {
			if !bytes.Equal(files[m.Path], bytesOf[m.ID]) && m.ID != hidden {
				t.Errorf("%s at %s is not its original", m.ID, m.Path)
			}
			if m.ID == trashed || m.ID == second {
				t.Errorf("the export holds %s", m.ID)
			}
		}
		e.anon().must(401, "GET", "/api/v1/me/export", nil)

		// An original gone from the store behind wmory's back, once the archive
		// has begun: the download is cut, never a shorter archive that looks whole.
		var key string
		for _, row := range sqldbtest.Snapshot(t, e.dbURL, "media")["media"] {
			if strings.Contains(row, "id="+third+";") {
				key = strings.SplitN(strings.SplitN(row, "object_key=", 2)[1], ";", 2)[0]
			}
		}
		if err := e.store.Delete(t.Context(), key); err != nil {
			t.Fatal(err)
		}
		link = ann.must(201, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{}).str("url")
		resp, err := http.Get(strings.Replace(link, "http://wmory.test", e.srv.URL, 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(resp.Body); err == nil {
			t.Fatalf("a download missing an original ended as if whole (status %d)", resp.StatusCode)
		}
		resp.Body.Close()
	})
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// A client that goes away halfway through a download leaves nothing behind:
// no goroutine of the request, no object left open in the store (files of
// the local store; response bodies of S3, counted as the store hands them out).
func TestDownloadAbandoned(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		var store *countingStore
		var e *env
		if eng.Dialect == sqldb.SQLite {
			e = newEnv(t, eng)
		} else {
			store = &countingStore{Store: s3Store(t)}
			e = newEnvWithStore(t, eng, store)
		}
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Big"}).str("id")
		// Larger together than the sockets' buffers: the server is still
		// writing when the client leaves. Nobody processes them: they stay
		// "processing", which archives include.
		for i := range 24 {
			ann.upload(gid, fmt.Sprintf("%02d.jpg", i), "image/jpeg", append(tinyJPEG[:len(tinyJPEG):len(tinyJPEG)], bytes.Repeat([]byte{byte(i)}, 2<<20)...))
		}
		link := ann.must(201, "POST", "/api/v1/groups/"+gid+"/downloads", map[string]any{}).str("url")
		url := e.srv.URL + strings.TrimPrefix(link, "http://wmory.test")
		runtime.GC()
		goroutines, fds := requestGoroutines(), openFiles(t)

		transport := &http.Transport{DisableKeepAlives: true}
		resp, err := (&http.Client{Transport: transport}).Get(url)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(io.Discard, resp.Body, 4<<20); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // halfway: the connection is cut
		transport.CloseIdleConnections()

		settled := testtools.Until(10*time.Second, func() bool {
			return requestGoroutines() <= goroutines && (store != nil || openFiles(t) <= fds) && (store == nil || store.open.Load() == 0)
		})
		if !settled {
			buf := make([]byte, 1<<16)
			t.Fatalf("after the client left: %d goroutines (%d before), %d open files (%d before), %v objects open\n%s",
				requestGoroutines(), goroutines, openFiles(t), fds, store, buf[:runtime.Stack(buf, true)])
		}
		if store != nil && store.opened.Load() < 2 {
			t.Fatalf("the archive opened %d objects: the client left before it began", store.opened.Load())
		}
		// And the server still answers.
		ann.must(200, "GET", "/api/v1/groups/"+gid, nil)
	})
}

// requestGoroutines counts this process's goroutines but for the idle
// connections of HTTP clients' pools (the S3 client keeps some, as it should).
func requestGoroutines() int {
	buf := make([]byte, 1<<20)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if !strings.Contains(g, "net/http.(*persistConn)") {
			n++
		}
	}
	return n
}

// countingStore counts the objects it opened and those still open.
type countingStore struct {
	blob.Store
	open, opened atomic.Int64
}

func (s *countingStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := s.Store.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	s.open.Add(1)
	s.opened.Add(1)
	return &countedReader{ReadCloser: rc, open: &s.open}, nil
}

func (s *countingStore) String() string { return fmt.Sprint(s.open.Load()) }

type countedReader struct {
	io.ReadCloser
	open *atomic.Int64
	once sync.Once
}

func (r *countedReader) Close() error {
	r.once.Do(func() { r.open.Add(-1) })
	return r.ReadCloser.Close()
}

// openFiles counts this process's open file descriptors (sockets included).
func openFiles(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
