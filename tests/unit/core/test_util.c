/* test_util.c: number parsing, CPU lists, suggestions, buffers, tables of durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cpus.h"
#include "core/util.h"

static void test_parse(void **state)
{
	int64_t i;
	double d;

	(void)state;
	assert_int_equal(pb_parse_i64("42", 0, 100, &i), 0);
	assert_int_equal(i, 42);
	assert_int_equal(pb_parse_i64("101", 0, 100, &i), -1);
	assert_int_equal(pb_parse_i64("4x", 0, 100, &i), -1);
	assert_int_equal(pb_parse_i64(" 4", 0, 100, &i), -1);
	assert_int_equal(pb_parse_i64("", 0, 100, &i), -1);
	assert_int_equal(pb_parse_i64("99999999999999999999", 0, INT64_MAX, &i), -1);
	assert_int_equal(pb_parse_double("0.25", &d), 0);
	assert_true(d == 0.25);
	assert_int_equal(pb_parse_double("1e999", &d), -1);
	assert_int_equal(pb_parse_double("nan", &d), -1);
}

static void test_cpus(void **state)
{
	cpu_set_t s;

	(void)state;
	assert_int_equal(pb_cpus_parse(&s, "0-2,5", 0, "--cpus"), 0);
	assert_int_equal(CPU_COUNT(&s), 4);
	assert_true(CPU_ISSET(5, &s));
	assert_int_equal(pb_cpus_parse(&s, "3-1", 0, "--cpus"), -1);
	assert_int_equal(pb_cpus_parse(&s, "a", 0, "--cpus"), -1);
	assert_string_equal(pb_error_message(),
			    "--cpus: 'a' is not a CPU list (expected e.g. \"1\", \"0-3\" or \"1,3\")");
	assert_int_equal(pb_cpus_parse(&s, "0", 1, "--cpus"), 0);
	assert_int_equal(pb_cpus_parse(&s, "1000", 1, "--cpus"), -1);
	assert_non_null(strstr(pb_error_message(), "--cpus: CPU 1000 does not exist or is offline (online: "));
	/* Beyond what a cpu_set_t holds: still a CPU that does not exist, not a syntax error. */
	assert_int_equal(pb_cpus_parse(&s, "0,4095", 1, "--cpus"), -1);
	assert_non_null(strstr(pb_error_message(), "--cpus: CPU 4095 does not exist or is offline (online: "));
	assert_int_equal(pb_cpus_parse(&s, "2-99999", 0, "measure.cpus"), -1);
	assert_string_equal(pb_error_message(), "measure.cpus: CPU 99999 does not exist (CPU numbers go up to 1023)");
}

static void test_closest(void **state)
{
	const char *cmds[] = { "bisect", "check", "measure", "compare", "profile", "layout" };

	(void)state;
	assert_int_equal(pb_edit_distance("bisect", "bisetc"), 1);
	assert_string_equal(pb_closest("bisec", cmds, 6), "bisect");
	assert_string_equal(pb_closest("comapre", cmds, 6), "compare");
	assert_string_equal(pb_closest("meas", cmds, 6), "measure");
	assert_null(pb_closest("frobnicate", cmds, 6));
}

static void test_buf_and_duration(void **state)
{
	struct pb_buf b = PB_BUF_INIT;
	char d[32];
	char *s;

	(void)state;
	assert_string_equal(b.data, "");
	pb_buf_printf(&b, "%s-%d", "x", 7);
	pb_buf_puts(&b, "yz");
	assert_string_equal(b.data, "x-7yz");
	pb_buf_truncate(&b, 2);
	assert_string_equal(b.data, "x-");
	s = pb_buf_detach(&b);
	assert_string_equal(s, "x-");
	assert_string_equal(b.data, "");
	free(s);
	pb_format_duration(d, sizeof(d), 0.85);
	assert_string_equal(d, "850 ms");
	pb_format_duration(d, sizeof(d), 245);
	assert_string_equal(d, "4 min 05 s");
	pb_format_duration(d, sizeof(d), 3725);
	assert_string_equal(d, "1 h 02 min");
}

/* Links in a summary file: relative to its directory, whatever form the paths came in. */
static void expect_rel(const char *from, const char *to, const char *want)
{
	char *got = pb_path_relative(from, to);

	assert_string_equal(got, want);
	free(got);
}

static void test_path_relative(void **state)
{
	(void)state;
	expect_rel("/nonexistent/summary.md", "/nonexistent/hist/reports/r.md", "hist/reports/r.md");
	expect_rel("/nonexistent/a/b.md", "/nonexistent/r.md", "../r.md");
	expect_rel("/nonexistent/a/b/s.md", "/nonexistent/a/c/r.md", "../c/r.md");
	expect_rel("/nonexistent/ab/s.md", "/nonexistent/a/r.md", "../a/r.md");
	expect_rel("/nonexistent/s.md", "/nonexistent/r.md", "r.md");
	expect_rel("/s.md", "/x/r.md", "x/r.md");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_closest),
		cmocka_unit_test(test_buf_and_duration),
		cmocka_unit_test(test_path_relative),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
