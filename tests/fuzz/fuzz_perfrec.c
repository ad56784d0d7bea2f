/* fuzz_perfrec.c: libFuzzer harness: the sample record parser never reads past its input and every span it returns lies inside it. */
/*
 * Build (see CMakeLists.txt here):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_perfrec.c measure/perfrec.c -o fuzz_perfrec
 *   ./fuzz_perfrec tests/fuzz/corpus/perfrec
 * The first input byte picks the layout (frame pointers, or --call-graph dwarf with the
 * unwinder's registers or with any mask); the rest is the record, header included.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/perf_event.h>

#include "measure/perfrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint64_t fp = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CALLCHAIN;
	struct pb_perfrec_sample s;
	uint64_t type, mask, dw[PB_PERFREC_DWARF_REGS];
	unsigned char *copy;
	uint8_t pick;

	if (size < 1)
		return 0;
	pick = data[0];
	type = pick & 1 ? fp | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER : fp;
	mask = pick & 2 ? PB_PERFREC_REGS_MASK : (uint64_t)(pick >> 2) * 0x010101;
	/* An exact-size heap copy, so that ASan sees any read past the end. */
	copy = malloc(size);
	memcpy(copy, data + 1, size - 1);
	if (pb_perfrec_parse_sample(&s, copy, size - 1, type, mask) == 0) {
		if (s.chain && (s.chain < copy || s.nr > (size_t)(copy + size - 1 - s.chain) / 8))
			abort();
		if (s.stack && (s.stack < copy || s.stack_size > (size_t)(copy + size - 1 - s.stack)))
			abort();
		if (!s.stack && s.stack_size)
			abort();
		pb_perfrec_dwarf_regs(&s, dw);
	}
	free(copy);
	return 0;
}
