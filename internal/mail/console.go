package mail

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Console prints every message, links included, and keeps a copy of each as an
// .eml file in a folder. It is the mailer of a zero-configuration instance.
type Console struct {
	mu   sync.Mutex
	out  io.Writer
	dir  string
	from string
	now  func() time.Time
}

// NewConsole returns a console mailer; dir may be empty to keep no copies.
func NewConsole(out io.Writer, dir, from string) (*Console, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("mail folder: %w", err)
		}
	}
	return &Console{out: out, dir: dir, from: from, now: time.Now}, nil
}

func (c *Console) Send(ctx context.Context, m Message) error {
	raw, err := format(c.from, m, c.now())
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dir != "" {
		name := fmt.Sprintf("%s-%d.eml", c.now().UTC().Format("20060102T150405.000000000"), len(raw))
		if err := os.WriteFile(filepath.Join(c.dir, name), raw, 0o600); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(c.out, "\n----- e-mail (console mailer) -----\nTo: %s\nSubject: %s\n\n%s----- end of e-mail -----\n\n", m.To, m.Subject, m.Text)
	return err
}
