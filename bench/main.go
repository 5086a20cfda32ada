// Command bench compares wmory with the best plain tools on this machine, side
// by side in one run (alternating, several rounds, medians), and prints a
// Markdown table. `make bench` runs it; docs/benchmarks.md keeps the latest.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/imaging/imagingtest"
)

type row struct {
	name, wmory, baseline, ratio, note string
}

func main() {
	// The bench binary is also the photo helper of the helper rows, as wmory's
	// binary is for its workers.
	if len(os.Args) > 1 && os.Args[1] == "imaging-helper" {
		must(imaging.ServeHelper(os.Args[2:], os.Stdin, os.Stdout))
		return
	}
	photos := flag.String("photos", filepath.Join("bench", "photos"), "folder of 12 MP JPEGs (made once, synthetic, when it holds none)")
	rounds := flag.Int("rounds", 3, "alternating rounds per pair")
	only := flag.String("pairs", "1,2,3,4,5,6,7,8,9,10,11,12,13", "which pairs to run: 1 photos, 2 videos, 3 local uploads, 4 S3 uploads, 5 gallery pages, 6 serve RSS, 7 gallery under uploads, 8 decompression bomb, 9 time to visible, 10 completion by store events, 11 video renditions, 12 resumable uploads, 13 ZIP downloads")
	postgres := flag.String("postgres", os.Getenv("WMORY_BENCH_POSTGRES"), "PostgreSQL server URL for the gallery pair (a database is created and dropped)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		must(err)
		must(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	imaging.Start()
	must(ensurePhotos(*photos))
	var rows []row
	pairs := []func() []row{
		func() []row { return benchPhotos(*photos, *rounds) },
		func() []row { return benchVideos(*rounds) },
		func() []row { return benchUploads(*rounds) },
		func() []row { return benchS3Uploads(*rounds) },
		func() []row { return benchGallery(*postgres) },
		func() []row { return benchRSS(*photos) },
		func() []row { return benchGalleryUnderLoad(*postgres) },
		func() []row { return benchBomb() },
		func() []row { return benchTimeToVisible(*photos, *rounds) },
		func() []row { return benchArrivalEvents(*photos, *rounds) },
		func() []row { return benchRenditions(*rounds) },
		func() []row { return benchResumable(*rounds) },
		func() []row { return benchZIP(*rounds) },
	}
	for _, n := range strings.Split(*only, ",") {
		i, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || i < 1 || i > len(pairs) {
			must(fmt.Errorf("-pairs: %q is not a pair number 1–%d", n, len(pairs)))
		}
		rows = append(rows, pairs[i-1]()...)
	}

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

// benchBomb hands a decompression bomb to the photo helper, as a worker would,
// and to vipsthumbnail: peak memory of the process handling the file.
func benchBomb() []row {
	dir, _ := os.MkdirTemp("", "wmory-bench-bomb-")
	defer os.RemoveAll(dir)
	f := filepath.Join(dir, "bomb.png")
	bomb := imagingtest.BombPNG(10000, 10000)
	must(os.WriteFile(f, bomb, 0o600))
	exe, err := os.Executable()
	must(err)
	// One request in the helper's framing: the length, then the bytes.
	request := binary.BigEndian.AppendUint64(nil, uint64(len(bomb)))
	in := bytes.NewReader(append(request, bomb...))
	start := time.Now()
	cmd := exec.Command("/usr/bin/time", "-f", "%M", exe, "imaging-helper")
	cmd.Stdin = in
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	must(cmd.Run())
	ours := time.Since(start)
	if !strings.Contains(stdout.String(), `"reason":"too_large"`) {
		must(fmt.Errorf("the helper did not refuse the bomb: %s", stdout.String()))
	}
	f2 := strings.Fields(stderr.String())
	ourKB, _ := strconv.ParseInt(f2[len(f2)-1], 10, 64)
	theirs, theirKB := timeCmd("vipsthumbnail", f, "--size", "1440x1440", "-o", filepath.Join(dir, "t.webp"))
	fi, _ := os.Stat(f)
	return []row{{"decompression bomb (10000×10000 16-bit RGBA interlaced PNG, " + fmt.Sprintf("%.0f MB", float64(fi.Size())/1e6) + ")",
		fmt.Sprintf("refused in %s, peak %.0f MiB", ms(ours), float64(ourKB)/1024),
		fmt.Sprintf("%s, peak %.0f MiB (`vipsthumbnail` decodes it)", ms(theirs), float64(theirKB)/1024),
		fmt.Sprintf("%.2f", float64(ourKB)/float64(theirKB)), "peak RSS of the process handling the file; wmory's decode cap is 256 MiB"}}
}

// peakRSS is this process's peak resident memory in MiB.
func peakRSS() float64 { return procField("/proc/self/status", "VmHWM") }

// alternate runs both sides of a pair, wmory first on even rounds, so that
// neither always runs on a warmer cache.
func alternate(even bool, ours, theirs func()) {
	if even {
		ours()
		theirs()
	} else {
		theirs()
		ours()
	}
}

func benchPhotos(dir string, rounds int) []row {
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if len(files) == 0 {
		return []row{{name: "photos", note: "no photos in " + dir}}
	}
	p := imaging.New()
	helped := imaging.New()
	exe, err := os.Executable()
	must(err)
	helped.Helper = []string{exe, "imaging-helper"}
	out, _ := os.MkdirTemp("", "wmory-bench-")
	defer os.RemoveAll(out)
	var ours, theirs, viaHelper []time.Duration
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
				start = time.Now()
				_, err = helped.Photo(context.Background(), data)
				must(err)
				viaHelper = append(viaHelper, time.Since(start))
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
			alternate((r+i)%2 == 0, runOurs, runTheirs)
		}
	}
	mo, mt := median(ours), median(theirs)
	return []row{
		{"photo → thumbnail + preview (12 MP JPEG)", ms(mo) + " per photo", ms(mt) + " (`vipsthumbnail` × 2)", fmt.Sprintf("%.2f", float64(mo)/float64(mt)), fmt.Sprintf("%d photos × %d rounds; goal ≤ 0.75", len(files), rounds)},
		{"photo in the helper process (as `wmory worker` runs it)", ms(median(viaHelper)) + " per photo", ms(mt) + " (`vipsthumbnail` × 2)",
			fmt.Sprintf("%.2f", float64(median(viaHelper))/float64(mt)), "helper processes kept between photos, one killed at a photo's deadline"},
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
			alternate(r%2 == 0, runOurs, runTheirs)
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
