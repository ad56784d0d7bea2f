/* test_config.c: a valid placebisect.json, and each kind of invalid one with its exact message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "tests/lib/testlib.h"

static const char valid[] =
	"{\n"
	"  \"build\": { \"command\": \"make -j2\", \"binary\": \"demo\", \"timeout\": 900,\n"
	"             \"clean\": \"make clean\", \"env\": { \"CFLAGS\": \"-O2\" } },\n"
	"  \"benchmarks\": {\n"
	"    \"call_method\": { \"command\": \"{binary} call_method\", \"runs\": 20, \"warmups\": 1,\n"
	"                     \"timeout\": 60, \"metric\": \"wall\" },\n"
	"    \"from_stdout\": { \"command\": \"python3 {config_dir}/bm.py\", \"metric\": \"stdout\",\n"
	"                     \"parse\": { \"regex\": \"Median \\\\+- std dev: ([0-9.]+) ms\" } }\n"
	"  },\n"
	"  \"measure\": { \"backend\": \"cachegrind\", \"cpus\": \"1\", \"events\": [\"cycles\", \"instructions\"],\n"
	"               \"cachegrind\": { \"I1\": \"32768,8,64\" } },\n"
	"  \"stats\": { \"alpha\": 0.05, \"min_effect\": 0.03, \"max_runs\": 40 }\n"
	"}\n";

static int load_text(struct pb_config *cfg, const char *text)
{
	struct pb_json *doc;
	int ret;

	pb_config_init(cfg);
	if (pb_json_parse(&doc, text, strlen(text), "p.json"))
		return -1;
	ret = pb_config_load_json(cfg, doc, "p.json");
	pb_json_free(doc);
	return ret;
}

static void expect_invalid(const char *text, const char *message)
{
	struct pb_config cfg;

	assert_int_equal(load_text(&cfg, text), -1);
	assert_string_equal(pb_error_message(), message);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	pb_config_release(&cfg);
}

static void test_valid(void **state)
{
	struct pb_config cfg;
	struct pb_bench *b;

	(void)state;
	assert_int_equal(load_text(&cfg, valid), 0);
	assert_string_equal(cfg.build.command, "make -j2");
	assert_string_equal(cfg.build.binary, "demo");
	assert_string_equal(cfg.build.env[0], "CFLAGS=-O2");
	assert_null(cfg.build.env[1]);
	assert_int_equal(cfg.n_benchmarks, 2);
	b = pb_config_bench(&cfg, "call_method");
	assert_non_null(b);
	assert_int_equal(b->runs, 20);
	assert_string_equal(b->metric, "wall");
	b = pb_config_bench(&cfg, "from_stdout");
	assert_int_equal(b->runs, 10); /* default */
	assert_string_equal(b->parse_regex, "Median \\+- std dev: ([0-9.]+) ms");
	assert_string_equal(cfg.measure.backend, "cachegrind");
	assert_string_equal(cfg.measure.events[1], "instructions");
	assert_string_equal(cfg.measure.cg_I1, "32768,8,64");
	assert_null(cfg.measure.cg_D1);
	assert_true(cfg.stats.alpha == 0.05);
	assert_int_equal(cfg.stats.max_runs, 40);
	assert_null(pb_config_bench(&cfg, "nope"));
	assert_string_equal(pb_error_message(),
			    "no benchmark 'nope' in the configuration (configured: call_method, from_stdout)");
	pb_config_release(&cfg);
}

static void test_defaults_and_file(void **state)
{
	char *dir = pb_test_tmpdir(), *path = NULL;
	struct pb_config cfg;

	(void)state;
	pb_config_init(&cfg);
	assert_string_equal(cfg.measure.backend, "auto");
	assert_true(cfg.stats.alpha == 0.01 && cfg.stats.min_effect == 0.02);
	assert_int_equal(cfg.stats.max_runs, 60);
	assert_true(cfg.build.timeout == 900);
	path = pb_xasprintf("%s/placebisect.json", dir);
	pb_test_write(path, valid, strlen(valid));
	assert_int_equal(pb_config_load(&cfg, path), 0);
	assert_string_equal(cfg.path, path);
	assert_string_equal(cfg.dir, dir);
	pb_config_release(&cfg);

	pb_config_init(&cfg);
	pb_test_write(path, "{\"stats\": {\"alpha\": 0.1}\n", 25);
	assert_int_equal(pb_config_load(&cfg, path), -1);
	assert_non_null(strstr(pb_error_message(), "placebisect.json:2:1: unexpected end of JSON text"));
	pb_config_release(&cfg);
	free(path);
	pb_test_rmtree(dir);
	free(dir);
}

