// Package videotest makes the videos the tests need with ffmpeg, and reads
// what ffprobe says of the results.
package videotest

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A Clip is a short video made with ffmpeg for a test: the kinds phones and
// cameras send that browsers do or do not play.
type Clip string

const (
	// HEVCHLGRotated is an iPhone's: HEVC Main 10, HLG, BT.2020, 1280×720
	// turned 90° by its display matrix, AAC, in QuickTime, with a place and
	// a capture time in its metadata.
	HEVCHLGRotated Clip = "hevc-hlg-rot90.mov"
	// HEVCPQ is HDR10: HEVC Main 10, PQ, BT.2020, 1280×720, AAC, in MP4.
	HEVCPQ Clip = "hevc-pq.mp4"
	// VP9WebM is VP9 with Opus, 640×360, in WebM.
	VP9WebM Clip = "vp9.webm"
	// H264AAC is what plays everywhere already: H.264 High 4:2:0 8-bit with
	// AAC, 640×360, in MP4 with its index at the end.
	H264AAC Clip = "h264-aac.mp4"
	// H264422 is H.264 High 4:2:2, which browsers do not decode.
	H264422 Clip = "h264-422.mp4"
	// H264Silent is H.264 4:2:0 without an audio stream.
	H264Silent Clip = "h264-silent.mp4"
)

// ClipSeconds is every clip's length.
const ClipSeconds = 2

// MakeClip writes the clip into dir and returns its path.
func MakeClip(t testing.TB, dir string, c Clip) string {
	t.Helper()
	out := filepath.Join(dir, string(c))
	d := strconv.Itoa(ClipSeconds)
	picture := func(size string) []string {
		return []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=15:duration=" + d}
	}
	tone := []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + d}
	hdr := func(transfer string) []string {
		return []string{"-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le",
			"-x265-params", "log-level=error:colorprim=bt2020:transfer=" + transfer + ":colormatrix=bt2020nc",
			"-color_primaries", "bt2020", "-color_trc", transfer, "-colorspace", "bt2020nc", "-tag:v", "hvc1"}
	}
	var args []string
	switch c {
	case HEVCHLGRotated:
		unrotated := filepath.Join(dir, "unrotated-"+string(c))
		ffmpeg(t, append(append(append(picture("1280x720"), tone...), hdr("arib-std-b67")...), "-c:a", "aac",
			"-movflags", "use_metadata_tags", "-metadata", "location=+48.8577+002.2950/",
			"-metadata", "com.apple.quicktime.creationdate=2024-05-01T10:00:00+0200", "-metadata", "creation_time=2024-05-01T08:00:00Z", unrotated)...)
		// The display matrix is set on a copy: ffmpeg writes it from the
		// stream's rotation when it does not encode.
		args = []string{"-i", unrotated, "-map", "0", "-c", "copy", "-metadata:s:v:0", "rotate=90", "-movflags", "use_metadata_tags", out}
	case HEVCPQ:
		args = append(append(append(picture("1280x720"), tone...), hdr("smpte2084")...), "-c:a", "aac", out)
	case VP9WebM:
		args = append(append(picture("640x360"), tone...), "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", out)
	case H264AAC:
		args = append(append(picture("640x360"), tone...), "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "high", "-pix_fmt", "yuv420p", "-c:a", "aac", out)
	case H264422:
		args = append(append(picture("640x360"), tone...), "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "high422", "-pix_fmt", "yuv422p", "-c:a", "aac", out)
	case H264Silent:
		args = append(picture("640x360"), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", out)
	default:
		t.Fatalf("no such clip %q", c)
	}
	ffmpeg(t, args...)
	return out
}

func ffmpeg(t testing.TB, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-v", "error", "-y", "-nostdin"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// Probed is what ffprobe says of a file, as tests check it.
type Probed struct {
	Streams []struct {
		CodecType    string            `json:"codec_type"`
		CodecName    string            `json:"codec_name"`
		Profile      string            `json:"profile"`
		PixFmt       string            `json:"pix_fmt"`
		Width        int               `json:"width"`
		Height       int               `json:"height"`
		Transfer     string            `json:"color_transfer"`
		Primaries    string            `json:"color_primaries"`
		Channels     int               `json:"channels"`
		AvgFrameRate string            `json:"avg_frame_rate"`
		Tags         map[string]string `json:"tags"`
		SideDataList []struct {
			Type     string  `json:"side_data_type"`
			Rotation float64 `json:"rotation"`
		} `json:"side_data_list"`
	} `json:"streams"`
	Format struct {
		Duration string            `json:"duration"`
		Tags     map[string]string `json:"tags"`
	} `json:"format"`
}

// Probe runs ffprobe on a file.
func Probe(t testing.TB, path string) Probed {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var p Probed
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// Seconds is the file's duration.
func (p Probed) Seconds() float64 {
	d, _ := strconv.ParseFloat(p.Format.Duration, 64)
	return d
}

// FrameSeconds is how long one frame of the first video stream lasts on
// average, or 0 when ffprobe could not tell.
func (p Probed) FrameSeconds() float64 {
	for _, s := range p.Streams {
		if s.CodecType != "video" {
			continue
		}
		num, den, ok := strings.Cut(s.AvgFrameRate, "/")
		n, _ := strconv.ParseFloat(num, 64)
		d, _ := strconv.ParseFloat(den, 64)
		if ok && n > 0 && d > 0 {
			return d / n
		}
	}
	return 0
}

// VideoStreamHash is the SHA-256 of a file's first video stream's packets:
// equal for a stream repackaged without re-encoding.
func VideoStreamHash(t testing.TB, path string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-c", "copy",
		"-f", "streamhash", "-hash", "sha256", "-").Output()
	if err != nil {
		t.Fatalf("stream hash of %s: %v", path, err)
	}
	return string(out)
}

// TopLevelBoxes lists the types of an MP4 file's top-level boxes in order:
// a file that plays while it downloads has moov before mdat.
func TopLevelBoxes(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var boxes []string
	var offset int64
	head := make([]byte, 16)
	for {
		if _, err := f.ReadAt(head[:8], offset); err == io.EOF {
			return boxes
		} else if err != nil {
			t.Fatal(err)
		}
		size := int64(binary.BigEndian.Uint32(head[:4]))
		boxes = append(boxes, string(head[4:8]))
		switch size {
		case 0:
			return boxes // to the end of the file
		case 1:
			if _, err := f.ReadAt(head[8:16], offset+8); err != nil {
				t.Fatal(err)
			}
			size = int64(binary.BigEndian.Uint64(head[8:16]))
		}
		if size < 8 {
			t.Fatalf("box %q at %d has size %d", head[4:8], offset, size)
		}
		offset += size
	}
}
