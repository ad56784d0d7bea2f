/* fuzz_journal.c: libFuzzer harness: any bytes as a bisect journal (bisect/state.c), torn lines included. */
/*
 * The reader either refuses the file with a message, or returns an array of records and repairs
 * a torn last line, after which a second read returns the same records. Build and run:
 * scripts/fuzz.sh (corpus: tests/fuzz/corpus/journal).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/state.h"
#include "core/error.h"
#include "core/json.h"
#include "tests/fuzz/fuzz_util.h"

/*
 * One state directory for the whole fuzzing session, under $TMPDIR: scripts/fuzz.sh points it at
 * memory (/dev/shm), where the fsyncs of the repairs cost nothing, and removes it afterwards.
 */
static const char *gitdir(void)
{
	static char dir[256];
	const char *tmp = getenv("TMPDIR");

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/pb_fuzz_journal.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir))
			abort();
	}
	return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_state st;
	struct pb_json *events = NULL, *again = NULL;
	char *path;
	FILE *f;

	if (pb_state_open(&st, gitdir()))
		abort();
	path = pb_state_path(&st, "journal");
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (pb_state_journal_read(&st, &events) != 0) {
		pb_fuzz_failed_with_message();
		goto out;
	}
	if (pb_json_type(events) != PB_JSON_ARRAY)
		abort();
	/* The repaired file reads back to the same records. */
	if (pb_state_journal_read(&st, &again) != 0 || pb_json_size(again) != pb_json_size(events))
		abort();
out:
	pb_json_free(events);
	pb_json_free(again);
	unlink(path);
	free(path);
	pb_state_close(&st);
	return 0;
}
