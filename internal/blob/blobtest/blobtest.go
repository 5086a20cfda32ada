// Package blobtest is the conformance suite every blob store passes, and starts
// the real S3-compatible server (versitygw) that the S3 store is tested against.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/testtools"
)

// Clocked stores let tests move their clock.
type Clocked interface {
	blob.Store
	SetClock(func() time.Time)
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func put(t *testing.T, req blob.SignedRequest, body []byte, mutate func(*http.Request)) (int, string) {
	t.Helper()
	r, err := http.NewRequest(req.Method, req.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	if mutate != nil {
		mutate(r)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		// A store may hang up on a body it refuses before reading it all:
		// no status, refused all the same.
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(t *testing.T, rawURL string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	r, _ := http.NewRequest("GET", rawURL, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func assertAbsent(t *testing.T, s blob.Store, key string) {
	t.Helper()
	if _, err := s.Stat(context.Background(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Stat(%s) = %v; want ErrNotFound (nothing stored)", key, err)
	}
}

// Run checks the behaviour wmory relies on. newStore returns a fresh, empty store.
func Run(t *testing.T, newStore func(t *testing.T) Clocked) {
	ctx := context.Background()
	const ttl = 10 * time.Minute
	n := 0
	key := func() string { n++; return fmt.Sprintf("o/g%d/%d-object", time.Now().UnixNano(), n) }

	t.Run("upload, stat, read, download", func(t *testing.T) {
		s := newStore(t)
		k, body := key(), random(100_000)
		req, err := s.PresignPut(ctx, k, blob.PutOptions{Size: int64(len(body)), ContentType: "image/jpeg", TTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		if req.Method != "PUT" || req.Headers["Content-Type"] != "image/jpeg" || time.Until(req.ExpiresAt) > ttl+time.Second {
			t.Fatalf("signed request %+v", req)
		}
		if code, msg := put(t, req, body, nil); code/100 != 2 {
			t.Fatalf("PUT = %d %s", code, msg)
		}
		info, err := s.Stat(ctx, k)
		if err != nil || info.Size != int64(len(body)) {
			t.Fatalf("Stat = %+v, %v", info, err)
		}
		if info.Modified.IsZero() || time.Since(info.Modified) > time.Minute {
			t.Fatalf("Stat's modification time = %v", info.Modified)
		}
		// The size and ETag come with the first bytes, the whole object's.
		headInfo, head, err := s.ReadHead(ctx, k, 16)
		if err != nil || !bytes.Equal(head, body[:16]) || headInfo.Size != info.Size || headInfo.ETag != info.ETag {
			t.Fatalf("ReadHead = %+v %x, %v; Stat = %+v", headInfo, head, err, info)
		}
		if whole, all, err := s.ReadHead(ctx, k, len(body)+100); err != nil || whole.Size != info.Size || !bytes.Equal(all, body) {
			t.Fatalf("ReadHead past the end = %+v, %d bytes, %v", whole, len(all), err)
		}
		u, err := s.PresignGet(ctx, k, blob.GetOptions{ContentType: "image/jpeg", Disposition: `attachment; filename="a.jpg"`, TTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		if u2, _ := s.PresignGet(ctx, k, blob.GetOptions{ContentType: "image/jpeg", Disposition: `attachment; filename="a.jpg"`, TTL: ttl}); u2 != u {
			t.Fatal("two download URLs signed at once differ: browsers could not cache them")
		}
		resp, got := get(t, u, nil)
		if resp.StatusCode != 200 || !bytes.Equal(got, body) {
			t.Fatalf("GET = %d, %d bytes", resp.StatusCode, len(got))
		}
		if resp.Header.Get("Content-Type") != "image/jpeg" || resp.Header.Get("Content-Disposition") != `attachment; filename="a.jpg"` {
			t.Fatalf("served with %q / %q", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		resp, got = get(t, u, map[string]string{"Range": "bytes=10-19"})
		if resp.StatusCode != 206 || !bytes.Equal(got, body[10:20]) {
			t.Fatalf("ranged GET = %d %x", resp.StatusCode, got)
		}
		if err := s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
		assertAbsent(t, s, k)
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("second Delete = %v; want nil", err)
		}
	})

	t.Run("a file the server made is stored from disk and plays from any point", func(t *testing.T) {
		s := newStore(t)
		k, body := key()+".play.mp4", random(6<<20)
		path := filepath.Join(t.TempDir(), "rendition.mp4")
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := s.Put(ctx, k, f, int64(len(body)), "video/mp4"); err != nil {
			t.Fatal(err)
		}
		u, err := s.PresignGet(ctx, k, blob.GetOptions{ContentType: "video/mp4", Disposition: "inline", TTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		// A player asks for the end (MP4's index may be there) and for any
		// point it seeks to.
		resp, got := get(t, u, map[string]string{"Range": "bytes=5000000-"})
		if resp.StatusCode != 206 || !bytes.Equal(got, body[5000000:]) || resp.Header.Get("Content-Type") != "video/mp4" {
			t.Fatalf("ranged GET = %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(got))
		}
		if cr := resp.Header.Get("Content-Range"); cr != fmt.Sprintf("bytes 5000000-%d/%d", len(body)-1, len(body)) {
			t.Fatalf("Content-Range %q", cr)
		}
	})

	t.Run("refused uploads store nothing", func(t *testing.T) {
		s := newStore(t)
		body := random(5000)
		sign := func(k string) blob.SignedRequest {
			req, err := s.PresignPut(ctx, k, blob.PutOptions{Size: int64(len(body)), ContentType: "image/png", TTL: ttl})
			if err != nil {
				t.Fatal(err)
			}
			return req
		}
		for name, tc := range map[string]struct {
			body   []byte
			mutate func(r *http.Request)
		}{
			"longer body":    {append(append([]byte{}, body...), 'x'), nil},
			"shorter body":   {body[:4999], nil},
			"other type":     {body, func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }},
			"tampered query": {body, func(r *http.Request) { q := r.URL.Query(); tamper(q); r.URL.RawQuery = q.Encode() }},
		} {
			k := key()
			if code, _ := put(t, sign(k), tc.body, tc.mutate); code/100 == 2 {
				t.Errorf("%s: PUT = %d; want refused", name, code)
			}
			assertAbsent(t, s, k)
		}
		// A URL signed for one key cannot write another.
		k, other := key(), key()
		req := sign(k)
		req.URL = strings.Replace(req.URL, k, other, 1)
		if code, _ := put(t, req, body, nil); code != 403 {
			t.Errorf("re-targeted PUT = %d; want 403", code)
		}
		assertAbsent(t, s, other)
		assertAbsent(t, s, k)
	})

	t.Run("expired URLs are refused", func(t *testing.T) {
		s := newStore(t)
		s.SetClock(func() time.Time { return time.Now().Add(-time.Hour) })
		k, body := key(), random(100)
		req, _ := s.PresignPut(ctx, k, blob.PutOptions{Size: 100, ContentType: "image/png", TTL: ttl})
		s.SetClock(time.Now) // signed an hour ago, used now
		if code, _ := put(t, req, body, nil); code != 403 {
			t.Fatalf("expired PUT = %d; want 403", code)
		}
		assertAbsent(t, s, k)
		if err := s.Put(ctx, k, bytes.NewReader(body), 100, "image/png"); err != nil {
			t.Fatal(err)
		}
		s.SetClock(func() time.Time { return time.Now().Add(-time.Hour) })
		u, _ := s.PresignGet(ctx, k, blob.GetOptions{ContentType: "image/png", TTL: ttl})
		s.SetClock(time.Now)
		if resp, _ := get(t, u, nil); resp.StatusCode != 403 {
			t.Fatalf("expired GET = %d; want 403", resp.StatusCode)
		}
	})

	t.Run("signed download cannot be re-targeted or re-typed", func(t *testing.T) {
		s := newStore(t)
		a, b := key(), key()
		for _, k := range []string{a, b} {
			if err := s.Put(ctx, k, bytes.NewReader([]byte("<html>x</html>")), 14, "image/png"); err != nil {
				t.Fatal(err)
			}
		}
		u, _ := s.PresignGet(ctx, a, blob.GetOptions{ContentType: "image/png", Disposition: "attachment", TTL: ttl})
		if resp, _ := get(t, strings.Replace(u, a, b, 1), nil); resp.StatusCode != 403 {
			t.Errorf("re-targeted GET = %d; want 403", resp.StatusCode)
		}
		pu, _ := url.Parse(u)
		q := pu.Query()
		for _, p := range []string{"ct", "response-content-type"} {
			if q.Has(p) {
				q.Set(p, "text/html")
			}
		}
		pu.RawQuery = q.Encode()
		if resp, _ := get(t, pu.String(), nil); resp.StatusCode != 403 {
			t.Errorf("re-typed GET = %d; want 403", resp.StatusCode)
		}
	})

	t.Run("a signed SHA-256 is enforced by the store", func(t *testing.T) {
		s := newStore(t)
		body, other := random(2048), random(2048)
		sum := sha256.Sum256(body)
		k := key()
		req, err := s.PresignPut(ctx, k, blob.PutOptions{Size: 2048, ContentType: "image/jpeg", TTL: ttl, SHA256: hex.EncodeToString(sum[:])})
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := put(t, req, other, nil); code/100 == 2 {
			t.Fatalf("a body with another hash was stored (%d)", code)
		}
		assertAbsent(t, s, k)
		if code, msg := put(t, req, body, nil); code/100 != 2 {
			t.Fatalf("the right body was refused: %d %s", code, msg)
		}
	})

	t.Run("a completed upload is not replaced", func(t *testing.T) {
		s := newStore(t)
		k := key()
		first, second := random(64), random(64)
		req, _ := s.PresignPut(ctx, k, blob.PutOptions{Size: 64, ContentType: "image/png", TTL: ttl})
		if code, msg := put(t, req, first, nil); code/100 != 2 {
			t.Fatalf("first PUT = %d %s", code, msg)
		}
		code, _ := put(t, req, second, nil)
		_, head, _ := s.ReadHead(ctx, k, 64)
		if code/100 == 2 || !bytes.Equal(head, first) {
			t.Fatalf("second PUT with the same URL = %d and the object is now the second body: the store replaced it", code)
		}
	})

	runMultipart(t, newStore, key)

	t.Run("list finds every object under a prefix, with its size and age", func(t *testing.T) {
		s := newStore(t)
		prefix := fmt.Sprintf("o/list%d/", time.Now().UnixNano())
		want := map[string]int64{}
		for i, size := range []int{10, 2000, 1} {
			k := fmt.Sprintf("%s%d-item", prefix, i)
			if i == 2 {
				k = prefix + "sub/deeper-item"
			}
			if err := s.Put(ctx, k, bytes.NewReader(random(size)), int64(size), "image/webp"); err != nil {
				t.Fatal(err)
			}
			want[k] = int64(size)
		}
		outside := prefix[:len(prefix)-1] + "x/other"
		if err := s.Put(ctx, outside, bytes.NewReader(random(5)), 5, "image/webp"); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		err := s.List(ctx, prefix, func(o blob.Object) error {
			if time.Since(o.Modified) > time.Minute || time.Since(o.Modified) < -time.Minute {
				t.Errorf("%s modified %v", o.Key, o.Modified)
			}
			got[o.Key] = o.Size
			return nil
		})
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("List(%q) = %v, %v; want %v", prefix, got, err, want)
		}
		stop := errors.New("stop")
		calls := 0
		if err := s.List(ctx, prefix, func(blob.Object) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
			t.Fatalf("List with a failing callback = %v after %d calls", err, calls)
		}
	})
}

// tamper changes the signature parameter of either kind of signed URL.
func tamper(q url.Values) {
	for _, p := range []string{"sig", "X-Amz-Signature"} {
		if v := q.Get(p); v != "" {
			c := "0"
			if v[0] == '0' {
				c = "1"
			}
			q.Set(p, c+v[1:])
		}
	}
}

// VersityGW is a running versitygw S3 server.
type VersityGW struct {
	Endpoint, Access, Secret string
	cmd                      *exec.Cmd
}

// Stop kills the server, to test what happens when the store goes away.
func (g VersityGW) Stop() {
	g.cmd.Process.Kill()
	g.cmd.Wait()
}

// StartVersityGW runs versitygw (installed by `make deps`) on a free port with a
// fresh folder. A missing binary fails the test: it is never skipped.
func StartVersityGW(t testing.TB, flags ...string) VersityGW {
	t.Helper()
	g, err := LaunchVersityGW(t.TempDir(), flags...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if g.cmd.ProcessState == nil {
			g.Stop()
		}
	})
	return g
}

// LaunchVersityGW runs versitygw on a free port, keeping its objects in dir,
// with extra flags (its event notifications, say), and returns once it accepts
// connections; the caller stops it.
func LaunchVersityGW(dir string, flags ...string) (VersityGW, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return VersityGW{}, err
	}
	bin, err := testtools.Path("versitygw")
	if err != nil {
		return VersityGW{}, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return VersityGW{}, err
	}
	addr := l.Addr().String()
	l.Close()
	g := VersityGW{Endpoint: "http://" + addr, Access: "wmorytestaccess", Secret: "wmorytestsecretkey1234"}
	var logs bytes.Buffer
	args := append([]string{"--access", g.Access, "--secret", g.Secret, "--port", addr}, flags...)
	cmd := exec.Command(bin, append(args, "posix", dir)...)
	g.cmd = cmd
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return VersityGW{}, err
	}
	if !testtools.Until(15*time.Second, testtools.Listening(addr)) {
		g.Stop()
		return VersityGW{}, fmt.Errorf("versitygw did not start:\n%s", logs.String())
	}
	return g, nil
}

func (g VersityGW) UseCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", g.Access)
	t.Setenv("AWS_SECRET_ACCESS_KEY", g.Secret)
	t.Setenv("AWS_REGION", "us-east-1")
}

// CreateBucket makes an empty bucket.
func (g VersityGW) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if err := g.MakeBucket(name); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// MakeBucket creates a bucket with the server's own credentials.
func (g VersityGW) MakeBucket(name string) error {
	admin := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(g.Endpoint), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: g.Access, SecretAccessKey: g.Secret}, nil
		})})
	_, err := admin.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(name)})
	return err
}
