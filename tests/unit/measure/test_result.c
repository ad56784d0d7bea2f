/* test_result.c: measurement files (round trip, schema checks, hand-written input), derived metrics, compare output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "measure/compare.h"
#include "measure/result.h"
#include "tests/lib/testlib.h"

#define REL(want, got, tol) assert_true(fabs((got) - (want)) <= (tol) * fabs(want))

static void add(struct pb_measurement *m, double wall, bool ok, const char *const *names,
		const double *values, size_t n)
{
	struct pb_counter c[8];
	struct pb_run r = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		c[i].name = (char *)names[i];
		c[i].value = values[i];
		c[i].running_ratio = 1;
	}
	r.wall_ns = (int64_t)wall;
	r.user_ns = (int64_t)(wall * 0.9);
	r.sys_ns = 1000;
	r.maxrss_kb = 2048;
	r.exit = ok ? 0 : 1;
	r.ok = ok;
	r.value = ok ? wall : NAN;
	r.counters = c;
	r.n_counters = n;
	r.running_ratio = 1;
	pb_measurement_add_run(m, &r);
}

static void make(struct pb_measurement *m)
{
	static const char *const names[] = { "cycles", "instructions", "L1-icache-load-misses",
					     "ITLB-LOAD-MISSES", "IDQ_UOPS_NOT_DELIVERED:CORE" };
	static const char sys[] = "{\"pmu\": \"skl\", \"governor\": \"performance\"}";
	double v[5];
	int i;

	pb_measurement_init(m);
	m->benchmark = pb_xstrdup("call_method");
	m->command = pb_xstrdup("./python bm_call_method.py");
	m->commit = pb_xstrdup("1ce50f7027c1e5e2b0e9a1c4d6f8a0b2c4d6e8f0");
	m->backend = pb_xstrdup("perf");
	m->metric = pb_xstrdup("wall");
	m->unit = pb_xstrdup("ns");
	for (i = 0; i < 5; i++) {
		v[0] = 2000000 + i * 1000;
		v[1] = 3000000;
		v[2] = 100 + i;
		v[3] = 30;
		v[4] = 800000 + i * 400;
		add(m, 29000000.0 + i * 12345.5, true, names, v, 5);
	}
	add(m, 0, false, names, v, 0);
	pb_measurement_add_warning(m, "counters multiplexed");
	assert_int_equal(pb_json_parse(&m->system, sys, strlen(sys), "sys"), 0);
	m->functions = pb_xcalloc(2, sizeof(*m->functions));
	m->n_functions = 2;
	m->functions[0] = (struct pb_function_cost){ pb_xstrdup("_PyEval_EvalFrameDefault"),
						     pb_xstrdup("Python/ceval.c"), 1e9, 12345 };
	m->functions[1] = (struct pb_function_cost){ pb_xstrdup("call_function"), NULL, 2.5e8, 17 };
	m->runs[1].counters[0].running_ratio = 0.5; /* multiplexed once */
	m->runs[1].running_ratio = 0.5;
	pb_measurement_finish(m);
}

static char *to_text(const struct pb_measurement *m)
{
	struct pb_buf out = PB_BUF_INIT;
	struct pb_jsonw w;

	pb_jsonw_init(&w, &out, false);
	pb_measurement_write(m, &w);
	pb_jsonw_finish(&w);
	return pb_buf_detach(&out);
}

static void test_derived(void **state)
{
	struct pb_measurement m;

	(void)state;
	make(&m);
	/* Medians of the ok runs: cycles 2002000, instructions 3e6, L1i misses 102, iTLB 30,
	 * IDQ not delivered 800800 (hand-computed). */
	REL(3000000.0 / 2002000.0, m.derived.ipc, 1e-12);
	REL(1000.0 * 102 / 3e6, m.derived.icache_mpki, 1e-12);
	REL(1000.0 * 30 / 3e6, m.derived.itlb_mpki, 1e-12);
	REL(100.0 * 800800 / (4 * 2002000.0), m.derived.frontend_stall_pct, 1e-12);
	assert_int_equal(m.n_failed, 1);
	assert_int_equal(m.summary.n, 5);
	REL(29000000.0 + 2 * 12345.5, m.summary.median, 1e-15);
	REL(102.0, pb_measurement_counter(&m, "L1-icache-load-misses"), 0);
	assert_true(isnan(pb_measurement_counter(&m, "branch-misses")));
	pb_measurement_release(&m);
}

