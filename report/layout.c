/* layout.c: the bisect report's code sections: hot functions, per-function costs, the layout diff; the layout fix and random layouts (also as reports of their own). */
#include "report/sections.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/format.h"
#include "render/table.h"
#include "report/markdown.h"
#include "report/plots.h"

#define TOP_HOT 15

void pb_md_hot_functions(struct pb_md_ctx *c)
{
	const struct pb_json *hot = pb_json_path(c->doc, "attribution.hot_functions"), *f;
	const char *headers[] = { "function", "share of instructions", "I1 misses (parent)",
				  "I1 misses (culprit)" };
	struct pb_table *t;
	struct pb_buf v = PB_BUF_INIT;
	size_t k = 0;

	/* No hot set: said once, in the verdict's evidence or here, not as an empty section. */
	if (pb_json_size(hot) == 0) {
		if (pb_json_get(c->doc, "culprit"))
			pb_buf_printf(c->out, "## Hot functions\n\nNo hot functions are known (%s): "
					      "profile the bad build or name them in `layout.hot`.\n\n",
				      pb_md_str(c->doc, "attribution.hot_source", "no profile was taken"));
		return;
	}
	pb_buf_puts(c->out, "## Hot functions\n\n");
	pb_buf_printf(c->out, "The culprit's hottest functions: %s.\n\n",
		      pb_md_str(c->doc, "attribution.hot_source", "?"));
	t = pb_table_new(4, headers);
	for (size_t i = 1; i < 4; i++)
		pb_table_align_right(t, i);
	for (f = pb_json_child(hot); f && k < TOP_HOT; f = pb_json_next(f), k++) {
		pb_table_cellf(t, "`%s`", pb_md_str(f, "name", "?"));
		pb_table_cellf(t, "%.1f%%", pb_md_num(f, "share") * 100);
		pb_buf_reset(&v);
		pb_md_value(&v, NULL, pb_md_num(f, "i1_misses_parent"));
		pb_table_cell(t, v.data);
		pb_buf_reset(&v);
		pb_md_value(&v, NULL, pb_md_num(f, "i1_misses_culprit"));
		pb_table_cell(t, v.data);
	}
	pb_md_table(c->out, t);
	if (pb_json_size(hot) > TOP_HOT)
		pb_buf_printf(c->out, "… and %zu more.\n\n", pb_json_size(hot) - TOP_HOT);
	pb_buf_release(&v);
}

/* attribution.function_deltas: cachegrind's cost per function in parent and culprit, side by side. */
void pb_md_function_deltas(struct pb_md_ctx *c)
{
	const struct pb_json *fd = pb_json_path(c->doc, "attribution.function_deltas"), *f;
	const char *headers[] = { "function", "file", "Ir (parent)", "Ir (culprit)", "change",
				  "I1 misses (parent)", "I1 misses (culprit)" };
	struct pb_table *t;
	double a, b;
	char x[48];

	if (pb_json_size(fd) == 0)
		return;
	pb_buf_puts(c->out, "## Where the cost changed\n\nThe functions whose cachegrind cost changed "
		    "most between the parent and the culprit (|ΔIr| + 10·|ΔI1 misses|):\n\n");
	t = pb_table_new(7, headers);
	for (size_t i = 2; i < 7; i++)
		pb_table_align_right(t, i);
	for (f = pb_json_child(fd); f; f = pb_json_next(f)) {
		a = pb_md_num(f, "ir_parent");
		b = pb_md_num(f, "ir_culprit");
		pb_table_cellf(t, "`%s`", pb_md_str(f, "name", "?"));
		pb_table_cell(t, pb_md_str(f, "file", ""));
		pb_table_cell(t, pb_fmt_count(x, sizeof(x), a));
		pb_table_cell(t, pb_fmt_count(x, sizeof(x), b));
		if (a > 0)
			pb_table_cell(t, pb_fmt_change(x, sizeof(x), b / a));
		else
			pb_table_cell(t, "new");
		pb_table_cell(t, pb_fmt_count(x, sizeof(x), pb_md_num(f, "i1_misses_parent")));
		pb_table_cell(t, pb_fmt_count(x, sizeof(x), pb_md_num(f, "i1_misses_culprit")));
	}
	pb_md_table(c->out, t);
}

