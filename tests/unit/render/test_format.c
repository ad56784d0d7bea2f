/* test_format.c: the number formatter (golden strings: times, counts, bytes, changes, scales) and thousands separators. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "render/format.h"

static void expect(const char *in, const char *want)
{
	char out[64];

	pb_fmt_group_digits(out, sizeof(out), in);
	assert_string_equal(out, want);
}

static void test_group(void **state)
{
	(void)state;
	expect("115825485", "115,825,485");
	expect("1234", "1,234");
	expect("123456", "123,456");
	expect("-1234567", "-1,234,567");
	expect("-123456", "-123,456");
	expect("1234567.25", "1,234,567.25");
	expect("-1234.50", "-1,234.50");
}

static void test_unchanged(void **state)
{
	(void)state;
	expect("123", "123");
	expect("-123", "-123");
	expect("-12", "-12");
	expect("999.99", "999.99");
	expect("1.5e+06", "1.5e+06");
	expect("-1.234e+15", "-1.234e+15");
	expect("", "");
}

static void test_small_buffer(void **state)
{
	char out[6];

	(void)state;
	pb_fmt_group_digits(out, sizeof(out), "1234567");
	assert_string_equal(out, "1,23");
	pb_fmt_group_digits(out, 1, "1234567");
	assert_string_equal(out, "");
}

#define GOLDEN(fn, v, want)                                                                      \
	do {                                                                                     \
		char buf_[48];                                                                   \
		assert_string_equal(fn(buf_, sizeof(buf_), (v)), (want));                        \
	} while (0)

static void test_times(void **state)
{
	(void)state;
	GOLDEN(pb_fmt_ns, 1598161976, "1.60 s");
	GOLDEN(pb_fmt_ns, 631884903.5, "631.9 ms");
	GOLDEN(pb_fmt_ns, 6056950, "6.06 ms");
	GOLDEN(pb_fmt_ns, 12345, "12.35 us");
	GOLDEN(pb_fmt_ns, 850, "850 ns");
	GOLDEN(pb_fmt_ns, 850.25, "850.2 ns");
	GOLDEN(pb_fmt_ns, 0, "0 ns");
	GOLDEN(pb_fmt_ns, 999960000, "1.00 s");   /* not "1000.0 ms" */
	GOLDEN(pb_fmt_ns, 999940000, "999.9 ms");
	GOLDEN(pb_fmt_ns, 120e9, "120.0 s");
	GOLDEN(pb_fmt_ns, -2500000, "-2.50 ms");
	GOLDEN(pb_fmt_ns, NAN, "-");
	GOLDEN(pb_fmt_ns, INFINITY, "-");
}

static void test_counts(void **state)
{
	(void)state;
	GOLDEN(pb_fmt_count, 631884903.5, "631.9 M");
	GOLDEN(pb_fmt_count, 1843331943, "1.84 G");
	GOLDEN(pb_fmt_count, 57499200, "57.50 M");
	GOLDEN(pb_fmt_count, 12345, "12.35 k");
	GOLDEN(pb_fmt_count, 950, "950");
	GOLDEN(pb_fmt_count, 3.14159, "3.14");
	GOLDEN(pb_fmt_count, 0.00123, "0.00123");
	GOLDEN(pb_fmt_count, 0, "0");
	GOLDEN(pb_fmt_count, 999999, "1.00 M");
	GOLDEN(pb_fmt_count, 2e12, "2.00 T");
	GOLDEN(pb_fmt_count, -57e6, "-57.00 M");
}

static void test_bytes(void **state)
{
	(void)state;
	GOLDEN(pb_fmt_bytes, 512, "512 B");
	GOLDEN(pb_fmt_bytes, 2560, "2.5 KiB");
	GOLDEN(pb_fmt_bytes, 2.5 * 1024 * 1024, "2.5 MiB");
	GOLDEN(pb_fmt_bytes, 1024.0 * 1024 * 1024, "1.0 GiB");
	GOLDEN(pb_fmt_bytes, 1024 * 1024 - 1, "1.0 MiB"); /* not "1024.0 KiB" */
}

static void test_changes(void **state)
{
	(void)state;
	GOLDEN(pb_fmt_change, 1.084, "+8.4%");
	GOLDEN(pb_fmt_change, 0.969, "-3.1%");
	GOLDEN(pb_fmt_change, 1.00012, "+0.012%");
	GOLDEN(pb_fmt_change, 1, "+0.0%");
	GOLDEN(pb_fmt_change, 0.9999999, "+0.0%");
	GOLDEN(pb_fmt_change, 0.99996, "-0.004%");
	GOLDEN(pb_fmt_change, 3.2, "×3.20");
	GOLDEN(pb_fmt_change, 250, "×250");
	GOLDEN(pb_fmt_change, NAN, "-");
	GOLDEN(pb_fmt_percent, 0.253, "25.3%");
	GOLDEN(pb_fmt_exact, 1843331943, "1,843,331,943");
	GOLDEN(pb_fmt_exact, 100037.63, "100,037.63");
	GOLDEN(pb_fmt_exact, -0.0, "0");
	GOLDEN(pb_fmt_exact, 950, "950");
	GOLDEN(pb_fmt_exact, NAN, "-");
	GOLDEN(pb_fmt_percent, 1, "100.0%");
}

static void test_units(void **state)
{
	char buf[48];
	const char *label;

	(void)state;
	assert_string_equal(pb_fmt_value(buf, sizeof(buf), 631.9, "ms"), "631.9 ms");
	assert_string_equal(pb_fmt_value(buf, sizeof(buf), 0.0016, "s"), "1.60 ms");
	assert_string_equal(pb_fmt_value(buf, sizeof(buf), 2560, "kb"), "2.5 MiB");
	assert_string_equal(pb_fmt_value(buf, sizeof(buf), 2560, "bytes"), "2.5 KiB");
	assert_string_equal(pb_fmt_value(buf, sizeof(buf), 1843331943, "instructions"), "1.84 G");
	assert_string_equal(pb_fmt_value(buf, sizeof(buf), 1843331943, NULL), "1.84 G");
	assert_string_equal(pb_fmt_metric(buf, sizeof(buf), 1598161976, "wall"), "1.60 s");
	assert_string_equal(pb_fmt_metric(buf, sizeof(buf), 631884903.5, "task-clock"), "631.9 ms");
	assert_string_equal(pb_fmt_metric(buf, sizeof(buf), 631884903.5, "cycles"), "631.9 M");
	/* A small buffer cuts, NUL-terminated. */
	assert_string_equal(pb_fmt_ns(buf, 5, 631884903.5), "631.");
	/* Axis scales: one prefix for all the ticks. */
	assert_true(pb_fmt_scale(7.8e6, "ns", &label) == 1e6);
	assert_string_equal(label, "ms");
	assert_true(pb_fmt_scale(5.75e7, NULL, &label) == 1e6);
	assert_string_equal(label, "M");
	assert_true(pb_fmt_scale(950, NULL, &label) == 1);
	assert_string_equal(label, "");
	assert_true(pb_fmt_scale(6.5, "ms", &label) == 1);
	assert_string_equal(label, "ms");
	assert_true(pb_fmt_scale(1500, "ms", &label) == 1e3);
	assert_string_equal(label, "s");
	assert_true(pb_fmt_scale(3 * 1024 * 1024, "bytes", &label) == 1024 * 1024);
	assert_string_equal(label, "MiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_unchanged),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