static void test_derived_variants(void **state)
{
	static const char *const zen4[] = { "cycles", "instructions", "DISPATCH_STALLS_1:FE_NO_OPS",
					    "IC_TAG_HIT_MISS:IC_MISS" };
	static const char *const cg[] = { "Ir", "I1mr", "est_cycles" };
	static const char *const zen2[] = { "cpu-cycles", "instructions", "UOPS_QUEUE_EMPTY",
					    "l1_itlb_miss_l2_itlb_miss:if4k:if2m" };
	const double v4[] = { 1000, 2000, 1200, 4 }, vcg[] = { 5000, 25, 6000 }, v2[] = { 1000, 500, 150, 2 };
	struct pb_measurement m;

	(void)state;
	pb_measurement_init(&m);
	add(&m, 10, true, zen4, v4, 4);
	pb_measurement_finish(&m);
	REL(2.0, m.derived.ipc, 1e-15);
	REL(20.0, m.derived.frontend_stall_pct, 1e-15); /* 1200 / (6 * 1000) */
	REL(2.0, m.derived.icache_mpki, 1e-15);         /* 1000 * 4 / 2000 */
	assert_true(isnan(m.derived.itlb_mpki));
	pb_measurement_release(&m);
	/* Without unit masks the Zen event still counts; a longer event name does not. */
	{
		static const char *const t[] = { "instructions", "L1_ITLB_MISS_L2_ITLB_MISS_X" };
		static const char *const u[] = { "instructions", "L1_ITLB_MISS_L2_ITLB_MISS" };
		const double tv[] = { 1000, 3 };

		pb_measurement_init(&m);
		add(&m, 10, true, t, tv, 2);
		pb_measurement_finish(&m);
		assert_true(isnan(m.derived.itlb_mpki));
		pb_measurement_release(&m);
		pb_measurement_init(&m);
		add(&m, 10, true, u, tv, 2);
		pb_measurement_finish(&m);
		REL(3.0, m.derived.itlb_mpki, 1e-15);
		pb_measurement_release(&m);
	}

	pb_measurement_init(&m);
	add(&m, 10, true, cg, vcg, 3);
	pb_measurement_finish(&m);
	REL(5.0, m.derived.icache_mpki, 1e-15); /* 1000 * I1mr / Ir */
	assert_true(isnan(m.derived.ipc) && isnan(m.derived.frontend_stall_pct));
	pb_measurement_release(&m);

	pb_measurement_init(&m);
	add(&m, 10, true, zen2, v2, 4);
	pb_measurement_finish(&m);
	REL(0.5, m.derived.ipc, 1e-15);
	REL(15.0, m.derived.frontend_stall_pct, 1e-15); /* 150 / 1000 */
	REL(4.0, m.derived.itlb_mpki, 1e-15);           /* any unit masks: 1000 * 2 / 500 */
	pb_measurement_release(&m);
}

