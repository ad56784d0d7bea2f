/* test_runner.c: the runner on real commands: failures counted, metrics parsed, CPUs checked, A/B order, fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "measure/contention.h"
#include "measure/counters_test.h"
#include "measure/result.h"
#include "measure/runner.h"
#include "tests/lib/testlib.h"

static char *dir;
static struct pb_buf logged;

static void sink(enum pb_log_level level, const char *msg, void *arg)
{
	(void)arg;
	pb_buf_printf(&logged, "%s: %s\n", level == PB_LOG_WARN ? "warning" : "note", msg);
}

static int setup(void **state)
{
	(void)state;
	dir = pb_test_tmpdir();
	pb_buf_reset(&logged);
	pb_log_set_sink(sink, NULL);
	pb_error_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pb_counters_test_set_sys(NULL);
	pb_log_set_sink(NULL, NULL);
	pb_test_rmtree(dir);
	free(dir);
	pb_buf_release(&logged);
	return 0;
}

static void opts(struct pb_runner_opts *o, const char *shell, long runs)
{
	pb_runner_opts_init(o);
	o->shell = shell;
	o->cwd = dir;
	o->runs = runs;
	o->warmups = 0;
	o->backend = "time";
}

static bool has_warning(const struct pb_measurement *m, const char *s)
{
	size_t i;

	for (i = 0; m->warnings && m->warnings[i]; i++)
		if (strstr(m->warnings[i], s))
			return true;
	return false;
}

static void test_wall_and_exit_codes(void **state)
{
	struct pb_runner_opts o;
	struct pb_measurement m;

	(void)state;
	/* Odd runs exit 3, even ones 0: a counter file in the cwd tells them apart. */
	opts(&o, "n=$(cat n 2>/dev/null || echo 0); echo $((n + 1)) > n; exit $(( (n + 1) % 2 * 3 ))", 4);
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_int_equal(m.n_runs, 4);
	assert_int_equal(m.n_failed, 2);
	assert_int_equal(m.runs[0].exit, 3);
	assert_false(m.runs[0].ok);
	assert_true(isnan(m.runs[0].value));
	assert_int_equal(m.runs[1].exit, 0);
	assert_true(m.runs[1].ok);
	assert_true(m.runs[1].value > 0);
	assert_true(m.runs[1].value == (double)m.runs[1].wall_ns);
	assert_int_equal(m.summary.n, 2);
	assert_string_equal(m.backend, "time");
	assert_string_equal(m.metric, "wall");
	assert_string_equal(m.unit, "ns");
	assert_true(has_warning(&m, "2 of 4 runs failed: exit 3"));
	assert_non_null(m.system);
	pb_measurement_release(&m);
}

static void test_segfault(void **state)
{
	struct pb_runner_opts o;
	struct pb_measurement m;

	(void)state;
	opts(&o, "kill -SEGV $$", 2);
	o.metric = "cpu";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_int_equal(m.n_runs, 2);
	assert_int_equal(m.n_failed, 2);
	assert_int_equal(m.runs[0].exit, 128 + 11);
	assert_int_equal(m.summary.n, 0);
	assert_true(has_warning(&m, "SIGSEGV"));
	assert_non_null(strstr(logged.data, "SIGSEGV"));
	pb_measurement_release(&m);
}

static void test_timeout(void **state)
{
	struct pb_runner_opts o;
	struct pb_measurement m;

	(void)state;
	opts(&o, "sleep 5", 1);
	o.timeout = 0.2;
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_int_equal(m.n_failed, 1);
	assert_true(m.runs[0].timed_out);
	assert_true(has_warning(&m, "timed out"));
	pb_measurement_release(&m);
}

static void test_stdout_metric(void **state)
{
	struct pb_runner_opts o;
	struct pb_measurement m;

	(void)state;
	/* The third run prints no number: failed, with the reason, never averaged in. */
	opts(&o, "n=$(cat n 2>/dev/null || echo 0); echo $((n + 1)) > n; "
		 "if [ $n = 2 ]; then echo 'no result'; else echo \"Median +- std dev: 1$n.5 ms\"; fi",
	     4);
	o.metric = "stdout";
	o.parse_regex = "Median \\+- std dev: ([0-9.]+) ms";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_true(m.runs[0].value == 10.5);
	assert_true(m.runs[1].value == 11.5);
	assert_false(m.runs[2].ok);
	assert_true(m.runs[3].value == 13.5);
	assert_int_equal(m.n_failed, 1);
	assert_true(has_warning(&m, "no match for parse.regex"));
	assert_true(m.summary.median == 11.5);
	pb_measurement_release(&m);

	/* A regex without a group, and stdout without a regex, are usage errors. */
	o.parse_regex = "[0-9]+";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	o.parse_regex = NULL;
	assert_int_equal(pb_runner_measure(&o, &m), -1);
	assert_non_null(strstr(pb_error_message(), "parse.regex"));
	pb_measurement_release(&m);
}

