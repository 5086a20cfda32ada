// Package testtools finds the programs the tests run beside wmory (versitygw,
// the Lambda emulator, actionlint, a registry): `make deps` and
// `make test-deps` install them with go install, which puts them in Go's bin
// folder, often outside PATH. It also waits for them.
package testtools

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Path returns where the program name is: on PATH, else in $GOPATH/bin (by
// default ~/go/bin). A missing program is an error that says how to get it.
func Path(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(gopath, "bin", name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s is not installed (make deps and make test-deps install it): %v", name, err)
	}
	return p, nil
}

// Until calls done until it reports true or the time d has passed, and says
// whether it finished. It is the tests' one way of waiting for what they do
// not control (a server process starting, a container becoming healthy, a
// message crossing a broker); what wmory does itself is waited for through its
// injected clock or an event, never by polling.
func Until(d time.Duration, done func() bool) bool {
	deadline := time.Now().Add(d)
	for pause := 5 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pause)
	}
}

// Listening reports, each time it is called, whether something accepts TCP
// connections at addr: a server process has started.
func Listening(addr string) func() bool {
	return func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	}
}
