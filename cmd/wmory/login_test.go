package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal: what is typed is written to the master,
// the program reads and writes the slave, and the terminal's echo (when on)
// comes back on the master.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// wmory login asks for the password on the terminal without showing it, and
// still takes it from standard input for scripts.
func TestLoginPasswordIsNotEchoed(t *testing.T) {
	in := start(t, map[string]string{})
	in.signup("ann@example.com", "Ann", in.consoleMail)
	const password = "a long enough passphrase"
	login := func(t *testing.T, stdin *os.File, stdinText string, out *os.File) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "login", "--server", in.base, "--email", "ann@example.com")
		cmd.Env = append(os.Environ(), "WMORY_TEST_BE_WMORY=1", "XDG_CONFIG_HOME="+filepath.Join(t.TempDir(), "config"), "WMORY_PASSWORD=")
		if stdin != nil {
			cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, out, out
		} else {
			cmd.Stdin = strings.NewReader(stdinText)
		}
		return cmd
	}

	t.Run("a terminal", func(t *testing.T) {
		master, slave := openPTY(t)
		var mu sync.Mutex
		var screen bytes.Buffer
		go func() {
			buf := make([]byte, 1024)
			for {
				n, err := master.Read(buf)
				mu.Lock()
				screen.Write(buf[:n])
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
		shown := func() string { mu.Lock(); defer mu.Unlock(); return screen.String() }
		cmd := login(t, slave, "", slave)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Type only once the terminal stopped echoing, as a person would
		// after the prompt.
		waitFor(t, "the password prompt with echo off", func() (string, bool) {
			tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
			return "", err == nil && tio.Lflag&unix.ECHO == 0 && strings.Contains(shown(), "Password: ")
		})
		if _, err := master.WriteString(password + "\r"); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("login: %v\n%s", err, shown())
		}
		waitFor(t, "the outcome on the terminal", func() (string, bool) { return "", strings.Contains(shown(), "signed in to") })
		if strings.Contains(shown(), "passphrase") {
			t.Errorf("the password was shown as it was typed:\n%s", shown())
		}
		if tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS); err != nil || tio.Lflag&unix.ECHO == 0 {
			t.Errorf("the terminal's echo was not turned back on: %v", err)
		}
	})

	t.Run("standard input of a script", func(t *testing.T) {
		out, err := login(t, nil, password+"\n", nil).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "signed in to") {
			t.Fatalf("login from a pipe: %v\n%s", err, out)
		}
	})
}
