package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/wmory/wmory"
)

// ResumableOver is the size above which a file goes up in parts, as the
// contract advises: a dropped connection then costs one part, not the file.
const ResumableOver = 64 << 20

// partsInFlight is how many parts of one file are sent at once.
const partsInFlight = 3

// partAttempts and the doubling wait from one second ride out a dropped
// connection or a store restarting, for each part.
const partAttempts = 6

// Resumes keeps what a run knows of each file it sends in parts, one small
// file per source file under Dir, so that the next run resumes an
// interrupted upload instead of starting over. The entry goes when the file
// is in the group (or refused for good).
type Resumes struct{ Dir string }

type resumeState struct {
	UploadID string    `json:"upload_id"`
	Server   string    `json:"server"`
	GroupID  string    `json:"group_id"`
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
	SHA256   string    `json:"sha256"`
}

// entry names the state of one file: the same file (path, size, time) sent to
// the same group of the same server.
func (r *Resumes) entry(server, groupID, path string, info fs.FileInfo) string {
	if r == nil {
		return ""
	}
	abs, _ := filepath.Abs(path)
	h := sha256.Sum256(fmt.Appendf(nil, "%s\n%s\n%s\n%d\n%d", server, groupID, abs, info.Size(), info.ModTime().UnixNano()))
	return filepath.Join(r.Dir, hex.EncodeToString(h[:16])+".json")
}

func (r *Resumes) load(entry string) *resumeState {
	if r == nil {
		return nil
	}
	b, err := os.ReadFile(entry)
	if err != nil {
		return nil
	}
	var s resumeState
	if json.Unmarshal(b, &s) != nil || s.UploadID == "" {
		return nil
	}
	return &s
}

func (r *Resumes) save(entry string, s resumeState) error {
	if r == nil {
		return nil
	}
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return err
	}
	b, _ := json.Marshal(s)
	tmp := entry + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, entry)
}

func (r *Resumes) forget(entry string) {
	if r != nil {
		os.Remove(entry)
	}
}

// progressView is the server's account of an upload (GET /uploads/{id}).
type progressView struct {
	Status    string `json:"status"`
	Resumable bool   `json:"resumable"`
	Size      int64  `json:"size"`
	PartSize  int64  `json:"part_size"`
	PartCount int    `json:"part_count"`
	MediaID   string `json:"media_id"`
	PartsDone []struct {
		Number int   `json:"number"`
		Size   int64 `json:"size"`
	} `json:"parts_done"`
}

// uploadInParts sends a large file as a resumable upload: the parts the
// store lacks, three at a time, each retried with backoff; then complete,
// sending again any part the server says is missing. An upload an earlier
// run began (see Resumes) is resumed; an error leaves it to be resumed by the
// next run, unless the server refused the file for good.
func (c *Client) uploadInParts(ctx context.Context, groupID string, f *os.File, info fs.FileInfo, name, contentType string, progress func(int64)) (string, error) {
	entry := c.Resumes.entry(c.Server, groupID, f.Name(), info)
	var up progressView
	state := c.Resumes.load(entry)
	if state != nil {
		err := c.Do(ctx, "GET", "/api/v1/uploads/"+state.UploadID, nil, &up)
		switch {
		case err == nil && up.Status == string(wmory.UploadCompleted):
			c.Resumes.forget(entry)
			return up.MediaID, nil
		case err == nil && up.Status == string(wmory.UploadPending) && up.Resumable && up.Size == info.Size():
			if c.Resumed != nil {
				c.Resumed(f.Name(), len(up.PartsDone), up.PartCount)
			}
		default:
			var apiErr *APIError
			if err != nil && !errors.As(err, &apiErr) {
				return "", err // the server is out of reach: try again later
			}
			c.Resumes.forget(entry) // ended, or not this server's any more
			state = nil
		}
	}
	if state == nil {
		sum, err := fileSHA256(f)
		if err != nil {
			return "", err
		}
		var auth struct {
			UploadID  string `json:"upload_id"`
			PartSize  int64  `json:"part_size"`
			PartCount int    `json:"part_count"`
		}
		err = c.Do(ctx, "POST", "/api/v1/groups/"+groupID+"/uploads",
			map[string]any{"filename": name, "content_type": contentType, "size": info.Size(), "sha256": sum, "resumable": true}, &auth)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Code == wmory.ECodeDuplicate {
			return apiErr.MediaID, ErrDuplicate
		}
		if err != nil {
			return "", err
		}
		state = &resumeState{UploadID: auth.UploadID, Server: c.Server, GroupID: groupID, Path: f.Name(), Size: info.Size(), Modified: info.ModTime(), SHA256: sum}
		if err := c.Resumes.save(entry, *state); err != nil {
			return "", err
		}
		up = progressView{Status: string(wmory.UploadPending), Resumable: true, Size: info.Size(), PartSize: auth.PartSize, PartCount: auth.PartCount}
	}
	u := wmory.Upload{Size: up.Size, PartSize: up.PartSize}
	done := map[int]bool{}
	for _, p := range up.PartsDone {
		if p.Size == u.PartLength(p.Number) {
			done[p.Number] = true
			report(progress, p.Size)
		}
	}
	var missing []int
	for n := 1; n <= u.PartCount(); n++ {
		if !done[n] {
			missing = append(missing, n)
		}
	}
	id, err := c.sendPartsAndComplete(ctx, state.UploadID, f, &u, missing, progress)
	var apiErr *APIError
	if err == nil || errors.Is(err, ErrDuplicate) || (errors.As(err, &apiErr) && !apiErr.Temporary() && apiErr.Code != wmory.ECodeUploadMissing) {
		c.Resumes.forget(entry)
		if c.Resumes == nil && err != nil {
			c.abandon(ctx, state.UploadID)
		}
	} else if c.Resumes == nil {
		c.abandon(ctx, state.UploadID) // nobody will resume it: give the allowance back
	}
	return id, err
}

