package imaging

/*
#include <malloc.h>
static void limit_arenas(void) { mallopt(M_ARENA_MAX, 2); }
*/
import "C"

// limitArenas caps glibc's malloc arenas. libvips allocates from several
// threads, and with one arena per thread freed memory is spread too thin to be
// reused: peak memory per worker drops by about a third (see BenchmarkPhoto).
func limitArenas() { C.limit_arenas() }

// ReleaseMemory hands the memory libvips has freed back to the system: glibc
// keeps freed pages in its arenas otherwise, and a worker that processed a burst
// of photos would go on holding their peak.
func ReleaseMemory() { C.malloc_trim(0) }
