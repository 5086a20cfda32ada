package imaging

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wmory/wmory"
)

// probe is the part of ffprobe's JSON that wmory reads.
type probe struct {
	Streams []stream `json:"streams"`
	Format  struct {
		Duration string            `json:"duration"`
		Tags     map[string]string `json:"tags"`
	} `json:"format"`
}

type stream struct {
	CodecType    string            `json:"codec_type"`
	CodecName    string            `json:"codec_name"`
	Profile      string            `json:"profile"`
	PixFmt       string            `json:"pix_fmt"`
	Width        int               `json:"width"`
	Height       int               `json:"height"`
	Transfer     string            `json:"color_transfer"`
	FieldOrder   string            `json:"field_order"`
	Channels     int               `json:"channels"`
	Tags         map[string]string `json:"tags"`
	SideDataList []struct {
		Rotation float64 `json:"rotation"`
	} `json:"side_data_list"`
}

// rotation is the angle a player turns the stream by.
func (s stream) rotation() float64 {
	for _, sd := range s.SideDataList {
		if sd.Rotation != 0 {
			return sd.Rotation
		}
	}
	if r, err := strconv.ParseFloat(s.Tags["rotate"], 64); err == nil {
		return r
	}
	return 0
}

// first returns the first stream of a type ("video", "audio"), or nil.
func (pr *probe) first(codecType string) *stream {
	for i := range pr.Streams {
		if pr.Streams[i].CodecType == codecType {
			return &pr.Streams[i]
		}
	}
	return nil
}

// duration is the file's length, or 0 when ffprobe could not tell.
func (pr *probe) duration() time.Duration {
	d, err := strconv.ParseFloat(pr.Format.Duration, 64)
	if err != nil || d <= 0 || math.IsInf(d, 0) {
		return 0
	}
	return time.Duration(d * float64(time.Second))
}

// probeFile reads what ffprobe says of a local file. Only local files are
// read: network and playlist protocols are not allowed.
func (p *Processor) probeFile(ctx context.Context, path string) (*probe, error) {
	out, err := p.run(ctx, p.Timeout, nil, p.FFprobe, "-v", "error", "-protocol_whitelist", "file", "-print_format", "json",
		"-show_format", "-show_streams", "file:"+path)
	if err != nil {
		return nil, err
	}
	var pr probe
	if err := json.Unmarshal(out, &pr); err != nil {
		return nil, rejectf("unreadable ffprobe output: %v", err)
	}
	return &pr, nil
}

// run starts a tool in its own process group and kills the whole group when
// the deadline passes or the context ends, so a hung decoder leaves nothing
// behind. A tool that runs out of time is a final failure for the file (it
// would only run out of time again); one that fails is a rejection.
func (p *Processor) run(ctx context.Context, timeout time.Duration, stdin []byte, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, reject(wmory.FailTimeout, "%s ran out of its %v", filepath.Base(name), timeout)
		}
		msg := errOut.String()
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return nil, rejectf("%s: %v: %s", filepath.Base(name), err, msg)
	}
	return out.Bytes(), nil
}

// captureTime is when a video was shot, from its video stream's or its
// container's creation time (UTC), or Apple's creation date, which keeps the
// camera's offset that creation_time loses.
func (pr *probe) captureTime(video *stream) (taken *time.Time, offset *int) {
	if video != nil {
		taken = parseCreation(video.Tags["creation_time"])
	}
	if t := parseCreation(pr.Format.Tags["creation_time"]); t != nil {
		taken = t
	}
	if t, o := parseAppleCreation(pr.Format.Tags["com.apple.quicktime.creationdate"]); t != nil {
		taken, offset = t, o
	}
	return taken, offset
}

// Video probes a video file and makes its thumbnail and preview from a poster
// frame at about one second (the first frame for shorter clips). Only local
// files are read: network and playlist protocols are not allowed.
func (p *Processor) Video(ctx context.Context, path string) (*Result, error) {
	Start()
	pr, err := p.probeFile(ctx, path)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	s := pr.first("video")
	if s == nil || s.Width <= 0 || s.Height <= 0 {
		return nil, rejectf("no video stream")
	}
	res.Width, res.Height = s.Width, s.Height
	if int(math.Abs(s.rotation()))%180 == 90 {
		res.Width, res.Height = res.Height, res.Width
	}
	if int64(res.Width)*int64(res.Height) > p.MaxPixels {
		return nil, reject(wmory.FailTooLarge, "video of %d×%d pixels is over the limit", res.Width, res.Height)
	}
	res.TakenAt, res.TakenOffset = pr.captureTime(s)
	res.Source = &Source{Video: *s, Audio: pr.first("audio"), Duration: pr.duration()}
	seek := "1"
	if d := pr.duration(); d > 0 {
		if d > p.MaxDuration {
			return nil, reject(wmory.FailTooLong, "video of %.0f s is longer than allowed", d.Seconds())
		}
		ms := d.Milliseconds()
		res.DurationMS = &ms
		if d < 2*time.Second {
			seek = "0"
		}
	}
	// ffmpeg applies the rotation itself when decoding; the frame travels as
	// high-quality JPEG: far cheaper to encode than PNG, and libvips decodes
	// it with shrink-on-load.
	// The frame comes out no larger than the preview, so that what libvips
	// decodes in this process is small whatever the video's size.
	box := strconv.Itoa(PreviewSize)
	poster, err := p.run(ctx, p.Timeout, nil, p.FFmpeg, "-v", "error", "-protocol_whitelist", "file,pipe", "-ss", seek, "-i", "file:"+path,
		"-frames:v", "1", "-vf", "scale=w='min("+box+",iw)':h='min("+box+",ih)':force_original_aspect_ratio=decrease",
		"-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "2", "pipe:1")
	if err != nil {
		return nil, err
	}
	if len(poster) == 0 {
		return nil, rejectf("no frame could be decoded")
	}
	d, err := derive(poster)
	if err != nil {
		return nil, err
	}
	res.Thumbnail, res.Preview = d.Thumbnail, d.Preview
	return res, nil
}

// parseAppleCreation reads QuickTime's com.apple.quicktime.creationdate,
// ISO 8601 with the camera's offset ("2020-02-19T16:35:00+0200").
func parseAppleCreation(s string) (*time.Time, *int) {
	if len(s) < 19 {
		return nil, nil
	}
	wall, err := time.Parse("2006-01-02T15:04:05", s[:19])
	if err != nil || wall.Year() < 1971 {
		return nil, nil
	}
	rest := s[19:]
	if i := strings.IndexAny(rest, "+-Z"); i >= 0 {
		rest = rest[i:]
	}
	if rest == "Z" {
		zero := 0
		return &wall, &zero
	}
	minutes, ok := parseOffset(rest)
	if !ok {
		return nil, nil
	}
	t := wall.Add(-time.Duration(minutes) * time.Minute)
	return &t, &minutes
}

func parseCreation(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 1971 {
		return nil
	}
	t = t.UTC()
	return &t
}
