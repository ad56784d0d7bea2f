/* test_flame.c: folded stacks merged into frames (widths, order, tooltips), names fitted, bad input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "profile/flame.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

/* "b" under "a" appears in two stacks (lines far apart): one frame of 5 samples. */
static void test_merge(void **state)
{
	struct pb_buf svg = PB_BUF_INIT;

	(void)state;
	assert_int_equal(pb_flame_svg(&svg, "a;b 3\n\na;c 1\r\na;b;d 2\n", "t <1>"), 0);
	assert_non_null(strstr(svg.data, "<title>t &lt;1&gt;</title>"));
	assert_int_equal(count(svg.data, "<title>all: 6 samples (100.00%)</title>"), 1);
	assert_int_equal(count(svg.data, "<title>a: 6 samples (100.00%)</title>"), 1);
	assert_int_equal(count(svg.data, "<title>b: 5 samples (83.33%)</title>"), 1);
	assert_int_equal(count(svg.data, "<title>c: 1 samples (16.67%)</title>"), 1);
	assert_int_equal(count(svg.data, "<title>d: 2 samples (33.33%)</title>"), 1);
	assert_int_equal(count(svg.data, "<rect "), 6); /* the background, all, a, b, c, d */
	pb_buf_release(&svg);
}

/* Siblings in name order: b starts at the left edge, c right after b's 5/6 of the width. */
static void test_geometry(void **state)
{
	struct pb_buf svg = PB_BUF_INIT;
	const char *b, *c;

	(void)state;
	assert_int_equal(pb_flame_svg(&svg, "a;c 1\na;b 5\n", "t"), 0);
	b = strstr(svg.data, "<title>b:");
	c = strstr(svg.data, "<title>c:");
	assert_non_null(b);
	assert_non_null(c);
	assert_true(b < c);
	/* 860 px wide, 10 px margins: 840 px for 6 samples, so c starts at 10 + 700. */
	assert_non_null(strstr(svg.data, "<rect x=\"710.0\""));
	assert_non_null(strstr(svg.data, "width=\"700.0\""));
	pb_buf_release(&svg);
}

/* A long name is cut to fit its frame, with "..". */
static void test_fit(void **state)
{
	struct pb_buf svg = PB_BUF_INIT;
	char line[300];

	(void)state;
	memset(line, 'x', 200);
	strcpy(line + 200, " 1\nshort 1\n");
	assert_int_equal(pb_flame_svg(&svg, line, "t"), 0);
	assert_non_null(strstr(svg.data, "xx..</text>"));
	assert_non_null(strstr(svg.data, ">short</text>"));
	pb_buf_release(&svg);
}

static void test_bad_line(void **state)
{
	struct pb_buf svg = PB_BUF_INIT;

	(void)state;
	assert_int_equal(pb_flame_svg(&svg, "a;b 3\na;b\n", "t"), -1);
	assert_non_null(strstr(pb_error_message(), "folded stacks, line 2: expected"));
	assert_int_equal(pb_flame_svg(&svg, "a;b -3\n", "t"), -1);
	assert_int_equal(svg.len, 0);
	pb_buf_release(&svg);
}

/* A 200-frame stack draws 64 levels (the cap) and says how many samples go deeper; a shallow one is as tall as it is deep. */
static void test_depth_cap(void **state)
{
	struct pb_buf folded = PB_BUF_INIT, svg = PB_BUF_INIT;
	char want[64];

	(void)state;
	for (int i = 0; i < 200; i++)
		pb_buf_printf(&folded, "%sf%d", i ? ";" : "", i);
	pb_buf_puts(&folded, " 3\nshallow 1\n");
	assert_int_equal(pb_flame_svg(&svg, folded.data, "t"), 0);
	/* 34 px of title, 65 levels ("all" and 64) of 16 px, 24 px for the details line. */
	snprintf(want, sizeof(want), "height=\"%d\"", 34 + 65 * 16 + 24);
	assert_non_null(strstr(svg.data, want));
	assert_non_null(strstr(svg.data, "3 samples have stacks deeper than 64 frames"));
	assert_non_null(strstr(svg.data, "<title>f63: 3 samples (75.00%)</title>"));
	assert_null(strstr(svg.data, "<title>f64:"));
	pb_buf_reset(&svg);
	assert_int_equal(pb_flame_svg(&svg, "a;b 1\n", "t"), 0);
	snprintf(want, sizeof(want), "height=\"%d\"", 34 + 3 * 16 + 24);
	assert_non_null(strstr(svg.data, want));
	assert_null(strstr(svg.data, "deeper than"));
	pb_buf_release(&folded);
	pb_buf_release(&svg);
}

/* The script and its controls are there; the controls are hidden until the script shows them. */
static void test_interactive(void **state)
{
	struct pb_buf svg = PB_BUF_INIT;

	(void)state;
	assert_int_equal(pb_flame_svg(&svg, "a;b 3\na;c 1\n", "t"), 0);
	assert_non_null(strstr(svg.data, "<script type=\"text/ecmascript\"><![CDATA[\n// flame.js:"));
	assert_non_null(strstr(svg.data, "id=\"search\" class=\"hide\">Search</text>"));
	assert_non_null(strstr(svg.data, "id=\"unzoom\" class=\"hide\">Reset Zoom</text>"));
	assert_non_null(strstr(svg.data, "<g id=\"frames\">"));
	/* Every frame is a group with its tooltip, its rect and a label (empty when it is narrow). */
	assert_int_equal(count(svg.data, "<g class=\"f\"><title>"), 4);
	assert_int_equal(count(svg.data, "</rect>"), 0);
	assert_int_equal(count(svg.data, "fill=\"black\">"), 4);
	pb_buf_release(&svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_bad_line),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_interactive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