void pb_md_layout(struct pb_md_ctx *c)
{
	const struct pb_json *l = pb_json_get(c->doc, "layout"), *h;
	const char *hh[] = { "function", "parent", "culprit", "size", "64 B lines", "32 B-crossing jumps", "code" };
	const char *fh[] = { "hot code", "parent", "culprit" };
	static const char *const rows[][2] = {
		{ "bytes", "bytes" }, { "cache_lines", "64 B lines" }, { "pages", "4 KiB pages" },
		{ "l1i_max_ways", "most lines in one L1i set" },
		{ "l1i_sets_over_ways", "L1i sets over associativity" },
	};
	struct pb_table *t;
	char key[64], addr[24], addr2[24];

	if (!l)
		return;
	pb_buf_printf(c->out, "## Layout\n\nThe parent's and the culprit's binaries, hot functions only "
			      "(L1i: %.0f KiB, %.0f ways, %.0f B lines).\n\n",
		      pb_md_num(l, "l1i.size") / 1024, pb_md_num(l, "l1i.ways"), pb_md_num(l, "l1i.line"));
	t = pb_table_new(7, hh);
	for (size_t i = 3; i < 6; i++)
		pb_table_align_right(t, i);
	for (h = pb_json_child(pb_json_get(l, "hot")); h; h = pb_json_next(h)) {
		pb_table_cellf(t, "`%s`", pb_md_str(h, "name", "?"));
		pb_table_cell(t, pb_md_addr(addr, h, "good_addr"));
		pb_table_cell(t, pb_md_addr(addr, h, "bad_addr"));
		pb_table_cellf(t, "%.0f", pb_md_num(h, "bad_size"));
		pb_table_cellf(t, "%.0f → %.0f", pb_md_num(h, "good_cache_lines"),
			       pb_md_num(h, "bad_cache_lines"));
		if (pb_json_get(h, "good_jcc_32b_count"))
			pb_table_cellf(t, "%.0f → %.0f", pb_md_num(h, "good_jcc_32b_count"),
				       pb_md_num(h, "bad_jcc_32b_count"));
		else
			pb_table_cell(t, "–");
		pb_table_cell(t, pb_json_bool(pb_json_get(h, "same_code"), false) ? "same" :
			      pb_md_str(h, "code", "?"));
	}
	pb_md_table(c->out, t);
	t = pb_table_new(3, fh);
	pb_table_align_right(t, 1);
	pb_table_align_right(t, 2);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		pb_table_cell(t, rows[i][1]);
		snprintf(key, sizeof(key), "footprint.good.%s", rows[i][0]);
		pb_table_cellf(t, "%.0f", pb_md_num(l, key));
		snprintf(key, sizeof(key), "footprint.bad.%s", rows[i][0]);
		pb_table_cellf(t, "%.0f", pb_md_num(l, key));
	}
	pb_md_table(c->out, t);
	if (pb_json_bool(pb_json_path(l, "upstream.valid"), false)) {
		pb_buf_printf(c->out, "The hot code starts at %s in the parent and %s in the "
				      "culprit (%+.0f B) in section `%s`.",
			      pb_md_addr(addr, l, "upstream.good_hot_start"),
			      pb_md_addr(addr2, l, "upstream.bad_hot_start"),
			      pb_md_num(l, "upstream.shift"), pb_md_str(l, "upstream.section", "?"));
		for (h = pb_json_child(pb_json_path(l, "upstream.functions")); h; h = pb_json_next(h))
			pb_buf_printf(c->out, "%s `%s` %+.0f B", h == pb_json_child(pb_json_path(l,
				      "upstream.functions")) ? " Before it, these grew or shrank:" : ",",
				      pb_md_str(h, "name", "?"), pb_md_num(h, "delta"));
		pb_buf_puts(c->out, "\n\n");
	}
	pb_md_plot(c, "l1i-sets", "Hot lines per L1i set, parent vs culprit", pb_plot_l1i_sets);
}

