package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
)

// The first instance admin comes from the command line and can then use the
// admin API; everyone else is told nothing exists there.
func TestAdminCommandLine(t *testing.T) {
	dataDir := t.TempDir()
	env := map[string]string{"WMORY_DATA_DIR": dataDir}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"admin", "create-user", "--email", "Root@Example.com", "--admin"}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "root@example.com") {
		t.Fatalf("output %q", out.String())
	}
	if err := run(context.Background(), []string{"admin", "create-user", "--email", "root@example.com"}, getenv, io.Discard, io.Discard); err == nil {
		t.Fatal("a second account with the same e-mail was created")
	}
	in := start(t, env)
	r := in.do("", "POST", "/api/v1/auth/login", map[string]string{"email": "root@example.com", "password": m[1]}, 200)
	root := &user{in: in, token: r["token"].(string)}
	root.do("GET", "/api/v1/admin/users?q=ROOT", nil, 200)

	readMail := in.consoleMail
	bob := in.signup("bob@example.com", "Bob", readMail)
	bob.do("GET", "/api/v1/admin/users", nil, 404)
	out.Reset()
	if err := run(context.Background(), []string{"admin", "promote", "bob@example.com"}, getenv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "now an instance administrator") {
		t.Fatalf("promote: %v %q", err, out.String())
	}
	bob.do("GET", "/api/v1/admin/users", nil, 200)
	if err := run(context.Background(), []string{"admin", "promote", "nobody@example.com"}, getenv, io.Discard, io.Discard); err == nil {
		t.Fatal("promoting an unknown address succeeded")
	}
}
