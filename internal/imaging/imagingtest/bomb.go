// Package imagingtest makes hostile images for the tests and benchmarks.
package imagingtest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// BombPNG returns a valid, interlaced, 16-bit RGBA PNG of w×h black pixels: a
// few megabytes that decode to w×h×8 bytes (800 MB at 10000×10000). Its deflate
// stream is written directly (runs of 258 zeros), since compressing the
// decoded bytes would itself take many seconds.
func BombPNG(w, h int) []byte {
	const bytesPerPixel = 8 // RGBA, 16 bits a channel
	raw := 0
	// Adam7: each pass is a sub-image whose rows start with a filter byte.
	for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
		cols := (w - p[0] + p[2] - 1) / p[2]
		rows := (h - p[1] + p[3] - 1) / p[3]
		if cols > 0 && rows > 0 {
			raw += rows * (1 + cols*bytesPerPixel)
		}
	}
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	copy(ihdr[8:], []byte{16, 6, 0, 0, 1}) // depth, RGBA, deflate, filter 0, Adam7
	chunk(&out, "IHDR", ihdr)
	chunk(&out, "IDAT", zlibZeros(raw))
	chunk(&out, "IEND", nil)
	return out.Bytes()
}

func chunk(out *bytes.Buffer, kind string, data []byte) {
	binary.Write(out, binary.BigEndian, uint32(len(data)))
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	out.WriteString(kind)
	out.Write(data)
	binary.Write(out, binary.BigEndian, crc.Sum32())
}

// zlibZeros is a zlib stream of n zero bytes: one fixed-Huffman block of a
// literal zero, copies of 258 bytes from distance 1, literal zeros for the rest.
func zlibZeros(n int) []byte {
	bw := &bitWriter{}
	bw.bits(1, 1) // final block
	bw.bits(1, 2) // fixed Huffman codes
	bw.code(0x30, 8)
	left := n - 1
	for ; left >= 258; left -= 258 {
		bw.code(0xC5, 8) // length 258 (symbol 285)
		bw.code(0, 5)    // distance 1
	}
	for ; left > 0; left-- {
		bw.code(0x30, 8)
	}
	bw.code(0, 7) // end of block
	bw.flush()
	a, b := uint32(1), uint32(n%65521) // Adler-32 of n zeros
	out := append([]byte{0x78, 0x01}, bw.buf...)
	return binary.BigEndian.AppendUint32(out, b<<16|a)
}

type bitWriter struct {
	buf   []byte
	acc   uint64
	count uint
}

// bits writes v's low n bits, least significant first (deflate's headers and
// extra bits).
func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.count
	w.count += n
	for w.count >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.count -= 8
	}
}

// code writes a Huffman code, most significant bit first.
func (w *bitWriter) code(c uint64, n uint) {
	var r uint64
	for i := uint(0); i < n; i++ {
		r = r<<1 | (c>>i)&1
	}
	w.bits(r, n)
}

func (w *bitWriter) flush() {
	if w.count > 0 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc, w.count = 0, 0
	}
}