static void test_round_trip(void **state)
{
	struct pb_measurement m, back;
	struct pb_json *doc;
	char *text, *text2;
	size_t i, k;

	(void)state;
	make(&m);
	text = to_text(&m);
	assert_int_equal(pb_json_parse(&doc, text, strlen(text), "m.json"), 0);
	/* DESIGN.md keys. */
	assert_string_equal(pb_json_string(pb_json_get(doc, "schema"), ""), "placebisect.measurement/1");
	assert_string_equal(pb_json_string(pb_json_get(doc, "benchmark"), ""), "call_method");
	assert_string_equal(pb_json_string(pb_json_path(doc, "system.pmu"), ""), "skl");
	assert_int_equal(pb_json_size(pb_json_get(doc, "runs")), 6);
	assert_true(pb_json_number(pb_json_get(pb_json_child(pb_json_get(doc, "runs")), "wall_ns"), 0) ==
		    29000000);
	assert_true(pb_json_number(pb_json_path(doc, "summary.n"), 0) == 5);
	assert_int_equal(pb_json_size(pb_json_path(doc, "summary.ci95")), 2);
	assert_non_null(pb_json_path(doc, "derived.ipc"));
	assert_non_null(pb_json_path(doc, "derived.frontend_stall_pct"));
	assert_int_equal(pb_json_type(pb_json_get(pb_json_next(pb_json_next(pb_json_next(pb_json_next(
				 pb_json_next(pb_json_child(pb_json_get(doc, "runs"))))))), "value")),
			 PB_JSON_NULL);

	assert_int_equal(pb_measurement_from_json(&back, doc, "m.json"), 0);
	assert_string_equal(back.benchmark, m.benchmark);
	assert_string_equal(back.command, m.command);
	assert_string_equal(back.commit, m.commit);
	assert_string_equal(back.unit, "ns");
	assert_int_equal(back.n_runs, 6);
	assert_int_equal(back.n_failed, 1);
	for (i = 0; i < m.n_runs; i++) {
		assert_true(back.runs[i].wall_ns == m.runs[i].wall_ns);
		assert_true(back.runs[i].user_ns == m.runs[i].user_ns);
		assert_int_equal(back.runs[i].ok, m.runs[i].ok);
		assert_int_equal(back.runs[i].n_counters, m.runs[i].n_counters);
		assert_true(back.runs[i].running_ratio == m.runs[i].running_ratio);
		for (k = 0; k < m.runs[i].n_counters; k++) {
			assert_string_equal(back.runs[i].counters[k].name, m.runs[i].counters[k].name);
			assert_true(back.runs[i].counters[k].value == m.runs[i].counters[k].value);
			assert_true(back.runs[i].counters[k].running_ratio ==
				    m.runs[i].counters[k].running_ratio);
		}
	}
	assert_true(back.summary.median == m.summary.median);
	assert_true(back.summary.ci95[0] == m.summary.ci95[0] && back.summary.ci95[1] == m.summary.ci95[1]);
	assert_true(back.derived.ipc == m.derived.ipc);
	assert_int_equal(back.n_functions, 2);
	assert_string_equal(back.functions[0].file, "Python/ceval.c");
	assert_null(back.functions[1].file);
	assert_true(back.functions[1].ir == 2.5e8 && back.functions[1].i1mr == 17);
	assert_string_equal(back.warnings[0], "counters multiplexed");
	assert_null(back.warnings[1]);
	/* Written again: the same bytes. */
	text2 = to_text(&back);
	assert_string_equal(text, text2);
	free(text);
	free(text2);
	pb_json_free(doc);
	pb_measurement_release(&back);
	pb_measurement_release(&m);
}

static void test_save_read(void **state)
{
	struct pb_measurement m, back;
	char *dir = pb_test_tmpdir(), *path = pb_xasprintf("%s/m.json", dir);

	(void)state;
	make(&m);
	assert_int_equal(pb_measurement_save(&m, path), 0);
	assert_int_equal(pb_measurement_read(&back, path), 0);
	assert_true(back.summary.median == m.summary.median);
	pb_measurement_release(&back);
	pb_measurement_release(&m);
	pb_test_rmtree(dir);
	free(path);
	free(dir);
}

static int read_text(struct pb_measurement *m, const char *text)
{
	struct pb_json *doc;
	int ret;

	assert_int_equal(pb_json_parse(&doc, text, strlen(text), "t.json"), 0);
	ret = pb_measurement_from_json(m, doc, "t.json");
	pb_json_free(doc);
	return ret;
}

