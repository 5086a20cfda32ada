package imaging

/*
#cgo pkg-config: vips
#include <vips/vips.h>
*/
import "C"

// blockUntrusted stops libvips from using the loaders it marks as untrusted
// (those built on ImageMagick, PDF, SVG…), through its API rather than the
// environment: called once libvips has started.
func blockUntrusted() { C.vips_block_untrusted_set(C.TRUE) }
