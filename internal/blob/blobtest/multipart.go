package blobtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/blob"
)

// MinPartSize is the smallest part S3 takes but for the last.
const MinPartSize = 5 << 20

// runMultipart checks multipart uploads: parts sent in any order, each
// exactly as long as signed, resumed from what the store lists, assembled
// into one object; aborted without a trace.
func runMultipart(t *testing.T, newStore func(t *testing.T) Clocked, key func() string) {
	ctx := context.Background()
	const ttl = time.Hour
	sendPart := func(t *testing.T, s blob.Store, k, id string, n int, body []byte) int {
		t.Helper()
		req, err := s.PresignPart(ctx, k, id, n, int64(len(body)), ttl)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := put(t, req, body, nil)
		return code
	}
	numbers := func(parts []blob.Part) []int {
		var out []int
		for _, p := range parts {
			out = append(out, p.Number)
		}
		return out
	}

	t.Run("a multipart upload is resumed from the parts stored and assembled", func(t *testing.T) {
		s := newStore(t)
		k := key()
		body := random(2*MinPartSize + 1000)
		chunks := [][]byte{body[:MinPartSize], body[MinPartSize : 2*MinPartSize], body[2*MinPartSize:]}
		id, err := s.CreateMultipart(ctx, k, "video/mp4")
		if err != nil {
			t.Fatal(err)
		}
		// The client sent parts 3 and 2, then lost its connection.
		for _, n := range []int{3, 2} {
			if code := sendPart(t, s, k, id, n, chunks[n-1]); code/100 != 2 {
				t.Fatalf("part %d = %d", n, code)
			}
		}
		// A part of another length than signed is refused, and changes nothing.
		req, _ := s.PresignPart(ctx, k, id, 1, MinPartSize, ttl)
		if code, _ := put(t, req, chunks[0][:MinPartSize-1], nil); code/100 == 2 {
			t.Fatalf("a short part = %d; want refused", code)
		}
		parts, err := s.ListParts(ctx, k, id)
		if err != nil || !slices.Equal(numbers(parts), []int{2, 3}) || parts[1].Size != 1000 {
			t.Fatalf("parts stored %+v, %v; want 2 and 3", parts, err)
		}
		assertAbsent(t, s, k)
		// A new client sends what is missing, and a part again (it replaces it).
		for _, n := range []int{1, 3} {
			if code := sendPart(t, s, k, id, n, chunks[n-1]); code/100 != 2 {
				t.Fatalf("part %d = %d", n, code)
			}
		}
		parts, _ = s.ListParts(ctx, k, id)
		if !slices.Equal(numbers(parts), []int{1, 2, 3}) {
			t.Fatalf("parts %v", numbers(parts))
		}
		if err := s.CompleteMultipart(ctx, k, id, parts); err != nil {
			t.Fatal(err)
		}
		info, err := s.Stat(ctx, k)
		if err != nil || info.Size != int64(len(body)) {
			t.Fatalf("assembled %+v, %v", info, err)
		}
		rc, err := s.Open(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, body) {
			t.Fatal("the assembled object differs from the parts in order")
		}
		if _, err := s.ListParts(ctx, k, id); !errors.Is(err, blob.ErrNoUpload) {
			t.Fatalf("ListParts after completion = %v; want ErrNoUpload", err)
		}
		// A second completion (a client's retry, a concurrent one) finds
		// the upload gone, or completes it again to the same object.
		if err := s.CompleteMultipart(ctx, k, id, parts); err != nil && !errors.Is(err, blob.ErrNoUpload) {
			t.Fatalf("a second completion = %v; want nil or ErrNoUpload", err)
		}
		if again, _ := s.Stat(ctx, k); again.Size != info.Size {
			t.Fatalf("after a second completion the object is %+v", again)
		}
		s.ListMultiparts(ctx, k, func(m blob.Multipart) error {
			t.Errorf("still in progress: %+v", m)
			return nil
		})
	})

	t.Run("an aborted multipart upload leaves nothing", func(t *testing.T) {
		s := newStore(t)
		k := key()
		id, err := s.CreateMultipart(ctx, k, "video/mp4")
		if err != nil {
			t.Fatal(err)
		}
		late, _ := s.PresignPart(ctx, k, id, 2, 10, ttl)
		if code := sendPart(t, s, k, id, 1, random(MinPartSize)); code/100 != 2 {
			t.Fatalf("part = %d", code)
		}
		var found []blob.Multipart
		s.ListMultiparts(ctx, strings.Split(k, "/")[0]+"/", func(m blob.Multipart) error {
			if m.Key == k {
				found = append(found, m)
			}
			return nil
		})
		if len(found) != 1 || found[0].UploadID != id || time.Since(found[0].Initiated) > time.Minute {
			t.Fatalf("in progress %+v; want the one begun", found)
		}
		if err := s.AbortMultipart(ctx, k, id); err != nil {
			t.Fatal(err)
		}
		if err := s.AbortMultipart(ctx, k, id); err != nil {
			t.Fatalf("a second abort = %v; want nil", err)
		}
		if _, err := s.ListParts(ctx, k, id); !errors.Is(err, blob.ErrNoUpload) {
			t.Fatalf("ListParts after abort = %v", err)
		}
		if code, _ := put(t, late, random(10), nil); code/100 == 2 {
			t.Fatalf("a part after the abort = %d; want refused", code)
		}
		s.ListMultiparts(ctx, k, func(m blob.Multipart) error {
			t.Errorf("still in progress after the abort: %+v", m)
			return nil
		})
		assertAbsent(t, s, k)
	})

	t.Run("a part URL writes its part of its upload only, until it expires", func(t *testing.T) {
		s := newStore(t)
		k := key()
		id, _ := s.CreateMultipart(ctx, k, "video/mp4")
		other, _ := s.CreateMultipart(ctx, k, "video/mp4")
		defer s.AbortMultipart(ctx, k, id)
		defer s.AbortMultipart(ctx, k, other)
		req, _ := s.PresignPart(ctx, k, id, 1, 100, ttl)
		retarget := func(param, value string) blob.SignedRequest {
			u, _ := url.Parse(req.URL)
			q := u.Query()
			q.Set(param, value)
			u.RawQuery = q.Encode()
			return blob.SignedRequest{Method: req.Method, URL: u.String(), Headers: req.Headers}
		}
		for name, r := range map[string]blob.SignedRequest{
			"another part number": retarget(partParam(req.URL), "2"),
			"another upload":      retarget(uploadParam(req.URL), other),
		} {
			if code, _ := put(t, r, random(100), nil); code/100 == 2 {
				t.Errorf("%s: PUT = %d; want refused", name, code)
			}
		}
		s.SetClock(func() time.Time { return time.Now().Add(-2 * ttl) })
		old, _ := s.PresignPart(ctx, k, id, 1, 100, ttl)
		s.SetClock(time.Now)
		if code, _ := put(t, old, random(100), nil); code != 403 {
			t.Errorf("an expired part URL = %d; want 403", code)
		}
		for _, u := range []string{id, other} {
			if parts, err := s.ListParts(ctx, k, u); err != nil || len(parts) != 0 {
				t.Errorf("upload %s holds %v, %v; want nothing", u, parts, err)
			}
		}
	})
}

// partParam and uploadParam name the query parameters of a part URL: S3's,
// or the local store's.
func partParam(rawURL string) string {
	if strings.Contains(rawURL, "partNumber=") {
		return "partNumber"
	}
	return "part"
}

func uploadParam(rawURL string) string {
	if strings.Contains(rawURL, "uploadId=") {
		return "uploadId"
	}
	return "upload"
}
