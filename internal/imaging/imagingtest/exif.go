package imagingtest

import "github.com/davidbyttow/govips/v2/vips"

// WithEXIF returns a JPEG with EXIF fields set, as a camera would have
// written them (fields named as libvips names them, such as
// exif-ifd2-DateTimeOriginal: it rebuilds the EXIF block from them when it
// saves). libvips must have been started.
func WithEXIF(jpeg []byte, fields map[string]string) ([]byte, error) {
	img, err := vips.NewImageFromBuffer(jpeg)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	for k, v := range fields {
		img.SetString(k, v)
	}
	params := vips.NewJpegExportParams()
	params.StripMetadata = false
	out, _, err := img.ExportJpeg(params)
	return out, err
}

// WithCaptureTime is a JPEG whose EXIF capture time is wall ("2006:01:02
// 15:04:05") with its UTC offset ("+02:00"; empty: none), as a camera writes
// them. libvips must have been started.
func WithCaptureTime(jpeg []byte, wall, offset string) ([]byte, error) {
	fields := map[string]string{"exif-ifd2-DateTimeOriginal": wall}
	if offset != "" {
		fields["exif-ifd2-OffsetTimeOriginal"] = offset
	}
	return WithEXIF(jpeg, fields)
}