static void test_invalid(void **state)
{
	(void)state;
	expect_invalid("{\"benchmarks\": {\"call_method\": {\"command\": \"x\", \"runs\": 0}}}",
		       "p.json: benchmarks.call_method.runs: expected a whole number from 1 to 100000, got 0");
	expect_invalid("{\"benchmarks\": {\"call_method\": {\"command\": \"x\", \"runs\": -3}}}",
		       "p.json: benchmarks.call_method.runs: expected a whole number from 1 to 100000, got -3");
	expect_invalid("{\"benchmarks\": {\"call_method\": {\"command\": \"x\", \"runs\": 2.5}}}",
		       "p.json: benchmarks.call_method.runs: expected a whole number, got 2.5");
	expect_invalid("{\"benchmarks\": {\"call_method\": {\"command\": \"x\", \"runs\": \"ten\"}}}",
		       "p.json: benchmarks.call_method.runs: expected a number, got a string");
	expect_invalid("{\"benchmarks\": {\"call_method\": {\"command\": \"x\", \"rnus\": 3}}}",
		       "p.json: benchmarks.call_method.rnus: unknown key (did you mean 'runs'?)");
	expect_invalid("{\"benchmarks\": {\"call_method\": {\"command\": \"x\", \"timeout\": 0}}}",
		       "p.json: benchmarks.call_method.timeout: expected a number from 0.001 to 1e+07, got 0");
	expect_invalid("{\"build\": {\"timeout\": -1}}",
		       "p.json: build.timeout: expected a number from 0.001 to 1e+07, got -1");
	expect_invalid("{\"benchmarks\": {\"b\": {\"runs\": 3}}}",
		       "p.json: benchmarks.b: missing \"command\" (the shell command that runs the benchmark)");
	expect_invalid("{\"benchmarks\": {\"b\": {\"command\": \"x\", \"metric\": \"stdout\"}}}",
		       "p.json: benchmarks.b: metric \"stdout\" needs parse.regex (the value is its first group)");
	expect_invalid("{\"benchmarks\": {\"b\": {\"command\": \"x\", \"parse\": {\"regex\": \"[0-9]+\"}}}}",
		       "p.json: benchmarks.b: parse.regex: needs a capture group around the number, e.g. \"([0-9.]+) ms\"");
	/* Found by fuzzing: glibc's regcomp takes gigabytes on a run of stacked repetitions. */
	expect_invalid("{\"benchmarks\": {\"b\": {\"command\": \"x\", \"parse\": {\"regex\": \"([0-9.]+)++++++++\"}}}}",
		       "p.json: benchmarks.b: parse.regex: a repetition of a repetition at offset 10 ('([0-9.]+)++++++++'): not a valid extended regex");
	expect_invalid("{\"benchmarks\": {\"b\": {\"command\": \"x\", \"parse\": {\"regex\": \"(x){2}*\"}}}}",
		       "p.json: benchmarks.b: parse.regex: a repetition of a repetition at offset 6 ('(x){2}*'): not a valid extended regex");
	expect_invalid("{\"build\": {\"layout_variants\": {\"a/b\": {\"X\": \"1\"}}}}",
		       "p.json: build.layout_variants.a/b: a variant needs a name without '/' or spaces");
	expect_invalid("{\"layout\": {\"l1i\": \"32K\"}}",
		       "p.json: layout.l1i: '32K' is not a cache geometry: expected \"SIZE,WAYS,LINE\" in bytes with a "
		       "power-of-two line size and number of sets, e.g. \"32768,8,64\"");
	expect_invalid("{\"benchmarks\": []}", "p.json: benchmarks: expected an object, got an array");
	expect_invalid("{\"stats\": {\"alpha\": 0.7}}",
		       "p.json: stats.alpha: expected a number > 0 and <= 0.5, got 0.7");
	expect_invalid("{\"measure\": {\"backend\": \"papi\"}}",
		       "p.json: measure.backend: 'papi' is not one of: auto, perf, cachegrind, time");
	expect_invalid("{\"measure\": {\"events\": [\"cycles\", 3]}}",
		       "p.json: measure.events[1]: expected a string, got a number");
	expect_invalid("{\"measure\": {\"cachegrind\": {\"I1\": \"32768,8,60\"}}}",
		       "p.json: measure.cachegrind.I1: '32768,8,60' is not a cache geometry: expected "
		       "\"SIZE,WAYS,LINE\" in bytes with a power-of-two line size and number of sets, e.g. \"32768,8,64\"");
	expect_invalid("{\"measure\": {\"cpus\": \"1-\"}}",
		       "p.json: measure.cpus: '1-' is not a CPU list (expected e.g. \"1\", \"0-3\" or \"1,3\")");
	expect_invalid("{\"build\": {\"env\": {\"A\": 1}}}", "p.json: build.env.A: expected a string, got a number");
	expect_invalid("{\"bulid\": {}}", "p.json: bulid: unknown key (did you mean 'build'?)");
	expect_invalid("{\"zzz\": {}}", "p.json: zzz: unknown key");
	expect_invalid("[]", "p.json: the configuration must be a JSON object");
}

