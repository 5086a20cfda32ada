package wmory

import (
	"encoding/binary"
	"testing"
)

func ftyp(major string, compatible ...string) []byte {
	b := make([]byte, 16+4*len(compatible))
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	copy(b[4:], "ftyp")
	copy(b[8:], major)
	for i, c := range compatible {
		copy(b[16+4*i:], c)
	}
	return append(b, make([]byte, 32)...)
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name string
		head []byte
		want string
	}{
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 0}, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "image/png"},
		{"gif", []byte("GIF89a......"), "image/gif"},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), "image/webp"},
		{"iphone heic", ftyp("heic", "mif1", "heic"), "image/heic"},
		{"heif", ftyp("mif1", "mif1"), "image/heif"},
		{"avif", ftyp("avif", "avif", "mif1", "miaf"), "image/avif"},
		{"avif under mif1", ftyp("mif1", "avif", "miaf"), "image/avif"},
		{"mp4", ftyp("isom", "isom", "iso2", "avc1", "mp41"), "video/mp4"},
		{"mp4 mp42", ftyp("mp42", "mp42", "isom"), "video/mp4"},
		{"mov", ftyp("qt  ", "qt  "), "video/quicktime"},
		{"classic quicktime", []byte("\x00\x00\x18\xf7moov\x00\x00\x00\x6cmvhd"), "video/quicktime"},
		{"classic quicktime, wide first", []byte("\x00\x00\x00\x08wide\x00\x00\x01\x00mdat"), "video/quicktime"},
		{"atom too small", []byte("\x00\x00\x00\x04moov\x00\x00\x00\x00"), ""},
		{"webm", append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84}, []byte("webm")...), "video/webm"},
		{"matroska", append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86}, []byte("matroska")...), ""},
		{"html", []byte("<!doctype html><script>"), ""},
		{"svg", []byte("<svg xmlns="), ""},
		{"pdf", []byte("%PDF-1.7"), ""},
		{"zip", []byte("PK\x03\x04"), ""},
		{"elf", []byte("\x7fELF\x02\x01"), ""},
		{"djvu", []byte("AT&TFORM\x00\x00DJVU"), ""},
		{"unknown ftyp", ftyp("crx "), ""},
		{"empty", nil, ""},
		{"short ftyp", []byte("\x00\x00\x00\x08ftyp"), ""},
	} {
		if got := Sniff(tc.head); got != tc.want {
			t.Errorf("%s: Sniff = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestSameType(t *testing.T) {
	if !SameType("image/heic", "image/heif") || !SameType("image/jpeg", "image/jpeg") || SameType("image/jpeg", "image/png") || SameType("video/mp4", "video/quicktime") {
		t.Fatal("SameType rules broken")
	}
}

func FuzzSniff(f *testing.F) {
	f.Add([]byte{0xFF, 0xD8, 0xFF})
	f.Add(ftyp("heic", "mif1"))
	f.Add([]byte("\xff\xff\xff\xffftypisom"))
	f.Fuzz(func(t *testing.T, head []byte) {
		if got := Sniff(head); got != "" {
			if _, ok := KindOf(got); !ok {
				t.Fatalf("Sniff returned %q, which is not allowed", got)
			}
		}
	})
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 512: "512 B", 1536: "1.5 KB", 62222: "61 KB", 5 << 20: "5.0 MB",
		4 << 30: "4.0 GB", 200 << 20: "200 MB", 1000 << 20: "1.0 GB", 3 << 40: "3.0 TB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q; want %q", n, got, want)
		}
	}
}

func TestUploadParts(t *testing.T) {
	for _, tc := range []struct {
		size  int64
		count int
		last  int64
	}{
		{1, 1, 1},
		{PartSize, 1, PartSize},
		{PartSize + 1, 2, 1},
		{3*PartSize - 5, 3, PartSize - 5},
	} {
		u := Upload{Size: tc.size, PartSize: PartSize, MultipartID: "x"}
		if u.PartCount() != tc.count || u.PartLength(tc.count) != tc.last || (tc.count > 1 && u.PartLength(1) != PartSize) {
			t.Errorf("size %d: %d parts, the last of %d; want %d, %d", tc.size, u.PartCount(), u.PartLength(u.PartCount()), tc.count, tc.last)
		}
	}
	if (&Upload{}).Resumable() || (&Upload{}).PartCount() != 0 {
		t.Error("an upload in one PUT has parts")
	}
}
