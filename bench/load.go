package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/sqldb"
)

// benchGalleryUnderLoad measures gallery pages while 8 clients upload without
// pause, against the same pages with no uploads: reads must not queue behind
// the writes of the upload path. On SQLite and, given a server, PostgreSQL.
func benchGalleryUnderLoad(postgres string) []row {
	rows := []row{loadOn("SQLite", func(dir string) (string, func()) { return "sqlite:" + filepath.Join(dir, "db.sqlite"), func() {} })}
	if postgres == "" {
		return append(rows, row{name: "gallery page under uploads, PostgreSQL", note: "not run: pass -postgres or WMORY_BENCH_POSTGRES"})
	}
	return append(rows, loadOn("PostgreSQL", func(string) (string, func()) { return scratchPostgres(postgres) }))
}

func loadOn(engine string, makeDB func(dir string) (string, func())) row {
	dir, _ := os.MkdirTemp("", "wmory-bench-load-")
	defer os.RemoveAll(dir)
	dbURL, drop := makeDB(dir)
	defer drop()
	e := newAPI(context.Background(), dbURL, func(base *url.URL) (blob.Store, http.Handler) {
		store, err := local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "key"), base)
		must(err)
		return store, store
	})
	defer e.Close()
	dialect, driver, dsn, err := sqldb.ParseURL(dbURL)
	must(err)
	raw := openRaw(driver, dsn)
	defer raw.Close()
	var uploader string
	must(raw.QueryRow(`SELECT id FROM users WHERE email = 'owner@example.com'`).Scan(&uploader))
	insertMedia(raw, dialect, e.gid, uploader, 1, 10_000)
	_, err = raw.Exec("ANALYZE")
	must(err)

	const pages = 200
	idle := walkGallery(e, pages, 30)
	body := uploadBody()[:256<<10]
	var stop atomic.Bool
	var uploaded atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				code, b, _ := e.call("POST", "/api/v1/groups/"+e.gid+"/uploads", fmt.Sprintf(`{"filename":"x.jpg","content_type":"image/jpeg","size":%d}`, len(body)))
				if code != 201 {
					must(fmt.Errorf("authorize: %d %s", code, b))
				}
				var g grant
				must(json.Unmarshal(b, &g))
				send(g, body)
				if code, b, _ := e.call("POST", "/api/v1/uploads/"+g.UploadID+"/complete", ""); code != 201 {
					must(fmt.Errorf("complete: %d %s", code, b))
				}
				uploaded.Add(1)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // the uploads under way
	loaded := walkGallery(e, pages, 30)
	stop.Store(true)
	wg.Wait()
	return row{
		name:     "gallery page (100 items) while 8 clients upload, " + engine,
		wmory:    "uploading: " + msf(percentile(loaded, 0.5)) + " / " + msf(percentile(loaded, 0.99)),
		baseline: "no uploads: " + msf(percentile(idle, 0.5)) + " / " + msf(percentile(idle, 0.99)),
		ratio:    fmt.Sprintf("%.2f", float64(percentile(loaded, 0.99))/float64(percentile(idle, 0.99))),
		note:     fmt.Sprintf("p50 / p99 over %d pages of 10 k media; ratio of p99s, goal ≤ 2; %d uploads meanwhile", pages, uploaded.Load()),
	}
}
