package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory"
)

func TestCommandLineUploader(t *testing.T) {
	in := start(t, map[string]string{})
	readMail := in.consoleMail
	ann := in.signup("ann@example.com", "Ann", readMail)
	ann.do("POST", "/api/v1/groups", map[string]string{"name": "Trip 2026"}, 201)

	dir := t.TempDir()
	trip := filepath.Join(dir, "trip")
	os.MkdirAll(filepath.Join(trip, "day2"), 0o755)
	os.MkdirAll(filepath.Join(trip, ".thumbnails"), 0o755)
	for name, src := range map[string]string{"IMG_1.HEIC": "iphone7-gps.heic", "a.jpg": "camera.jpg", "day2/b.webp": "phone-orientation-6.webp",
		".thumbnails/skip.jpg": "camera.jpg"} {
		os.WriteFile(filepath.Join(trip, name), testfile(t, src), 0o644)
	}
	os.WriteFile(filepath.Join(trip, "notes.txt"), []byte("not media"), 0o644)
	os.WriteFile(filepath.Join(trip, "day2", "fake.jpg"), []byte("<html>not a photo</html>"), 0o644)

	env := map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "config"), "WMORY_PASSWORD": "a long enough passphrase"}
	getenv := func(k string) string { return env[k] }
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"login", "--server", in.base, "--email", "ann@example.com"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("login: %v %s", err, errOut.String())
	}
	if fi, err := os.Stat(filepath.Join(dir, "config", "wmory", "credentials.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi, err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"groups"}, getenv, &out, &errOut); err != nil || !strings.Contains(out.String(), "Trip 2026") {
		t.Fatalf("groups: %v %q", err, out.String())
	}

	out.Reset()
	errOut.Reset()
	err := run(context.Background(), []string{"upload", "--group", "trip 2026", trip}, getenv, &out, &errOut)
	if err == nil {
		t.Fatal("a refused file did not make the upload fail")
	}
	if !strings.Contains(out.String(), "3 uploaded, 0 already in the group, 1 failed") || !strings.Contains(errOut.String(), "fake.jpg") ||
		!strings.Contains(errOut.String(), "upload_rejected") {
		t.Fatalf("first run:\n%s\n%s", out.String(), errOut.String())
	}
	if strings.Contains(out.String(), "skip.jpg") || regexp.MustCompile(`(?m)^uploaded .*notes\.txt`).MatchString(out.String()) {
		t.Fatalf("hidden folders or other files were sent:\n%s", out.String())
	}
	// Files it will not send are named, and counted.
	if !strings.Contains(out.String(), "skipped "+filepath.Join(trip, "notes.txt")+" (not a photo or video") || !strings.Contains(out.String(), "1 file(s) skipped") {
		t.Fatalf("the skipped file is not listed:\n%s", out.String())
	}
	// Non-terminal output: plain lines with the overall progress, no guess of
	// the time left.
	if !strings.Contains(out.String(), "files,") || !strings.Contains(out.String(), "MB/s") || strings.Contains(out.String(), "ETA") {
		t.Fatalf("progress lines:\n%s", out.String())
	}
	// A refusal says what happened in words, with its code.
	if !regexp.MustCompile(`fake\.jpg: [A-Z][^(]+ \(upload_rejected\)`).MatchString(errOut.String()) {
		t.Fatalf("refusal:\n%s", errOut.String())
	}

	out.Reset()
	run(context.Background(), []string{"upload", "--quiet", "--group", "trip 2026", trip}, getenv, &out, &errOut)
	if !strings.Contains(out.String(), "0 uploaded, 3 already in the group, 1 failed") {
		t.Fatalf("second run uploaded again:\n%s", out.String())
	}
	if strings.Contains(out.String(), "skipped /") || !strings.Contains(out.String(), "1 file(s) skipped") {
		t.Fatalf("--quiet still lists the skipped files:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"upload", "--group", "nope", trip}, getenv, &out, &errOut); err == nil {
		t.Fatal("an unknown group was accepted")
	}

	// A changed password ends the CLI's session: it says to sign in again.
	ann.do("PATCH", "/api/v1/me", map[string]string{"password": "a long enough passphrase", "new_password": "another long passphrase"}, 200)
	err = run(context.Background(), []string{"groups"}, getenv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "run wmory login") {
		t.Fatalf("after a password change: %v", err)
	}
	// A server that is not there is said so, not as Go's dial error.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := "http://" + ln.Addr().String()
	ln.Close()
	os.WriteFile(filepath.Join(dir, "config", "wmory", "credentials.json"), []byte(`{"server":"`+gone+`","token":"x"}`), 0o600)
	err = run(context.Background(), []string{"groups"}, getenv, &out, &errOut)
	if err == nil || err.Error() != "cannot reach the server at "+gone+" (is it running?)" {
		t.Fatalf("server gone: %v", err)
	}
}

// The uploader rides out a short outage in the middle of a batch: every file
// arrives, and its progress never goes backwards.
func TestCommandLineUploaderThroughAnOutage(t *testing.T) {
	proxy := newProxy(t, "")
	in := start(t, map[string]string{"WMORY_BASE_URL": "http://" + proxy.addr})
	proxy.setTarget(strings.TrimPrefix(in.base, "http://"))
	ann := in.signup("ann@example.com", "Ann", in.consoleMail)
	ann.do("POST", "/api/v1/groups", map[string]string{"name": "Trip"}, 201)

	dir := t.TempDir()
	for _, name := range []string{"camera.jpg", "iphone7-gps.heic", "phone-orientation-6.webp", "photo.avif", "alpha.png", "animated.gif"} {
		os.WriteFile(filepath.Join(dir, name), testfile(t, name), 0o644)
	}
	env := map[string]string{"XDG_CONFIG_HOME": filepath.Join(t.TempDir(), "config"), "WMORY_PASSWORD": "a long enough passphrase"}
	getenv := func(k string) string { return env[k] }
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"login", "--server", "http://" + proxy.addr, "--email", "ann@example.com"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("login: %v %s", err, errOut.String())
	}
	// Longer than a few quick retries would wait (a server restarting).
	proxy.outageAfter(400<<10, 8*time.Second)
	out.Reset()
	if err := run(context.Background(), []string{"upload", "--parallel", "2", "--group", "Trip", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("upload through an outage: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	select {
	case <-proxy.outages:
	default:
		t.Fatal("the connection was never cut")
	}
	// A file whose bytes had all arrived when the connection broke was
	// completed by the server: the retry finds it already there.
	m := regexp.MustCompile(`(\d+) uploaded, (\d+) already in the group, 0 failed`).FindStringSubmatch(out.String())
	if m == nil || atoi(m[1])+atoi(m[2]) != 6 {
		t.Fatalf("after the outage:\n%s", out.String())
	}
	gid := ann.do("GET", "/api/v1/groups", nil, 200)["items"].([]any)[0].(map[string]any)["id"].(string)
	if items := ann.do("GET", "/api/v1/groups/"+gid+"/media", nil, 200)["items"].([]any); len(items) != 6 {
		t.Fatalf("%d items in the group after the outage; want 6", len(items))
	}
	last := -1.0
	for _, m := range regexp.MustCompile(`(\d+\.\d)/\d+\.\d MB`).FindAllStringSubmatch(out.String(), -1) {
		var mb float64
		fmt.Sscan(m[1], &mb)
		if mb < last {
			t.Fatalf("progress went back from %.1f to %.1f MB:\n%s", last, mb, out.String())
		}
		last = mb
	}
}

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

// A large file goes up in parts; a run killed midway is resumed by the next
// one, which sends only the parts the store does not hold.
func TestCommandLineUploaderResumes(t *testing.T) {
	proxy := newProxy(t, "")
	in := start(t, map[string]string{"WMORY_BASE_URL": "http://" + proxy.addr})
	proxy.setTarget(strings.TrimPrefix(in.base, "http://"))
	ann := in.signup("ann@example.com", "Ann", in.consoleMail)
	ann.do("POST", "/api/v1/groups", map[string]string{"name": "Trip"}, 201)

	dir := t.TempDir()
	big := make([]byte, 5*wmory.PartSize-1000) // five parts
	rand.Read(big)
	copy(big, testfile(t, "camera.jpg")[:64])
	os.WriteFile(filepath.Join(dir, "big.jpg"), big, 0o644)
	cache := filepath.Join(t.TempDir(), "cache")
	env := map[string]string{"XDG_CONFIG_HOME": filepath.Join(t.TempDir(), "config"), "XDG_CACHE_HOME": cache, "WMORY_PASSWORD": "a long enough passphrase"}
	getenv := func(k string) string { return env[k] }
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"login", "--server", "http://" + proxy.addr, "--email", "ann@example.com"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("login: %v %s", err, errOut.String())
	}

	// A phone's uplink: the first run is killed once a part has arrived.
	proxy.mu.Lock()
	proxy.rate = 8 << 20
	proxy.mu.Unlock()
	ctx, kill := context.WithCancel(context.Background())
	killed := make(chan error, 1)
	go func() { killed <- run(ctx, []string{"upload", "--group", "Trip", dir}, getenv, io.Discard, io.Discard) }()
	state := filepath.Join(cache, "wmory", "uploads")
	var uploadID string
	done := func() int {
		if uploadID == "" {
			entries, _ := os.ReadDir(state)
			for _, e := range entries {
				var s struct {
					UploadID string `json:"upload_id"`
				}
				if b, err := os.ReadFile(filepath.Join(state, e.Name())); err == nil && json.Unmarshal(b, &s) == nil {
					uploadID = s.UploadID
				}
			}
			if uploadID == "" {
				return 0
			}
		}
		return len(ann.do("GET", "/api/v1/uploads/"+uploadID, nil, 200)["parts_done"].([]any))
	}
	waitFor(t, "a part to arrive", func() (string, bool) { return "", done() >= 1 })
	kill()
	if err := <-killed; err == nil {
		t.Fatal("the killed run reported success")
	}
	// Its connections die with it, and what they still had buffered. (A part
	// whose last bytes were already on their way may still land: the next
	// run says how many it found.)
	proxy.cut()
	proxy.restore()

	// The next run resumes: the parts stored are not sent again.
	proxy.mu.Lock()
	proxy.rate = 0
	proxy.mu.Unlock()
	before := proxy.sentSoFar()
	out.Reset()
	if err := run(context.Background(), []string{"upload", "--group", "Trip", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("the resumed run: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	sent := proxy.sentSoFar() - before
	m := regexp.MustCompile(`resuming \((\d) of 5 parts sent before\)`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "1 uploaded, 0 already in the group, 0 failed") {
		t.Fatalf("the resumed run said:\n%s", out.String())
	}
	partsBefore := atoi(m[1])
	if partsBefore < 1 || partsBefore > 4 {
		t.Fatalf("%d parts arrived before the kill; want some, not all", partsBefore)
	}
	if want := int64(len(big)) - int64(partsBefore)*wmory.PartSize + 1<<20; sent > want {
		t.Fatalf("the resumed run sent %d bytes; the missing parts are %d", sent, want-1<<20)
	}
	if p := ann.do("GET", "/api/v1/uploads/"+uploadID, nil, 200); p["status"] != "completed" {
		t.Fatalf("the upload after the resumed run: %v", p)
	}
	if entries, _ := os.ReadDir(state); len(entries) != 0 {
		t.Fatalf("the resume state was left: %v", entries)
	}
}
