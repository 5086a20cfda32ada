package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/davidbyttow/govips/v2/vips"
)

// ensurePhotos makes sure dir holds 12 MP JPEGs to measure with. When it has
// none (a fresh clone), it makes 20 of 4032×3024 at quality 90 — smooth light
// with sensor-like noise, so that they compress and decode as camera photos
// do, not as flat test cards — with EXIF orientations 1 to 8. Real photos
// measure best: put a phone's in dir, or name another folder with -photos.
func ensurePhotos(dir string) error {
	if files, _ := filepath.Glob(filepath.Join(dir, "*.jpg")); len(files) > 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: no photos in %s; making 20 of 12 MP (once)\n", dir)
	for i := range 20 {
		data, err := syntheticPhoto(i, 4032, 3024)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("synthetic-%02d.jpg", i+1)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func syntheticPhoto(seed, w, h int) ([]byte, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 42))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	// A few soft blobs of colour over a sky-to-ground gradient, then noise.
	type blob struct{ x, y, r, cr, cg, cb float64 }
	blobs := make([]blob, 6)
	for i := range blobs {
		blobs[i] = blob{rng.Float64() * float64(w), rng.Float64() * float64(h), (0.1 + rng.Float64()*0.3) * float64(w),
			rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}
	}
	for y := range h {
		fy := float64(y) / float64(h)
		for x := range w {
			r, g, b := 120+80*(1-fy), 140+60*(1-fy), 170+70*(1-fy)-90*fy
			for _, bl := range blobs {
				d := math.Hypot(float64(x)-bl.x, float64(y)-bl.y) / bl.r
				if d < 1 {
					k := (1 - d) * (1 - d)
					r, g, b = r+(bl.cr-r)*k, g+(bl.cg-g)*k, b+(bl.cb-b)*k
				}
			}
			n := rng.NormFloat64() * 6
			img.SetRGBA(x, y, color.RGBA{clamp8(r + n), clamp8(g + n), clamp8(b + n), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	// The orientation goes in through libvips, as a camera's EXIF would be.
	ref, err := vips.NewImageFromBuffer(buf.Bytes())
	if err != nil {
		return nil, err
	}
	defer ref.Close()
	if err := ref.SetOrientation(seed%8 + 1); err != nil {
		return nil, err
	}
	params := vips.NewJpegExportParams()
	params.Quality, params.StripMetadata = 90, false
	out, _, err := ref.ExportJpeg(params)
	return out, err
}

func clamp8(v float64) uint8 { return uint8(max(0, min(255, v))) }
