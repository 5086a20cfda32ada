package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wmory/wmory/internal/blob"
)

// A multipart upload lives in root/multipart/ID: a file naming its key and
// type, and one file per part (part-00001 …), each written and synced whole
// before it takes its name. Completion copies the parts into one temporary
// file (the kernel copies, nothing passes through memory) and links it into
// place as an upload's PUT does.

var uploadIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (s *Store) multipartDir(uploadID string) (string, error) {
	if !uploadIDPattern.MatchString(uploadID) {
		return "", blob.ErrNoUpload
	}
	return filepath.Join(s.root, "multipart", uploadID), nil
}

func partName(n int) string { return fmt.Sprintf("part-%05d", n) }

// openMultipart returns the folder of an upload in progress under key.
func (s *Store) openMultipart(key, uploadID string) (string, error) {
	dir, err := s.multipartDir(uploadID)
	if err != nil {
		return "", err
	}
	meta, err := os.ReadFile(filepath.Join(dir, "meta"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", blob.ErrNoUpload
	}
	if err != nil {
		return "", err
	}
	if k, _, _ := strings.Cut(string(meta), "\n"); k != key {
		return "", blob.ErrNoUpload
	}
	return dir, nil
}

func (s *Store) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if !blob.ValidKey(key) {
		return "", fmt.Errorf("blob: invalid key %q", key)
	}
	id := make([]byte, 16)
	rand.Read(id)
	dir, _ := s.multipartDir(hex.EncodeToString(id))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := writeNew(filepath.Join(dir, "meta"), []byte(key+"\n"+contentType)); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return filepath.Base(dir), nil
}

func (s *Store) PresignPart(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (blob.SignedRequest, error) {
	if !blob.ValidKey(key) || !uploadIDPattern.MatchString(uploadID) || number < 1 {
		return blob.SignedRequest{}, fmt.Errorf("blob: invalid part %q %q %d", key, uploadID, number)
	}
	exp := s.now().UTC().Add(ttl).Truncate(time.Second)
	e, n, l := strconv.FormatInt(exp.Unix(), 10), strconv.Itoa(number), strconv.FormatInt(size, 10)
	q := url.Values{"exp": {e}, "upload": {uploadID}, "part": {n}, "len": {l}, "sig": {s.sign("PART", key, uploadID, n, l, e)}}
	return blob.SignedRequest{Method: http.MethodPut, URL: s.url(key, q), ExpiresAt: exp, Headers: map[string]string{}}, nil
}

func (s *Store) ListParts(ctx context.Context, key, uploadID string) ([]blob.Part, error) {
	dir, err := s.openMultipart(key, uploadID)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var parts []blob.Part
	for _, e := range entries {
		num, ok := strings.CutPrefix(e.Name(), "part-")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // replaced or removed meanwhile
		}
		parts = append(parts, blob.Part{Number: n, Size: fi.Size(), ETag: fileInfo(fi).ETag})
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Number < parts[j].Number })
	return parts, nil
}

func (s *Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []blob.Part) error {
	dir, err := s.openMultipart(key, uploadID)
	if err != nil {
		return err
	}
	p, err := s.path(key)
	if err != nil {
		return err
	}
	out, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "assemble-*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	for _, part := range parts {
		if err := appendPart(out, filepath.Join(dir, partName(part.Number)), part); err != nil {
			return err
		}
	}
	if err := out.Sync(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	// As with an upload's PUT, nothing replaces an object: a second
	// completion finds the first's object, and the upload gone.
	if err := os.Link(out.Name(), p); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return blob.ErrNoUpload
		}
		return err
	}
	return os.RemoveAll(dir)
}

// appendPart copies one part to the end of out, if it is still the part
// that was listed.
func appendPart(out *os.File, path string, want blob.Part) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: part %d is missing", blob.ErrNoUpload, want.Number)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if got := fileInfo(fi); got.Size != want.Size || (want.ETag != "" && got.ETag != want.ETag) {
		return fmt.Errorf("blob: part %d changed since it was listed", want.Number)
	}
	// Between two files, io.Copy lets the kernel copy (copy_file_range).
	n, err := io.Copy(out, f)
	if err == nil && n != want.Size {
		err = fmt.Errorf("blob: part %d: copied %d bytes of %d", want.Number, n, want.Size)
	}
	return err
}

func (s *Store) AbortMultipart(ctx context.Context, key, uploadID string) error {
	dir, err := s.openMultipart(key, uploadID)
	if errors.Is(err, blob.ErrNoUpload) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

func (s *Store) ListMultiparts(ctx context.Context, prefix string, fn func(blob.Multipart) error) error {
	entries, err := os.ReadDir(filepath.Join(s.root, "multipart"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		meta, err := os.ReadFile(filepath.Join(s.root, "multipart", e.Name(), "meta"))
		if err != nil {
			continue // being made or removed
		}
		key, _, _ := strings.Cut(string(meta), "\n")
		info, err := e.Info()
		if err != nil || !strings.HasPrefix(key, prefix) {
			continue
		}
		if err := fn(blob.Multipart{Key: key, UploadID: e.Name(), Initiated: info.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}

// servePart stores one part of a multipart upload from a signed PUT,
// replacing the part of that number if one was sent before.
func (s *Store) servePart(w http.ResponseWriter, r *http.Request, key string, q url.Values) {
	uploadID, number := q.Get("upload"), q.Get("part")
	if !s.valid(q.Get("sig"), "PART", key, uploadID, number, q.Get("len"), q.Get("exp")) {
		deny(w, "SignatureDoesNotMatch")
		return
	}
	size, _ := strconv.ParseInt(q.Get("len"), 10, 64)
	n, _ := strconv.Atoi(number)
	if r.ContentLength != size {
		deny(w, "SignatureDoesNotMatch: the length differs from the signed one")
		return
	}
	dir, err := s.openMultipart(key, uploadID)
	if err != nil {
		http.Error(w, "NoSuchUpload", http.StatusNotFound)
		return
	}
	if !ask(r.Context(), s.accepts, key) {
		deny(w, "AccessDenied: this upload is no longer pending")
		return
	}
	tmp, written, err := s.writeTemp(idleReader{r: r.Body, rc: http.NewResponseController(w), idle: s.idle}, size)
	if err != nil {
		deny(w, "incomplete body")
		return
	}
	defer os.Remove(tmp)
	if written != size {
		deny(w, "body length differs from the signed length")
		return
	}
	// Renamed into its folder whole: a part is there complete or not at all.
	if err := os.Rename(tmp, filepath.Join(dir, partName(n))); err != nil {
		// Aborted (or completed) while the part arrived.
		http.Error(w, "NoSuchUpload", http.StatusNotFound)
		return
	}
	fi, err := os.Stat(filepath.Join(dir, partName(n)))
	if err == nil {
		w.Header().Set("ETag", `"`+fileInfo(fi).ETag+`"`)
	}
	w.WriteHeader(http.StatusOK)
}
