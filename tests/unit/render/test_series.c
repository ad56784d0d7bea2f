/* test_series.c: the history plot inlined in HTML: its points' markup, links, escaping, alert rings; the sparkline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "render/series.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

static void test_plot_html(void **state)
{
	const double values[] = { 100, NAN, 110, 111 };
	const double lo[] = { 99, NAN, 109, NAN }, hi[] = { 101, NAN, 111, NAN };
	const char *labels[] = { "aaaaaaa", "bbbbbbb", "c<c\"c", "ddddddd" };
	const char *tips[] = { "first & last", NULL, "fix <b>", NULL };
	const char *hrefs[] = { NULL, NULL, "reports/a&b.md", NULL };
	const size_t changes[] = { 2 }, alerts[] = { 2 };
	const char *atips[] = { "alert (open): +10.0%" };
	struct pb_series_plot p = { 0 };
	struct pb_buf b = PB_BUF_INIT;

	(void)state;
	p.title = "work on ci";
	p.axis = "stdout";
	p.n = 4;
	p.values = values;
	p.labels = labels;
	p.tips = tips;
	p.changes = changes;
	p.n_changes = 1;
	p.ci_lo = lo;
	p.ci_hi = hi;
	p.alerts = alerts;
	p.alert_tips = atips;
	p.n_alerts = 1;
	p.hrefs = hrefs;
	pb_series_plot_html(&p, &b);
	assert_int_equal(strncmp(b.data, "<svg ", 5), 0); /* no XML declaration inside HTML */
	assert_int_equal(count(b.data, "<g class=\"pt"), 3); /* the NaN point is not drawn */
	assert_int_equal(count(b.data, "<g class=\"pt rep\""), 1);
	assert_non_null(strstr(b.data, "<a href=\"reports/a&amp;b.md\"><g class=\"pt rep\" data-i=\"2\" "
				       "data-label=\"c&lt;c&quot;c\" data-commit=\"c&lt;c&quot;c\" "
				       "data-tip=\"fix &lt;b&gt;\" data-value=\"110\">"));
	assert_non_null(strstr(b.data, "data-i=\"0\" data-label=\"aaaaaaa\" data-commit=\"aaaaaaa\" "
				       "data-tip=\"first &amp; last\" data-value=\"100\">"));
	assert_int_equal(count(b.data, "<circle class=\"alert\""), 1);
	assert_non_null(strstr(b.data, "<title>alert (open): +10.0%</title>"));
	assert_int_equal(count(b.data, "stroke-dasharray"), 1);
	assert_int_equal(count(b.data, "</svg>"), 1);
	assert_int_equal(count(b.data, "<a href"), 1);
	/* With anchors, the other points link to them; the report link still wins. */
	pb_buf_reset(&b);
	p.anchors = (const char *const[]){ "#r0", "#r1", "#r2", "#r3" };
	pb_series_plot_html(&p, &b);
	assert_int_equal(count(b.data, "<a href"), 3);
	assert_non_null(strstr(b.data, "<a href=\"#r0\"><g class=\"pt\" data-i=\"0\""));
	assert_non_null(strstr(b.data, "<a href=\"#r3\"><g class=\"pt\" data-i=\"3\""));
	assert_non_null(strstr(b.data, "<a href=\"reports/a&amp;b.md\"><g class=\"pt rep\" data-i=\"2\""));
	p.anchors = NULL;
	pb_buf_reset(&b);
	/* The plain SVG document of the same plot: a file, native tooltips, no page hooks. */
	pb_series_plot_svg(&p, &b);
	assert_int_equal(strncmp(b.data, "<?xml", 5), 0);
	assert_int_equal(count(b.data, "class=\"pt"), 0);
	assert_int_equal(count(b.data, "<circle cx"), 3);
	pb_buf_release(&b);
}

static void test_sparkline(void **state)
{
	const double v[] = { 1, 2, NAN, 3 };
	struct pb_buf b = PB_BUF_INIT;

	(void)state;
	pb_series_sparkline(v, 4, 120, 24, &b);
	assert_string_equal(b.data, "<svg class=\"spark\" width=\"120\" height=\"24\" viewBox=\"0 0 120 24\" "
				    "aria-hidden=\"true\"><polyline fill=\"none\" stroke=\"#495057\" "
				    "stroke-width=\"1.5\" points=\"3.0,21.0 41.0,12.0 117.0,3.0\"/>"
				    "<circle cx=\"117.0\" cy=\"3.0\" r=\"2.5\" fill=\"#495057\"/></svg>");
	pb_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plot_html),
		cmocka_unit_test(test_sparkline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
