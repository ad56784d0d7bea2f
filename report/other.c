/* other.c: the short reports of a measurement, a comparison and a layout diff. */
#include "report/other.h"

#include <math.h>
#include <string.h>

#include "render/table.h"
#include "report/markdown.h"

static void summary_row(struct pb_table *t, const char *what, const struct pb_json *s,
			const char *metric)
{
	struct pb_buf v = PB_BUF_INIT;

	pb_table_cell(t, what);
	pb_table_cellf(t, "%.0f", pb_md_num(s, "n"));
	pb_md_value(&v, metric, pb_md_num(s, "median"));
	pb_table_cell(t, v.data);
	pb_buf_reset(&v);
	pb_md_value(&v, metric, pb_json_number(pb_json_child(pb_json_get(s, "ci95")), NAN));
	pb_buf_puts(&v, " … ");
	pb_md_value(&v, metric, pb_json_number(pb_json_next(pb_json_child(pb_json_get(s, "ci95"))), NAN));
	pb_table_cell(t, v.data);
	pb_buf_reset(&v);
	pb_md_value(&v, metric, pb_md_num(s, "stdev"));
	pb_table_cell(t, v.data);
	pb_buf_release(&v);
}

static struct pb_table *summary_table(void)
{
	const char *h[] = { "", "runs", "median", "95% CI of the median", "stdev" };
	struct pb_table *t = pb_table_new(5, h);

	for (size_t i = 1; i < 5; i++)
		pb_table_align_right(t, i);
	return t;
}

static void measurement(const struct pb_json *d, struct pb_buf *b)
{
	const char *metric = pb_md_str(d, "metric", "value");
	const struct pb_json *e;
	struct pb_table *t = summary_table();

	pb_buf_puts(b, "# Measurement: ");
	pb_md_text(b, pb_md_str(d, "benchmark", pb_md_str(d, "command", "?")));
	pb_buf_printf(b, "\n\n`%s`", pb_md_str(d, "command", "?"));
	if (pb_json_get(d, "commit") && pb_json_type(pb_json_get(d, "commit")) == PB_JSON_STRING)
		pb_buf_printf(b, " at `%.10s`", pb_md_str(d, "commit", ""));
	pb_buf_printf(b, ", backend %s, metric %s.\n\n", pb_md_str(d, "backend", "?"), metric);
	summary_row(t, metric, pb_json_get(d, "summary"), metric);
	pb_md_table(b, t);
	if (pb_json_size(pb_json_get(d, "derived"))) {
		pb_buf_puts(b, "Derived:");
		for (e = pb_json_child(pb_json_get(d, "derived")); e; e = pb_json_next(e))
			pb_buf_printf(b, " %s %.4g%s", pb_json_key(e), pb_json_number(e, NAN),
				      pb_json_next(e) ? "," : ".");
		pb_buf_puts(b, "\n\n");
	}
	for (e = pb_json_child(pb_json_get(d, "warnings")); e; e = pb_json_next(e)) {
		pb_buf_puts(b, "> warning: ");
		pb_md_text(b, pb_json_string(e, ""));
		pb_buf_puts(b, "\n\n");
	}
}

static void deltas(const struct pb_json *obj, const char *title, struct pb_buf *b)
{
	const char *h[] = { title, "A", "B", "B / A" };
	const struct pb_json *e;
	struct pb_table *t;
	struct pb_buf v = PB_BUF_INIT;

	if (pb_json_size(obj) == 0)
		return;
	t = pb_table_new(4, h);
	for (size_t i = 1; i < 4; i++)
		pb_table_align_right(t, i);
	for (e = pb_json_child(obj); e; e = pb_json_next(e)) {
		pb_table_cellf(t, "`%s`", pb_json_key(e));
		pb_buf_reset(&v);
		pb_md_value(&v, pb_json_key(e), pb_md_num(e, "a"));
		pb_table_cell(t, v.data);
		pb_buf_reset(&v);
		pb_md_value(&v, pb_json_key(e), pb_md_num(e, "b"));
		pb_table_cell(t, v.data);
		pb_table_cellf(t, "%.4g", pb_md_num(e, "ratio"));
	}
	pb_md_table(b, t);
	pb_buf_release(&v);
}

