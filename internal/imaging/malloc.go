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
