package local_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/local"
)

func newStore(t *testing.T) blobtest.Clocked {
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