static void compare(const struct pb_json *d, struct pb_buf *b)
{
	const char *metric = pb_md_str(d, "metric", "value");
	struct pb_table *t = summary_table();

	pb_buf_printf(b, "# Comparison: B is **%s**\n\n", pb_md_str(d, "verdict", "?"));
	summary_row(t, "A", pb_json_get(d, "a"), metric);
	summary_row(t, "B", pb_json_get(d, "b"), metric);
	pb_md_table(b, t);
	pb_buf_printf(b, "A: `%s`; B: `%s`. B against A: ", pb_md_str(d, "a.file", "?"),
		      pb_md_str(d, "b.file", "?"));
	pb_md_effect(b, d);
	pb_buf_printf(b, " on %s, alpha %.3g, smallest effect that counts %.1f%%.\n\n",
		      metric, pb_md_num(d, "alpha"), pb_md_num(d, "min_effect") * 100);
	deltas(pb_json_get(d, "counters"), "counter", b);
	deltas(pb_json_get(d, "derived"), "derived", b);
}

static void layout_diff(const struct pb_json *d, struct pb_buf *b)
{
	const char *h[] = { "function", "good", "bad", "lines", "code" };
	const struct pb_json *f;
	char addr[24];
	struct pb_table *t = pb_table_new(5, h);

	pb_buf_printf(b, "# Layout diff\n\n`%s` (good) against `%s` (bad): %.0f functions matched, "
			 "%.0f moved (%.0f with the same code), %.0f changed, %.0f added, %.0f "
			 "removed.\n\n", pb_md_str(d, "good.binary", "?"), pb_md_str(d, "bad.binary", "?"),
		      pb_md_num(d, "summary.matched"), pb_md_num(d, "summary.moved"),
		      pb_md_num(d, "summary.same_code_moved"), pb_md_num(d, "summary.code_changed"),
		      pb_md_num(d, "summary.added"), pb_md_num(d, "summary.removed"));
	pb_table_align_right(t, 3);
	for (f = pb_json_child(pb_json_get(d, "hot")); f; f = pb_json_next(f)) {
		pb_table_cellf(t, "`%s`", pb_md_str(f, "name", "?"));
		pb_table_cell(t, pb_md_addr(addr, f, "good_addr"));
		pb_table_cell(t, pb_md_addr(addr, f, "bad_addr"));
		pb_table_cellf(t, "%.0f → %.0f", pb_md_num(f, "good_cache_lines"),
			       pb_md_num(f, "bad_cache_lines"));
		pb_table_cell(t, pb_md_str(f, "code", "?"));
	}
	pb_md_table(b, t);
	pb_buf_printf(b, "Hot footprint: %.0f → %.0f lines, %.0f → %.0f pages, at most %.0f → %.0f "
			 "lines in one L1i set.\n", pb_md_num(d, "footprint.good.cache_lines"),
		      pb_md_num(d, "footprint.bad.cache_lines"), pb_md_num(d, "footprint.good.pages"),
		      pb_md_num(d, "footprint.bad.pages"), pb_md_num(d, "footprint.good.l1i_max_ways"),
		      pb_md_num(d, "footprint.bad.l1i_max_ways"));
}

int pb_md_other_report(const struct pb_json *doc, const char *schema, struct pb_buf *out)
{
	if (strcmp(schema, "placebisect.measurement/1") == 0)
		measurement(doc, out);
	else if (strcmp(schema, "placebisect.compare/1") == 0)
		compare(doc, out);
	else if (strcmp(schema, "placebisect.layout-diff/1") == 0)
		layout_diff(doc, out);
	else
		return -1;
	return 0;
}
