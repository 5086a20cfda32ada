package imaging

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/imaging/imagingtest"
)

// withExif is camera.jpg with its capture-time fields replaced.
func withExif(t *testing.T, fields map[string]string) []byte {
	t.Helper()
	Start()
	out, err := imagingtest.WithEXIF(read(t, "camera.jpg"), fields)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func offsetString(m *int) string {
	if m == nil {
		return "none"
	}
	return fmt.Sprint(*m)
}

// The capture time is the instant (for sorting) and the camera's offset (to
// show the time as it was where the photo was taken).
func TestPhotoCaptureOffset(t *testing.T) {
	p := New()
	for _, tc := range []struct {
		name   string
		fields map[string]string
		taken  string
		offset string
	}{
		{"OffsetTimeOriginal", map[string]string{"exif-ifd2-DateTimeOriginal": "2020:02:19 11:28:00", "exif-ifd2-OffsetTimeOriginal": "+02:00"}, "2020-02-19T09:28:00Z", "120"},
		{"OffsetTime when the original's is missing", map[string]string{"exif-ifd2-DateTimeOriginal": "2020:02:19 11:28:00", "exif-ifd2-OffsetTime": "-05:00"}, "2020-02-19T16:28:00Z", "-300"},
		{"half-hour zone", map[string]string{"exif-ifd2-DateTimeOriginal": "2020:02:19 11:28:00", "exif-ifd2-OffsetTimeOriginal": "+05:30"}, "2020-02-19T05:58:00Z", "330"},
		{"no offset: the camera's clock as UTC", map[string]string{"exif-ifd2-DateTimeOriginal": "2020:02:19 16:35:00"}, "2020-02-19T16:35:00Z", "none"},
		{"an offset that is not one", map[string]string{"exif-ifd2-DateTimeOriginal": "2020:02:19 16:35:00", "exif-ifd2-OffsetTimeOriginal": "   :  "}, "2020-02-19T16:35:00Z", "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.Photo(context.Background(), withExif(t, tc.fields))
			if err != nil {
				t.Fatal(err)
			}
			if res.TakenAt == nil || res.TakenAt.UTC().Format(time.RFC3339) != tc.taken || offsetString(res.TakenOffset) != tc.offset {
				t.Errorf("taken %v offset %s; want %s offset %s", res.TakenAt, offsetString(res.TakenOffset), tc.taken, tc.offset)
			}
		})
	}
}

func TestVideoCaptureOffset(t *testing.T) {
	p := New()
	// An iPhone's QuickTime file: creation_time in UTC, and Apple's creation
	// date with the camera's offset.
	path := makeVideo(t, "iphone.mov", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "use_metadata_tags",
		"-metadata", "com.apple.quicktime.creationdate=2020-02-19T16:35:00+0200")
	res, err := p.Video(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if res.TakenAt == nil || res.TakenAt.UTC().Format(time.RFC3339) != "2020-02-19T14:35:00Z" || offsetString(res.TakenOffset) != "120" {
		t.Errorf("taken %v offset %s; want 2020-02-19T14:35:00Z at +02:00", res.TakenAt, offsetString(res.TakenOffset))
	}
	// Without it, creation_time alone: an instant, no offset.
	res, err = p.Video(context.Background(), makeVideo(t, "plain.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p"))
	if err != nil {
		t.Fatal(err)
	}
	if res.TakenAt == nil || res.TakenAt.UTC().Format(time.RFC3339) != "2024-05-01T10:20:30Z" || res.TakenOffset != nil {
		t.Errorf("taken %v offset %s", res.TakenAt, offsetString(res.TakenOffset))
	}
}

func TestParseOffset(t *testing.T) {
	for in, want := range map[string]string{
		"+02:00": "120", "-05:00": "-300", "+0530": "330", "+00:00": "0", "-09:30 (-09:30, ASCII, 7 components, 7 bytes)": "-570",
		"": "none", "02:00": "none", "+2:00": "none", "+15:00": "none", "+01:75": "none", "Z": "none",
	} {
		m, ok := parseOffset(in)
		got := "none"
		if ok {
			got = fmt.Sprint(m)
		}
		if got != want {
			t.Errorf("parseOffset(%q) = %s; want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"2020-02-19T16:35:00+0200":     "2020-02-19T14:35:00Z 120",
		"2020-02-19T16:35:00-07:00":    "2020-02-19T23:35:00Z -420",
		"2020-02-19T16:35:00.123+0100": "2020-02-19T15:35:00Z 60",
		"2020-02-19T16:35:00Z":         "2020-02-19T16:35:00Z 0",
		"2020-02-19T16:35:00":          "none",
		"yesterday":                    "none",
	} {
		tm, off := parseAppleCreation(in)
		got := "none"
		if tm != nil {
			got = tm.UTC().Format(time.RFC3339) + " " + offsetString(off)
		}
		if got != want {
			t.Errorf("parseAppleCreation(%q) = %s; want %s", in, got, want)
		}
	}
}
