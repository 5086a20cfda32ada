// Package testtools finds the programs the tests run beside wmory (versitygw,
// the Lambda emulator, actionlint, a registry): `make deps` and
// `make test-deps` install them with go install, which puts them in Go's bin
// folder, often outside PATH.
package testtools

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
