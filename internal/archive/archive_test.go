package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/archive"
)

func source(data string) func(context.Context) (io.ReadCloser, error) {
	return func(context.Context) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(data)), nil }
}

// unzipTest runs Debian's unzip -t on an archive: another implementation
// than the one that wrote it.
func unzipTest(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.zip")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("unzip", "-t", path).CombinedOutput()
	if err != nil {
		t.Fatalf("unzip -t: %v\n%s", err, out)
	}
	return string(out)
}

// Names are made safe and unique (as case-insensitive file systems see
// them), entries are stored as they are, with the camera's wall clock.
func TestNamesAndTimes(t *testing.T) {
	var buf bytes.Buffer
	w := archive.NewWriter(&buf)
	paris := time.Date(2026, 4, 17, 19, 1, 0, 0, time.FixedZone("", 2*3600))
	for _, e := range []struct{ name, data string }{
		{"Trip/2026-04-17/IMG_0001.jpg", "one"},
		{"Trip/2026-04-17/IMG_0001.jpg", "two"},
		{"Trip/2026-04-17/img_0001.JPG", "three"},
		{"Trip/2026-04-17/Café ☕.jpg", "four"},
		{"Trip/../../etc/passwd", "five"},
		{"Trip/a:b?c*.jpg", "six"},
		{"/abs/ name. ", "seven"},
	} {
		if _, err := w.Add(context.Background(), e.name, paris, source(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range r.File {
		names = append(names, f.Name)
		if f.Method != zip.Store {
			t.Errorf("%s is compressed", f.Name)
		}
		if got := f.Modified.Format("2006-01-02 15:04"); got != "2026-04-17 19:01" {
			t.Errorf("%s modified %s; want the camera's 19:01", f.Name, got)
		}
	}
	want := []string{"Trip/2026-04-17/IMG_0001.jpg", "Trip/2026-04-17/IMG_0001 (2).jpg", "Trip/2026-04-17/img_0001 (3).JPG",
		"Trip/2026-04-17/Café ☕.jpg", "Trip/_/_/etc/passwd", "Trip/a_b_c_.jpg", "_/abs/name"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("names\n%q\nwant\n%q", names, want)
	}
	f, _ := r.File[1].Open()
	if b, _ := io.ReadAll(f); string(b) != "two" {
		t.Fatalf("second entry holds %q", b)
	}
	unzipTest(t, buf.Bytes())
}

// Past 65 535 entries the archive needs ZIP64 records: both readers open it.
func TestZIP64ByCount(t *testing.T) {
	var buf bytes.Buffer
	w := archive.NewWriter(&buf)
	const n = 70000
	for i := range n {
		if _, err := w.Add(context.Background(), fmt.Sprintf("many/%05d.txt", i), time.Unix(0, 0), source("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || len(r.File) != n {
		t.Fatalf("read back %d entries, %v", len(r.File), err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("PK\x06\x06")) {
		t.Fatal("no ZIP64 end of central directory record")
	}
	if out := unzipTest(t, buf.Bytes()); !strings.Contains(out, "No errors detected") {
		t.Fatalf("unzip -t:\n%.500s", out)
	}
}

// A source that fails ends the archive with its error, and is closed.
func TestSourceClosedOnFailure(t *testing.T) {
	w := archive.NewWriter(failingWriter{})
	closed := false
	_, err := w.Add(context.Background(), "a", time.Now(), func(context.Context) (io.ReadCloser, error) {
		return readCloser{Reader: strings.NewReader(strings.Repeat("x", 1<<20)), close: func() { closed = true }}, nil
	})
	if err == nil || !closed {
		t.Fatalf("err %v, closed %v", err, closed)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := archive.NewWriter(io.Discard).Add(ctx, "b", time.Now(), source("y")); err == nil {
		t.Fatal("added after the context ended")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

type readCloser struct {
	io.Reader
	close func()
}

func (r readCloser) Close() error { r.close(); return nil }
