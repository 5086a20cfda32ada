package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/client"
)

// The command-line client: wmory login, wmory groups, wmory upload.

type credentials struct {
	Server string `json:"server"`
	Token  string `json:"token"`
}

// credentialsPath is $XDG_CONFIG_HOME/wmory/credentials.json (else ~/.config/…).
func credentialsPath(getenv func(string) string) (string, error) {
	dir, err := userDir(getenv, "XDG_CONFIG_HOME", ".config")
	return filepath.Join(dir, "wmory", "credentials.json"), err
}

// resumesPath is where the uploader keeps the state of files it sends in
// parts, so that a run after an interrupted one resumes them: the user's
// cache folder.
func resumesPath(getenv func(string) string) (string, error) {
	dir, err := userDir(getenv, "XDG_CACHE_HOME", ".cache")
	return filepath.Join(dir, "wmory", "uploads"), err
}

// userDir is the XDG base folder the variable names, else the one under HOME.
func userDir(getenv func(string) string, variable, underHome string) (string, error) {
	if dir := getenv(variable); dir != "" {
		return dir, nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", fmt.Errorf("neither %s nor HOME is set", variable)
	}
	return filepath.Join(home, underHome), nil
}

func loadCredentials(getenv func(string) string) (*client.Client, error) {
	p, err := credentialsPath(getenv)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, errors.New("not signed in: run `wmory login --server URL` first")
	}
	var c credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return &client.Client{Server: c.Server, Token: c.Token}, nil
}

func login(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wmory login", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "", "the wmory server, such as https://photos.example.com")
	email := fs.String("email", "", "your e-mail (asked for when missing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *server == "" {
		return errors.New("login: --server is required")
	}
	in := bufio.NewReader(os.Stdin)
	ask := func(prompt string) string {
		fmt.Fprint(stderr, prompt)
		line, _ := in.ReadString('\n')
		return strings.TrimRight(line, "\r\n")
	}
	if *email == "" {
		*email = ask("E-mail: ")
	}
	// Scripts give the password in the environment or on standard input;
	// people type it, unseen, as at every password prompt.
	password := getenv("WMORY_PASSWORD")
	if password == "" {
		if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
			fmt.Fprint(stderr, "Password: ")
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(stderr)
			if err != nil {
				return fmt.Errorf("login: read the password: %w", err)
			}
			password = string(b)
		} else {
			password = ask("Password: ")
		}
	}
	c := &client.Client{Server: strings.TrimSuffix(*server, "/")}
	if err := c.Login(ctx, *email, password); err != nil {
		return fmt.Errorf("login: %s", describe(c, err))
	}
	p, err := credentialsPath(getenv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	b, _ := json.Marshal(credentials{Server: c.Server, Token: c.Token})
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "signed in to %s as %s\n", c.Server, *email)
	return nil
}

func groupsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := loadCredentials(getenv)
	if err != nil {
		return err
	}
	groups, err := c.Groups(ctx)
	if err != nil {
		return explain(c, err)
	}
	for _, g := range groups {
		fmt.Fprintf(stdout, "%s  %-8s %6d items  %s\n", g.ID, g.Role, g.MediaCount, g.Name)
	}
	return nil
}

// uploadTypes maps the extensions the uploader sends to their content types;
// other files are skipped.
var uploadTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".heic": "image/heic", ".heif": "image/heif",
	".webp": "image/webp", ".avif": "image/avif", ".gif": "image/gif",
	".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm",
}

type uploadFile struct {
	path, name, contentType string
	size                    int64
}

