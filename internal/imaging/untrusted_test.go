package imaging

import (
	"testing"

	"github.com/davidbyttow/govips/v2/vips"
)

// The loaders libvips marks as untrusted are refused even when a file reaches
// libvips directly; the trusted ones still load.
func TestUntrustedLoadersAreBlocked(t *testing.T) {
	Start()
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`)
	if img, err := vips.NewImageFromBuffer(svg); err == nil {
		img.Close()
		t.Fatal("an SVG loaded: libvips' untrusted loaders are not blocked")
	}
	img, err := vips.NewImageFromBuffer(read(t, "camera.jpg"))
	if err != nil {
		t.Fatalf("a JPEG no longer loads: %v", err)
	}
	img.Close()
}
