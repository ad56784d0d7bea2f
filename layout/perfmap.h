/* perfmap.h: the symbol maps JIT compilers write for perf (/tmp/perf-PID.map: "START SIZE name" lines). */
#ifndef PB_LAYOUT_PERFMAP_H
#define PB_LAYOUT_PERFMAP_H

#include <stddef.h>
#include <stdint.h>

/* At most this many bytes of one map are read; the rest is left out (and counted as cut). */
#define PB_PERFMAP_MAX_BYTES ((size_t)256 << 20)

struct pb_perfmap_entry {
	uint64_t start, size;
	const char *name; /* points into the map's own storage */
	uint32_t seq;     /* the line's rank among the good ones: a later line describes newer code */
};

struct pb_perfmap {
	struct pb_perfmap_entry *v; /* sorted by start, then seq */
	size_t n;
	size_t bad;       /* malformed lines skipped */
	uint64_t max_size; /* the largest entry: how far back a lookup looks */
	char *text;       /* the names' storage */
	int cut;          /* the input was larger than PB_PERFMAP_MAX_BYTES: its tail is not read */
};

/*
 * Parse `len` bytes of perf map text into *m (any bytes: lines "START SIZE name", START and SIZE
 * hexadecimal with or without 0x, name the rest of the line up to the end, trailing '\r' and
 * blanks dropped). A line that does not parse (no name, a bad number, a zero size, an end past
 * 2^64, a NUL byte) is skipped and counted in m->bad. Never fails; release with
 * pb_perfmap_release(). Only the first PB_PERFMAP_MAX_BYTES are read (m->cut then set).
 */
void pb_perfmap_parse(struct pb_perfmap *m, const char *text, size_t len);

/*
 * Read and parse the map file `path` into *m. Returns 0, or -1 when it cannot be opened (error
 * recorded naming the file; *m then empty).
 */
int pb_perfmap_read(struct pb_perfmap *m, const char *path);

/*
 * The name of the code holding `addr`, or NULL. Where entries overlap (a JIT reused the memory),
 * the one written last wins, as the newest code at that address.
 */
const char *pb_perfmap_lookup(const struct pb_perfmap *m, uint64_t addr);

/* Free what *m holds (a zeroed or parsed map); *m is left empty. */
void pb_perfmap_release(struct pb_perfmap *m);

#endif
