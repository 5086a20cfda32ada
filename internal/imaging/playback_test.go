package imaging

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wmory/wmory/internal/imaging/videotest"

	"github.com/wmory/wmory"
)

func TestPlanRendition(t *testing.T) {
	h264 := stream{CodecName: "h264", PixFmt: "yuv420p", Width: 1280, Height: 720, FieldOrder: "progressive"}
	aac := &stream{CodecName: "aac"}
	with := func(change func(*stream)) stream { s := h264; change(&s); return s }
	for _, tc := range []struct {
		name                string
		v                   stream
		a                   *stream
		height              int
		video, audio, boost bool
	}{
		{"H.264 4:2:0 with AAC, at the height", h264, aac, 720, true, true, false},
		{"the same, portrait", with(func(s *stream) { s.Width, s.Height = 720, 1280 }), aac, 720, true, true, false},
		{"without audio", h264, nil, 720, true, true, false},
		{"full-range 4:2:0", with(func(s *stream) { s.PixFmt = "yuvj420p" }), aac, 720, true, true, false},
		{"larger than the height", h264, aac, 480, false, true, false},
		{"MP3 audio: the video is kept", h264, &stream{CodecName: "mp3"}, 720, true, false, false},
		{"HEVC", with(func(s *stream) { s.CodecName = "hevc" }), aac, 720, false, true, false},
		{"VP9 with Opus", with(func(s *stream) { s.CodecName = "vp9" }), &stream{CodecName: "opus"}, 720, false, false, false},
		{"AV1", with(func(s *stream) { s.CodecName = "av1" }), aac, 720, false, true, false},
		{"MPEG-4 Part 2", with(func(s *stream) { s.CodecName = "mpeg4" }), aac, 720, false, true, false},
		{"H.264 10-bit", with(func(s *stream) { s.PixFmt = "yuv420p10le" }), aac, 720, false, true, false},
		{"H.264 4:2:2", with(func(s *stream) { s.PixFmt = "yuv422p" }), aac, 720, false, true, false},
		{"interlaced", with(func(s *stream) { s.FieldOrder = "tt" }), aac, 720, false, true, false},
		{"HDR10 (PQ)", with(func(s *stream) { s.CodecName, s.PixFmt, s.Transfer = "hevc", "yuv420p10le", "smpte2084" }), aac, 720, false, true, true},
		{"HLG", with(func(s *stream) { s.CodecName, s.PixFmt, s.Transfer = "hevc", "yuv420p10le", "arib-std-b67" }), aac, 720, false, true, true},
		{"H.264 HLG, 8-bit", with(func(s *stream) { s.Transfer = "arib-std-b67" }), aac, 720, false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := planRendition(&tc.v, tc.a, tc.height)
			if plan.VideoCopied != tc.video || plan.AudioCopied != tc.audio || plan.ToneMapped != tc.boost {
				t.Fatalf("plan %+v; want video copied %v, audio copied %v, tone mapped %v", plan.Rendition, tc.video, tc.audio, tc.boost)
			}
		})
	}
}

