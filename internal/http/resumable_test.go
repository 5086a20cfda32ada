package http_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// resumableEnv is the pairing the tests of resumable uploads run on: SQLite
// with the local store, the database servers with S3 (versitygw).
func resumableEnv(t *testing.T, eng sqldbtest.Engine) *env {
	if eng.Dialect == sqldb.SQLite {
		return stores[0].env(t, eng)
	}
	return stores[1].env(t, eng)
}

// bigJPEG is a file of about three parts that starts like a JPEG.
func bigJPEG(t *testing.T) []byte {
	b := make([]byte, 2*wmory.PartSize+1000)
	rand.Read(b)
	copy(b, tinyJPEG[:16])
	return b
}

// sendPart PUTs one part to its signed URL as a phone would; it returns the
// status, 0 when the store hung up.
func sendPart(t *testing.T, part map[string]any, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(part["method"].(string), part["url"].(string), bytes.NewReader(body))
	for k, v := range part["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func part(file []byte, n int) []byte {
	return file[(n-1)*wmory.PartSize : min(len(file), n*wmory.PartSize)]
}

// signParts asks for the URLs of parts and returns them by number.
func (c *client) signParts(uploadID string, numbers ...int) map[int]map[string]any {
	c.e.t.Helper()
	out := map[int]map[string]any{}
	for _, p := range c.must(200, "POST", "/api/v1/uploads/"+uploadID+"/parts", map[string]any{"numbers": numbers}).json()["parts"].([]any) {
		m := p.(map[string]any)
		out[int(m["number"].(float64))] = m
	}
	return out
}

func (c *client) authorizeResumable(gid string, file []byte, extra map[string]any) response {
	c.e.t.Helper()
	body := map[string]any{"filename": "big.jpg", "content_type": "image/jpeg", "size": len(file), "resumable": true}
	for k, v := range extra {
		body[k] = v
	}
	return c.must(201, "POST", "/api/v1/groups/"+gid+"/uploads", body)
}

func (e *env) multipartsLeft() []blob.Multipart {
	e.t.Helper()
	var left []blob.Multipart
	if err := e.store.ListMultiparts(context.Background(), wmory.UploadPrefix, func(m blob.Multipart) error {
		left = append(left, m)
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	return left
}

// A large file in parts: refused parts and requests, a client that dies
// midway and a new one that sends only what is missing, three completions at
// once that make one item, byte for byte.
func TestResumableUpload(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := resumableEnv(t, eng)
		ann, bob := e.signup("ann@example.com", "Ann"), e.signup("bob@example.com", "Bob")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		bob.must(200, "POST", "/api/v1/invites/"+ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")+"/accept", nil)
		file := bigJPEG(t)

		up := ann.authorizeResumable(gid, file, nil).json()
		id := up["upload_id"].(string)
		if up["resumable"] != true || up["part_size"] != float64(wmory.PartSize) || up["part_count"] != float64(3) || up["url"] != nil {
			t.Fatalf("authorization %v", up)
		}
		if q := ann.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any); q["daily_bytes_used"] != float64(len(file)) {
			t.Fatalf("the allowance is not reserved: %v", q)
		}
		for _, bad := range []any{[]int{0}, []int{4}, []int{}, make([]int, 101)} {
			if r := ann.call("POST", "/api/v1/uploads/"+id+"/parts", map[string]any{"numbers": bad}); r.status != 400 {
				t.Errorf("parts %v = %d; want 400", bad, r.status)
			}
		}
		// Someone else's upload is not there for Bob.
		bob.must(404, "POST", "/api/v1/uploads/"+id+"/parts", map[string]any{"numbers": []int{1}})
		bob.must(404, "GET", "/api/v1/uploads/"+id, nil)
		bob.must(404, "POST", "/api/v1/uploads/"+id+"/complete", nil)

		urls := ann.signParts(id, 1, 2, 3)
		if code := sendPart(t, urls[1], part(file, 1)[:wmory.PartSize-1]); code/100 == 2 {
			t.Fatalf("a part one byte short = %d; want refused", code)
		}
		for _, n := range []int{1, 3} { // then the phone died
			if code := sendPart(t, urls[n], part(file, n)); code/100 != 2 {
				t.Fatalf("part %d = %d", n, code)
			}
		}
		r := ann.call("POST", "/api/v1/uploads/"+id+"/complete", nil)
		if r.status != 409 || r.code() != "upload_missing" || fmt.Sprint(r.json()["missing"]) != "[2]" {
			t.Fatalf("complete with part 2 missing = %d %s", r.status, r.body)
		}

		// The app, opened again on another device session, resumes.
		again := e.login("ann@example.com", goodPassword)
		progress := again.must(200, "GET", "/api/v1/uploads/"+id, nil).json()
		var done []int
		for _, p := range progress["parts_done"].([]any) {
			done = append(done, int(p.(map[string]any)["number"].(float64)))
		}
		if progress["status"] != "pending" || progress["resumable"] != true || !slices.Equal(done, []int{1, 3}) {
			t.Fatalf("progress %v", progress)
		}
		if code := sendPart(t, again.signParts(id, 2)[2], part(file, 2)); code/100 != 2 {
			t.Fatalf("part 2 = %d", code)
		}
		var wg sync.WaitGroup
		results := make([]response, 3)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = again.call("POST", "/api/v1/uploads/"+id+"/complete", nil)
			}()
		}
		wg.Wait()
		mid := ""
		for _, r := range results {
			if r.status != 201 {
				t.Fatalf("a concurrent complete = %d %s", r.status, r.body)
			}
			if mid != "" && r.str("id") != mid {
				t.Fatalf("concurrent completes made %s and %s", mid, r.str("id"))
			}
			mid = r.str("id")
		}
		if items := ann.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items(); len(items) != 1 || items[0]["size"] != float64(len(file)) {
			t.Fatalf("the gallery %v", items)
		}
		if _, got := download(t, ann.must(200, "GET", "/api/v1/media/"+mid, nil).str("original_url")); !bytes.Equal(got, file) {
			t.Fatal("the original differs from the file sent in parts")
		}
		if p := ann.must(200, "GET", "/api/v1/uploads/"+id, nil).json(); p["status"] != "completed" || p["media_id"] != mid || len(p["parts_done"].([]any)) != 0 {
			t.Fatalf("progress after completion %v", p)
		}
		if r := ann.call("POST", "/api/v1/uploads/"+id+"/parts", map[string]any{"numbers": []int{1}}); r.status != 409 {
			t.Fatalf("parts of a completed upload = %d", r.status)
		}
		// An upload sent in one PUT has no parts.
		single := ann.put(gid, "small.jpg", "image/jpeg", append(tinyJPEG[:len(tinyJPEG):len(tinyJPEG)], 1))
		if r := ann.call("POST", "/api/v1/uploads/"+single+"/parts", map[string]any{"numbers": []int{1}}); r.status != 400 {
			t.Fatalf("parts of a single upload = %d", r.status)
		}
		e.runJobs()
		if left := e.orphans(); len(left) != 0 {
			t.Fatalf("objects left: %v", left)
		}
		if left := e.multipartsLeft(); len(left) != 0 {
			t.Fatalf("multipart uploads left: %v", left)
		}
	})
}

