package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/wmory/wmory/internal/imaging"
)

// renditionSeconds is the length of the benchmark's clips.
const renditionSeconds = 10

// benchRenditions makes playback renditions of 10 s 1080p clips as the
// rendition job does (ffprobe, then ffmpeg with wmory's settings), against
// the bare ffmpeg command with the same settings; and sums what renditions
// of the test clips weigh against their originals.
func benchRenditions(rounds int) []row {
	dir, _ := os.MkdirTemp("", "wmory-bench-rendition-")
	defer os.RemoveAll(dir)
	d := fmt.Sprint(renditionSeconds)
	source := func(name string, codec ...string) string {
		f := filepath.Join(dir, name)
		args := append([]string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=" + d,
			"-f", "lavfi", "-i", "sine=frequency=440:duration=" + d}, codec...)
		out, err := exec.Command("ffmpeg", append(args, "-c:a", "aac", f)...).CombinedOutput()
		must(errFrom(err, out))
		return f
	}
	hevc := source("hevc.mp4", "-c:v", "libx265", "-preset", "fast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p", "-tag:v", "hvc1")
	hlg := source("hlg.mov", "-c:v", "libx265", "-preset", "fast", "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1",
		"-x265-params", "log-level=error:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc",
		"-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc")
	h264 := source("h264.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p")

	scale := "scale=w='if(gt(iw,ih),-2,trunc(min(720,iw)/2)*2)':h='if(gt(iw,ih),trunc(min(720,ih)/2)*2,-2)':out_range=tv"
	encode := []string{"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high", "-pix_fmt", "yuv420p",
		"-c:a", "copy", "-movflags", "+faststart"}
	tonemap := ",zscale=tin=arib-std-b67:min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl=100,format=gbrpf32le" +
		",zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv"
	pairs := []struct {
		name, src string
		height    int
		bare      []string
		note      string
	}{
		{"rendition: 10 s 1080p HEVC → 720p H.264", hevc, 720, append([]string{"-vf", scale + ",format=yuv420p"}, encode...), "re-encoded"},
		{"rendition: 10 s 1080p HEVC HLG → 720p H.264 SDR", hlg, 720, append([]string{"-vf", scale + tonemap + ",format=yuv420p"}, encode...), "tone-mapped"},
		{"rendition: 10 s 1080p H.264 + AAC, repackaged", h264, 1080, []string{"-c", "copy", "-movflags", "+faststart"}, "baseline `ffmpeg -c copy -movflags +faststart`"},
	}
	p := imaging.New()
	var rows []row
	for _, pair := range pairs {
		// The job is planned from what the poster's probe found, as the
		// rendition job is.
		res, err := p.Video(context.Background(), pair.src)
		must(err)
		var ours, theirs []time.Duration
		for r := 0; r < rounds; r++ {
			runOurs := func() {
				out := filepath.Join(dir, "ours.mp4")
				start := time.Now()
				_, err := p.Playback(context.Background(), pair.src, out, pair.height, res.Source)
				must(err)
				ours = append(ours, time.Since(start))
			}
			runTheirs := func() {
				args := append(append([]string{"-v", "error", "-y", "-i", pair.src}, pair.bare...), filepath.Join(dir, "theirs.mp4"))
				start := time.Now()
				out, err := exec.Command("ffmpeg", args...).CombinedOutput()
				must(errFrom(err, out))
				theirs = append(theirs, time.Since(start))
			}
			alternate(r%2 == 0, runOurs, runTheirs)
		}
		mo, mt := median(ours), median(theirs)
		rows = append(rows, row{pair.name, ms(mo), ms(mt) + " (bare `ffmpeg`, same settings)", fmt.Sprintf("%.2f", float64(mo)/float64(mt)),
			fmt.Sprintf("%s; %.1f× real time on this machine", pair.note, renditionSeconds/mo.Seconds())})
	}
	return append(rows, renditionWeight(p, dir, hevc, hlg, h264))
}

// renditionWeight makes the default renditions of the test clips and of the
// benchmark's sources and compares their bytes with the originals'.
func renditionWeight(p *imaging.Processor, dir string, sources ...string) row {
	clips, _ := filepath.Glob(filepath.Join("internal", "imaging", "testdata", "*.m[op][v4]"))
	var originals, renditions int64
	for _, src := range append(clips, sources...) {
		out := filepath.Join(dir, "weight.mp4")
		_, err := p.Playback(context.Background(), src, out, 720, nil)
		must(err)
		originals += size(src)
		renditions += size(out)
	}
	return row{"renditions' bytes ÷ originals' bytes", fmt.Sprintf("%.1f MB", float64(renditions)/1e6), fmt.Sprintf("%.1f MB (originals)", float64(originals)/1e6),
		fmt.Sprintf("%.2f", float64(renditions)/float64(originals)), fmt.Sprintf("%d clips at the default 720p: the test clips and the three above", len(clips)+len(sources))}
}

func size(path string) int64 {
	info, err := os.Stat(path)
	must(err)
	return info.Size()
}
