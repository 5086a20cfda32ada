package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/blob/s3"
	wmoryhttp "github.com/wmory/wmory/internal/http"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/jobs"
	"github.com/wmory/wmory/internal/sqldb"
)

// startWorkers runs the job queue in this process as wmory serve does: n at
// a time, photos in helper processes, woken when a job is written.
func (e *apiEnv) startWorkers(n int) (stop func()) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := jobs.New(e.db, e.store, log)
	proc := imaging.New()
	exe, err := os.Executable()
	must(err)
	proc.Helper = []string{exe, "imaging-helper"}
	w.HandleMedia(e.svc.Processor(proc), 1)
	w.Concurrency = n
	e.db.OnEnqueue = w.Wake
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	return func() { cancel(); <-done; proc.StopHelpers() }
}

// authorize asks for the upload of one photo.
func (e *apiEnv) authorize(name string, size int) grant {
	code, b, _ := e.call("POST", "/api/v1/groups/"+e.gid+"/uploads", fmt.Sprintf(`{"filename":%q,"content_type":"image/jpeg","size":%d}`, name, size))
	if code != 201 {
		must(fmt.Errorf("authorize: %d %s", code, b))
	}
	var g grant
	must(json.Unmarshal(b, &g))
	return g
}

// readyTimes polls the gallery until want items are ready and returns when
// each filename was first seen ready.
func (e *apiEnv) readyTimes(want int, deadline time.Duration) map[string]time.Time {
	seen := map[string]time.Time{}
	end := time.Now().Add(deadline)
	for len(seen) < want {
		if time.Now().After(end) {
			must(fmt.Errorf("only %d of %d items ready after %v", len(seen), want, deadline))
		}
		_, b, _ := e.call("GET", "/api/v1/groups/"+e.gid+"/media?limit=200", "")
		var page struct {
			Items []struct {
				Filename string `json:"filename"`
				Status   string `json:"status"`
			} `json:"items"`
		}
		must(json.Unmarshal(b, &page))
		now := time.Now()
		for _, it := range page.Items {
			if _, ok := seen[it.Filename]; !ok && it.Status == "ready" {
				seen[it.Filename] = now
			}
		}
		// Often enough to see the order of arrivals; rarely enough that the
		// polling itself takes little of the machine from the workers.
		time.Sleep(20 * time.Millisecond)
	}
	return seen
}

// awaitProcessed waits until no item's processing job is left, asking the
// database (a cheap count) every few milliseconds.
func (e *apiEnv) awaitProcessed(deadline time.Duration) {
	end := time.Now().Add(deadline)
	for {
		n, err := e.db.PendingJobs(context.Background(), sqldb.JobProcessMedia)
		must(err)
		if n == 0 {
			return
		}
		if time.Now().After(end) {
			must(fmt.Errorf("%d items still processing after %v", n, deadline))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// inLanes runs work(i) for i in [0, n), lanes at a time, and returns when all
// are done.
func inLanes(lanes, n int, work func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				work(i)
			}
		}()
	}
	wg.Wait()
}

func benchPhotoFiles(dir string) [][]byte {
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		must(err)
		out = append(out, b)
	}
	return out
}

// benchTimeToVisible times wmory on its embedded defaults (SQLite, the local
// store, one worker per core) from the clients' complete calls for the bench
// photos, already stored, to the last item ready, against vipsthumbnail
// making the same two WebP images of each photo on every core.
func benchTimeToVisible(dir string, rounds int) []row {
	photos := benchPhotoFiles(dir)
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if len(photos) == 0 {
		return []row{{name: "time to visible", note: "no photos in " + dir}}
	}
	lanes := runtime.NumCPU()
	out, _ := os.MkdirTemp("", "wmory-bench-vips-")
	defer os.RemoveAll(out)
	var ours, theirs []time.Duration
	for r := 0; r < rounds; r++ {
		alternate(r%2 == 0, func() {
			tmp, _ := os.MkdirTemp("", "wmory-bench-visible-")
			defer os.RemoveAll(tmp)
			e := newAPI(context.Background(), "sqlite:"+filepath.Join(tmp, "db.sqlite"), func(base *url.URL) (blob.Store, http.Handler) {
				store, err := local.Open(filepath.Join(tmp, "blobs"), filepath.Join(tmp, "key"), base)
				must(err)
				return store, store
			})
			defer e.Close()
			// The clients' complete starts the clock: the local store must
			// not complete the uploads as their bytes arrive.
			e.store.(*local.Store).SetArrival(nil)
			stop := e.startWorkers(lanes)
			defer stop()
			grants := make([]grant, len(photos))
			for i, p := range photos {
				grants[i] = e.authorize(fmt.Sprintf("p%02d.jpg", i), len(p))
				send(grants[i], p)
			}
			start := time.Now()
			inLanes(lanes, len(photos), func(i int) {
				if code, b, _ := e.call("POST", "/api/v1/uploads/"+grants[i].UploadID+"/complete", ""); code != 201 {
					must(fmt.Errorf("complete: %d %s", code, b))
				}
			})
			e.awaitProcessed(5 * time.Minute)
			ours = append(ours, time.Since(start))
			if n := len(e.readyTimes(len(photos), time.Minute)); n != len(photos) {
				must(fmt.Errorf("%d of %d ready", n, len(photos)))
			}
		}, func() {
			start := time.Now()
			inLanes(lanes, len(files), func(i int) {
				for _, s := range []struct{ px, q string }{{"1440", "82"}, {"400", "78"}} {
					timeCmd("vipsthumbnail", files[i], "--size", s.px+"x"+s.px, "-o", filepath.Join(out, fmt.Sprintf("%d-%s.webp[Q=%s,strip]", i, s.px, s.q)))
				}
			})
			theirs = append(theirs, time.Since(start))
		})
	}
	mo, mt := median(ours), median(theirs)
	return []row{{fmt.Sprintf("time to visible: %d photos, complete → all ready (embedded defaults, %d workers)", len(photos), lanes),
		ms(mo), fmt.Sprintf("%s (`vipsthumbnail` × 2 per photo, %d at a time)", ms(mt), lanes), fmt.Sprintf("%.2f", float64(mo)/float64(mt)),
		"the queue's pick-up, hand-offs and writes included; goal ≤ 0.55"}}
}