/* One count of the fix table, or "-". */
static void fix_cell(struct pb_table *t, struct pb_buf *cell, const char *metric, double v)
{
	pb_buf_reset(cell);
	if (isfinite(v))
		pb_md_value(cell, metric, v);
	else
		pb_buf_puts(cell, "-");
	pb_table_cell(t, cell->data);
}

/* The layout fix `f` (placebisect.fix/1, alone or a bisect's `fix`): the ordering, the recipe, the
 * four builds, what the fix recovers, how to redo it. */
static void fix_body(struct pb_md_ctx *c, const struct pb_json *f)
{
	static const char *const arms[] = { "parent", "culprit", "culprit+fix", "parent+fix" };
	const char *h[] = { "build", "median", "vs parent", "instructions", "I1 misses", "hot lines",
			    "4 KiB pages", "max ways in a set" };
	const struct pb_json *e, *b, *fp;
	const char *backend = pb_md_backend_option(pb_md_str(f, "backend", pb_md_str(c->doc, "backend", "?")));
	const char *metric = pb_md_str(f, "metric", c->metric ? c->metric : "value");
	struct pb_buf cell = PB_BUF_INIT;
	struct pb_table *t;
	double parent;
	size_t i, n;

	pb_buf_puts(c->out, "The culprit was run under callgrind, its functions ordered by call-chain "
			    "clustering (C3: callers next to their callees, the densest clusters first), "
			    "and the culprit and its parent rebuilt with that order through `build.fix`. ");
	e = pb_json_get(f, "summary");
	if (e) {
		char *s = pb_xstrdup(pb_json_string(e, ""));

		if (s[0] >= 'a' && s[0] <= 'z')
			s[0] = (char)(s[0] - 'a' + 'A');
		pb_buf_puts(c->out, "**");
		pb_md_text(c->out, s);
		pb_buf_puts(c->out, ".**");
		free(s);
	}
	pb_buf_puts(c->out, "\n\n");
	t = pb_table_new(8, h);
	for (i = 1; i < 8; i++)
		pb_table_align_right(t, i);
	parent = pb_md_num(f, "builds.parent.median");
	for (i = 0; i < 4; i++) {
		b = pb_json_get(pb_json_get(f, "builds"), arms[i]);
		if (!b || pb_json_type(pb_json_get(b, "binary")) != PB_JSON_STRING)
			continue;
		pb_table_cellf(t, "%s", arms[i]);
		fix_cell(t, &cell, metric, pb_md_num(b, "median"));
		pb_buf_reset(&cell);
		if (i)
			pb_md_pct(&cell, pb_md_num(b, "median") / parent);
		pb_table_cell(t, cell.data ? cell.data : "");
		fix_cell(t, &cell, "instructions", pb_md_num(b, "instructions"));
		fix_cell(t, &cell, "I1mr", pb_md_num(b, "i1_misses"));
		fp = pb_json_get(b, "footprint");
		fix_cell(t, &cell, "lines", fp ? pb_md_num(fp, "cache_lines") : NAN);
		fix_cell(t, &cell, "pages", fp ? pb_md_num(fp, "pages") : NAN);
		fix_cell(t, &cell, "ways", fp ? pb_md_num(fp, "l1i_max_ways") : NAN);
	}
	pb_md_table(c->out, t);
	pb_buf_printf(c->out, "The hot set (footprint columns): the %zu functions with 90%% of the "
			      "culprit's instructions. %s\n\n",
		      (size_t)pb_json_size(pb_json_get(f, "hot")),
		      pb_json_bool(pb_json_path(f, "instructions.code_changed"), false) ?
		      "The fix changed the instruction count: it changed code, not only its place." :
		      "The fix left the instruction count the same: it moved code only.");
	pb_md_plot(c, "fix-l1i-sets", "Hot lines per L1i set, culprit vs culprit with the fix", pb_plot_fix_sets);
	pb_buf_printf(c->out, "The order (%s format, %.0f clusters), first functions:\n\n```\n",
		      pb_md_str(f, "order.format", "?"), pb_md_num(f, "order.clusters"));
	for (n = 0, e = pb_json_child(pb_json_path(f, "order.functions")); e && n < 16;
	     e = pb_json_next(e), n++)
		pb_buf_printf(c->out, "%s\n", pb_json_string(e, "?"));
	if (e)
		pb_buf_printf(c->out, "... (%zu in all)\n", pb_json_size(pb_json_path(f, "order.functions")));
	pb_buf_puts(c->out, "```\n\nThe recipe (`build.fix`, `{order}` being the file):\n\n```\n");
	for (e = pb_json_child(pb_json_get(f, "recipe")); e; e = pb_json_next(e))
		pb_buf_printf(c->out, "%s\n", pb_json_string(e, ""));
	pb_buf_printf(c->out, "```\n\nTo reproduce:\n\n```sh\n"
			      "placebisect fix --good %.10s --bad %.10s --bench %s --backend %s\n"
			      "placebisect order --format %s --callgrind callgrind.out.PID -o order.%s   "
			      "# from your own callgrind run\n```\n\n",
		      pb_md_str(f, "parent", "?"), pb_md_str(f, "culprit", "?"),
		      pb_md_str(f, "benchmark", pb_md_str(c->doc, "benchmark", "?")), backend,
		      pb_md_str(f, "order.format", "gold"), pb_md_str(f, "order.format", "gold"));
	pb_buf_release(&cell);
}

