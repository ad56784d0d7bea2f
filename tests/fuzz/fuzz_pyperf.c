/* fuzz_pyperf.c: libFuzzer harness: any bytes as the pyperf JSON a benchmark writes (metric pyperf). */
/*
 * The reader returns at least one value, or fails with the reason in `why`. Build and run:
 * scripts/fuzz.sh (corpus: tests/fuzz/corpus/pyperf).
 */
#include <stdlib.h>
#include <unistd.h>

#include "core/error.h"
#include "measure/runner.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_buf why = PB_BUF_INIT;
	double *vals = NULL;
	size_t n = 0;
	char path[64];
	int fd = pb_fuzz_file(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	if (pb_runner_read_pyperf(path, &vals, &n, &why) == 0) {
		if (n == 0 || !vals || why.len)
			abort();
	} else if (!why.len) {
		abort(); /* a failed run must say why */
	}
	pb_error_clear();
	free(vals);
	pb_buf_release(&why);
	close(fd);
	return 0;
}
