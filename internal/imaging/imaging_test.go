package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/wmory/wmory"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// header inspects an output image.
func header(t *testing.T, webp []byte) (w, h int, fields []string) {
	t.Helper()
	img, err := vips.NewImageFromBuffer(webp)
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	defer img.Close()
	if img.Format() != vips.ImageTypeWEBP {
		t.Fatalf("output is %v, not WebP", img.Format())
	}
	return img.Width(), img.Height(), img.ImageFields()
}

func TestPhotos(t *testing.T) {
	p := New()
	for _, tc := range []struct {
		file  string
		w, h  int
		taken string
	}{
		{"iphone7-gps.heic", 4032, 3024, "2017-10-19T15:19:37Z"},
		{"phone-orientation-6.webp", 391, 521, "2020-07-23T09:46:08Z"},
		{"camera.jpg", 1000, 667, "2021-04-17T17:12:11Z"},
		{"alpha.png", 0, 0, ""},
		{"animated.gif", 0, 0, ""},
		{"photo.avif", 1440, 960, ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res, err := p.Photo(context.Background(), read(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if tc.w != 0 && (res.Width != tc.w || res.Height != tc.h) {
				t.Errorf("dimensions %d×%d; want %d×%d (as displayed)", res.Width, res.Height, tc.w, tc.h)
			}
			if tc.taken != "" && (res.TakenAt == nil || res.TakenAt.Format(time.RFC3339) != tc.taken) {
				t.Errorf("taken_at %v; want %s", res.TakenAt, tc.taken)
			}
			for name, out := range map[string][]byte{"thumbnail": res.Thumbnail, "preview": res.Preview} {
				w, h, fields := header(t, out)
				box := map[string]int{"thumbnail": ThumbnailSize, "preview": PreviewSize}[name]
				if max(w, h) > box || (max(res.Width, res.Height) >= box && max(w, h) != box) {
					t.Errorf("%s is %d×%d; want its long side %d", name, w, h, box)
				}
				if (w > h) != (res.Width > res.Height) && w != h {
					t.Errorf("%s is %d×%d but the photo is %d×%d: not upright", name, w, h, res.Width, res.Height)
				}
				for _, f := range fields {
					if len(f) >= 4 && (f[:4] == "exif" || f == "xmp-data" || f == "iptc-data") {
						t.Errorf("%s keeps metadata field %s", name, f)
					}
				}
			}
		})
	}
}

// withOrientation rewrites the EXIF orientation tag of a JPEG that has one.
func withOrientation(t *testing.T, jpg []byte, o uint16) []byte {
	t.Helper()
	out := append([]byte(nil), jpg...)
	i := bytes.Index(out, []byte("Exif\x00\x00"))
	if i < 0 {
		t.Fatal("no EXIF")
	}
	tiff := out[i+6:]
	var bo binary.ByteOrder = binary.BigEndian
	if string(tiff[:2]) == "II" {
		bo = binary.LittleEndian
	}
	ifd := tiff[bo.Uint32(tiff[4:8]):]
	n := int(bo.Uint16(ifd))
	for e := 0; e < n; e++ {
		entry := ifd[2+12*e:]
		if bo.Uint16(entry) == 0x0112 {
			bo.PutUint16(entry[8:], o)
			return out
		}
	}
	t.Fatal("no orientation tag")
	return nil
}

func decodePNG(t *testing.T, img *vips.ImageRef) image.Image {
	t.Helper()
	b, _, err := img.ExportPng(vips.NewPngExportParams())
	if err != nil {
		t.Fatal(err)
	}
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func meanDiff(a, b image.Image) float64 {
	if a.Bounds() != b.Bounds() {
		return 1e9
	}
	var sum float64
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			sum += absd(ar, br) + absd(ag, bg) + absd(ab, bb)
		}
	}
	return sum / float64(3*r.Dx()*r.Dy()) / 257
}

func absd(a, b uint32) float64 {
	if a > b {
		return float64(a - b)
	}
	return float64(b - a)
}

