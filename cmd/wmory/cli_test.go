package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if strings.Contains(out.String(), "skip.jpg") || strings.Contains(out.String(), "notes.txt") {
		t.Fatalf("hidden folders or other files were sent:\n%s", out.String())
	}
	// Non-terminal output: plain lines with the overall progress.
	if !strings.Contains(out.String(), "files,") || !strings.Contains(out.String(), "MB/s") {
		t.Fatalf("no progress in:\n%s", out.String())
	}

	out.Reset()
	run(context.Background(), []string{"upload", "--group", "trip 2026", trip}, getenv, &out, &errOut)
	if !strings.Contains(out.String(), "0 uploaded, 3 already in the group, 1 failed") {
		t.Fatalf("second run uploaded again:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"upload", "--group", "nope", trip}, getenv, &out, &errOut); err == nil {
		t.Fatal("an unknown group was accepted")
	}
}
