package local_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/local"
)

func newStore(t *testing.T) blobtest.Clocked { return serveStore(t) }

// serveStore opens a store in a fresh folder and serves its signed URLs.
func serveStore(t *testing.T) *local.Store {
	ts := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + ts.Listener.Addr().String())
	dir := t.TempDir()
	s, err := local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "blob.key"), base)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(local.RoutePrefix, s)
	ts.Config.Handler = mux
	ts.Start()
	t.Cleanup(ts.Close)
	return s
}

func TestConformance(t *testing.T) { blobtest.Run(t, newStore) }

func TestSigningKeyIsKept(t *testing.T) {
	dir := t.TempDir()
	base, _ := url.Parse("http://localhost")
	a, _ := local.Open(filepath.Join(dir, "b"), filepath.Join(dir, "k"), base)
	b, _ := local.Open(filepath.Join(dir, "b"), filepath.Join(dir, "k"), base)
	ua, _ := a.PresignGet(t.Context(), "x/y", blobGet())
	ub, _ := b.PresignGet(t.Context(), "x/y", blobGet())
	if ua != ub {
		t.Fatal("a restarted store signs with another key: old URLs would break")
	}
}

// An upload that goes silent is ended; a slow one that keeps sending is not.
func TestSilentUploadsAreEnded(t *testing.T) {
	s := serveStore(t)
	s.SetIdleTimeout(300 * time.Millisecond)
	const size = 4000
	send := func(key string, pause time.Duration, chunks int) (string, error) {
		req, _ := s.PresignPut(t.Context(), key, blob.PutOptions{Size: size, ContentType: "image/jpeg", TTL: time.Minute})
		u, _ := url.Parse(req.URL)
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", u.RequestURI(), u.Host, size)
		for i := range chunks {
			if i > 0 {
				time.Sleep(pause)
			}
			c.Write(make([]byte, size/10))
		}
		// The test's own bound, far above the server's: it must answer first.
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, err := io.ReadAll(c)
		return string(b), err
	}
	if out, err := send("o/g/silent", 0, 5); err != nil {
		t.Fatalf("a silent upload held the connection: %v (%q)", err, out)
	}
	if _, err := s.Stat(t.Context(), "o/g/silent"); err == nil {
		t.Fatal("half an upload was stored")
	}
	out, _ := send("o/g/steady", 100*time.Millisecond, 10)
	if !strings.HasPrefix(out, "HTTP/1.1 200") {
		t.Fatalf("a slow but steady upload was ended: %q", out)
	}
}