/* pyperf's JSON format: every value of every run of every benchmark is a sample. */
static void test_pyperf(void **state)
{
	struct pb_runner_opts o;
	struct pb_measurement m;

	(void)state;
	opts(&o, "cat > bench.json <<'EOF'\n"
		 "{\"version\": \"1.0\", \"metadata\": {\"name\": \"call_method\", \"unit\": \"second\"},\n"
		 " \"benchmarks\": [{\"runs\": [\n"
		 "   {\"metadata\": {\"calibrate_loops\": 1024}, \"warmups\": [[1, 0.02]]},\n"
		 "   {\"metadata\": {}, \"warmups\": [[1024, 0.011]], \"values\": [0.010, 0.012, 0.011]},\n"
		 "   {\"metadata\": {}, \"warmups\": [[1024, 0.011]], \"values\": [0.013]}]}]}\n"
		 "EOF\n",
	     2);
	o.metric = "pyperf";
	o.parse_file = "bench.json";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	/* One benchmark process is one sample: the mean of the per-process means it wrote
	 * ((0.011 + 0.013) / 2 s), in ns; never its loop values counted as runs. */
	assert_int_equal(m.n_runs, 2);
	assert_int_equal(m.n_failed, 0);
	assert_true(fabs(m.runs[0].value - 12e6) < 1e-3);
	assert_true(fabs(m.summary.median - 12e6) < 1e-3);
	assert_string_equal(m.unit, "ns");
	pb_measurement_release(&m);

	/* hyperfine's export: the process's times, summarized the same way. */
	opts(&o, "printf '{\"results\": [{\"command\": \"x\", \"times\": [0.1, 0.3]}]}' > h.json", 3);
	o.metric = "hyperfine";
	o.parse_file = "h.json";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_int_equal(m.n_runs, 3);
	assert_true(fabs(m.runs[2].value - 0.2e9) < 1e-3);
	pb_measurement_release(&m);

	/* A benchmark that writes no file: every run failed, saying so. */
	opts(&o, "true", 1);
	o.metric = "pyperf";
	o.parse_file = "missing.json";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_int_equal(m.n_failed, 1);
	assert_true(has_warning(&m, "wrote no pyperf file"));
	pb_measurement_release(&m);
}

static void test_cpus(void **state)
{
	struct pb_runner_opts o;
	struct pb_measurement m;

	(void)state;
	opts(&o, "true", 1);
	o.cpus = "4095";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	assert_non_null(strstr(pb_error_message(), "4095"));

	/* auto: the last online CPU, which the benchmark sees as its only one. */
	opts(&o, "grep Cpus_allowed_list /proc/self/status | grep -o '[0-9-]*$'", 1);
	o.cpus = "auto";
	o.metric = "stdout";
	o.parse_regex = "^([0-9]+)";
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_int_equal(m.n_failed, 0);
	{
		cpu_set_t mine;
		int cpu, last = -1;

		assert_int_equal(sched_getaffinity(0, sizeof(mine), &mine), 0);
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &mine))
				last = cpu;
		assert_true(m.runs[0].value == (double)last);
	}
	pb_measurement_release(&m);
}

static void test_env_pad(void **state)
{
	static const char *const env[] = { "FOO=bar", NULL };
	struct pb_runner_opts o;
	struct pb_measurement m;

	(void)state;
	opts(&o, "printf '%s %s\\n' \"${#PB_ENV_PAD}\" \"$FOO\"", 1);
	o.env = env;
	o.env_pad = 300;
	o.metric = "stdout";
	o.parse_regex = "^([0-9]+) bar";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_true(m.runs[0].value == 300);
	pb_measurement_release(&m);
}