static void test_expand_and_hash(void **state)
{
	struct pb_placeholders ph = { "/w/demo", "/w", "/cfg", NULL };
	struct pb_config cfg;
	uint64_t h1, h2, h3;
	char *s;

	(void)state;
	s = pb_config_expand("{binary} -x {config_dir}/a {unknown} awk '{print}' {worktree}", &ph);
	assert_string_equal(s, "/w/demo -x /cfg/a {unknown} awk '{print}' /w");
	free(s);
	/* Values that are not one plain word are quoted for where they stand (issue #16, F8). */
	{
		struct pb_placeholders odd = { "/my repo \xe2\x98\x83/it's/$x", "/w d", "/c\"f", NULL };

		s = pb_config_expand("{binary} -x \"{worktree}/a\" '{config_dir}' \\\"{binary}", &odd);
		assert_string_equal(s, "'/my repo \xe2\x98\x83/it'\\''s/$x' -x \"/w d/a\" '/c\"f' "
				       "\\\"'/my repo \xe2\x98\x83/it'\\''s/$x'");
		free(s);
		s = pb_config_expand("sh -c \"{config_dir}\"", &odd);
		assert_string_equal(s, "sh -c \"/c\\\"f\"");
		free(s);
	}

	assert_int_equal(load_text(&cfg, valid), 0);
	h1 = pb_config_bench_hash(&cfg, pb_config_bench(&cfg, "call_method"));
	cfg.stats.alpha = 0.2; /* statistics do not change what a measurement is */
	h2 = pb_config_bench_hash(&cfg, pb_config_bench(&cfg, "call_method"));
	pb_config_set(&cfg.build.command, "make -j4");
	h3 = pb_config_bench_hash(&cfg, pb_config_bench(&cfg, "call_method"));
	assert_true(h1 == h2);
	assert_true(h1 != h3);
	pb_config_release(&cfg);
}

/* The effective configuration (what `config --json` prints, nulls for unset keys) loads again, the same. */
static void test_effective_round_trip(void **state)
{
	struct pb_buf a = PB_BUF_INIT, b = PB_BUF_INIT;
	struct pb_config cfg, again;
	struct pb_jsonw w;

	(void)state;
	assert_int_equal(load_text(&cfg, valid), 0);
	pb_jsonw_init(&w, &a, false);
	pb_config_write_json(&cfg, &w);
	pb_jsonw_finish(&w);
	assert_non_null(strstr(a.data, "\"regex\": null"));
	assert_int_equal(load_text(&again, a.data), 0);
	assert_null(again.benchmarks[0].parse_regex);
	assert_string_equal(again.benchmarks[0].metric, "wall");
	pb_jsonw_init(&w, &b, false);
	pb_config_write_json(&again, &w);
	pb_jsonw_finish(&w);
	assert_string_equal(a.data, b.data);
	assert_true(pb_config_build_hash(&cfg) == pb_config_build_hash(&again));
	pb_config_release(&again);
	/* null keeps the default: the metric stays "wall", a required command stays missing. */
	assert_int_equal(load_text(&again, "{\"benchmarks\": {\"b\": {\"command\": \"x\", \"metric\": null}}}"), 0);
	assert_string_equal(again.benchmarks[0].metric, "wall");
	pb_config_release(&again);
	expect_invalid("{\"benchmarks\": {\"b\": {\"command\": null}}}",
		       "p.json: benchmarks.b: missing \"command\" (the shell command that runs the benchmark)");
	pb_config_release(&cfg);
	pb_buf_release(&a);
	pb_buf_release(&b);
}

