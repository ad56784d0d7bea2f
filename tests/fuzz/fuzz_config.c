/* fuzz_config.c: libFuzzer harness: any bytes as placebisect.json, through the strict JSON reader and the config schema. */
/*
 * A document that loads must also survive the round trip: its effective configuration, written
 * with pb_config_write_json, loads again and is written the same. A rejected one must say why.
 * Build and run: scripts/fuzz.sh (corpus: tests/fuzz/corpus/config).
 */
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/json.h"
#include "tests/fuzz/fuzz_util.h"

static void effective(const struct pb_config *cfg, struct pb_buf *out)
{
	struct pb_jsonw w;

	pb_jsonw_init(&w, out, false);
	pb_config_write_json(cfg, &w);
	pb_jsonw_finish(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_buf first = PB_BUF_INIT, second = PB_BUF_INIT;
	struct pb_json *doc = NULL, *again = NULL;
	struct pb_config cfg, cfg2;
	size_t i;

	pb_config_init(&cfg);
	pb_config_init(&cfg2);
	if (pb_json_parse(&doc, (const char *)data, size, "fuzz.json") != 0 ||
	    pb_config_load_json(&cfg, doc, "fuzz.json") != 0) {
		pb_fuzz_failed_with_message();
		goto out;
	}
	effective(&cfg, &first);
	if (pb_json_parse(&again, first.data, first.len, "effective.json") != 0 ||
	    pb_config_load_json(&cfg2, again, "effective.json") != 0)
		abort(); /* what we wrote, we must read */
	effective(&cfg2, &second);
	if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0)
		abort();
	/* The cache keys come from the same values: equal too. */
	if (pb_config_build_hash(&cfg) != pb_config_build_hash(&cfg2))
		abort();
	for (i = 0; i < cfg.n_benchmarks; i++)
		if (pb_config_bench_hash(&cfg, &cfg.benchmarks[i]) !=
		    pb_config_bench_hash(&cfg2, &cfg2.benchmarks[i]))
			abort();
out:
	pb_json_free(doc);
	pb_json_free(again);
	pb_config_release(&cfg);
	pb_config_release(&cfg2);
	pb_buf_release(&first);
	pb_buf_release(&second);
	return 0;
}
