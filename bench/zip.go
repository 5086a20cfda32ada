package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/local"
)

// zipFiles × zipFileSize is the group the ZIP pair downloads: 2 GiB of
// originals, incompressible as photos and videos are.
const (
	zipFiles    = 32
	zipFileSize = 64 << 20
)

// benchZIP downloads a group's 2 GiB of originals as one ZIP, on the local
// store and on versitygw, against reading the same objects straight from the
// store through their signed URLs, one after the other as the archive does;
// and how much the API's memory grows while it streams the archive.
func benchZIP(rounds int) []row {
	dir, _ := os.MkdirTemp("", "wmory-bench-zip-")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	var rows []row

	e := newAPI(ctx, "sqlite:"+filepath.Join(dir, "local.sqlite"), func(base *url.URL) (blob.Store, http.Handler) {
		ls, err := local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "key"), base)
		must(err)
		return ls, ls
	})
	rows = append(rows, e.zipPair("local store", rounds)...)
	e.Close()

	store, stop, err := benchBucket(dir)
	if err != nil {
		return append(rows, row{name: "ZIP download, S3", note: err.Error()})
	}
	defer stop()
	e = newAPI(ctx, "sqlite:"+filepath.Join(dir, "s3.sqlite"), func(*url.URL) (blob.Store, http.Handler) { return store, nil })
	defer e.Close()
	return append(rows, e.zipPair("S3 store (versitygw)", rounds)...)
}

func (e *apiEnv) zipPair(storeName string, rounds int) []row {
	var originals []string
	for i := range zipFiles {
		code, b, _ := e.call("POST", "/api/v1/groups/"+e.gid+"/uploads", fmt.Sprintf(`{"filename":"IMG_%04d.jpg","content_type":"image/jpeg","size":%d}`, i, zipFileSize))
		if code != 201 {
			must(fmt.Errorf("authorize: %d %s", code, b))
		}
		var g grant
		must(json.Unmarshal(b, &g))
		sendBody(g, io.MultiReader(strings.NewReader("\xff\xd8\xff\xe0"), io.LimitReader(rand.NewChaCha8([32]byte{byte(i)}), zipFileSize-4)), zipFileSize)
		code, b, _ = e.call("POST", "/api/v1/uploads/"+g.UploadID+"/complete", "")
		if code != 201 {
			must(fmt.Errorf("complete: %d %s", code, b))
		}
		var m struct{ ID string }
		must(json.Unmarshal(b, &m))
		code, b, _ = e.call("GET", "/api/v1/media/"+m.ID, "")
		var full struct {
			OriginalURL string `json:"original_url"`
		}
		must(json.Unmarshal(b, &full))
		if code != 200 || full.OriginalURL == "" {
			must(fmt.Errorf("media: %d %s", code, b))
		}
		originals = append(originals, full.OriginalURL)
	}
	fetch := func(url string) int64 {
		resp, err := client.Get(url)
		must(err)
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		must(err)
		if resp.StatusCode != 200 {
			must(fmt.Errorf("GET %s: %d", url, resp.StatusCode))
		}
		return n
	}
	const total = zipFiles * zipFileSize
	var ours, theirs []time.Duration
	var grew float64
	for r := range rounds {
		alternate(r%2 == 0, func() {
			code, b, _ := e.call("POST", "/api/v1/groups/"+e.gid+"/downloads", "{}")
			var d struct{ URL string }
			must(json.Unmarshal(b, &d))
			if code != 201 {
				must(fmt.Errorf("download: %d %s", code, b))
			}
			before := procField("/proc/self/status", "VmRSS")
			var peak atomic.Uint64
			done := make(chan struct{})
			go func() {
				for {
					select {
					case <-done:
						return
					case <-time.After(20 * time.Millisecond):
						if now := uint64(procField("/proc/self/status", "VmRSS") * 1024); now > peak.Load() {
							peak.Store(now)
						}
					}
				}
			}()
			start := time.Now()
			if n := fetch(d.URL); n < total {
				must(fmt.Errorf("the ZIP holds %d bytes, fewer than its originals' %d", n, total))
			}
			ours = append(ours, time.Since(start))
			close(done)
			grew = max(grew, float64(peak.Load())/1024-before)
		}, func() {
			start := time.Now()
			for _, u := range originals {
				fetch(u)
			}
			theirs = append(theirs, time.Since(start))
		})
	}
	mo, mt := median(ours), median(theirs)
	mbps := func(d time.Duration) string { return fmt.Sprintf("%.0f MB/s", total/d.Seconds()/1e6) }
	return []row{
		{"ZIP download, " + storeName + " (2 GiB: 32 originals of 64 MiB)", mbps(mo), mbps(mt) + " (the same objects through their signed URLs, one after the other)",
			fmt.Sprintf("%.2f", mt.Seconds()/mo.Seconds()), "streamed as written (STORE, CRC-32 of every byte); throughput ratio, goal ≥ 0.9"},
		{"API memory during that ZIP, " + storeName, fmt.Sprintf("+%.0f MiB", grew), "", "",
			"peak resident memory of the process serving the API (this one) over its level before the download; goal < 64 MiB"},
	}
}
