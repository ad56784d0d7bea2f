/* test_svg.c: XML escaping, nice ticks, tick labels and the shapes' markup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "render/svg.h"

static void test_escape(void **state)
{
	struct pb_buf b;

	(void)state;
	pb_buf_init(&b);
	pb_xml_escape(&b, "a<b & \"c\" 'd'>\x01\te");
	assert_string_equal(b.data, "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\te");
	pb_buf_release(&b);
}

static void test_ticks(void **state)
{
	double lo = 17.3, hi = 29.1, t[16];
	size_t n;

	(void)state;
	n = pb_svg_ticks(&lo, &hi, 8, t);
	assert_true(n >= 3 && n <= 8);
	assert_true(lo <= 17.3 && hi >= 29.1);
	assert_true(t[0] == lo && t[n - 1] == hi);
	assert_float_equal(t[1] - t[0], 2.0, 1e-12); /* 16, 18, ..., 30 */
	assert_float_equal(lo, 16.0, 1e-12);
	assert_float_equal(hi, 30.0, 1e-12);

	lo = hi = 5; /* a flat series still gets an axis */
	n = pb_svg_ticks(&lo, &hi, 6, t);
	assert_true(n >= 2 && lo < 5 && hi > 5);

	lo = 0;
	hi = 1e6;
	n = pb_svg_ticks(&lo, &hi, 6, t);
	assert_int_equal(n, 6);
	assert_float_equal(t[1], 2e5, 1e-6);
}

static void test_format(void **state)
{
	char s[32];

	(void)state;
	pb_svg_format_tick(s, sizeof(s), 0.25, 0.05);
	assert_string_equal(s, "0.25");
	pb_svg_format_tick(s, sizeof(s), 12, 2);
	assert_string_equal(s, "12");
	pb_svg_format_tick(s, sizeof(s), -1e-17, 0.5);
	assert_string_equal(s, "0.0");
	pb_svg_format_tick(s, sizeof(s), 1.5e8, 5e7);
	assert_string_equal(s, "1.5e+08");
}

static void test_shapes(void **state)
{
	struct pb_buf b;
	struct pb_svg s;
	struct pb_svg_scale sc = { 0, 10, 100, 0 };

	(void)state;
	pb_buf_init(&b);
	pb_svg_begin(&s, &b, 200, 100, "t<1>");
	pb_svg_rect(&s, 1, 2, 3, 4, "red", "f & g");
	pb_svg_circle(&s, 1, 2, 3, "blue", NULL);
	pb_svg_text(&s, 5, 6, "middle", -90, "black", "x<y");
	pb_svg_end(&s);
	assert_non_null(strstr(b.data, "<title>t&lt;1&gt;</title>"));
	assert_non_null(strstr(b.data, "<rect x=\"1.0\" y=\"2.0\" width=\"3.0\" height=\"4.0\" "
				       "fill=\"red\"><title>f &amp; g</title></rect>"));
	assert_non_null(strstr(b.data, "<circle cx=\"1.0\" cy=\"2.0\" r=\"3.0\" fill=\"blue\"/>"));
	assert_non_null(strstr(b.data, "transform=\"rotate(-90 5.0 6.0)\">x&lt;y</text>"));
	assert_non_null(strstr(b.data, "</svg>\n"));
	assert_float_equal(pb_svg_map(&sc, 2.5), 75.0, 1e-12);
	pb_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_ticks),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
