// Command bench compares wmory with the best plain tools on this machine, side
// by side in one run (alternating, several rounds, medians), and prints a
// Markdown table. `make bench` runs it; docs/benchmarks.md keeps the latest.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob/local"
	wmoryhttp "github.com/wmory/wmory/internal/http"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/password"
	"github.com/wmory/wmory/internal/sqldb"
)

type row struct {
	name, wmory, baseline, ratio, note string
}

func main() {
	photos := flag.String("photos", filepath.Join("..", "shared", "bench-photos"), "folder of 12 MP JPEGs")
	rounds := flag.Int("rounds", 3, "alternating rounds per pair")
	flag.Parse()
	imaging.Start()
	var rows []row
	rows = append(rows, benchPhotos(*photos, *rounds)...)
	rows = append(rows, benchVideos(*rounds)...)
	rows = append(rows, benchUploads(*rounds)...)

	host, _ := os.Hostname()
	fmt.Printf("Machine: %s, %d cores, %s/%s, %s; %d alternating rounds, medians.\n\n", host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, cpuModel(), *rounds)
	fmt.Println("| pair | wmory | baseline | wmory ÷ baseline | notes |")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s | %s |\n", r.name, r.wmory, r.baseline, r.ratio, r.note)
	}
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// timeCmd runs a command under GNU time and returns its wall time and peak RSS (KiB).
func timeCmd(name string, args ...string) (time.Duration, int64) {
	start := time.Now()
	out, err := exec.Command("/usr/bin/time", append([]string{"-f", "%M", name}, args...)...).CombinedOutput()
	d := time.Since(start)
	if err != nil {
		must(fmt.Errorf("%s: %v\n%s", name, err, out))
	}
	f := strings.Fields(string(out))
	kb, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
	return d, kb
}

func peakRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func benchPhotos(dir string, rounds int) []row {
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if len(files) == 0 {
		return []row{{name: "photos", note: "no photos in " + dir}}
	}
	p := imaging.New()
	out, _ := os.MkdirTemp("", "wmory-bench-")
	defer os.RemoveAll(out)
	var ours, theirs []time.Duration
	var theirPeak int64
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	for r := 0; r < rounds; r++ {
		for i, f := range files {
			runOurs := func() {
				start := time.Now()
				data, err := os.ReadFile(f)
				must(err)
				_, err = p.Photo(context.Background(), data)
				must(err)
				ours = append(ours, time.Since(start))
			}
			runTheirs := func() {
				var total time.Duration
				for _, s := range []struct{ px, q string }{{"1440", "82"}, {"400", "78"}} {
					d, kb := timeCmd("vipsthumbnail", f, "--size", s.px+"x"+s.px, "-o", filepath.Join(out, "%s-"+s.px+".webp[Q="+s.q+",strip]"))
					total += d
					theirPeak = max(theirPeak, kb)
				}
				theirs = append(theirs, total)
			}
			if (r+i)%2 == 0 {
				runOurs()
				runTheirs()
			} else {
				runTheirs()
				runOurs()
			}
		}
	}
	mo, mt := median(ours), median(theirs)
	return []row{
		{"photo → thumbnail + preview (12 MP JPEG)", ms(mo) + " per photo", ms(mt) + " (`vipsthumbnail` × 2)", fmt.Sprintf("%.2f", float64(mo)/float64(mt)), fmt.Sprintf("%d photos × %d rounds; goal ≤ 0.75", len(files), rounds)},
		{"photo peak memory", fmt.Sprintf("%.0f MiB (whole process)", peakRSS()), fmt.Sprintf("%.0f MiB per process", float64(theirPeak)/1024), fmt.Sprintf("%.2f", peakRSS()/(float64(theirPeak)/1024)), ""},
	}
}

