package imaging

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// benchPhotos are the 12-megapixel JPEGs of $WMORY_BENCH_PHOTOS, or of
// bench/photos (make bench fills it). Benchmarks only; they are not part of
// the repository.
func benchPhotos(b *testing.B) []string {
	dir := os.Getenv("WMORY_BENCH_PHOTOS")
	if dir == "" {
		dir = filepath.Join("..", "..", "bench", "photos")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if len(files) == 0 {
		b.Skipf("no photos in %s (set WMORY_BENCH_PHOTOS)", dir)
	}
	return files
}

// peakRSS reads the process's peak resident memory in MiB; resetPeak starts a
// new measurement (Linux).
func peakRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func resetPeak() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkPhoto compares wmory's processing of a photo into thumbnail and
// preview with running vipsthumbnail twice for the same two outputs. ns/op is
// the time per photo; peak-MiB the peak resident memory.
func BenchmarkPhoto(b *testing.B) {
	files := benchPhotos(b)
	b.Run("wmory", func(b *testing.B) {
		p := New()
		resetPeak()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			data, err := os.ReadFile(files[i%len(files)])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.Photo(context.Background(), data); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(peakRSS(), "peak-MiB")
	})
	b.Run("vipsthumbnail-x2", func(b *testing.B) {
		out := b.TempDir()
		var peak int64
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			f := files[i%len(files)]
			for _, size := range []struct {
				px string
				q  string
			}{{"1440", "82"}, {"400", "78"}} {
				// GNU time reports the child's own peak; the rusage of a child forked
				// from this process would count this process's memory too.
				cmd := exec.Command("/usr/bin/time", "-f", "%M", "vipsthumbnail", f, "--size", size.px+"x"+size.px,
					"-o", filepath.Join(out, "%s-"+size.px+".webp[Q="+size.q+",strip]"))
				res, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("%v: %s", err, res)
				}
				lines := strings.Fields(string(res))
				if kb, err := strconv.ParseInt(lines[len(lines)-1], 10, 64); err == nil && kb > peak {
					peak = kb
				}
			}
		}
		b.ReportMetric(float64(peak)/1024, "peak-MiB")
	})
}
