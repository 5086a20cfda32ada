package sqldbtest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/testtools"
)

// throughPgBouncer starts a PgBouncer in transaction mode in front of the
// PostgreSQL database at dbURL, for the test's duration, and returns the URL
// that reaches the database through it. Between two transactions a client may
// land on another server connection: what a session holds (prepared
// statements, session locks, settings) does not follow it.
func throughPgBouncer(t testing.TB, dbURL string) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		bin = "/usr/sbin/pgbouncer" // Debian installs it outside users' PATH
		if _, err := os.Stat(bin); err != nil {
			t.Fatal("pgbouncer is not installed (make test-deps installs Debian's): the PostgreSQL tests also run through it")
		}
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	// Its own folder, readable by the unprivileged user PgBouncer switches
	// to when started as root (it refuses to run as root).
	dir, err := os.MkdirTemp("", "wmory-pgbouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	user := u.User.Username()
	host, pgPort := u.Hostname(), u.Port()
	if pgPort == "" {
		pgPort = "5432"
	}
	config := fmt.Sprintf(`[databases]
* = host=%s port=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 10
ignore_startup_parameters = extra_float_digits
server_reset_query =
`, host, pgPort, port, filepath.Join(dir, "users.txt"))
	os.WriteFile(filepath.Join(dir, "users.txt"), []byte(fmt.Sprintf("%q \"\"\n", user)), 0o644)
	os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(config), 0o644)
	args := []string{filepath.Join(dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "nobody"}, args...)
	}
	cmd := exec.Command(bin, args...)
	logs, _ := os.Create(filepath.Join(dir, "pgbouncer.log"))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if !testtools.Until(10*time.Second, testtools.Listening(fmt.Sprintf("127.0.0.1:%d", port))) {
		out, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
		t.Fatalf("pgbouncer did not start: %s", out)
	}
	u.Host = fmt.Sprintf("127.0.0.1:%d", port)
	return u.String()
}
