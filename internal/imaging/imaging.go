// Package imaging turns uploaded photos and videos into the gallery's thumbnail
// and preview: libvips (through govips) for images, Debian's ffprobe and ffmpeg
// run as processes for videos. Input is untrusted: sizes are checked from the
// header before any decode, and every failure is an error, never a crash.
package imaging

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/wmory/wmory"
)

// Bounding boxes of the derived images, in pixels.
const (
	ThumbnailSize = 400
	PreviewSize   = 1440
)

// ErrRejected marks input that will never process: corrupt, hostile, too large,
// too slow. Retrying it is pointless. Every such error is a *Rejection.
var ErrRejected = errors.New("imaging: input rejected")

// Rejection is a final refusal of one file: a reason code for people, and a
// detail (tool output, library errors) for the log only.
type Rejection struct {
	Reason wmory.FailureReason
	Detail string
}

func (r *Rejection) Error() string        { return "imaging: " + string(r.Reason) + ": " + r.Detail }
func (r *Rejection) Is(target error) bool { return target == ErrRejected }

func reject(reason wmory.FailureReason, format string, args ...any) error {
	return &Rejection{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

func rejectf(format string, args ...any) error { return reject(wmory.FailUndecodable, format, args...) }

// ReasonOf returns the reason of a rejection, or "" for any other error.
func ReasonOf(err error) wmory.FailureReason {
	var r *Rejection
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// Result is what processing learns and makes.
type Result struct {
	Width, Height int // as displayed, orientation applied
	TakenAt       *time.Time
	TakenOffset   *int // the camera's UTC offset in minutes east, when recorded
	DurationMS    *int64
	Source        *Source // a video's streams, which its rendition is planned from
	Thumbnail     []byte  // WebP, no metadata
	Preview       []byte  // WebP, no metadata
}

// Processor holds the limits; build it with New. libvips starts on first use, so
// that a process which never processes media (a `serve` whose work runs
// elsewhere, or idle) does not carry it.
type Processor struct {
	MaxPixels int64
	// MaxDecodeBytes bounds the memory of a whole decode (pixels × bands ×
	// bytes per band) for formats that cannot shrink while loading: an
	// interlaced PNG, a GIF, a HEIF or AVIF. Two jobs at the limit fit in a
	// worker of 1 GiB.
	MaxDecodeBytes int64
	FFprobe        string
	FFmpeg         string
	Timeout        time.Duration // per external process
	MaxDuration    time.Duration // longest video accepted
	// Helper, when set, is the command that derives photos in a child process
	// (wmory's own binary, see ServeHelper): the deadline then stops the work
	// by killing the child, and a hostile file's memory ends with it. Without
	// it photos are derived in this process, where libvips cannot be stopped.
	Helper       []string
	PhotoTimeout time.Duration
	pool         helpers
}

var startOnce sync.Once

// Start initialises libvips once per process. Loaders libvips itself marks as
// untrusted (those built on ImageMagick, PDF, SVG…) are blocked; inputs reach
// libvips only after wmory's own sniffing allowed their type anyway.
func Start() {
	startOnce.Do(func() {
		limitArenas()
		vips.LoggingSettings(func(string, vips.LogLevel, string) {}, vips.LogLevelError)
		vips.Startup(&vips.Config{ConcurrencyLevel: 1, MaxCacheMem: 0, MaxCacheSize: 0, MaxCacheFiles: 0})
		blockUntrusted()
	})
}

// New returns a processor with wmory's defaults: 100 megapixels, 256 MiB of
// whole decode, 30 minutes of video, a minute per photo.
func New() *Processor {
	return &Processor{MaxPixels: 100_000_000, MaxDecodeBytes: 256 << 20, FFprobe: "ffprobe", FFmpeg: "ffmpeg",
		Timeout: 2 * time.Minute, MaxDuration: 30 * time.Minute, PhotoTimeout: time.Minute}
}

// Photo processes an image held in memory, in the helper process when one is set.
func (p *Processor) Photo(ctx context.Context, data []byte) (*Result, error) {
	if len(p.Helper) > 0 {
		return p.photoInHelper(ctx, data)
	}
	return p.photo(data)
}

// photo derives a photo in this process.
func (p *Processor) photo(data []byte) (*Result, error) {
	Start()
	header, err := vips.LoadImageFromBuffer(data, vips.NewImportParams())
	if err != nil {
		return nil, rejectf("unreadable image: %v", err)
	}
	w, h := header.Width(), header.Height()
	orientation := header.Orientation()
	taken, offset := exifTime(header)
	decode := int64(w) * int64(h) * int64(header.Bands()) * bytesPerBand(header.BandFormat())
	whole := decodesWhole(header)
	header.Close()
	if int64(w)*int64(h) > p.MaxPixels || w <= 0 || h <= 0 {
		return nil, reject(wmory.FailTooLarge, "image of %d×%d pixels is over the limit of %d", w, h, p.MaxPixels)
	}
	if whole && p.MaxDecodeBytes > 0 && decode > p.MaxDecodeBytes {
		return nil, reject(wmory.FailTooLarge, "image of %d×%d pixels would decode to %d MiB, over the limit of %d MiB", w, h, decode>>20, p.MaxDecodeBytes>>20)
	}
	if orientation >= 5 && orientation <= 8 {
		w, h = h, w
	}
	res, err := derive(data)
	if err != nil {
		return nil, err
	}
	res.Width, res.Height, res.TakenAt, res.TakenOffset = w, h, taken, offset
	return res, nil
}

// decodesWhole reports formats that libvips must decode whole before it can
// shrink them: interlaced PNGs, GIFs and the HEIF family. JPEG and WebP
// shrink while loading; other PNGs are read line by line.
func decodesWhole(img *vips.ImageRef) bool {
	switch img.Format() {
	case vips.ImageTypePNG:
		for _, f := range img.ImageFields() {
			if f == "interlaced" {
				return img.GetInt("interlaced") != 0
			}
		}
		return false
	case vips.ImageTypeGIF, vips.ImageTypeHEIF, vips.ImageTypeAVIF:
		return true
	}
	return false
}

func bytesPerBand(f vips.BandFormat) int64 {
	switch f {
	case vips.BandFormatUchar, vips.BandFormatChar:
		return 1
	case vips.BandFormatUshort, vips.BandFormatShort:
		return 2
	case vips.BandFormatDouble, vips.BandFormatComplex:
		return 8
	case vips.BandFormatDpComplex:
		return 16
	}
	return 4
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

// exifTime reads DateTimeOriginal from the header, with the UTC offset when
// the camera recorded it (OffsetTimeOriginal, else OffsetTime): the instant,
// and the offset in minutes east. Without an offset the camera's clock is
// read as UTC.
func exifTime(img *vips.ImageRef) (*time.Time, *int) {
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
		return nil, nil
	}
	t, err := time.Parse("2006:01:02 15:04:05", raw[:19])
	if err != nil || t.Year() < 1900 {
		return nil, nil
	}
	for _, field := range []string{"exif-ifd2-OffsetTimeOriginal", "exif-ifd2-OffsetTime"} {
		if minutes, ok := parseOffset(get(field)); ok {
			t = t.Add(-time.Duration(minutes) * time.Minute)
			return &t, &minutes
		}
	}
	return &t, nil
}

// parseOffset reads an EXIF or ISO 8601 UTC offset ("+02:00", "-0530";
// libvips may add a description after it) as minutes east.
func parseOffset(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 5 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	digits := strings.ReplaceAll(s[1:min(len(s), 6)], ":", "")
	if len(digits) < 4 {
		return 0, false
	}
	h, err1 := strconv.Atoi(digits[:2])
	m, err2 := strconv.Atoi(digits[2:4])
	if err1 != nil || err2 != nil || h > 14 || m > 59 {
		return 0, false
	}
	minutes := h*60 + m
	if s[0] == '-' {
		minutes = -minutes
	}
	return minutes, true
}