static void test_bad_options(void **state)
{
	struct pb_runner_opts o;
	struct pb_measurement m;

	(void)state;
	pb_measurement_init(&m);
	opts(&o, "true", 1);
	o.metric = "instructions";
	assert_int_equal(pb_runner_measure(&o, &m), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	assert_non_null(strstr(pb_error_message(), "--backend perf or cachegrind"));
	opts(&o, "true", 1);
	o.backend = "magic";
	assert_int_equal(pb_runner_measure(&o, &m), -1);
	assert_non_null(strstr(pb_error_message(), "unknown backend 'magic'"));
	opts(&o, "true", 1);
	o.shell = NULL;
	assert_int_equal(pb_runner_measure(&o, &m), -1);
	pb_measurement_release(&m);
}

/* Interleaving: warmups A then B, then A B A B. */
static void test_ab_order(void **state)
{
	struct pb_runner_opts a, b;
	struct pb_measurement ma, mb;
	struct pb_buf seq = PB_BUF_INIT;
	char *path = pb_xasprintf("%s/seq", dir);

	(void)state;
	opts(&a, "printf A >> seq", 3);
	opts(&b, "printf B >> seq", 3);
	a.warmups = 1;
	b.warmups = 2;
	pb_measurement_init(&ma);
	pb_measurement_init(&mb);
	assert_int_equal(pb_runner_measure_ab(&a, &b, &ma, &mb), 0);
	assert_int_equal(pb_buf_read_file(&seq, path), 0);
	assert_string_equal(seq.data, "ABBABABAB");
	assert_int_equal(ma.n_runs, 3);
	assert_int_equal(mb.n_runs, 3);
	pb_measurement_release(&ma);
	pb_measurement_release(&mb);
	pb_buf_release(&seq);
	free(path);
}

/* ---- perf backend with the kernel mocked (counters_test.h) ---- */

static int hw_errno;
static int next_fd = 100;

static int mock_open(const void *attr, pid_t pid, int cpu, int group_fd, unsigned long flags)
{
	(void)pid;
	(void)cpu;
	(void)group_fd;
	(void)flags;
	if (hw_errno && pb_counters_test_attr_type(attr) != 1) {
		errno = hw_errno;
		return -1;
	}
	return next_fd++;
}

/* Every group reads as 2 events (leader + 1), enabled twice as long as running. */
static ssize_t mock_read(int fd, void *buf, size_t len)
{
	uint64_t *v = buf;
	size_t n = len / sizeof(uint64_t) - 3, i;

	(void)fd;
	v[0] = n;
	v[1] = 2000;
	v[2] = 1000;
	for (i = 0; i < n; i++)
		v[3 + i] = 500 * (i + 1);
	return (ssize_t)len;
}

static int mock_close(int fd)
{
	(void)fd;
	return 0;
}

static int mock_paranoid(void)
{
	return 2;
}

static void use_mock(int err)
{
	static const struct pb_counters_sys sys = { mock_open, mock_read, mock_close, mock_paranoid };

	hw_errno = err;
	pb_counters_test_set_sys(&sys);
}

static void test_perf_mocked(void **state)
{
	static const char *const ev[] = { "cycles", "instructions", NULL };
	struct pb_runner_opts o;
	struct pb_measurement m;

	(void)state;
	use_mock(0);
	opts(&o, "true", 2);
	o.backend = "perf";
	o.events = ev;
	o.metric = "instructions";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_string_equal(m.backend, "perf");
	/* cycles leads the hardware group: 500 and 1000, scaled x2; instructions is the metric. */
	assert_string_equal(m.runs[0].counters[0].name, "cycles");
	assert_true(m.runs[0].counters[0].value == 1000);
	assert_true(m.runs[0].counters[1].value == 2000);
	assert_true(m.runs[0].value == 2000);
	assert_true(m.runs[0].running_ratio == 0.5);
	assert_true(fabs(m.derived.ipc - 2.0) < 1e-12);
	pb_measurement_release(&m);
}

/* No PMU: auto falls back to software events with one warning; perf and cycles refuse (exit 3). */
static void test_fallback(void **state)
{
	static const char *const ev[] = { "cycles", "instructions", NULL };
	struct pb_runner_opts o;
	struct pb_measurement m;
	size_t i;

	(void)state;
	use_mock(ENOENT);
	opts(&o, "true", 1);
	o.backend = "auto";
	o.events = ev;
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), 0);
	assert_string_equal(m.backend, "perf (software events only)");
	assert_non_null(strstr(logged.data, "warning: no hardware counters here"));
	assert_non_null(strstr(logged.data, "`--backend cachegrind`"));
	assert_true(has_warning(&m, "no hardware counters here"));
	/* Asked-for hardware events are refused by name, not dropped silently. */
	assert_true(has_warning(&m, "not counted: cycles, instructions: hardware events, and this "
				    "machine has no hardware counters"));
	for (i = 0; i < m.runs[0].n_counters; i++)
		assert_string_not_equal(m.runs[0].counters[i].name, "cycles");
	assert_string_equal(m.runs[0].counters[0].name, "task-clock");
	pb_measurement_release(&m);

	o.backend = "perf";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_ENV);
	assert_non_null(strstr(pb_error_message(), "no such PMU event"));
	assert_non_null(strstr(pb_error_message(), "--backend cachegrind"));

	o.backend = "auto";
	o.metric = "cycles";
	assert_int_equal(pb_runner_measure(&o, &m), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_ENV);
	pb_measurement_release(&m);

	/* Asked-for software events are counted in the fallback, every one of them. */
	{
		static const char *const swev[] = { "cpu-migrations", "minor-faults", "context-switches",
						    "cycles", NULL };

		o.events = swev;
		o.metric = "wall";
		pb_measurement_init(&m);
		assert_int_equal(pb_runner_measure(&o, &m), 0);
		assert_string_equal(m.runs[0].counters[0].name, "cpu-migrations");
		assert_string_equal(m.runs[0].counters[1].name, "minor-faults");
		assert_string_equal(m.runs[0].counters[2].name, "context-switches");
		assert_false(isnan(m.runs[0].counters[0].value));
		assert_true(has_warning(&m, "not counted: cycles: hardware event,"));
		pb_measurement_release(&m);
		o.events = ev;
	}

	/* Permissions: the reason names the sysctl. */
	use_mock(EACCES);
	o.backend = "perf";
	o.metric = "wall";
	pb_measurement_init(&m);
	assert_int_equal(pb_runner_measure(&o, &m), -1);
	assert_non_null(strstr(pb_error_message(), "sysctl kernel.perf_event_paranoid=1"));
	pb_measurement_release(&m);
}