// Every EXIF orientation comes out upright: the thumbnail of orientation N is
// the orientation-1 thumbnail under N's transform.
func TestOrientations(t *testing.T) {
	p := New()
	base := read(t, "camera.jpg")
	ref, err := p.Photo(context.Background(), withOrientation(t, base, 1))
	if err != nil {
		t.Fatal(err)
	}
	type step func(*vips.ImageRef) error
	rot := func(a vips.Angle) step { return func(i *vips.ImageRef) error { return i.Rotate(a) } }
	flip := func(d vips.Direction) step { return func(i *vips.ImageRef) error { return i.Flip(d) } }
	transforms := map[uint16][]step{
		1: nil,
		2: {flip(vips.DirectionHorizontal)},
		3: {rot(vips.Angle180)},
		4: {flip(vips.DirectionVertical)},
		5: {flip(vips.DirectionVertical), rot(vips.Angle90)},   // transpose
		6: {rot(vips.Angle90)},                                 // 90° clockwise
		7: {flip(vips.DirectionHorizontal), rot(vips.Angle90)}, // transverse
		8: {rot(vips.Angle270)},
	}
	for o := uint16(1); o <= 8; o++ {
		res, err := p.Photo(context.Background(), withOrientation(t, base, o))
		if err != nil {
			t.Fatalf("orientation %d: %v", o, err)
		}
		wantW, wantH := 1000, 667
		if o >= 5 {
			wantW, wantH = 667, 1000
		}
		if res.Width != wantW || res.Height != wantH {
			t.Errorf("orientation %d: %d×%d; want %d×%d", o, res.Width, res.Height, wantW, wantH)
		}
		want, _ := vips.NewImageFromBuffer(ref.Thumbnail)
		for _, s := range transforms[o] {
			if err := s(want); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := vips.NewImageFromBuffer(res.Thumbnail)
		if d := meanDiff(decodePNG(t, got), decodePNG(t, want)); d > 6 {
			t.Errorf("orientation %d: thumbnail differs from the upright reference by %.1f levels on average", o, d)
		}
		want.Close()
		got.Close()
	}
}

func TestHostilePhotosAreRejected(t *testing.T) {
	p := New()
	jpg := read(t, "camera.jpg")
	// A 50,000 × 50,000 PNG header with almost no data: refused from the header.
	bomb := pngHeader(50000, 50000)
	for name, data := range map[string][]byte{
		"truncated jpeg": jpg[:len(jpg)/3],
		"pixel bomb":     bomb,
		"not an image":   []byte("<html><script>alert(1)</script></html>"),
		"empty":          {},
	} {
		_, err := p.Photo(context.Background(), data)
		if !errors.Is(err, ErrRejected) {
			t.Errorf("%s: %v; want ErrRejected", name, err)
		}
	}
}

func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.WriteString("IHDR")
	b.Write(ihdr)
	b.Write([]byte{0, 0, 0, 0}) // CRC (wrong on purpose)
	return b.Bytes()
}