func benchVideos(rounds int) []row {
	dir, _ := os.MkdirTemp("", "wmory-bench-video-")
	defer os.RemoveAll(dir)
	clips := map[string][]string{
		"1080p H.264": {"-c:v", "libx264", "-pix_fmt", "yuv420p"},
		"1080p HEVC":  {"-c:v", "libx265", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p", "-tag:v", "hvc1"},
	}
	p := imaging.New()
	var rows []row
	for _, name := range []string{"1080p H.264", "1080p HEVC"} {
		f := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".mp4")
		args := append([]string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=5"}, clips[name]...)
		out, err := exec.Command("ffmpeg", append(args, f)...).CombinedOutput()
		must(errFrom(err, out))
		var ours, theirs []time.Duration
		for r := 0; r < rounds*3; r++ {
			runOurs := func() {
				start := time.Now()
				_, err := p.Video(context.Background(), f)
				must(err)
				ours = append(ours, time.Since(start))
			}
			runTheirs := func() {
				start := time.Now()
				out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", f).CombinedOutput()
				must(errFrom(err, out))
				out, err = exec.Command("ffmpeg", "-v", "error", "-ss", "1", "-i", f, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "pipe:1").Output()
				must(errFrom(err, out))
				theirs = append(theirs, time.Since(start))
			}
			if r%2 == 0 {
				runOurs()
				runTheirs()
			} else {
				runTheirs()
				runOurs()
			}
		}
		mo, mt := median(ours), median(theirs)
		rows = append(rows, row{"video probe + poster (" + name + ")", ms(mo), ms(mt) + " (`ffprobe` + `ffmpeg` poster only)",
			fmt.Sprintf("%.2f", float64(mo)/float64(mt)), "wmory also makes the two WebP images"})
	}
	return rows
}

func errFrom(err error, out []byte) error {
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

// benchUploads runs authorize → PUT 4 MB → complete with 8 concurrent clients
// against an in-process API on SQLite and the local store, and writes the same
// bytes with dd to the same disk.
func benchUploads(rounds int) []row {
	dir, _ := os.MkdirTemp("", "wmory-bench-up-")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "sqlite:"+filepath.Join(dir, "db.sqlite"), sqldb.PoolConfig{})
	must(err)
	defer db.Close()
	_, err = db.Migrate(ctx)
	must(err)
	srv := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + srv.Listener.Addr().String())
	store, err := local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "key"), base)
	must(err)
	limits := wmory.DefaultLimits
	limits.DailyFilesLimit, limits.DailyBytesLimit = 1<<30, 1<<50
	api := wmoryhttp.New(db, store, &mail.Memory{}, password.New(password.DefaultParams),
		wmoryhttp.Config{BaseURL: base, Limits: limits, BlobHandler: store}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.Config.Handler = api.Handler()
	srv.Start()
	defer srv.Close()

	// One verified user and a group.
	hash, _ := password.New(password.DefaultParams).Hash(ctx, "bench passphrase")
	u, err := db.CreateUser(ctx, wmory.Actor{}, "bench@example.com", "Bench", hash, false)
	must(err)
	token, _, err := db.CreateSession(ctx, wmory.Actor{}, u, "acct:bench@example.com")
	must(err)
	g, err := db.CreateGroup(ctx, wmory.Actor{UserID: u.ID}, "Bench")
	must(err)

	body := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 0xE0}, 1<<20) // 4 MiB starting like a JPEG
	const clients, perClient = 8, 8
	var mu sync.Mutex
	var authorize, complete []time.Duration
	var throughput []float64
	call := func(method, path string, in string) (int, []byte, time.Duration) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(in))
		req.Header.Set("Authorization", "Bearer "+token)
		if in != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		must(err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, b, time.Since(start)
	}
	var ddRates []float64
	for r := 0; r < rounds; r++ {
		start := time.Now()
		var wg sync.WaitGroup
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perClient; i++ {
					code, b, d1 := call("POST", "/api/v1/groups/"+g.ID+"/uploads", fmt.Sprintf(`{"filename":"x.jpg","content_type":"image/jpeg","size":%d}`, len(body)))
					if code != 201 {
						must(fmt.Errorf("authorize: %d %s", code, b))
					}
					var up struct{ UploadID, URL string }
					up.UploadID = between(string(b), `"upload_id":"`, `"`)
					up.URL = strings.ReplaceAll(between(string(b), `"url":"`, `"`), `\u0026`, "&")
					req, _ := http.NewRequest("PUT", up.URL, bytes.NewReader(body))
					req.Header.Set("Content-Type", "image/jpeg")
					resp, err := http.DefaultClient.Do(req)
					must(err)
					resp.Body.Close()
					code, b, d2 := call("POST", "/api/v1/uploads/"+up.UploadID+"/complete", "")
					if code != 201 {
						must(fmt.Errorf("complete: %d %s", code, b))
					}
					mu.Lock()
					authorize, complete = append(authorize, d1), append(complete, d2)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		throughput = append(throughput, float64(clients*perClient*len(body))/time.Since(start).Seconds()/1e6)
		// The disk's own pace for the same bytes, in the same folder.
		ddStart := time.Now()
		out, err := exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(dir, "dd.bin"), "bs=4M",
			fmt.Sprintf("count=%d", clients*perClient), "conv=fdatasync").CombinedOutput()
		must(errFrom(err, out))
		ddRates = append(ddRates, float64(clients*perClient*len(body))/time.Since(ddStart).Seconds()/1e6)
		os.Remove(filepath.Join(dir, "dd.bin"))
	}
	sort.Float64s(throughput)
	sort.Float64s(ddRates)
	t, d := throughput[len(throughput)/2], ddRates[len(ddRates)/2]
	return []row{
		{"upload path, local store (8 clients, 4 MiB)", fmt.Sprintf("%.0f MB/s", t), fmt.Sprintf("%.0f MB/s (`dd`, fdatasync)", d), fmt.Sprintf("%.2f", t/d), "goal ≥ 0.8"},
		{"authorize latency p50 / p99", ms(percentile(authorize, 0.5)) + " / " + ms(percentile(authorize, 0.99)), "", "", "SQLite"},
		{"complete latency p50 / p99", ms(percentile(complete, 0.5)) + " / " + ms(percentile(complete, 0.99)), "", "", "SQLite"},
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	return s[:strings.Index(s, end)]
}
