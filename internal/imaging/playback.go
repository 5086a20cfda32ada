package imaging

import (
	"context"
	"os"
	"strconv"
	"time"

	"github.com/wmory/wmory"
)

// Source is what a video's rendition is planned from: what ffprobe said of
// its streams when its poster was made, so that the rendition need not ask
// again (the original cannot change in between: its ETag is checked).
type Source struct {
	Video    stream        `json:"video"`
	Audio    *stream       `json:"audio,omitempty"`
	Duration time.Duration `json:"duration"`
}

// Rendition says how a playback rendition was made.
type Rendition struct {
	VideoCopied bool // the video stream was repackaged, not re-encoded
	AudioCopied bool // the audio stream was repackaged (or there is none)
	ToneMapped  bool // HDR brought to SDR BT.709
}

// renditionPlan is what making a rendition of one source takes.
type renditionPlan struct {
	Rendition
	hdrTransfer string // the source's HDR transfer (smpte2084, arib-std-b67), when tone mapping
}

// planRendition decides, from what ffprobe said, what a source needs to play
// everywhere: H.264 4:2:0 8-bit, progressive, SDR, within the height, is
// repackaged as it is; anything else is re-encoded. AAC audio is kept as it
// is; any other is re-encoded, whatever happens to the video.
func planRendition(v, a *stream, height int) renditionPlan {
	var plan renditionPlan
	switch v.Transfer {
	case "smpte2084", "arib-std-b67": // PQ (HDR10, Dolby Vision 8.1), HLG (iPhones, Dolby Vision 8.4)
		plan.ToneMapped, plan.hdrTransfer = true, v.Transfer
	}
	shortSide := min(v.Width, v.Height)
	progressive := v.FieldOrder == "" || v.FieldOrder == "progressive" || v.FieldOrder == "unknown"
	plan.VideoCopied = v.CodecName == "h264" && (v.PixFmt == "yuv420p" || v.PixFmt == "yuvj420p") &&
		progressive && !plan.ToneMapped && shortSide <= height
	plan.AudioCopied = a == nil || a.CodecName == "aac"
	return plan
}

// renditionDeadline is how long making a rendition may take: a fixed part
// for starting and muxing, and a multiple of the video's length that a
// tone-mapped 1080p re-encode on two cores stays well within.
func (p *Processor) renditionDeadline(d time.Duration) time.Duration {
	if d <= 0 {
		d = p.MaxDuration
	}
	return p.Timeout + 6*d
}

// Playback makes a playback rendition of the video at src into dst: MP4 with
// the index first, H.264 High yuv420p at most height pixels on its short side
// (rotation applied when re-encoding; kept as the player's instruction when
// repackaging), AAC, HDR tone-mapped to SDR BT.709, and no metadata at all
// (no place, no time, no device). Only local files are read. source is what
// the poster's probe found (Result.Source), or nil to probe the file now.
func (p *Processor) Playback(ctx context.Context, src, dst string, height int, source *Source) (Rendition, error) {
	if source == nil {
		pr, err := p.probeFile(ctx, src)
		if err != nil {
			return Rendition{}, err
		}
		v := pr.first("video")
		if v == nil {
			return Rendition{}, rejectf("no video stream")
		}
		source = &Source{Video: *v, Audio: pr.first("audio"), Duration: pr.duration()}
	}
	v := &source.Video
	if v.Width <= 0 || v.Height <= 0 {
		return Rendition{}, rejectf("no video stream")
	}
	if int64(v.Width)*int64(v.Height) > p.MaxPixels {
		return Rendition{}, reject(wmory.FailTooLarge, "video of %d×%d pixels is over the limit", v.Width, v.Height)
	}
	d := source.Duration
	if d > p.MaxDuration {
		return Rendition{}, reject(wmory.FailTooLong, "video of %.0f s is longer than allowed", d.Seconds())
	}
	plan := planRendition(v, source.Audio, height)
	if _, err := p.run(ctx, p.renditionDeadline(d), nil, p.FFmpeg, plan.args(src, dst, height)...); err != nil {
		os.Remove(dst)
		return Rendition{}, err
	}
	if info, err := os.Stat(dst); err != nil || info.Size() == 0 {
		os.Remove(dst)
		return Rendition{}, rejectf("ffmpeg wrote no rendition")
	}
	return plan.Rendition, nil
}

// args is the ffmpeg command line of the plan.
func (plan renditionPlan) args(src, dst string, height int) []string {
	args := []string{"-v", "error", "-nostdin", "-protocol_whitelist", "file", "-i", "file:" + src,
		// The first video and audio streams only: no timecode, data or
		// subtitle tracks, no chapters, no metadata (place, time, device).
		"-map", "0:v:0", "-map", "0:a:0?", "-map_metadata", "-1", "-map_metadata:s:v", "-1", "-map_metadata:s:a", "-1",
		"-map_chapters", "-1", "-sn", "-dn"}
	if plan.VideoCopied {
		args = append(args, "-c:v", "copy")
	} else {
		h := strconv.Itoa(height)
		// The short side at most h, even sides, aspect kept; ffmpeg has
		// already turned the frames upright (autorotate). Full-range sources
		// (old cameras' MJPEG-style H.264 and MPEG-4) become TV range, which
		// every decoder expects.
		filter := "scale=w='if(gt(iw,ih),-2,trunc(min(" + h + ",iw)/2)*2)':h='if(gt(iw,ih),trunc(min(" + h + ",ih)/2)*2,-2)':out_range=tv"
		if plan.ToneMapped {
			// Scaled first (far fewer pixels through the float stages), then
			// to linear light, tone-mapped (Hable keeps highlights without
			// washing out the rest) and into BT.709.
			filter += ",zscale=tin=" + plan.hdrTransfer + ":min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl=100,format=gbrpf32le" +
				",zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv"
		}
		args = append(args, "-vf", filter+",format=yuv420p",
			"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high", "-pix_fmt", "yuv420p")
		if plan.ToneMapped {
			args = append(args, "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709")
		}
	}
	if plan.AudioCopied {
		args = append(args, "-c:a", "copy")
	} else {
		args = append(args, "-c:a", "aac", "-ac", "2", "-b:a", "128k")
	}
	return append(args, "-movflags", "+faststart", "-max_muxing_queue_size", "4096",
		// No version strings either.
		"-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
		"-f", "mp4", "-y", "file:"+dst)
}