// benchArrivalEvents uploads the bench photos to wmory on versitygw, whose
// webhook notifications complete them, without any complete call, against
// the same uploads completed by the client: PUT end → item ready, per photo.
func benchArrivalEvents(dir string, rounds int) []row {
	photos := benchPhotoFiles(dir)
	if len(photos) == 0 {
		return []row{{name: "PUT end → ready", note: "no photos in " + dir}}
	}
	tmp, _ := os.MkdirTemp("", "wmory-bench-events-")
	defer os.RemoveAll(tmp)
	const secret = "the bench's event secret"
	var api atomic.Value
	relay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The network between the store and wmory: forward as sent.
		body, _ := io.ReadAll(r.Body)
		base, _ := api.Load().(string)
		if base == "" {
			return
		}
		resp, err := client.Post(base+"/events/s3?secret="+url.QueryEscape(secret), r.Header.Get("Content-Type"), bytes.NewReader(body))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}))
	defer relay.Close()
	filter := filepath.Join(tmp, "filter.json")
	must(os.WriteFile(filter, []byte(`{"s3:ObjectCreated:*": true}`), 0o600))
	gw, err := blobtest.LaunchVersityGW(filepath.Join(tmp, "gw"), "--event-webhook-url", relay.URL, "--event-filter", filter)
	if err != nil {
		return []row{{name: "PUT end → ready", note: err.Error()}}
	}
	defer gw.Stop()
	os.Setenv("AWS_ACCESS_KEY_ID", gw.Access)
	os.Setenv("AWS_SECRET_ACCESS_KEY", gw.Secret)
	os.Setenv("AWS_REGION", "us-east-1")
	lanes := runtime.NumCPU()
	run := func(r int, events bool) []time.Duration {
		bucket := fmt.Sprintf("b%d%v", r, events)
		must(gw.MakeBucket(bucket))
		store, err := s3.New(context.Background(), s3.Config{Bucket: bucket, Region: "us-east-1", Endpoint: gw.Endpoint, PathStyle: true})
		must(err)
		e := newAPI(context.Background(), "sqlite:"+filepath.Join(tmp, bucket+".sqlite"), func(*url.URL) (blob.Store, http.Handler) { return store, nil },
			func(c *wmoryhttp.Config) { c.EventSecret = secret })
		defer e.Close()
		api.Store(e.srv.URL)
		stop := e.startWorkers(lanes)
		defer stop()
		putEnd := map[string]time.Time{}
		var mu sync.Mutex
		sent := make(chan struct{})
		go func() {
			defer close(sent)
			inLanes(lanes, len(photos), func(i int) {
				name := fmt.Sprintf("p%02d.jpg", i)
				g := e.authorize(name, len(photos[i]))
				send(g, photos[i])
				mu.Lock()
				putEnd[name] = time.Now()
				mu.Unlock()
				if !events {
					if code, b, _ := e.call("POST", "/api/v1/uploads/"+g.UploadID+"/complete", ""); code != 201 {
						must(fmt.Errorf("complete: %d %s", code, b))
					}
				}
			})
		}()
		// Polled while the photos are still being sent: the first are ready
		// before the last are stored.
		ready := e.readyTimes(len(photos), 5*time.Minute)
		<-sent
		var waits []time.Duration
		for name, at := range ready {
			waits = append(waits, at.Sub(putEnd[name]))
		}
		return waits
	}
	var withEvents, withComplete []time.Duration
	for r := 0; r < rounds; r++ {
		alternate(r%2 == 0,
			func() { withEvents = append(withEvents, run(r, true)...) },
			func() { withComplete = append(withComplete, run(r, false)...) })
	}
	me, mc := median(withEvents), median(withComplete)
	return []row{{fmt.Sprintf("PUT end → item ready, S3 (versitygw) events, no complete (%d photos, %d workers)", len(photos), lanes),
		ms(me) + " per photo", ms(mc) + " (the client's complete instead)", fmt.Sprintf("%.2f", float64(me)/float64(mc)),
		"webhook → /events/s3; goal ≤ 1.1; p90 " + ms(percentile(withEvents, 0.9)) + " / " + ms(percentile(withComplete, 0.9))}}
}