static void expect_fail(const char *text, const char *message)
{
	struct pb_measurement m;

	assert_int_equal(read_text(&m, text), -1);
	if (!strstr(pb_error_message(), message))
		fail_msg("message '%s' lacks '%s'", pb_error_message(), message);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	assert_int_equal(m.n_runs, 0);
}

static void test_read_errors(void **state)
{
	(void)state;
	expect_fail("[1]", "t.json: not a placebisect measurement file");
	expect_fail("{\"runs\": []}", "t.json: not a placebisect measurement file (no \"schema\" key");
	expect_fail("{\"schema\": 3}", "t.json: schema: expected a string, got a number");
	expect_fail("{\"schema\": \"other/1\"}", "schema \"other/1\" is not a placebisect schema");
	expect_fail("{\"schema\": \"placebisect.compare/1\"}",
		    "t.json: is a compare file (schema \"placebisect.compare/1\"), not a measurement");
	expect_fail("{\"schema\": \"placebisect.measurement/2\"}",
		    "t.json: schema \"placebisect.measurement/2\" is newer than this placebisect reads");
	expect_fail("{\"schema\": \"placebisect.measurement/x\"}", "has no valid version number");
	expect_fail("{\"schema\": \"placebisect.measurement/1\", \"backend\": \"time\", \"runs\": []}",
		    "t.json: metric: missing");
	expect_fail("{\"schema\": \"placebisect.measurement/1\", \"backend\": \"time\", \"metric\": \"wall\"}",
		    "t.json: runs: missing");
	expect_fail("{\"schema\": \"placebisect.measurement/1\", \"backend\": \"time\", \"metric\": \"wall\","
		    " \"runs\": [{\"wall_ns\": 5}, {\"wall_ns\": \"fast\"}]}",
		    "t.json: runs[1].wall_ns: expected a number or null, got a string");
	expect_fail("{\"schema\": \"placebisect.measurement/1\", \"backend\": \"time\", \"metric\": \"wall\","
		    " \"runs\": [{\"wall_ns\": 5, \"counters\": {\"cycles\": true}}]}",
		    "t.json: runs[0].counters.cycles: expected a number or null, got a boolean");
	/* F5: compare refused nothing negative before. */
	expect_fail("{\"schema\": \"placebisect.measurement/1\", \"backend\": \"perf\", \"metric\": \"wall\","
		    " \"runs\": [{\"wall_ns\": 5, \"counters\": {\"cycles\": -5}}]}",
		    "t.json: runs[0].counters.cycles: -5 is negative (a count or a size: never below 0)");
	expect_fail("{\"schema\": \"placebisect.measurement/1\", \"backend\": \"time\", \"metric\": \"wall\","
		    " \"runs\": [{\"wall_ns\": -1}]}",
		    "t.json: runs[0].wall_ns: -1 is negative (a count or a size: never below 0)");
	expect_fail("{\"schema\": \"placebisect.measurement/1\", \"backend\": \"perf\", \"metric\": "
		    "\"cycles\", \"runs\": [{\"ok\": true, \"counters\": {}}]}",
		    "t.json: runs[0]: a successful run without a value for the metric 'cycles'");
	expect_fail("{\"schema\": \"placebisect.measurement/1\", \"backend\": \"time\", \"metric\": \"wall\","
		    " \"runs\": 5}", "t.json: runs: expected an array, got a number");
}