// Renditions of real and generated clips, checked with ffprobe.
func TestPlaybackRenditions(t *testing.T) {
	p := New()
	dir := t.TempDir()
	testdata := func(name string) func(t *testing.T) string {
		return func(t *testing.T) string { return filepath.Join("testdata", name) }
	}
	clip := func(c videotest.Clip) func(t *testing.T) string {
		return func(t *testing.T) string { return videotest.MakeClip(t, dir, c) }
	}
	for i, tc := range []struct {
		name       string
		src        func(t *testing.T) string
		height     int
		want       Rendition
		w, h       int
		audio      int // channels, 0 for none
		sourceTags []string
	}{
		{"iPhone HEVC HLG turned 90°", clip(videotest.HEVCHLGRotated), 480, Rendition{ToneMapped: true, AudioCopied: true}, 480, 854, 1,
			[]string{"location", "com.apple.quicktime.creationdate"}},
		{"HEVC PQ", clip(videotest.HEVCPQ), 720, Rendition{ToneMapped: true, AudioCopied: true}, 1280, 720, 1, nil},
		{"VP9 and Opus in WebM", clip(videotest.VP9WebM), 720, Rendition{}, 640, 360, 2, nil},
		{"H.264 and AAC: repackaged", clip(videotest.H264AAC), 720, Rendition{VideoCopied: true, AudioCopied: true}, 640, 360, 1, nil},
		{"H.264 4:2:2", clip(videotest.H264422), 720, Rendition{AudioCopied: true}, 640, 360, 1, nil},
		{"no audio", clip(videotest.H264Silent), 720, Rendition{VideoCopied: true, AudioCopied: true}, 640, 360, 0, nil},
		{"an iPhone 5's H.264", testdata("iphone5.mov"), 720, Rendition{VideoCopied: true, AudioCopied: true}, 568, 320, 1, nil},
		{"a phone's 1080p H.264, over the height", testdata("android-gps.mp4"), 720, Rendition{AudioCopied: true}, 1280, 720, 2,
			[]string{"location"}},
		{"MPEG-4 Part 2", testdata("apple-mpeg4.mp4"), 720, Rendition{AudioCopied: true}, 190, 240, 2, nil},
		{"Sorenson and QDesign from 1998", testdata("quicktime-1998.mov"), 720, Rendition{}, 160, 120, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src(t)
			in := videotest.Probe(t, src)
			for _, k := range tc.sourceTags {
				if in.Format.Tags[k] == "" {
					t.Fatalf("the source has no %s tag to lose; tags %v", k, in.Format.Tags)
				}
			}
			// As the rendition job runs: planned from what the poster's probe
			// found; every other clip probed again, as a job queued before
			// renditions existed is.
			var source *Source
			if i%2 == 0 {
				res, err := p.Video(context.Background(), src)
				if err != nil {
					t.Fatal(err)
				}
				source = res.Source
			}
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".mp4")
			got, err := p.Playback(context.Background(), src, out, tc.height, source)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("made %+v; want %+v", got, tc.want)
			}
			r := videotest.Probe(t, out)
			checkRendition(t, r, tc.w, tc.h, tc.audio)
			// Within 0.1 s, or a frame of a source slower than 10 frames a
			// second (whose last frame, cut short, ends up a whole frame).
			if math.Abs(r.Seconds()-in.Seconds()) > max(0.1, in.FrameSeconds()) {
				t.Errorf("lasts %.3f s; the source %.3f s", r.Seconds(), in.Seconds())
			}
			if boxes := videotest.TopLevelBoxes(t, out); slices.Index(boxes, "moov") > slices.Index(boxes, "mdat") {
				t.Errorf("boxes %v: the index is not before the media", boxes)
			}
			v := r.Streams[0]
			if got.ToneMapped && (v.Transfer != "bt709" || v.Primaries != "bt709") {
				t.Errorf("tone mapped into transfer %q, primaries %q; want bt709", v.Transfer, v.Primaries)
			}
			if got.VideoCopied {
				if videotest.VideoStreamHash(t, src) != videotest.VideoStreamHash(t, out) {
					t.Error("the repackaged video stream differs from the source's")
				}
			} else if v.Profile != "High" {
				t.Errorf("re-encoded as %q; want High", v.Profile)
			}
		})
	}
}

// checkRendition asserts what every rendition is: H.264 4:2:0 upright at the
// size, AAC, and nothing about where, when or with what it was made.
func checkRendition(t *testing.T, r videotest.Probed, w, h, channels int) {
	t.Helper()
	var kinds []string
	for _, s := range r.Streams {
		kinds = append(kinds, s.CodecType+"/"+s.CodecName)
		// What MP4 always has: a language, the muxer's own handler name, and
		// for re-encoded video the name of the encoder (stsd's compressor
		// name), nothing of the source's.
		for k, v := range s.Tags {
			switch {
			case k == "language", k == "vendor_id":
			case k == "handler_name" && (v == "VideoHandler" || v == "SoundHandler"):
			case k == "encoder" && v == "Lavc libx264":
			default:
				t.Errorf("%s stream tag %s=%q", s.CodecType, k, v)
			}
		}
	}
	want := []string{"video/h264"}
	if channels > 0 {
		want = append(want, "audio/aac")
	}
	if !slices.Equal(kinds, want) {
		t.Fatalf("streams %v; want %v", kinds, want)
	}
	v := r.Streams[0]
	if v.PixFmt != "yuv420p" || v.Width != w || v.Height != h {
		t.Errorf("video %s %d×%d; want yuv420p %d×%d", v.PixFmt, v.Width, v.Height, w, h)
	}
	for _, sd := range v.SideDataList {
		if sd.Rotation != 0 {
			t.Errorf("rotation %v left for players", sd.Rotation)
		}
	}
	if channels > 0 && r.Streams[1].Channels != channels {
		t.Errorf("%d audio channels; want %d", r.Streams[1].Channels, channels)
	}
	for k, v := range r.Format.Tags {
		if k != "major_brand" && k != "minor_version" && k != "compatible_brands" {
			t.Errorf("file tag %s=%q", k, v)
		}
	}
}

// A file cut short fails for good, and leaves no rendition behind.
func TestPlaybackOfATruncatedFile(t *testing.T) {
	dir := t.TempDir()
	whole, err := os.ReadFile(videotest.MakeClip(t, dir, videotest.H264AAC))
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "cut.mp4")
	os.WriteFile(src, whole[:len(whole)/2], 0o600)
	out := filepath.Join(dir, "out.mp4")
	_, err = New().Playback(context.Background(), src, out, 720, nil)
	if ReasonOf(err) != wmory.FailUndecodable {
		t.Fatalf("err %v; want a rejection as undecodable", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a rendition was left: %v", err)
	}
}
