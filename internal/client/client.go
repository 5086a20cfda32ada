// Package client is a Go client of wmory's HTTP API, used by the command-line
// uploader. It speaks the API as the server documents it (its OpenAPI
// document) and nothing else; its error codes are the domain's.
package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/wmory/wmory"
)

// Client talks to one server with one bearer token.
type Client struct {
	Server string
	Token  string
	HTTP   *http.Client
	// Resumes, when set, keeps the state of files sent in parts between
	// runs, so that an interrupted run resumes them.
	Resumes *Resumes
	// Resumed, when set, is told of a file whose parts an earlier run began.
	Resumed func(path string, partsDone, parts int)
}

// APIError is a refusal from the server, with the contract's code.
type APIError struct {
	Status  int
	Code    wmory.Code
	Message string
	MediaID string
	// Missing lists the parts a resumable upload lacks, with upload_missing.
	Missing []int
	// RetryAfter is set on 429 and 503.
	RetryAfter time.Duration
}

func (e *APIError) Error() string { return fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message) }

// Temporary reports whether trying again later may succeed.
func (e *APIError) Temporary() bool {
	return e.Status >= 500 || e.Code == wmory.ECodeRateLimited || e.Code == wmory.ECodeUploadExpired || e.Code == codeStorageRefused
}

// codeStorageRefused is the client's own: the store, not wmory, refused a PUT.
const codeStorageRefused wmory.Code = "storage_refused"

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// Do sends a JSON request and decodes a JSON answer into out (may be nil).
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Server+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// Named in the account's list of sessions.
	req.Header.Set("User-Agent", "wmory-cli")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		var e struct {
			Error struct {
				Code    wmory.Code `json:"code"`
				Message string     `json:"message"`
			} `json:"error"`
			MediaID string `json:"media_id"`
			Missing []int  `json:"missing"`
		}
		json.Unmarshal(b, &e)
		apiErr := &APIError{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message, MediaID: e.MediaID, Missing: e.Missing}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			apiErr.RetryAfter = time.Duration(s) * time.Second
		}
		return apiErr
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Login signs in and keeps the token.
func (c *Client) Login(ctx context.Context, email, password string) error {
	var out struct {
		Token string `json:"token"`
	}
	if err := c.Do(ctx, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, &out); err != nil {
		return err
	}
	c.Token = out.Token
	return nil
}

// Group is what the uploader needs of a group.
type Group struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	MediaCount int    `json:"media_count"`
}

// Groups lists the caller's groups, every page.
func (c *Client) Groups(ctx context.Context) ([]Group, error) {
	var all []Group
	path := "/api/v1/groups?limit=200"
	for {
		var page struct {
			Items      []Group `json:"items"`
			NextCursor string  `json:"next_cursor"`
		}
		if err := c.Do(ctx, "GET", path, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, nil
		}
		path = "/api/v1/groups?limit=200&cursor=" + page.NextCursor
	}
}

// Upload sends one file: authorize (with its SHA-256, so the group's copy is
// found), PUT straight to storage, complete; a file larger than
// ResumableOver goes in parts (see uploadInParts). A file the group already
// has returns ErrDuplicate.
func (c *Client) Upload(ctx context.Context, groupID, path, name, contentType string, progress func(n int64)) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	if info.Size() > ResumableOver {
		return c.uploadInParts(ctx, groupID, f, info, name, contentType, progress)
	}
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return "", err
	}
	var up struct {
		UploadID string            `json:"upload_id"`
		Method   string            `json:"method"`
		URL      string            `json:"url"`
		Headers  map[string]string `json:"headers"`
	}
	err = c.Do(ctx, "POST", "/api/v1/groups/"+groupID+"/uploads",
		map[string]any{"filename": name, "content_type": contentType, "size": size, "sha256": hex.EncodeToString(h.Sum(nil))}, &up)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == wmory.ECodeDuplicate {
		return apiErr.MediaID, ErrDuplicate
	}
	if err != nil {
		return "", err
	}
	id, err := c.send(ctx, up.UploadID, up.Method, up.URL, up.Headers, f, size, progress)
	if err != nil && !errors.Is(err, ErrDuplicate) {
		// Give the day's allowance back now rather than when the upload
		// expires; a retry authorizes anew. (Bytes that did arrive were
		// completed by the server: this is then a harmless conflict.)
		abandon, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		c.Do(abandon, "DELETE", "/api/v1/uploads/"+up.UploadID, nil, nil)
		cancel()
	}
	return id, err
}

// send stores the bytes with the signed request, then completes the upload.
func (c *Client) send(ctx context.Context, uploadID, method, url string, headers map[string]string, f *os.File, size int64, progress func(n int64)) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, method, url, &countingReader{r: f, report: progress})
	if err != nil {
		return "", err
	}
	req.ContentLength = size
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", &APIError{Status: resp.StatusCode, Code: codeStorageRefused, Message: "the object store refused the file"}
	}
	var media struct {
		ID string `json:"id"`
	}
	err = c.Do(ctx, "POST", "/api/v1/uploads/"+uploadID+"/complete", nil, &media)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == "duplicate" {
		return apiErr.MediaID, ErrDuplicate
	}
	return media.ID, err
}

// ErrDuplicate: the group already holds this file.
var ErrDuplicate = errors.New("the group already has this file")

type countingReader struct {
	r      io.Reader
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 && c.report != nil {
		c.report(int64(n))
	}
	return n, err
}