static void test_read_minimal(void **state)
{
	struct pb_measurement m;

	(void)state;
	/* Hand-written: values come from the metric (wall_ns, or the counter), ok from the exit. */
	assert_int_equal(read_text(&m, "{\"schema\": \"placebisect.measurement/1\", \"backend\": \"time\","
				       " \"metric\": \"wall\", \"runs\": [{\"wall_ns\": 100}, {\"wall_ns\": 300},"
				       " {\"wall_ns\": 200}, {\"wall_ns\": 9, \"exit\": 1}]}"), 0);
	assert_int_equal(m.summary.n, 3);
	assert_true(m.summary.median == 200);
	assert_int_equal(m.n_failed, 1);
	assert_null(m.benchmark);
	pb_measurement_release(&m);
	assert_int_equal(read_text(&m, "{\"schema\": \"placebisect.measurement/1\", \"backend\": \"cachegrind\","
				       " \"metric\": \"Ir\", \"runs\": [{\"counters\": {\"Ir\": 5000, \"I1mr\": 50}}]}"), 0);
	assert_true(m.summary.median == 5000);
	REL(10.0, m.derived.icache_mpki, 1e-15);
	pb_measurement_release(&m);
}

static void test_compare_output(void **state)
{
	struct pb_measurement a, b;
	struct pb_compare c;
	struct pb_buf out = PB_BUF_INIT, text = PB_BUF_INIT;
	struct pb_jsonw w;
	struct pb_json *doc;

	(void)state;
	make(&a);
	make(&b);
	/* B: deterministic shift of +50% on every ok run. */
	for (size_t i = 0; i < b.n_runs; i++)
		if (b.runs[i].ok)
			b.runs[i].value *= 1.5;
	pb_measurement_finish(&b);
	assert_int_equal(pb_compare_measurements(&c, &a, "a.json", &b, "b.json", 0.02, 0.02), 0);
	/* 5 vs 5 separated: exact MWU p = 2 / C(10, 5) = 0.0079365, KS the same; the minimum of the
	 * two doubled (Bonferroni): 4 / 252. */
	REL(4.0 / 252, c.stats.p_value, 1e-12);
	assert_int_equal(c.stats.verdict, PB_VERDICT_SLOWER);
	assert_int_equal(c.n_counters, 5);
	assert_string_equal(c.counters[2].name, "L1-icache-load-misses");
	assert_true(c.counters[2].a == 102 && c.counters[2].ratio == 1);
	pb_jsonw_init(&w, &out, false);
	pb_compare_write(&c, &w);
	pb_jsonw_finish(&w);
	assert_int_equal(pb_json_parse(&doc, out.data, out.len, "cmp"), 0);
	assert_string_equal(pb_json_string(pb_json_get(doc, "schema"), ""), "placebisect.compare/1");
	assert_string_equal(pb_json_string(pb_json_get(doc, "verdict"), ""), "slower");
	assert_true(pb_json_number(pb_json_path(doc, "a.n"), 0) == 5);
	assert_string_equal(pb_json_string(pb_json_path(doc, "b.file"), ""), "b.json");
	assert_true(pb_json_number(pb_json_path(doc, "counters.cycles.a"), 0) == 2002000);
	assert_non_null(pb_json_path(doc, "derived.ipc.ratio"));
	assert_int_equal(pb_json_size(pb_json_get(doc, "ci95")), 2);
	pb_json_free(doc);
	pb_compare_format(&c, &text);
	assert_non_null(strstr(text.data, "verdict: slower"));
	assert_non_null(strstr(text.data, "2.00 M")); /* cycles 2,002,000 through render/format */
	assert_non_null(strstr(text.data, "L1-icache-load-misses"));
	pb_compare_release(&c);

	/* Different metrics cannot be compared. */
	free(b.metric);
	b.metric = pb_xstrdup("instructions");
	assert_int_equal(pb_compare_measurements(&c, &a, "a.json", &b, "b.json", 0.01, 0.02), -1);
	assert_non_null(strstr(pb_error_message(), "a.json measures 'wall' but b.json measures 'instructions'"));
	pb_compare_release(&c);
	pb_buf_release(&out);
	pb_buf_release(&text);
	pb_measurement_release(&a);
	pb_measurement_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_derived),
		cmocka_unit_test(test_derived_variants),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_save_read),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_read_minimal),
		cmocka_unit_test(test_compare_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
