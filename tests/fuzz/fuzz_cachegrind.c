/* fuzz_cachegrind.c: libFuzzer harness: any bytes as a cachegrind.out file, through the parser and the counters. */
/*
 * The parser either refuses the file with a message naming it and the line, or adds it to the
 * result; reading the same file twice doubles every total. Build and run: scripts/fuzz.sh
 * (corpus: tests/fuzz/corpus/cachegrind).
 */
#include <stdlib.h>
#include <unistd.h>

#include "measure/cachegrind.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_cg_result r = { 0 };
	struct pb_counter c[PB_CG_NCOUNTERS];
	uint64_t once[PB_CG_NEVENTS];
	char path[64];
	int fd = pb_fuzz_file(data, size, path, sizeof(path)), i;

	if (fd < 0)
		return 0;
	if (pb_cachegrind_parse(path, &r) != 0) {
		pb_fuzz_failed_with_message();
		goto out;
	}
	for (i = 0; i < PB_CG_NEVENTS; i++)
		once[i] = r.total[i];
	/* Functions are merged by name across files: the second read finds them all again. */
	if (pb_cachegrind_parse(path, &r) != 0)
		abort();
	for (i = 0; i < PB_CG_NEVENTS; i++)
		if (r.total[i] != once[i] * 2)
			abort();
	pb_cg_result_sort(&r);
	pb_cachegrind_counters(&r, c);
out:
	pb_cg_result_release(&r);
	close(fd);
	return 0;
}
