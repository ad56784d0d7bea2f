/* test_format.c: thousands separators: integers, signs, decimals, exponents, short numbers, small buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_unchanged),
		cmocka_unit_test(test_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