// Resumable uploads that end without an item leave nothing: abandoned,
// expired, refused for their hash, or refused before they began; and a
// declared hash, verified, makes the next copy a duplicate.
func TestResumableUploadsLeaveNothingBehind(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := resumableEnv(t, eng)
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		file := bigJPEG(t)
		used := func() any {
			return ann.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any)["daily_bytes_used"]
		}
		clean := func(when string) {
			t.Helper()
			e.runJobs()
			if used() != float64(0) {
				t.Fatalf("%s: %v bytes of the allowance still used", when, used())
			}
			if left := e.orphans(); len(left) != 0 {
				t.Fatalf("%s: objects left %v", when, left)
			}
			if left := e.multipartsLeft(); len(left) != 0 {
				t.Fatalf("%s: multipart uploads left %v", when, left)
			}
		}

		// Abandoned: a part URL signed before no longer stores anything.
		id := ann.authorizeResumable(gid, file, nil).str("upload_id")
		urls := ann.signParts(id, 1, 2)
		sendPart(t, urls[1], part(file, 1))
		ann.must(204, "DELETE", "/api/v1/uploads/"+id, nil)
		ann.must(410, "POST", "/api/v1/uploads/"+id+"/parts", map[string]any{"numbers": []int{2}})
		if code := sendPart(t, urls[2], part(file, 2)); code/100 == 2 && eng.Dialect == sqldb.SQLite {
			t.Fatalf("a part after the upload was abandoned = %d", code)
		}
		clean("abandoned")

		// Expired after a day.
		id = ann.authorizeResumable(gid, file, nil).str("upload_id")
		sendPart(t, ann.signParts(id, 3)[3], part(file, 3))
		e.advance(wmory.ResumableTTL + time.Minute)
		e.worker().Cleanup(context.Background())
		ann.must(410, "POST", "/api/v1/uploads/"+id+"/complete", nil)
		clean("expired")

		// A declared hash the assembled file does not have.
		other := sha256.Sum256([]byte("another file"))
		id = ann.authorizeResumable(gid, file, map[string]any{"sha256": hex.EncodeToString(other[:])}).str("upload_id")
		urls = ann.signParts(id, 1, 2, 3)
		for n := 1; n <= 3; n++ {
			sendPart(t, urls[n], part(file, n))
		}
		if r := ann.call("POST", "/api/v1/uploads/"+id+"/complete", nil); r.status != 422 || r.code() != "upload_rejected" {
			t.Fatalf("complete with another hash = %d %s", r.status, r.body)
		}
		clean("refused for its hash")

		// Refused before anything began: a type not allowed, an allowance spent.
		if r := ann.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "a.pdf", "content_type": "application/pdf", "size": 10, "resumable": true}); r.status != 415 {
			t.Fatalf("a PDF = %d", r.status)
		}
		if r := ann.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "huge.mp4", "content_type": "video/mp4", "size": 5 << 30, "resumable": true}); r.status != 413 {
			t.Fatalf("a video over the limit = %d", r.status)
		}
		// Over the day's allowance: refused after the store began its
		// multipart upload, which goes again.
		root := e.instanceAdmin()
		root.must(200, "PATCH", "/api/v1/admin/users/"+ann.userID+"/limits", map[string]any{"daily_bytes_limit": wmory.PartSize})
		if r := ann.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "big.jpg", "content_type": "image/jpeg", "size": len(file), "resumable": true}); r.status != 429 {
			t.Fatalf("over the allowance = %d", r.status)
		}
		root.must(200, "PATCH", "/api/v1/admin/users/"+ann.userID+"/limits", map[string]any{"daily_bytes_limit": nil})
		clean("refused at authorization")

		// The right hash: the item is a source of duplicates from then on.
		sum := sha256.Sum256(file)
		id = ann.authorizeResumable(gid, file, map[string]any{"sha256": hex.EncodeToString(sum[:])}).str("upload_id")
		urls = ann.signParts(id, 1, 2, 3)
		for n := 1; n <= 3; n++ {
			sendPart(t, urls[n], part(file, n))
		}
		mid := ann.must(201, "POST", "/api/v1/uploads/"+id+"/complete", nil).str("id")
		r := ann.call("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "again.jpg", "content_type": "image/jpeg", "size": len(file), "sha256": hex.EncodeToString(sum[:]), "resumable": true})
		if r.status != 409 || r.code() != "duplicate" || r.str("media_id") != mid {
			t.Fatalf("the same file again = %d %s", r.status, r.body)
		}
		if left := e.multipartsLeft(); len(left) != 0 {
			t.Fatalf("a refused duplicate began a multipart upload: %v", left)
		}
	})
}

// The reconciliation of stores aborts multipart uploads that belong to no
// pending upload: parts a lost abort or a failed authorization left.
func TestReconcileAbortsOrphanParts(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			e := sc.env(t, sqldbtest.Engines(t)[0])
			ann := e.signup("ann@example.com", "Ann")
			gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
			live := ann.authorizeResumable(gid, bigJPEG(t), nil).str("upload_id")
			orphan := wmory.UploadPrefix + gid + "/" + wmory.NewID(time.Now())
			if _, err := e.store.CreateMultipart(context.Background(), orphan, "image/jpeg"); err != nil {
				t.Fatal(err)
			}
			e.advance(2 * time.Minute)
			if _, err := e.worker().Reconcile(context.Background()); err != nil {
				t.Fatal(err)
			}
			left := e.multipartsLeft()
			if len(left) != 1 || left[0].Key == orphan {
				t.Fatalf("after reconciliation %v; want the live upload's only", left)
			}
			ann.must(200, "POST", "/api/v1/uploads/"+live+"/parts", map[string]any{"numbers": []int{1}})
		})
	}
}
