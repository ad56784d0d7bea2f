/* fuzz_measurement.c: libFuzzer harness: any bytes as a measurement file (compare's inputs, the bisect measurement cache). */
/*
 * The reader either refuses the file with a message, or fills a measurement that, written back
 * with pb_measurement_write, reads again. Build and run: scripts/fuzz.sh (corpus:
 * tests/fuzz/corpus/measurement).
 */
#include <stdlib.h>
#include <unistd.h>

#include "core/json.h"
#include "measure/result.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_measurement m, m2;
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_json *again = NULL;
	struct pb_jsonw w;
	char path[64];
	int fd = pb_fuzz_file(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	pb_measurement_init(&m);
	pb_measurement_init(&m2);
	if (pb_measurement_read(&m, path) != 0) {
		pb_fuzz_failed_with_message();
		goto out;
	}
	pb_jsonw_init(&w, &doc, false);
	pb_measurement_write(&m, &w);
	pb_jsonw_finish(&w);
	if (pb_json_parse(&again, doc.data, doc.len, "written.json") != 0 ||
	    pb_measurement_from_json(&m2, again, "written.json") != 0 || m2.n_runs != m.n_runs)
		abort(); /* what we wrote, we must read */
out:
	pb_json_free(again);
	pb_buf_release(&doc);
	pb_measurement_release(&m);
	pb_measurement_release(&m2);
	close(fd);
	return 0;
}
