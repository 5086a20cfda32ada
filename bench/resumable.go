package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/blob/s3"
)

const (
	resumableBytes  = 1 << 30 // the file sent in parts
	resumableFlight = 4       // parts in flight
)

// benchResumable sends a 1 GiB file through authorize → parts → complete,
// four parts in flight, against the same bytes as a bare presigned multipart
// upload to the same versitygw, and on the local store against `dd` writing
// the same bytes to the same disk.
func benchResumable(rounds int) []row {
	dir, _ := os.MkdirTemp("", "wmory-bench-resumable-")
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "big.mp4")
	makeBigFile(file)
	var rows []row

	store, stop, err := benchBucket(dir)
	if err != nil {
		return []row{{name: "resumable upload, S3", note: err.Error()}}
	}
	defer stop()
	ctx := context.Background()
	e := newAPI(ctx, "sqlite:"+filepath.Join(dir, "s3.sqlite"), func(*url.URL) (blob.Store, http.Handler) { return store, nil })
	var ours, theirs []time.Duration
	for r := 0; r < rounds; r++ {
		alternate(r%2 == 0,
			func() { ours = append(ours, e.sendInParts(file)) },
			func() { theirs = append(theirs, bareMultipart(ctx, store, file)) })
	}
	e.Close()
	mo, mt := median(ours), median(theirs)
	rows = append(rows, row{"resumable upload, S3 (versitygw; 1 GiB, 4 parts in flight)", rate(mo), rate(mt) + " (bare presigned multipart upload)",
		fmt.Sprintf("%.2f", mt.Seconds()/mo.Seconds()), "authorize → 64 parts (each URL signed on request) → complete, which assembles; goal ≥ 0.9"})

	e = newAPI(ctx, "sqlite:"+filepath.Join(dir, "local.sqlite"), func(base *url.URL) (blob.Store, http.Handler) {
		ls, err := local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "key"), base)
		must(err)
		return ls, ls
	})
	defer e.Close()
	ours, theirs = nil, nil
	for r := 0; r < rounds; r++ {
		alternate(r%2 == 0,
			func() { ours = append(ours, e.sendInParts(file)) },
			func() { theirs = append(theirs, ddOnce(dir)) })
	}
	mo, mt = median(ours), median(theirs)
	rows = append(rows, row{"resumable upload, local store (1 GiB, 4 parts in flight)", rate(mo), rate(mt) + " (`dd` of the same bytes, synced)",
		fmt.Sprintf("%.2f", mt.Seconds()/mo.Seconds()), "parts synced as they arrive, then copied into one file and synced; goal ≥ 0.8"})
	return rows
}

func rate(d time.Duration) string {
	return fmt.Sprintf("%.0f MB/s", float64(resumableBytes)/1e6/d.Seconds())
}

// makeBigFile writes a file that starts like an MP4, of random bytes.
func makeBigFile(path string) {
	f, err := os.Create(path)
	must(err)
	defer f.Close()
	buf := make([]byte, 16<<20)
	for written := 0; written < resumableBytes; written += len(buf) {
		rand.Read(buf)
		if written == 0 {
			copy(buf, "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
		}
		_, err := f.Write(buf)
		must(err)
	}
}

// sendInParts runs a resumable upload of the file as a client does.
func (e *apiEnv) sendInParts(path string) time.Duration {
	start := time.Now()
	status, b, _ := e.call("POST", "/api/v1/groups/"+e.gid+"/uploads",
		fmt.Sprintf(`{"filename":"big.mp4","content_type":"video/mp4","size":%d,"resumable":true}`, resumableBytes))
	var up struct {
		UploadID  string `json:"upload_id"`
		PartSize  int64  `json:"part_size"`
		PartCount int    `json:"part_count"`
	}
	if status != 201 || json.Unmarshal(b, &up) != nil {
		must(fmt.Errorf("authorize: %d %s", status, b))
	}
	inParallel(up.PartCount, func(n int) {
		status, b, _ := e.call("POST", "/api/v1/uploads/"+up.UploadID+"/parts", fmt.Sprintf(`{"numbers":[%d]}`, n))
		var signed struct{ Parts []grant }
		if status != 200 || json.Unmarshal(b, &signed) != nil || len(signed.Parts) != 1 {
			must(fmt.Errorf("sign part %d: %d %s", n, status, b))
		}
		putSection(signed.Parts[0], path, int64(n-1)*up.PartSize, min(up.PartSize, resumableBytes-int64(n-1)*up.PartSize))
	})
	if status, b, _ := e.call("POST", "/api/v1/uploads/"+up.UploadID+"/complete", ""); status != 201 {
		must(fmt.Errorf("complete: %d %s", status, b))
	}
	return time.Since(start)
}

// bareMultipart sends the same file straight to the store: begin, presigned
// parts, complete.
func bareMultipart(ctx context.Context, store *s3.Store, path string) time.Duration {
	key := "plain/" + wmory.NewID(time.Now())
	start := time.Now()
	id, err := store.CreateMultipart(ctx, key, "video/mp4")
	must(err)
	count := (resumableBytes + wmory.PartSize - 1) / wmory.PartSize
	parts := make([]blob.Part, count)
	inParallel(count, func(n int) {
		length := min(int64(wmory.PartSize), resumableBytes-int64(n-1)*wmory.PartSize)
		req, err := store.PresignPart(ctx, key, id, n, length, time.Hour)
		must(err)
		etag := putSection(grant{Method: req.Method, URL: req.URL, Headers: req.Headers}, path, int64(n-1)*wmory.PartSize, length)
		parts[n-1] = blob.Part{Number: n, Size: length, ETag: etag}
	})
	must(store.CompleteMultipart(ctx, key, id, parts))
	d := time.Since(start)
	must(store.Delete(ctx, key))
	return d
}

// inParallel calls fn for parts 1..count, resumableFlight at a time.
func inParallel(count int, fn func(n int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range resumableFlight {
		wg.Go(func() {
			for n := range work {
				fn(n)
			}
		})
	}
	for n := 1; n <= count; n++ {
		work <- n
	}
	close(work)
	wg.Wait()
}

// putSection sends bytes of the file from disk to a signed URL and returns
// the ETag the store answered.
func putSection(g grant, path string, offset, length int64) string {
	f, err := os.Open(path)
	must(err)
	defer f.Close()
	return sendBody(g, io.NewSectionReader(f, offset, length), length)
}

// ddOnce writes the same number of bytes to the same disk, synced.
func ddOnce(dir string) time.Duration {
	out := filepath.Join(dir, "dd.bin")
	defer os.Remove(out)
	start := time.Now()
	b, err := exec.Command("dd", "if="+filepath.Join(dir, "big.mp4"), "of="+out, "bs=16M", "conv=fsync").CombinedOutput()
	must(errFrom(err, b))
	return time.Since(start)
}
