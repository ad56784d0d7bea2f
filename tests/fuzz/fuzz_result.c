/* fuzz_result.c: libFuzzer harness: any bytes as a result document for `report` (the schema validator). */
/*
 * The document is refused with a message (JSON syntax, an unknown kind, a key path that breaks
 * its kind's schema), or it is valid and the report renders it without a crash. Build and run:
 * scripts/fuzz.sh (corpus: tests/fuzz/corpus/result).
 */
#include <stdio.h>
#include <stdlib.h>

#include "nightly/schemas.h"
#include "core/error.h"
#include "core/json.h"
#include "report/report.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char md[256];
	const struct pb_schema *kind;
	struct pb_json *doc = NULL;

	if (!md[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(md, sizeof(md), "%s/fuzz_result/R.md", tmp ? tmp : "/tmp");
	}
	if (pb_json_parse(&doc, (const char *)data, size, "fuzz.json") != 0) {
		pb_fuzz_failed_with_message();
		return 0;
	}
	kind = pb_schema_find(doc, pb_result_schemas, pb_n_result_schemas);
	if (kind && pb_schema_check(doc, kind, "fuzz.json") != 0)
		pb_fuzz_failed_with_message();
	else if (kind && pb_report_write(doc, "fuzz.json", md) != 0)
		pb_fuzz_failed_with_message(); /* a kind without a report, or a write that failed: said why */
	pb_error_clear();
	pb_json_free(doc);
	return 0;
}