// collectFiles finds the photos and videos under paths (hidden folders
// left out); skipped are the other files, which wmory would not accept.
func collectFiles(paths []string) (files []uploadFile, skipped []string, err error) {
	var out []uploadFile
	for _, root := range paths {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			ct, ok := uploadTypes[strings.ToLower(filepath.Ext(p))]
			if !d.Type().IsRegular() {
				return nil
			}
			if !ok {
				skipped = append(skipped, p)
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			out = append(out, uploadFile{path: p, name: d.Name(), contentType: ct, size: info.Size()})
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	sort.Strings(skipped)
	return out, skipped, nil
}

func uploadCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wmory upload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	group := fs.String("group", "", "the group's name or id")
	parallel := fs.Int("parallel", 4, "files sent at once")
	quiet := fs.Bool("quiet", false, "do not list the files skipped as not photos or videos (their count is still given)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *group == "" || fs.NArg() == 0 || *parallel < 1 {
		return errors.New("usage: wmory upload --group NAME-or-ID [--parallel N] [--quiet] PATH...\n" +
			"Files over 64 MiB go up in parts; a run that was interrupted is resumed by the next one.")
	}
	c, err := loadCredentials(getenv)
	if err != nil {
		return err
	}
	if dir, err := resumesPath(getenv); err == nil {
		c.Resumes = &client.Resumes{Dir: dir}
	}
	groups, err := c.Groups(ctx)
	if err != nil {
		return explain(c, err)
	}
	gid, err := findGroup(groups, *group)
	if err != nil {
		return err
	}
	files, skipped, err := collectFiles(fs.Args())
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		if !*quiet {
			for _, s := range skipped {
				fmt.Fprintf(stdout, "skipped %s (not a photo or video wmory takes)\n", s)
			}
		}
		fmt.Fprintf(stdout, "%d file(s) skipped\n", len(skipped))
	}
	t := sendAll(ctx, c, gid, files, *parallel, stdout)
	fmt.Fprintf(stdout, "%d uploaded, %d already in the group, %d failed\n", t.uploaded, t.duplicates, len(t.refused))
	if len(t.refused) > 0 {
		for _, r := range t.refused {
			fmt.Fprintln(stderr, r)
		}
		return fmt.Errorf("%d file(s) were not uploaded", len(t.refused))
	}
	return nil
}

// findGroup is the id of the caller's group with that id or name (any case).
func findGroup(groups []client.Group, want string) (string, error) {
	var gid string
	for _, g := range groups {
		if g.ID == want || strings.EqualFold(g.Name, want) {
			if gid != "" && g.ID != gid {
				return "", fmt.Errorf("more than one group is named %q: use its id", want)
			}
			gid = g.ID
		}
	}
	if gid == "" {
		return "", fmt.Errorf("no group %q among yours (see `wmory groups`)", want)
	}
	return gid, nil
}

// tally is what an upload run did with its files.
type tally struct {
	uploaded, duplicates int
	refused              []string // "path: why"
}

// sendAll uploads the files, parallel at a time, with overall progress.
func sendAll(ctx context.Context, c *client.Client, gid string, files []uploadFile, parallel int, stdout io.Writer) tally {
	var total int64
	for _, f := range files {
		total += f.size
	}
	p := newProgress(stdout, len(files), total)
	c.Resumed = func(path string, done, parts int) {
		p.line(fmt.Sprintf("resuming (%d of %d parts sent before)", done, parts), path)
	}
	var mu sync.Mutex
	var t tally
	work := make(chan uploadFile)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for f := range work {
				err := uploadWithRetry(ctx, c, gid, f, p)
				mu.Lock()
				switch {
				case err == nil:
					t.uploaded++
					p.line("uploaded", f.path)
				case errors.Is(err, client.ErrDuplicate):
					t.duplicates++
					p.line("already there", f.path)
				default:
					t.refused = append(t.refused, fmt.Sprintf("%s: %s", f.path, describe(c, err)))
					p.line("failed", f.path)
				}
				mu.Unlock()
				p.fileDone()
			}
		})
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	p.finish()
	return t
}

// uploadAttempts and the doubling wait from one second ride out a short
// outage (a server restarting, a dropped connection): about a minute.
const uploadAttempts = 7

