/* test_system.c: system show/tune/reset on a fake /sys and /proc tree: findings, advice, saved and restored knobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "measure/system.h"
#include "tests/lib/testlib.h"

static char *root;

static void put(const char *path, const char *value)
{
	assert_int_equal(pb_test_sh("mkdir -p \"$(dirname '%s%s')\" && printf '%%s\\n' '%s' > '%s%s'",
				    root, path, value, root, path),
			 0);
}

static char *get(const char *path)
{
	struct pb_buf b = PB_BUF_INIT;
	char *full = pb_xasprintf("%s%s", root, path);

	assert_int_equal(pb_buf_read_file(&b, full), 0);
	free(full);
	if (b.len && b.data[b.len - 1] == '\n')
		pb_buf_truncate(&b, b.len - 1);
	return pb_buf_detach(&b);
}

static int setup(void **state)
{
	(void)state;
	root = pb_test_tmpdir();
	put("/proc/cpuinfo", "model name	: Test CPU 9000");
	put("/proc/sys/kernel/osrelease", "6.1.0-test");
	put("/proc/sys/kernel/perf_event_paranoid", "2");
	put("/proc/sys/kernel/randomize_va_space", "2");
	put("/proc/sys/kernel/perf_event_max_sample_rate", "25000");
	put("/sys/devices/system/cpu/online", "0-1");
	put("/sys/devices/system/cpu/isolated", "");
	put("/sys/devices/system/cpu/smt/control", "on");
	put("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave");
	put("/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "schedutil");
	put("/sys/devices/system/cpu/cpufreq/boost", "1");
	put("/sys/devices/system/cpu/cpu0/cache/index0/level", "1");
	put("/sys/devices/system/cpu/cpu0/cache/index0/type", "Instruction");
	put("/sys/devices/system/cpu/cpu0/cache/index0/size", "32K");
	put("/sys/devices/system/cpu/cpu0/cache/index0/ways_of_associativity", "8");
	put("/sys/devices/system/cpu/cpu0/cache/index0/coherency_line_size", "64");
	pb_error_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pb_test_rmtree(root);
	free(root);
	return 0;
}

static bool advice_has(const struct pb_system *s, const char *text)
{
	size_t i;

	for (i = 0; s->advice[i]; i++)
		if (strstr(s->advice[i], text))
			return true;
	return false;
}

static void test_probe(void **state)
{
	struct pb_system s;
	struct pb_buf out = PB_BUF_INIT;
	struct pb_jsonw w;
	struct pb_json *doc;

	(void)state;
	pb_system_probe(&s, root);
	assert_string_equal(s.cpu_model, "Test CPU 9000");
	assert_string_equal(s.kernel, "6.1.0-test");
	assert_int_equal(s.paranoid, 2);
	assert_string_equal(s.governor, "powersave");
	assert_int_equal(s.boost, 1);
	assert_string_equal(s.smt, "on");
	assert_int_equal(s.aslr, 2);
	assert_int_equal(s.max_sample_rate, 25000);
	assert_string_equal(s.cache_l1i, "32K 8-way 64B");
	assert_null(s.cache_l3);
	assert_true(advice_has(&s, "governor is 'powersave'"));
	assert_true(advice_has(&s, "boost is on"));
	assert_true(advice_has(&s, "SMT is on"));
	assert_true(advice_has(&s, "randomize_va_space"));
	assert_true(advice_has(&s, "isolcpus"));
	assert_string_equal(s.presets[0].name, "ipc");

	pb_jsonw_init(&w, &out, false);
	pb_system_write(&s, &w, NULL);
	pb_jsonw_finish(&w);
	assert_int_equal(pb_json_parse(&doc, out.data, out.len, "system"), 0);
	assert_int_equal(pb_json_type(pb_json_get(doc, "hardware_counters")), PB_JSON_BOOL);
	assert_string_equal(pb_json_string(pb_json_get(doc, "governor"), ""), "powersave");
	assert_true(pb_json_bool(pb_json_get(doc, "boost"), false));
	assert_int_equal(pb_json_type(pb_json_path(doc, "presets.icache.opens")), PB_JSON_BOOL);
	assert_true(pb_json_size(pb_json_get(doc, "advice")) >= 4);
	pb_json_free(doc);

	doc = pb_system_measurement_json(&s, "1", 64);
	assert_string_equal(pb_json_string(pb_json_get(doc, "cpus"), ""), "1");
	assert_true(pb_json_number(pb_json_get(doc, "env_pad"), 0) == 64);
	pb_json_free(doc);

	pb_buf_reset(&out);
	pb_system_render(&s, &out);
	assert_non_null(strstr(out.data, "Advice:"));
	pb_buf_release(&out);
	pb_system_release(&s);
}

static void test_tune_reset(void **state)
{
	char *st = pb_xasprintf("%s/state/tune.json", root), *v;
	struct pb_buf table = PB_BUF_INIT, doc = PB_BUF_INIT;
	struct pb_jsonw w;
	struct pb_json *j;

	(void)state;
	pb_jsonw_init(&w, &doc, false);
	assert_int_equal(pb_system_tune(root, st, &w, NULL, &table), 0);
	pb_jsonw_finish(&w);
	assert_int_equal(pb_json_parse(&j, doc.data, doc.len, "tune"), 0);
	assert_int_equal(pb_json_size(j), 4); /* two governors, boost, sample rate */
	pb_json_free(j);
	v = get("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	assert_string_equal(v, "performance");
	free(v);
	v = get("/sys/devices/system/cpu/cpufreq/boost");
	assert_string_equal(v, "0");
	free(v);
	v = get("/proc/sys/kernel/perf_event_max_sample_rate");
	assert_string_equal(v, "100000");
	free(v);
	assert_int_equal(access(st, F_OK), 0);
	assert_non_null(strstr(table.data, "changed"));

	/* A second tune keeps the original values for reset. */
	assert_int_equal(pb_system_tune(root, st, NULL, NULL, NULL), 0);
	assert_int_equal(pb_system_reset(root, st, NULL, NULL, NULL), 0);
	v = get("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	assert_string_equal(v, "powersave");
	free(v);
	v = get("/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor");
	assert_string_equal(v, "schedutil");
	free(v);
	v = get("/sys/devices/system/cpu/cpufreq/boost");
	assert_string_equal(v, "1");
	free(v);
	v = get("/proc/sys/kernel/perf_event_max_sample_rate");
	assert_string_equal(v, "25000");
	free(v);
	assert_int_not_equal(access(st, F_OK), 0);

	/* Nothing saved: reset says to tune first. */
	assert_int_equal(pb_system_reset(root, st, NULL, NULL, NULL), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	assert_non_null(strstr(pb_error_message(), "system tune"));
	pb_buf_release(&table);
	pb_buf_release(&doc);
	free(st);
}

/* A machine without cpufreq or boost: those knobs are skipped with a reason. */
static void test_tune_missing_knobs(void **state)
{
	char *st = pb_xasprintf("%s/tune.json", root);
	struct pb_buf table = PB_BUF_INIT;

	(void)state;
	assert_int_equal(pb_test_sh("rm -rf '%s/sys/devices/system/cpu/cpu0/cpufreq' "
				    "'%s/sys/devices/system/cpu/cpu1/cpufreq' '%s/sys/devices/system/cpu/cpufreq'",
				    root, root, root),
			 0);
	assert_int_equal(pb_system_tune(root, st, NULL, NULL, &table), 0);
	assert_non_null(strstr(table.data, "no cpufreq on this machine"));
	assert_non_null(strstr(table.data, "no boost/turbo knob"));
	assert_non_null(strstr(table.data, "skipped"));
	assert_int_equal(pb_system_reset(root, st, NULL, NULL, NULL), 0);
	pb_buf_release(&table);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tune_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tune_missing_knobs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