// makeVideo encodes a short clip with Debian's ffmpeg.
func makeVideo(t *testing.T, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	full := append([]string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=2"}, args...)
	full = append(full, "-metadata", "creation_time=2024-05-01T10:20:30.000000Z", out)
	if b, err := exec.Command("ffmpeg", full...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	return out
}

func TestVideos(t *testing.T) {
	p := New()
	for _, tc := range []struct {
		name string
		args []string
		w, h int
	}{
		{"h264.mp4", []string{"-c:v", "libx264", "-pix_fmt", "yuv420p"}, 640, 360},
		{"hevc-rotated.mov", []string{"-c:v", "libx265", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p", "-tag:v", "hvc1"}, 360, 640},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := makeVideo(t, tc.name, tc.args...)
			if tc.w < tc.h {
				// As a phone records portrait: landscape frames and a rotation
				// matrix in the container (ffmpeg 5.1 writes it on a stream copy).
				rotated := filepath.Join(t.TempDir(), tc.name)
				if b, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-c", "copy", "-metadata:s:v:0", "rotate=90", "-metadata", "creation_time=2024-05-01T10:20:30.000000Z", rotated).CombinedOutput(); err != nil {
					t.Fatalf("ffmpeg: %v\n%s", err, b)
				}
				path = rotated
			}
			res, err := p.Video(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if res.Width != tc.w || res.Height != tc.h {
				t.Errorf("dimensions %d×%d; want %d×%d", res.Width, res.Height, tc.w, tc.h)
			}
			if res.DurationMS == nil || *res.DurationMS < 1900 || *res.DurationMS > 2100 {
				t.Errorf("duration %v", res.DurationMS)
			}
			if res.TakenAt == nil || res.TakenAt.Format(time.RFC3339) != "2024-05-01T10:20:30Z" {
				t.Errorf("taken_at %v", res.TakenAt)
			}
			w, h, _ := header(t, res.Thumbnail)
			if (w > h) != (tc.w > tc.h) {
				t.Errorf("poster thumbnail %d×%d is not upright", w, h)
			}
		})
	}
}

// Real files from cameras and Apple's encoders (testdata/SOURCES.md): what they
// declare is read back, and the poster comes out the right way round.
func TestRealVideos(t *testing.T) {
	p := New()
	for _, tc := range []struct {
		file       string
		sniffed    string
		w, h       int
		durationMS int64
		taken      string
	}{
		{"android-gps.mp4", "video/mp4", 1920, 1080, 1600, "2019-12-20T20:08:34Z"},
		// Apple's creation date (capture start, with the camera's -08:00), not
		// creation_time (UTC, when the file was written).
		{"iphone5.mov", "video/quicktime", 568, 320, 8043, "2012-11-26T23:33:10Z"},
		{"apple-mpeg4.mp4", "video/mp4", 190, 240, 4967, "2005-10-28T17:46:46Z"},
		{"quicktime-1998.mov", "video/quicktime", 160, 120, 60827, "1998-11-04T16:40:13Z"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			head, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := wmory.Sniff(head[:min(len(head), wmory.SniffLen)]); got != tc.sniffed {
				t.Errorf("sniffed as %q; want %q", got, tc.sniffed)
			}
			res, err := p.Video(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if res.Width != tc.w || res.Height != tc.h {
				t.Errorf("dimensions %d×%d; want %d×%d", res.Width, res.Height, tc.w, tc.h)
			}
			if res.DurationMS == nil || *res.DurationMS < tc.durationMS-50 || *res.DurationMS > tc.durationMS+50 {
				t.Errorf("duration %v ms; want about %d", res.DurationMS, tc.durationMS)
			}
			if res.TakenAt == nil || res.TakenAt.UTC().Format(time.RFC3339) != tc.taken {
				t.Errorf("taken_at %v; want %s", res.TakenAt, tc.taken)
			}
			w, h, _ := header(t, res.Thumbnail)
			if (w > h) != (tc.w > tc.h) || w == 0 {
				t.Errorf("poster thumbnail %d×%d for a %d×%d video", w, h, tc.w, tc.h)
			}
			pw, ph, _ := header(t, res.Preview)
			if pw < w || ph < h {
				t.Errorf("preview %d×%d is smaller than the thumbnail %d×%d", pw, ph, w, h)
			}
			// The Android clip carries where it was filmed; the images made from it do not.
			for _, img := range [][]byte{res.Thumbnail, res.Preview} {
				if bytes.Contains(img, []byte("-15.8355")) || bytes.Contains(img, []byte("com.android")) {
					t.Errorf("a derived image carries the clip's metadata")
				}
			}
		})
	}
}

func TestHostileVideosAreRejected(t *testing.T) {
	p := New()
	dir := t.TempDir()
	playlist := filepath.Join(dir, "x.mp4")
	// An HLS playlist pointing at a local file must not be followed.
	os.WriteFile(playlist, []byte("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"), 0o600)
	garbage := filepath.Join(dir, "y.mp4")
	os.WriteFile(garbage, bytes.Repeat([]byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p'}, 100), 0o600)
	for _, f := range []string{playlist, garbage} {
		if _, err := p.Video(context.Background(), f); !errors.Is(err, ErrRejected) {
			t.Errorf("%s: %v; want ErrRejected", filepath.Base(f), err)
		}
	}
}

func FuzzStripWebP(f *testing.F) {
	f.Add([]byte("RIFF\x04\x00\x00\x00WEBP"))
	f.Add([]byte("RIFF\x1e\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x0c\x00\x00\x00\x00\x00\x00\x00\x00\x00EXIF\x02\x00\x00\x00ab"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := stripWebP(b)
		if err != nil {
			return
		}
		if int(binary.LittleEndian.Uint32(out[4:8])) != len(out)-8 {
			t.Fatal("RIFF size does not match")
		}
		for i := 12; i+8 <= len(out); {
			fourcc := string(out[i : i+4])
			size := int(binary.LittleEndian.Uint32(out[i+4 : i+8]))
			if fourcc == "EXIF" || fourcc == "XMP " {
				t.Fatalf("%s chunk left in", fourcc)
			}
			if fourcc == "VP8X" && out[i+8]&0x0c != 0 {
				t.Fatal("metadata flags left set")
			}
			i += 8 + size + size%2
		}
	})
}
