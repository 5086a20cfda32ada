package imaging

import (
	"encoding/binary"
	"errors"
)

// stripWebP removes the EXIF and XMP chunks of a WebP file and clears their
// flags. libvips 8.14's webpsave keeps them even when asked to strip, and
// derived images must never carry camera metadata such as GPS positions.
func stripWebP(b []byte) ([]byte, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return nil, errors.New("imaging: not a WebP file")
	}
	out := append([]byte(nil), b[:12]...)
	for i := 12; i < len(b); {
		if i+8 > len(b) {
			return nil, errors.New("imaging: truncated WebP chunk")
		}
		fourcc := string(b[i : i+4])
		size := int(binary.LittleEndian.Uint32(b[i+4 : i+8]))
		end := i + 8 + size + size%2 // chunks are padded to even sizes
		if end > len(b) || size < 0 {
			return nil, errors.New("imaging: truncated WebP chunk")
		}
		switch fourcc {
		case "EXIF", "XMP ":
		case "VP8X":
			if size < 10 {
				return nil, errors.New("imaging: malformed VP8X chunk")
			}
			chunk := append([]byte(nil), b[i:end]...)
			chunk[8] &^= 0x08 | 0x04 // EXIF and XMP present flags
			out = append(out, chunk...)
		default:
			out = append(out, b[i:end]...)
		}
		i = end
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out, nil
}