/* bisect --fix: its Fix section, or why it could not be made. */
void pb_md_fix_section(struct pb_md_ctx *c)
{
	const struct pb_json *f = pb_json_get(c->doc, "fix");

	if (!f) {
		if (pb_json_get(c->doc, "fix_error")) {
			pb_buf_puts(c->out, "## Fix\n\nThe layout fix (`--fix`) could not be measured: ");
			pb_md_text(c->out, pb_md_str(c->doc, "fix_error", ""));
			pb_buf_puts(c->out, "\n\n");
		}
		return;
	}
	pb_buf_puts(c->out, "## Fix\n\n");
	fix_body(c, f);
}

/* The effect across random layouts `l` (placebisect.layouts/1, alone or a bisect's `layouts`). */
static void layouts_body(struct pb_md_ctx *c, const struct pb_json *l)
{
	const char *h[] = { "seed", "alignment", "env pad (bytes)", "ASLR", "parent", "culprit",
			    "effect", "outcome" };
	const char *metric = pb_md_str(l, "metric", "value");
	const struct pb_json *e;
	struct pb_buf cell = PB_BUF_INIT;
	struct pb_table *t = pb_table_new(8, h);
	char *s = pb_xstrdup(pb_md_str(l, "summary", ""));
	size_t i;

	if (s[0] >= 'a' && s[0] <= 'z')
		s[0] = (char)(s[0] - 'a' + 'A');
	pb_buf_puts(c->out, "Parent and culprit were rebuilt under random layouts of the same code "
			    "(a shuffled function order through `build.fix`, the function alignment where "
			    "the recipe has `{cflags}`, the environment size, ASLR off or on) and measured "
			    "side by side under each. **");
	pb_md_text(c->out, s);
	pb_buf_puts(c->out, ".**\n\n");
	free(s);
	for (i = 2; i < 7; i++)
		if (i != 3)
			pb_table_align_right(t, i);
	for (e = pb_json_child(pb_json_get(l, "layouts")); e; e = pb_json_next(e)) {
		const char *cf = pb_md_str(e, "cflags", NULL);

		pb_table_cellf(t, "%.0f", pb_md_num(e, "seed"));
		pb_table_cell(t, cf && strchr(cf, '=') ? strchr(cf, '=') + 1 : "-");
		pb_table_cellf(t, "%.0f", pb_md_num(e, "env_pad"));
		pb_table_cell(t, pb_json_bool(pb_json_get(e, "aslr"), true) ? "on" : "off");
		if (pb_json_get(e, "error")) {
			pb_table_cell(t, "-");
			pb_table_cell(t, "-");
			pb_table_cell(t, "-");
			pb_buf_reset(&cell);
			pb_buf_puts(&cell, "not measured: ");
			pb_md_text(&cell, pb_md_str(e, "error", ""));
			pb_table_cell(t, cell.data);
			continue;
		}
		fix_cell(t, &cell, metric, pb_md_num(e, "parent_median"));
		fix_cell(t, &cell, metric, pb_md_num(e, "culprit_median"));
		pb_buf_reset(&cell);
		pb_md_pct(&cell, pb_md_num(e, "ratio"));
		pb_table_cell(t, cell.data ? cell.data : "");
		pb_table_cell(t, pb_json_bool(pb_json_get(e, "slower"), false) ? "slower" :
				 pb_json_bool(pb_json_get(e, "faster"), false) ? "faster" : "same");
	}
	pb_md_table(c->out, t);
	e = pb_json_child(pb_json_get(l, "layouts"));
	if (e) {
		pb_buf_puts(c->out, "The recipe of the first layout (`{order}` its shuffled order):\n\n```\n");
		for (const struct pb_json *r = pb_json_child(pb_json_get(e, "recipe")); r; r = pb_json_next(r))
			pb_buf_printf(c->out, "%s\n", pb_json_string(r, ""));
		pb_buf_puts(c->out, "```\n\n");
	}
	pb_buf_printf(c->out, "To reproduce (the layouts have seeds S, S + 1, ...; `--seed K --layouts 1` rebuilds the one of seed K):"
			      "\n\n```sh\nplacebisect layouts --good %.10s --bad %.10s --bench %s "
			      "--backend %s --layouts %.0f --seed %.0f\n```\n\n",
		      pb_md_str(l, "parent", "?"), pb_md_str(l, "culprit", "?"),
		      pb_md_str(l, "benchmark", "?"), pb_md_backend_option(pb_md_str(l, "backend", "?")),
		      pb_md_num(l, "n"), pb_md_num(l, "seed"));
	pb_buf_release(&cell);
}

