// Package archive writes ZIP archives as a stream: each entry's bytes go from
// its source to the writer as they come, stored as they are (photos and
// videos are compressed already), so that memory does not grow with the
// archive. archive/zip adds ZIP64 records where sizes or counts need them.
package archive

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Writer writes one archive.
type Writer struct {
	zw    *zip.Writer
	taken map[string]bool // names in the archive, as a case-insensitive file system sees them
	bufs  [2][]byte
}

// copyBuffer is how much of an entry goes to the writer at once: large writes
// mean few system calls and chunks for what is mostly moving bytes along.
const copyBuffer = 1 << 20

// NewWriter starts an archive on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{zw: zip.NewWriter(w), taken: map[string]bool{}, bufs: [2][]byte{make([]byte, copyBuffer), make([]byte, copyBuffer)}}
}

// Add copies an entry's bytes into the archive under a name made safe and
// unique (folders are "/"-separated), which it returns. Modified is shown as
// its zone's wall clock. The source is closed before Add returns, whatever
// happens.
func (w *Writer) Add(ctx context.Context, name string, modified time.Time, open func(ctx context.Context) (io.ReadCloser, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	src, err := open(ctx)
	if err != nil {
		return "", err
	}
	name = w.unique(name)
	dst, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: modified})
	if err != nil {
		src.Close()
		return "", err
	}
	return name, w.copyAhead(dst, src)
}

// copyAhead copies src to dst while reading ahead: the next buffer fills
// while the last one is written, so that reading the store and writing to
// the client overlap instead of taking turns. It closes src, and returns
// only once its reader has stopped.
func (w *Writer) copyAhead(dst io.Writer, src io.ReadCloser) error {
	type chunk struct {
		data []byte
		err  error
	}
	full := make(chan chunk)
	free := make(chan []byte, len(w.bufs))
	for _, b := range w.bufs {
		free <- b
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer close(full)
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-done:
				return
			}
			n, err := io.ReadFull(src, buf)
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			select {
			case full <- chunk{buf[:n], err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		close(done)
		src.Close() // a read waiting on the network returns
		<-stopped
	}()
	for c := range full {
		if len(c.data) > 0 {
			if _, err := dst.Write(c.data); err != nil {
				return err
			}
		}
		if c.err == io.EOF {
			return nil
		}
		if c.err != nil {
			return c.err
		}
		free <- c.data[:cap(c.data)]
	}
	return nil
}

// AddBytes adds an entry made in memory (a small one: an index, a manifest).
func (w *Writer) AddBytes(name string, modified time.Time, data []byte) error {
	dst, err := w.zw.CreateHeader(&zip.FileHeader{Name: w.unique(name), Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	_, err = dst.Write(data)
	return err
}

// Close writes the archive's central directory.
func (w *Writer) Close() error { return w.zw.Close() }

// unique makes a name safe on every system an archive is unpacked on, and
// not yet in the archive: "IMG_0001.jpg", then "IMG_0001 (2).jpg".
func (w *Writer) unique(name string) string {
	name = SafePath(name)
	dir, file := path.Split(name)
	ext := path.Ext(file)
	stem := strings.TrimSuffix(file, ext)
	candidate := name
	for n := 2; w.taken[strings.ToLower(candidate)]; n++ {
		candidate = fmt.Sprintf("%s%s (%d)%s", dir, stem, n, ext)
	}
	w.taken[strings.ToLower(candidate)] = true
	return candidate
}

// SafeName makes one folder or file name safe, "/" included.
func SafeName(name string) string { return SafePath(strings.ReplaceAll(name, "/", "_")) }

// SafePath makes each folder and file name of a "/"-separated path safe to
// unpack: no traversal ("..", absolute paths), no control characters, none
// of the characters Windows refuses, no trailing dots or spaces, at most 150
// bytes each (whole characters).
func SafePath(p string) string {
	var parts []string
	for _, seg := range strings.Split(p, "/") {
		seg = strings.Map(func(r rune) rune {
			switch {
			case r == utf8.RuneError, unicode.IsControl(r), strings.ContainsRune(`\:*?"<>|`, r):
				return '_'
			}
			return r
		}, seg)
		seg = strings.TrimRight(strings.TrimSpace(seg), ". ")
		for len(seg) > 150 {
			_, size := utf8.DecodeLastRuneInString(seg)
			seg = seg[:len(seg)-size]
		}
		if seg == "" || seg == "." || seg == ".." {
			seg = "_"
		}
		parts = append(parts, seg)
	}
	return strings.Join(parts, "/")
}
