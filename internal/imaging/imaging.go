// Package imaging turns uploaded photos and videos into the gallery's thumbnail
// and preview: libvips (through govips) for images, Debian's ffprobe and ffmpeg
// run as processes for videos. Input is untrusted: sizes are checked from the
// header before any decode, and every failure is an error, never a crash.
package imaging

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
)

// Bounding boxes of the derived images, in pixels.
const (
	ThumbnailSize = 400
	PreviewSize   = 1440
)

// ErrRejected marks input that will never process: corrupt, hostile, too large.
// Retrying it is pointless.
var ErrRejected = errors.New("imaging: input rejected")

func rejectf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRejected, fmt.Sprintf(format, args...))
}

// Result is what processing learns and makes.
type Result struct {
	Width, Height int // as displayed, orientation applied
	TakenAt       *time.Time
	DurationMS    *int64
	Thumbnail     []byte // WebP, no metadata
	Preview       []byte // WebP, no metadata
}

// Processor holds the limits; build it with New. libvips starts on first use, so
// that a process which never processes media (a `serve` whose work runs
// elsewhere, or idle) does not carry it.
type Processor struct {
	MaxPixels   int64
	FFprobe     string
	FFmpeg      string
	Timeout     time.Duration // per external process
	MaxDuration time.Duration // longest video accepted
}

var startOnce sync.Once

// Start initialises libvips once per process. Loaders libvips itself marks as
// untrusted (those built on ImageMagick, PDF, SVG…) are blocked; inputs reach
// libvips only after wmory's own sniffing allowed their type anyway.
func Start() {
	startOnce.Do(func() {
		limitArenas()
		os.Setenv("VIPS_BLOCK_UNTRUSTED", "1")
		vips.LoggingSettings(func(string, vips.LogLevel, string) {}, vips.LogLevelError)
		vips.Startup(&vips.Config{ConcurrencyLevel: 1, MaxCacheMem: 0, MaxCacheSize: 0, MaxCacheFiles: 0})
	})
}

// New returns a processor with wmory's defaults: 100 megapixels, 30 minutes of video.
func New() *Processor {
	return &Processor{MaxPixels: 100_000_000, FFprobe: "ffprobe", FFmpeg: "ffmpeg", Timeout: 2 * time.Minute, MaxDuration: 30 * time.Minute}
}

// Photo processes an image held in memory.
func (p *Processor) Photo(ctx context.Context, data []byte) (*Result, error) {
	Start()
	header, err := vips.LoadImageFromBuffer(data, vips.NewImportParams())
	if err != nil {
		return nil, rejectf("unreadable image: %v", err)
	}
	w, h := header.Width(), header.Height()
	orientation := header.Orientation()
	taken := exifTime(header)
	header.Close()
	if int64(w)*int64(h) > p.MaxPixels || w <= 0 || h <= 0 {
		return nil, rejectf("image of %d×%d pixels is over the limit of %d", w, h, p.MaxPixels)
	}
	if orientation >= 5 && orientation <= 8 {
		w, h = h, w
	}
	res, err := derive(data)
	if err != nil {
		return nil, err
	}
	res.Width, res.Height, res.TakenAt = w, h, taken
	return res, nil
}

// derive makes the preview with one shrink-on-load decode (autorotated), and the
// thumbnail from the preview.
func derive(data []byte) (*Result, error) {
	params := vips.NewImportParams()
	params.FailOnError.Set(true)
	preview, err := vips.LoadThumbnailFromBuffer(data, PreviewSize, PreviewSize, vips.InterestingNone, vips.SizeDown, params)
	if err != nil {
		return nil, rejectf("cannot decode image: %v", err)
	}
	defer preview.Close()
	if err := preview.ToColorSpace(vips.InterpretationSRGB); err != nil {
		return nil, rejectf("colour conversion: %v", err)
	}
	if err := preview.RemoveMetadata(); err != nil {
		return nil, err
	}
	res := &Result{}
	if res.Preview, err = export(preview, 82); err != nil {
		return nil, rejectf("cannot decode image: %v", err)
	}
	// The original is read once, sequentially; the thumbnail is made from the
	// small preview rather than from a second decode of the original.
	thumb, err := vips.LoadThumbnailFromBuffer(res.Preview, ThumbnailSize, ThumbnailSize, vips.InterestingNone, vips.SizeDown, vips.NewImportParams())
	if err != nil {
		return nil, fmt.Errorf("imaging: thumbnail: %w", err)
	}
	defer thumb.Close()
	if res.Thumbnail, err = export(thumb, 78); err != nil {
		return nil, err
	}
	return res, nil
}

func export(img *vips.ImageRef, quality int) ([]byte, error) {
	params := vips.NewWebpExportParams()
	params.Quality = quality
	params.StripMetadata = true
	params.ReductionEffort = 2
	out, _, err := img.ExportWebp(params)
	if err != nil {
		return nil, fmt.Errorf("imaging: export: %w", err)
	}
	return stripWebP(out)
}

// exifTime reads DateTimeOriginal (with its offset when recorded) from the header.
func exifTime(img *vips.ImageRef) *time.Time {
	fields := map[string]bool{}
	for _, f := range img.ImageFields() {
		fields[f] = true
	}
	// Asking libvips for a missing field leaves an error behind in its
	// per-thread buffer, which a later operation would then report.
	get := func(name string) string {
		if !fields[name] {
			return ""
		}
		return img.GetString(name)
	}
	raw := get("exif-ifd2-DateTimeOriginal")
	if len(raw) < 19 {
		return nil
	}
	layout, value := "2006:01:02 15:04:05", raw[:19]
	if off := get("exif-ifd2-OffsetTimeOriginal"); len(off) >= 6 && (off[0] == '+' || off[0] == '-') {
		layout, value = layout+"-07:00", value+off[:6]
	}
	t, err := time.Parse(layout, value)
	if err != nil || t.Year() < 1900 {
		return nil
	}
	t = t.UTC()
	return &t
}