/*
 * Big lists: the names read from a file stay slices of its text (escapes decoded), those from a
 * parsed document are copied into the config's store (across blocks, a 100 kB name in a block of
 * its own), a failed load leaves the lists it set readable, and a second load replaces them.
 */
static void test_big_lists(void **state)
{
	char *dir = pb_test_tmpdir(), *path = pb_xasprintf("%s/placebisect.json", dir), name[32];
	struct pb_buf text = PB_BUF_INIT, big = PB_BUF_INIT;
	struct pb_config cfg;
	size_t i;

	(void)state;
	pb_buf_puts(&text, "{\"layout\": {\"hot\": [\"a\\u00e9\\n\"");
	for (i = 1; i < 20000; i++)
		pb_buf_printf(&text, ", \"f%zu\"", i);
	pb_buf_puts(&text, "]}, \"build\": {\"env\": {");
	for (i = 0; i < 5000; i++)
		pb_buf_printf(&text, "%s\"V%zu\": \"value %zu\"", i ? ", " : "", i, i);
	pb_buf_puts(&text, "}}}");
	pb_test_write(path, text.data, text.len);

	pb_config_init(&cfg);
	assert_int_equal(pb_config_load(&cfg, path), 0);
	assert_string_equal(cfg.layout.hot[0], "a\xc3\xa9\n");
	assert_string_equal(cfg.layout.hot[19999], "f19999");
	assert_null(cfg.layout.hot[20000]);
	assert_string_equal(cfg.build.env[4999], "V4999=value 4999");
	assert_null(cfg.build.env[5000]);
	/* A second file over the first: its lists replace the first's. */
	pb_test_write(path, "{\"layout\": {\"hot\": [\"g\"]}}", strlen("{\"layout\": {\"hot\": [\"g\"]}}"));
	assert_int_equal(pb_config_load(&cfg, path), 0);
	assert_string_equal(cfg.layout.hot[0], "g");
	assert_null(cfg.layout.hot[1]);
	assert_string_equal(cfg.build.env[0], "V0=value 0");
	pb_config_release(&cfg);

	/* From a parsed document (freed before the config is used): copies, one of 100 kB. */
	for (i = 0; i < 100000; i++)
		pb_buf_putc(&big, 'x');
	pb_buf_truncate(&text, 0);
	pb_buf_printf(&text, "{\"layout\": {\"hot\": [\"%s\"", big.data);
	for (i = 1; i < 20000; i++)
		pb_buf_printf(&text, ", \"f%zu\"", i);
	pb_buf_printf(&text, "]}, \"measure\": {\"events\": [\"%s\", \"cycles\"]}}", big.data);
	assert_int_equal(load_text(&cfg, text.data), 0);
	assert_string_equal(cfg.layout.hot[0], big.data);
	snprintf(name, sizeof(name), "f%d", 12345);
	assert_string_equal(cfg.layout.hot[12345], name);
	assert_string_equal(cfg.measure.events[0], big.data);
	assert_string_equal(cfg.measure.events[1], "cycles");
	pb_config_release(&cfg);

	/* A load that fails after setting a list leaves it readable until the release. */
	pb_buf_truncate(&text, 0);
	pb_buf_puts(&text, "{\"layout\": {\"hot\": [\"h1\", \"h2\"]}, \"stats\": {\"alpha\": 2}}");
	pb_test_write(path, text.data, text.len);
	pb_config_init(&cfg);
	assert_int_equal(pb_config_load(&cfg, path), -1);
	assert_non_null(strstr(pb_error_message(), "stats.alpha: expected a number > 0 and <= 0.5, got 2"));
	assert_string_equal(cfg.layout.hot[1], "h2");
	pb_config_release(&cfg);
	pb_buf_release(&text);
	pb_buf_release(&big);
	free(path);
	pb_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_defaults_and_file),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_expand_and_hash),
		cmocka_unit_test(test_effective_round_trip),
		cmocka_unit_test(test_big_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