// uploadWithRetry retries what may pass later (network errors, 5xx, rate
// limits) with backoff; refusals are final. A retry counts no byte twice, so
// the progress never goes backwards.
func uploadWithRetry(ctx context.Context, c *client.Client, gid string, f uploadFile, p *progress) error {
	backoff := time.Second
	var credited int64 // of this file, in the progress
	for attempt := 1; ; attempt++ {
		var sent int64
		_, err := c.Upload(ctx, gid, f.path, f.name, f.contentType, func(n int64) {
			sent += n
			if sent > credited {
				p.add(sent - credited)
				credited = sent
			}
		})
		if err == nil || errors.Is(err, client.ErrDuplicate) {
			if credited < f.size {
				p.add(f.size - credited)
			}
			return err
		}
		var apiErr *client.APIError
		if attempt == uploadAttempts || (errors.As(err, &apiErr) && !apiErr.Temporary()) || ctx.Err() != nil {
			return err
		}
		wait := backoff
		if apiErr != nil && apiErr.RetryAfter > wait {
			wait = apiErr.RetryAfter
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff *= 2
	}
}

// progress shows overall files and bytes, rate and ETA: a status line that
// redraws on a terminal, plain lines otherwise.
type progress struct {
	mu        sync.Mutex
	out       io.Writer
	tty       bool
	files     int
	done      int
	total     int64
	sent      atomic.Int64
	start     time.Time
	lastDrawn time.Time
}

func newProgress(out io.Writer, files int, total int64) *progress {
	tty := false
	if f, ok := out.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{out: out, tty: tty, files: files, total: total, start: time.Now()}
}

func (p *progress) add(n int64) {
	p.sent.Add(n)
	if p.tty {
		p.mu.Lock()
		if time.Since(p.lastDrawn) > 200*time.Millisecond {
			p.draw()
		}
		p.mu.Unlock()
	}
}

func (p *progress) status() string {
	sent := p.sent.Load()
	elapsed := time.Since(p.start).Seconds()
	rate := float64(sent) / max(elapsed, 0.001)
	s := fmt.Sprintf("%d/%d files, %.1f/%.1f MB, %.1f MB/s", p.done, p.files, float64(sent)/1e6, float64(p.total)/1e6, rate/1e6)
	// An estimate only where it redraws, and once there is a rate to go by.
	if p.tty && elapsed > 2 && rate > 0 && sent < p.total {
		s += ", ETA " + (time.Duration(float64(p.total-sent)/rate) * time.Second).Round(time.Second).String()
	}
	return s
}

func (p *progress) draw() {
	p.lastDrawn = time.Now()
	fmt.Fprintf(p.out, "\r\033[K%s", p.status())
}

func (p *progress) line(what, path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintf(p.out, "\r\033[K%s %s\n", what, path)
		p.draw()
		return
	}
	fmt.Fprintf(p.out, "%s %s (%s)\n", what, path, p.status())
}

func (p *progress) fileDone() {
	p.mu.Lock()
	p.done++
	p.mu.Unlock()
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprintf(p.out, "\r\033[K%s\n", p.status())
	}
}

// describe says what went wrong in words: the server's message for a
// refusal, and what a failed connection means rather than Go's error text.
func describe(c *client.Client, err error) string {
	var apiErr *client.APIError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &apiErr):
		if apiErr.Status == http.StatusUnauthorized && apiErr.Code == wmory.ECodeUnauthenticated {
			return "your session has ended (signed out, or the password was changed): run wmory login"
		}
		return fmt.Sprintf("%s (%s)", strings.TrimSuffix(apiErr.Message, "."), apiErr.Code)
	case errors.Is(err, context.Canceled):
		return "stopped"
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot find the server %s (is the address right?)", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("cannot reach the server at %s (is it running?)", c.Server)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "the connection to the server broke off"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "the server did not answer in time"
	}
	return err.Error()
}

// explain is describe for a command's own failure.
func explain(c *client.Client, err error) error {
	return errors.New(describe(c, err))
}