/* bisect --layouts: its Layouts section, or why it could not be made. */
void pb_md_layouts_section(struct pb_md_ctx *c)
{
	const struct pb_json *l = pb_json_get(c->doc, "layouts");

	if (!l) {
		if (pb_json_get(c->doc, "layouts_error")) {
			pb_buf_puts(c->out, "## Layouts\n\nThe random layouts (`--layouts`) could not be "
					    "measured: ");
			pb_md_text(c->out, pb_md_str(c->doc, "layouts_error", ""));
			pb_buf_puts(c->out, "\n\n");
		}
		return;
	}
	pb_buf_puts(c->out, "## Layouts\n\n");
	layouts_body(c, l);
}

/* `report` of a placebisect.fix/1 or placebisect.layouts/1 document: `title`, then `body` of it. */
static void alone(struct pb_md_ctx *c, const char *title,
		  void (*body)(struct pb_md_ctx *, const struct pb_json *))
{
	c->metric = pb_md_str(c->doc, "metric", "value");
	pb_buf_printf(c->out, "# %s: %s\n\n`%.10s` (parent) and `%.10s` (culprit), %s on %s.\n\n", title,
		      pb_md_str(c->doc, "benchmark", "?"), pb_md_str(c->doc, "parent", "?"),
		      pb_md_str(c->doc, "culprit", "?"), c->metric, pb_md_str(c->doc, "backend", "?"));
	body(c, c->doc);
	pb_buf_puts(c->out, "---\n*Written by placebisect " PB_VERSION ".*\n");
}

void pb_md_fix_report(struct pb_md_ctx *c)
{
	alone(c, "Layout fix", fix_body);
}

void pb_md_layouts_report(struct pb_md_ctx *c)
{
	alone(c, "Layouts", layouts_body);
}
