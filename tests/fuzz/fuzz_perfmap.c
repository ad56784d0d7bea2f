/* fuzz_perfmap.c: libFuzzer harness: any bytes as a JIT's /tmp/perf-PID.map (layout/perfmap.h). */
/*
 * The parser never fails: every entry it keeps has a name and a range that does not wrap, the
 * entries are sorted, kept and skipped lines are accounted for, and a lookup of each entry's start
 * finds a name. Build and run: scripts/fuzz.sh 60 perfmap (corpus: tests/fuzz/corpus/perfmap).
 */
#include <stdlib.h>
#include <string.h>

#include "layout/perfmap.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_perfmap m;
	size_t i;

	pb_perfmap_parse(&m, (const char *)data, size);
	for (i = 0; i < m.n; i++) {
		if (!m.v[i].name || !m.v[i].name[0] || m.v[i].size == 0 ||
		    m.v[i].start + m.v[i].size < m.v[i].start || m.v[i].size > m.max_size)
			abort();
		if (i && m.v[i - 1].start > m.v[i].start)
			abort();
		if (!pb_perfmap_lookup(&m, m.v[i].start))
			abort();
	}
	if (m.n + m.bad > size)
		abort(); /* each kept or skipped line took at least one byte */
	pb_perfmap_lookup(&m, 0);
	pb_perfmap_lookup(&m, UINT64_MAX);
	pb_perfmap_release(&m);
	return 0;
}
