/* fuzz_json.c: libFuzzer harness: any bytes through the strict JSON reader (every input file's first step). */
/*
 * The reader refuses the text with a message, or gives a tree that the writer prints and the
 * reader reads again to the same text (a fixed point after one round). Build and run:
 * scripts/fuzz.sh (corpus: tests/fuzz/corpus/json).
 */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "tests/fuzz/fuzz_util.h"

/* Count the values under v and check what the accessors promise of each. */
static size_t walk(const struct pb_json *v)
{
	const struct pb_json *c;
	size_t n = 1, members = 0;

	switch (pb_json_type(v)) {
	case PB_JSON_STRING:
		if (!pb_json_string(v, NULL))
			abort();
		break;
	case PB_JSON_ARRAY:
	case PB_JSON_OBJECT:
		for (c = pb_json_child(v); c; c = pb_json_next(c), members++) {
			if ((pb_json_type(v) == PB_JSON_OBJECT) != (pb_json_key(c) != NULL))
				abort(); /* members have keys, elements do not */
			if (pb_json_type(v) == PB_JSON_OBJECT && pb_json_get(v, pb_json_key(c)) != c)
				abort(); /* keys are unique: the lookup finds this member */
			n += walk(c);
		}
		if (members != pb_json_size(v))
			abort();
		break;
	default:
		break;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_json *doc = NULL, *again = NULL;
	struct pb_buf one = PB_BUF_INIT, two = PB_BUF_INIT;
	struct pb_jsonw w;

	if (pb_json_parse(&doc, (const char *)data, size, "fuzz.json") != 0) {
		if (doc)
			abort();
		pb_fuzz_failed_with_message();
		return 0;
	}
	pb_jsonw_init(&w, &one, true);
	pb_jsonw_value(&w, NULL, doc);
	pb_jsonw_finish(&w);
	if (pb_json_parse(&again, one.data, one.len, "written.json") != 0)
		abort(); /* what we wrote, we must read */
	pb_jsonw_init(&w, &two, true);
	pb_jsonw_value(&w, NULL, again);
	pb_jsonw_finish(&w);
	if (one.len != two.len || memcmp(one.data, two.data, one.len) != 0 || walk(doc) != walk(again))
		abort();
	pb_json_free(doc);
	pb_json_free(again);
	pb_buf_release(&one);
	pb_buf_release(&two);
	return 0;
}
