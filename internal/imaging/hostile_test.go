package imaging

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/imaging/imagingtest"
)

// The test binary doubles as the photo helper, as wmory's binary does.
func TestMain(m *testing.M) {
	if os.Getenv("WMORY_TEST_IMAGING_HELPER") == "1" {
		if err := ServeHelper(os.Args[1:], os.Stdin, os.Stdout); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func withHelper(t *testing.T, p *Processor) *Processor {
	t.Setenv("WMORY_TEST_IMAGING_HELPER", "1")
	p.Helper = []string{os.Args[0]}
	return p
}

// A PNG of 10000×10000 16-bit RGBA pixels, interlaced so that it must be
// decoded whole, is a few megabytes that would take 800 MB: it is refused
// from its header, in the process and in the helper alike.
func TestDecompressionBombIsRefused(t *testing.T) {
	bomb := imagingtest.BombPNG(10000, 10000)
	for name, p := range map[string]*Processor{"in process": New(), "helper": withHelper(t, New())} {
		t.Run(name, func(t *testing.T) {
			_, err := p.Photo(context.Background(), bomb)
			if !errors.Is(err, ErrRejected) || ReasonOf(err) != wmory.FailTooLarge {
				t.Fatalf("bomb: %v; want a too_large rejection", err)
			}
		})
	}
	// The same pixels, not interlaced but small enough to decode whole, pass.
	if _, err := New().Photo(context.Background(), imagingtest.BombPNG(2000, 2000)); err != nil {
		t.Fatalf("a 2000×2000 interlaced PNG (32 MB decoded): %v", err)
	}
}

// A photo past its deadline is stopped (the helper is killed) and fails for
// good as a timeout; within it, the helper gives the same result as the
// process would.
func TestPhotoDeadlineStopsTheWork(t *testing.T) {
	p := withHelper(t, New())
	p.PhotoTimeout = time.Millisecond
	start := time.Now()
	_, err := p.Photo(context.Background(), read(t, "iphone7-gps.heic"))
	if ReasonOf(err) != wmory.FailTimeout {
		t.Fatalf("photo past its deadline: %v; want a timeout rejection", err)
	}
	t.Logf("stopped after %v", time.Since(start))
	p.PhotoTimeout = time.Minute
	got, err := p.Photo(context.Background(), read(t, "camera.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := New().Photo(context.Background(), read(t, "camera.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Width != want.Width || got.Height != want.Height || !got.TakenAt.Equal(*want.TakenAt) || len(got.Preview) != len(want.Preview) || len(got.Thumbnail) != len(want.Thumbnail) {
		t.Fatalf("helper result %dx%d %v differs from the in-process one %dx%d %v", got.Width, got.Height, got.TakenAt, want.Width, want.Height, want.TakenAt)
	}
	// Garbage is a rejection with a reason, not a crash of the worker.
	if _, err := p.Photo(context.Background(), []byte("\xff\xd8\xffnot really a jpeg")); ReasonOf(err) != wmory.FailUndecodable {
		t.Fatalf("garbage through the helper: %v", err)
	}
}

// A video tool past its deadline is a final timeout too.
func TestVideoToolDeadline(t *testing.T) {
	p := New()
	p.Timeout = time.Millisecond
	if _, err := p.Video(context.Background(), "testdata/apple-mpeg4.mp4"); ReasonOf(err) != wmory.FailTimeout {
		t.Fatalf("ffprobe past its deadline: %v; want a timeout rejection", err)
	}
}
