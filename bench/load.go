package main

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// benchGalleryUnderLoad measures gallery pages while 8 clients upload without
// pause, against the same pages with no uploads: reads must not queue behind
// the writes of the upload path. On SQLite and, given a server, PostgreSQL.
//
// Two loads: clients that upload as fast as loopback lets them (on a machine of
// two cores this saturates the CPU, so pages wait for a core, not for a lock:
// PostgreSQL shows the same), and clients paced like phones on a good Wi-Fi
// (2 MB/s each), where the ratio shows whether reads queue behind writes.
func benchGalleryUnderLoad(postgres string) []row {
	var rows []row
	sqlite := func(dir string) (string, func()) { return "sqlite:" + filepath.Join(dir, "db.sqlite"), func() {} }
	for _, pace := range []int{0, 2 << 20} {
		rows = append(rows, loadOn("SQLite", pace, sqlite))
		if postgres == "" {
			rows = append(rows, row{name: "gallery page under uploads, PostgreSQL", note: "not run: pass -postgres or WMORY_BENCH_POSTGRES"})
			continue
		}
		rows = append(rows, loadOn("PostgreSQL", pace, func(string) (string, func()) { return scratchPostgres(postgres) }))
	}
	return rows
}

// loadOn runs the pair on one engine; pace is each client's bytes per second
// (0: no pause).
func loadOn(engine string, pace int, makeDB func(dir string) (string, func())) row {
	g := newGalleryBench(makeDB)
	defer g.close()
	e := g.apiEnv
	insertMedia(g.raw, g.dialect, e.gid, g.uploader, 1, 10_000)
	_, err := g.raw.Exec("ANALYZE")
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
				began := time.Now()
				e.uploadOne(body)
				uploaded.Add(1)
				if pace > 0 {
					time.Sleep(time.Until(began.Add(time.Duration(len(body)) * time.Second / time.Duration(pace))))
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // the uploads under way
	loaded := walkGallery(e, pages, 30)
	stop.Store(true)
	wg.Wait()
	load := "as fast as they can"
	if pace > 0 {
		load = fmt.Sprintf("at %d MB/s each", pace>>20)
	}
	return row{
		name:     "gallery page (100 items) while 8 clients upload " + load + ", " + engine,
		wmory:    "uploading: " + msf(percentile(loaded, 0.5)) + " / " + msf(percentile(loaded, 0.99)),
		baseline: "no uploads: " + msf(percentile(idle, 0.5)) + " / " + msf(percentile(idle, 0.99)),
		ratio:    fmt.Sprintf("%.2f", float64(percentile(loaded, 0.99))/float64(percentile(idle, 0.99))),
		note:     fmt.Sprintf("p50 / p99 over %d pages of 10 k media; ratio of p99s, goal ≤ 2; %d uploads meanwhile", pages, uploaded.Load()),
	}
}