func report(progress func(int64), n int64) {
	if progress != nil {
		progress(n)
	}
}

func (c *Client) abandon(ctx context.Context, uploadID string) {
	abandon, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	c.Do(abandon, "DELETE", "/api/v1/uploads/"+uploadID, nil, nil)
}

func fileSHA256(f *os.File) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, make([]byte, 1<<20)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sendPartsAndComplete sends the parts named, then completes; parts the
// server still finds missing are sent again, twice at most.
func (c *Client) sendPartsAndComplete(ctx context.Context, uploadID string, f *os.File, u *wmory.Upload, parts []int, progress func(int64)) (string, error) {
	for round := 0; ; round++ {
		if err := c.sendParts(ctx, uploadID, f, u, parts, progress); err != nil {
			return "", err
		}
		var media struct {
			ID string `json:"id"`
		}
		err := c.Do(ctx, "POST", "/api/v1/uploads/"+uploadID+"/complete", nil, &media)
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.Code == wmory.ECodeDuplicate:
			return apiErr.MediaID, ErrDuplicate
		case errors.As(err, &apiErr) && apiErr.Code == wmory.ECodeUploadMissing && len(apiErr.Missing) > 0 && round < 2:
			parts = apiErr.Missing
			continue
		}
		return media.ID, err
	}
}

// sendParts sends the parts, partsInFlight at a time, each to a URL signed
// just before (none expires while it waits its turn). It stops at the first
// part that keeps failing. progress is called from one goroutine at a time.
func (c *Client) sendParts(ctx context.Context, uploadID string, f *os.File, u *wmory.Upload, parts []int, progress func(int64)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var reporting sync.Mutex
	partDone := func(n int64) {
		reporting.Lock()
		defer reporting.Unlock()
		report(progress, n)
	}
	work := make(chan int)
	var once sync.Once
	var firstErr error
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	var wg sync.WaitGroup
	for range partsInFlight {
		wg.Go(func() {
			for n := range work {
				if err := c.sendPart(ctx, uploadID, f, u, n); err != nil {
					fail(fmt.Errorf("part %d: %w", n, err))
					continue
				}
				partDone(u.PartLength(n))
			}
		})
	}
	for _, n := range parts {
		select {
		case work <- n:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// sendPart signs one part's URL and sends the part, again with backoff while
// the failure may pass (the network, the store, an expired URL signed anew).
func (c *Client) sendPart(ctx context.Context, uploadID string, f *os.File, u *wmory.Upload, n int) error {
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		err := c.trySendPart(ctx, uploadID, f, u, n)
		var apiErr *APIError
		if err == nil || attempt == partAttempts || ctx.Err() != nil || (errors.As(err, &apiErr) && !apiErr.Temporary()) {
			return err
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff *= 2
	}
}

func (c *Client) trySendPart(ctx context.Context, uploadID string, f *os.File, u *wmory.Upload, n int) error {
	var signed struct {
		Parts []struct {
			Method  string            `json:"method"`
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
		} `json:"parts"`
	}
	if err := c.Do(ctx, "POST", "/api/v1/uploads/"+uploadID+"/parts", map[string][]int{"numbers": {n}}, &signed); err != nil {
		return err
	}
	if len(signed.Parts) != 1 {
		return fmt.Errorf("the server signed %d URLs for one part", len(signed.Parts))
	}
	p := signed.Parts[0]
	length := u.PartLength(n)
	req, err := http.NewRequestWithContext(ctx, p.Method, p.URL, io.NewSectionReader(f, int64(n-1)*u.PartSize, length))
	if err != nil {
		return err
	}
	req.ContentLength = length
	for k, v := range p.Headers {
		req.Header.Set(k, v)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		// A store's refusal of a part signed a moment ago passes with a
		// new signature, or not at all: temporary, within the attempts.
		return &APIError{Status: http.StatusServiceUnavailable, Code: codeStorageRefused, Message: fmt.Sprintf("the object store refused part %d (%d)", n, resp.StatusCode)}
	}
	return nil
}