static void test_cachegrind(void **state)
{
	static const char *const argv[] = { "/bin/true", NULL };
	struct pb_runner_opts o;
	struct pb_measurement m1, m2;

	(void)state;
	if (pb_test_sh("valgrind --version >/dev/null 2>&1") != 0)
		skip();
	opts(&o, NULL, 5);
	o.argv = argv;
	o.shell = NULL;
	o.backend = "cachegrind";
	o.warmups = 2;
	o.cg_I1 = "32768,8,64";
	pb_measurement_init(&m1);
	pb_measurement_init(&m2);
	assert_int_equal(pb_runner_measure(&o, &m1), 0);
	/* Runs and warmups the user did not set are overridden without a note... */
	assert_null(strstr(logged.data, "one run, no warmup"));
	o.runs_set = true;
	assert_int_equal(pb_runner_measure(&o, &m2), 0);
	/* Forced to one run; the metric becomes est_cycles; counts repeat exactly. */
	assert_int_equal(m1.n_runs, 1);
	/* ... and with one when they did. */
	assert_non_null(strstr(logged.data, "one run, no warmup (asked: 5 runs, 2 warmups)"));
	assert_string_equal(m1.metric, "est_cycles");
	assert_string_equal(m1.runs[0].counters[0].name, "Ir");
	assert_true(m1.runs[0].counters[0].value > 10000);
	assert_true(m1.runs[0].counters[0].value == m2.runs[0].counters[0].value);
	assert_true(m1.runs[0].value == m2.runs[0].value);
	assert_true(m1.n_functions > 10);
	assert_true(m1.functions[0].ir >= m1.functions[1].ir);
	pb_measurement_release(&m1);
	pb_measurement_release(&m2);
}

/* Under contention, what gives a firmer answer depends on the metric: never --metric cpu for a
 * harness that runs its loops for a set time (its CPU time is that time), nor for cpu itself. */
static void test_contention_remedies(void **state)
{
	(void)state;
	assert_string_equal(pb_contention_remedies("wall"),
			    "--metric cpu, --backend cachegrind, a quiet machine, or `placebisect "
			    "system tune`");
	assert_string_equal(pb_contention_remedies("cpu"),
			    "--backend cachegrind, a quiet machine, or `placebisect system tune`");
	for (const char *const *m = (const char *const[]){ "pyperf", "hyperfine", "gbench", NULL }; *m;
	     m++)
		assert_string_equal(pb_contention_remedies(*m),
				    "a benchmark of fixed work (not time-calibrated) with an exact metric "
				    "and --backend cachegrind, a quiet machine, or `placebisect system "
				    "tune` (--metric cpu would count the harness's time budget, not the "
				    "speed)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wall_and_exit_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segfault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdout_metric, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pyperf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_pad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ab_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perf_mocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cachegrind, setup, teardown),
		cmocka_unit_test(test_contention_remedies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
