/* fuzz_x86len.c: libFuzzer harness: the table decoder never reads past its input or exceeds 15 bytes. */
/*
 * Build (see CMakeLists.txt here):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_x86len.c layout/x86len.c -o fuzz_x86len
 *   ./fuzz_x86len tests/fuzz/corpus/x86len
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layout/x86len.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_x86_insn x;
	uint8_t *copy;
	size_t off = 0;
	int mode;

	/* An exact-size heap copy, so that ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	for (mode = 0; mode < 2; mode++) {
		for (off = 0; off < size;) {
			if (pb_x86_decode(&x, copy + off, size - off, mode == 1)) {
				off++;
				continue;
			}
			if (x.len == 0 || x.len > 15 || x.len > size - off ||
			    (x.rel_size && x.rel_off + x.rel_size > x.len) ||
			    (x.disp_off && x.disp_off + 4u > x.len) ||
			    (x.imm_size && x.imm_off + x.imm_size > x.len))
				abort();
			off += x.len;
		}
	}
	free(copy);
	return 0;
}
