package imaging

import (
	"context"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
)

// The capture times of files processed before wmory read the camera's UTC
// offset are read again, without deriving anything: when a file was taken,
// and the offset in minutes east when the camera recorded one.

// PhotoCaptureTime reads a photo's capture time from its header. It is read
// here, not in a helper: only photos that libvips has decoded whole before
// come here.
func PhotoCaptureTime(data []byte) (*time.Time, *int, error) {
	Start()
	img, err := vips.LoadImageFromBuffer(data, vips.NewImportParams())
	if err != nil {
		return nil, nil, rejectf("unreadable image: %v", err)
	}
	defer img.Close()
	taken, offset := exifTime(img)
	return taken, offset, nil
}

// VideoCaptureTime reads a video's capture time from its container.
func (p *Processor) VideoCaptureTime(ctx context.Context, path string) (*time.Time, *int, error) {
	pr, err := p.probeFile(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	taken, offset := pr.captureTime(pr.first("video"))
	return taken, offset, nil
}
