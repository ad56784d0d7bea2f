/* report.c: the report of any result file (pb_report_write); a bisect's: the automated version of seed 003. */
#include "report/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "core/error.h"
#include "render/table.h"
#include "report/markdown.h"
#include "report/other.h"
#include "report/plots.h"

#define TOP_HOT 15

/* ---- The bisect report ---- */

struct ctx {
	const struct pb_json *doc;
	const char *metric;
	const char *base;  /* plot file names start with this (md_path without ".md") */
	const char *link;  /* ... and are linked as this (the base's last component) */
	struct pb_buf *out;
	char **plots;      /* plots written: paths (owned) and their contents */
	struct pb_buf *svgs;
	size_t n_plots;
};

/* Render a plot; when it has something to show, remember it and link it. */
static void plot(struct ctx *c, const char *name, const char *alt,
		 bool (*fn)(const struct pb_json *, struct pb_buf *))
{
	struct pb_buf svg = PB_BUF_INIT;

	if (!fn(c->doc, &svg)) {
		pb_buf_release(&svg);
		return;
	}
	c->plots = pb_xrealloc(c->plots, (c->n_plots + 1) * sizeof(*c->plots));
	c->svgs = pb_xrealloc(c->svgs, (c->n_plots + 1) * sizeof(*c->svgs));
	c->plots[c->n_plots] = pb_xasprintf("%s-%s.svg", c->base, name);
	c->svgs[c->n_plots++] = svg;
	pb_buf_printf(c->out, "![%s](%s-%s.svg)\n\n", alt, c->link, name);
}

static const char *verdict_of(const struct pb_json *doc)
{
	return pb_md_str(doc, "attribution.verdict", NULL);
}

static void headline(struct ctx *c)
{
	const struct pb_json *d = c->doc;
	const char *v = verdict_of(d), *status = pb_md_str(d, "status", "?");
	struct pb_buf *b = c->out;

	pb_buf_puts(b, "# Regression report: ");
	pb_md_text(b, pb_md_str(d, "benchmark", "?"));
	pb_buf_puts(b, "\n\n");
	if (strcmp(status, "found") == 0) {
		pb_buf_printf(b, "**%.10s** “", pb_md_str(d, "culprit.commit", "?"));
		pb_md_text(b, pb_md_str(d, "culprit.subject", ""));
		pb_buf_printf(b, "” made `%s` ", pb_md_str(d, "benchmark", "?"));
		pb_md_pct(b, pb_md_num(d, "effect.ratio"));
		pb_buf_printf(b, " slower on %s (%s backend). ", c->metric, pb_md_str(d, "backend", "?"));
		if (v && strcmp(v, "code-placement") == 0)
			pb_buf_puts(b, "**Verdict: code-placement** — the hot code is the same, it only "
				       "landed elsewhere in memory.\n\n");
		else if (v && strcmp(v, "code-change") == 0)
			pb_buf_puts(b, "**Verdict: code-change** — the commit changed the work the "
				       "benchmark does.\n\n");
		else
			pb_buf_puts(b, "**Verdict: inconclusive** — see the evidence below for what is "
				       "missing.\n\n");
	} else if (strcmp(status, "not-reproduced") == 0) {
		pb_buf_puts(b, "**The regression did not reproduce**: bad is ");
		pb_md_effect(b, pb_json_get(d, "endpoints"));
		pb_buf_puts(b, " against good, so there was nothing to bisect.\n\n");
	} else if (strcmp(status, "unstable") == 0) {
		pb_buf_puts(b, "**The benchmark is unstable**: ");
		pb_md_text(b, pb_md_str(d, "unstable", "?"));
		pb_buf_puts(b, ". No commit was judged.\n\n");
	} else if (strcmp(status, "unconfirmed") == 0) {
		pb_buf_puts(b, "**No culprit can be named**: ");
		pb_md_text(b, pb_md_str(d, "confirmation.why", "fresh runs did not confirm one"));
		pb_buf_puts(b, ". The candidates are below.\n\n");
	} else {
		pb_buf_printf(b, "**Only skipped commits are left**: the first bad commit is one of the "
				 "%zu candidates below (their builds or runs failed).\n\n",
			      pb_json_size(pb_json_get(d, "candidates")));
	}
}

static void summary(struct ctx *c)
{
	const struct pb_json *d = c->doc;
	const char *headers[] = { "", "" };
	struct pb_table *t = pb_table_new(2, headers);
	struct pb_buf cell = PB_BUF_INIT;

	pb_buf_puts(c->out, "## Summary\n\n");
	if (pb_json_get(d, "culprit")) {
		pb_table_cell(t, "culprit");
		pb_table_cellf(t, "`%s` %s", pb_md_str(d, "culprit.commit", "?"),
			       pb_md_str(d, "culprit.subject", ""));
		pb_table_cell(t, "author");
		pb_table_cellf(t, "%s, %s", pb_md_str(d, "culprit.author", "?"),
			       pb_md_str(d, "culprit.date", "?"));
		pb_table_cell(t, "effect");
		pb_buf_printf(&cell, "%s ", c->metric);
		pb_md_effect(&cell, pb_json_get(d, "effect"));
		pb_buf_puts(&cell, " against its parent");
		pb_table_cell(t, cell.data);
		pb_buf_reset(&cell);
		pb_table_cell(t, "explains");
		pb_table_cellf(t, "%.0f%% of the whole good → bad regression",
			       pb_md_num(d, "explained_fraction") * 100);
		pb_table_cell(t, "verdict");
		pb_table_cellf(t, "**%s**", verdict_of(d) ? verdict_of(d) : "not attributed");
	}
	pb_table_cell(t, "range");
	pb_md_effect(&cell, pb_json_get(d, "endpoints"));
	pb_table_cellf(t, "`%.10s` (good) … `%.10s` (bad): %.0f commits, bad %s", pb_md_str(d, "good", "?"),
		       pb_md_str(d, "bad", "?"), pb_md_num(d, "commits"), cell.data);
	pb_table_cell(t, "cost");
	pb_table_cellf(t, "%.0f builds (%.0f from the cache), %.0f runs", pb_md_num(d, "builds"),
		       pb_md_num(d, "builds_cached"), pb_md_num(d, "runs_total"));
	pb_md_table(c->out, t);
	pb_buf_release(&cell);
	plot(c, "timeline", "Bisection timeline: median per commit with 95% CI, culprit marked",
	     pb_plot_timeline);
}

/*
 * The --backend value that reproduces `backend` on the machine that wrote the report: "perf
 * (software events only)" is what auto does without hardware counters (--backend perf would
 * insist on them).
 */
static const char *backend_option(const char *backend)
{
	return strncmp(backend, "perf (", 6) == 0 ? "auto" : backend;
}

static void reproduce(struct ctx *c)
{
	const struct pb_json *d = c->doc;
	const char *backend = backend_option(pb_md_str(d, "backend", "?"));
	const char *culprit = pb_md_str(d, "culprit.commit", NULL);
	const char *pbin = pb_md_str(d, "binaries.parent", NULL), *cbin = pb_md_str(d, "binaries.culprit", NULL);

	pb_buf_puts(c->out, "## Reproduce\n\n```sh\n");
	pb_buf_printf(c->out, "placebisect bisect --good %.10s --bad %.10s --bench %s --backend %s "
			      "--metric %s\n", pb_md_str(d, "good", "?"), pb_md_str(d, "bad", "?"),
		      pb_md_str(d, "benchmark", "?"), backend, c->metric);
	if (culprit) {
		pb_buf_printf(c->out, "git show --stat %.10s\n", culprit);
		pb_buf_printf(c->out, "placebisect measure --rev %.10s^ --bench %s --backend %s -o parent.json\n",
			      culprit, pb_md_str(d, "benchmark", "?"), backend);
		pb_buf_printf(c->out, "placebisect measure --rev %.10s --bench %s --backend %s -o culprit.json\n",
			      culprit, pb_md_str(d, "benchmark", "?"), backend);
		pb_buf_puts(c->out, "placebisect compare parent.json culprit.json\n");
	}
	if (pbin && cbin)
		pb_buf_printf(c->out, "placebisect layout diff %s %s\n", pbin, cbin);
	pb_buf_puts(c->out, "```\n\n");
}

static void bisection(struct ctx *c)
{
	const char *headers[] = { "#", "commit", "subject", "runs", "median", "verdict", "why" };
	const struct pb_json *st;
	struct pb_table *t = pb_table_new(7, headers);
	struct pb_buf v = PB_BUF_INIT;

	pb_buf_puts(c->out, "## Bisection\n\nEvery commit measured, in the order the search asked for "
			    "them.\n\n");
	pb_table_align_right(t, 0);
	pb_table_align_right(t, 3);
	pb_table_align_right(t, 4);
	for (st = pb_json_child(pb_json_get(c->doc, "steps")); st; st = pb_json_next(st)) {
		pb_table_cellf(t, "%.0f", pb_md_num(st, "index"));
		pb_table_cellf(t, "`%.7s`", pb_md_str(st, "commit", "?"));
		pb_table_cell(t, pb_md_str(st, "subject", ""));
		pb_table_cellf(t, "%.0f", pb_md_num(st, "runs"));
		pb_buf_reset(&v);
		pb_md_value(&v, c->metric, pb_md_num(st, "median"));
		pb_table_cell(t, v.data);
		pb_table_cell(t, pb_md_str(st, "verdict", "?"));
		pb_table_cell(t, pb_md_str(st, "build_error", pb_md_str(st, "why", "")));
	}
	pb_md_table(c->out, t);
	pb_buf_release(&v);
}

static void measurements(struct ctx *c)
{
	const struct pb_json *d = c->doc;
	const char *headers[] = { "", "runs", "median" };
	struct pb_table *t = pb_table_new(3, headers);
	struct pb_buf v = PB_BUF_INIT;

	pb_buf_puts(c->out, "## Measurements\n\n");
	pb_table_align_right(t, 1);
	pb_table_align_right(t, 2);
	pb_table_cellf(t, "good `%.7s`", pb_md_str(d, "good", "?"));
	pb_table_cellf(t, "%zu", pb_json_size(pb_json_path(d, "samples.good")));
	pb_md_value(&v, c->metric, pb_md_num(d, "endpoints.good_median"));
	pb_table_cell(t, v.data);
	pb_buf_reset(&v);
	pb_table_cellf(t, "bad `%.7s`", pb_md_str(d, "bad", "?"));
	pb_table_cellf(t, "%zu", pb_json_size(pb_json_path(d, "samples.bad")));
	pb_md_value(&v, c->metric, pb_md_num(d, "endpoints.bad_median"));
	pb_table_cell(t, v.data);
	pb_md_table(c->out, t);
	pb_buf_reset(&v);
	pb_md_effect(&v, pb_json_get(d, "endpoints"));
	pb_buf_printf(c->out, "Bad against good: %s, verdict **%s** (Mann-Whitney U and "
			      "Kolmogorov-Smirnov, the smaller p; CI by bootstrap of the medians).\n\n",
		      v.data, pb_md_str(d, "endpoints.verdict", "?"));
	pb_buf_release(&v);
	plot(c, "distributions", "Every run of the good and the bad commit", pb_plot_distributions);
}

static void counters(struct ctx *c)
{
	const struct pb_json *p = pb_json_path(c->doc, "counters.parent");
	const struct pb_json *cu = pb_json_path(c->doc, "counters.culprit"), *e;
	const char *headers[] = { "counter", "parent", "culprit", "change" };
	struct pb_table *t;
	struct pb_buf v = PB_BUF_INIT;
	double a, b, ins_a, ins_b;

	if (pb_json_size(p) == 0)
		return;
	t = pb_table_new(4, headers);
	for (size_t k = 1; k < 4; k++)
		pb_table_align_right(t, k);
	pb_buf_puts(c->out, "## Counters\n\nThe culprit against its parent, medians over the runs "
			    "(as `perf stat` would put them side by side).\n\n");
	for (e = pb_json_child(p); e; e = pb_json_next(e)) {
		a = pb_json_number(e, NAN);
		b = pb_json_number(pb_json_get(cu, pb_json_key(e)), NAN);
		pb_table_cellf(t, "`%s`", pb_json_key(e));
		pb_buf_reset(&v);
		pb_md_value(&v, NULL, a);
		pb_table_cell(t, v.data);
		pb_buf_reset(&v);
		pb_md_value(&v, NULL, b);
		pb_table_cell(t, v.data);
		if (a > 0 && b >= 2 * a)
			pb_table_cellf(t, b >= 100 * a ? "×%.0f" : "×%.3g", b / a);
		else if (a > 0)
			pb_table_cellf(t, "%+.2f%%", (b / a - 1) * 100);
		else
			pb_table_cell(t, "–");
	}
	/* Misses per kilo-instruction, the unit the seed reasons in. */
	ins_a = pb_json_number(pb_json_get(p, "Ir"), pb_json_number(pb_json_get(p, "instructions"), NAN));
	ins_b = pb_json_number(pb_json_get(cu, "Ir"), pb_json_number(pb_json_get(cu, "instructions"), NAN));
	a = pb_json_number(pb_json_get(p, "I1mr"), NAN);
	b = pb_json_number(pb_json_get(cu, "I1mr"), NAN);
	if (ins_a > 0 && ins_b > 0 && isfinite(a) && isfinite(b)) {
		pb_table_cell(t, "I1 misses per 1000 instructions");
		pb_table_cellf(t, "%.3g", 1000 * a / ins_a);
		pb_table_cellf(t, "%.3g", 1000 * b / ins_b);
		pb_table_cell(t, "");
	}
	pb_md_table(c->out, t);
	pb_buf_release(&v);
}

static void hot_functions(struct ctx *c)
{
	const struct pb_json *hot = pb_json_path(c->doc, "attribution.hot_functions"), *f;
	const char *headers[] = { "function", "share of instructions", "I1 misses (parent)",
				  "I1 misses (culprit)" };
	struct pb_table *t;
	struct pb_buf v = PB_BUF_INIT;
	size_t k = 0;

	pb_buf_puts(c->out, "## Hot functions\n\n");
	if (pb_json_size(hot) == 0) {
		pb_buf_printf(c->out, "Hot set: %s.\n\n", pb_md_str(c->doc, "attribution.hot_source",
								 "none (no profile)"));
		return;
	}
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
static void function_deltas(struct ctx *c)
{
	const struct pb_json *fd = pb_json_path(c->doc, "attribution.function_deltas"), *f;
	const char *headers[] = { "function", "file", "Ir (parent)", "Ir (culprit)", "change",
				  "I1 misses (parent)", "I1 misses (culprit)" };
	struct pb_table *t;
	double a, b;

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
		pb_table_cellf(t, "%.0f", a);
		pb_table_cellf(t, "%.0f", b);
		if (a > 0)
			pb_table_cellf(t, "%+.1f%%", (b / a - 1) * 100);
		else
			pb_table_cell(t, "new");
		pb_table_cellf(t, "%.0f", pb_md_num(f, "i1_misses_parent"));
		pb_table_cellf(t, "%.0f", pb_md_num(f, "i1_misses_culprit"));
	}
	pb_md_table(c->out, t);
}

static void layout(struct ctx *c)
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
	plot(c, "l1i-sets", "Hot lines per L1i set, parent vs culprit", pb_plot_l1i_sets);
}

/* The table of layout variants (bisect --verify-placement). */
static void placement_check(struct ctx *c)
{
	const struct pb_json *pc = pb_json_get(c->doc, "placement_check"), *v, *e;
	const char *h[] = { "variant", "settings", "parent", "culprit", "parent vs parent", "culprit vs parent", "outcome" };
	struct pb_table *t;
	struct pb_buf cell = PB_BUF_INIT;

	if (!pc)
		return;
	pb_buf_printf(c->out, "### Placement check: %s\n\nParent and culprit rebuilt with each of "
			      "`build.layout_variants` (code moved, not changed) and measured; the "
			      "ordinary parent's median is ", pb_json_bool(pb_json_get(pc, "confirmed"),
			      false) ? "placement confirmed" : "not confirmed");
	pb_md_value(c->out, c->metric, pb_md_num(pc, "parent_median"));
	pb_buf_puts(c->out, ".\n\n");
	t = pb_table_new(7, h);
	for (size_t i = 2; i < 6; i++)
		pb_table_align_right(t, i);
	for (v = pb_json_child(pb_json_get(pc, "variants")); v; v = pb_json_next(v)) {
		pb_table_cellf(t, "`%s`", pb_md_str(v, "name", "?"));
		pb_buf_reset(&cell);
		for (e = pb_json_child(pb_json_get(v, "env")); e; e = pb_json_next(e))
			pb_buf_printf(&cell, "%s`%s`", e == pb_json_child(pb_json_get(v, "env")) ? "" : " ",
				      pb_json_string(e, ""));
		pb_table_cell(t, cell.data ? cell.data : "");
		pb_buf_reset(&cell);
		pb_md_value(&cell, c->metric, pb_md_num(v, "parent_median"));
		pb_table_cell(t, cell.data);
		pb_buf_reset(&cell);
		pb_md_value(&cell, c->metric, pb_md_num(v, "culprit_median"));
		pb_table_cell(t, cell.data);
		pb_buf_reset(&cell);
		pb_md_pct(&cell, pb_md_num(v, "parent_ratio"));
		pb_table_cell(t, cell.data);
		pb_buf_reset(&cell);
		pb_md_pct(&cell, pb_md_num(v, "culprit_ratio"));
		pb_table_cell(t, cell.data);
		if (pb_json_get(v, "error"))
			pb_table_cellf(t, "not measured: %s", pb_md_str(v, "error", ""));
		else
			pb_table_cell(t, pb_json_bool(pb_json_get(v, "reproduces"), false) ?
				      (pb_json_bool(pb_json_get(v, "removes"), false) ? "reproduces and removes" :
				       "reproduces the slowdown") :
				      pb_json_bool(pb_json_get(v, "removes"), false) ? "removes the slowdown" :
										       "no effect");
	}
	pb_md_table(c->out, t);
	pb_buf_release(&cell);
}

static void verdict(struct ctx *c)
{
	const struct pb_json *r;
	const char *v = verdict_of(c->doc);

	if (!v)
		return;
	pb_buf_printf(c->out, "## Verdict and evidence\n\n**%s**\n\n", v);
	for (r = pb_json_child(pb_json_path(c->doc, "attribution.reasons")); r; r = pb_json_next(r)) {
		pb_buf_puts(c->out, "- ");
		pb_md_text(c->out, pb_json_string(r, ""));
		pb_buf_putc(c->out, '\n');
	}
	pb_buf_putc(c->out, '\n');
	placement_check(c);
}

static void what_to_try(struct ctx *c)
{
	const char *v = verdict_of(c->doc);
	const struct pb_json *h;
	struct pb_buf *b = c->out;

	if (!v)
		return;
	pb_buf_puts(b, "## What to try\n\n");
	if (strcmp(v, "code-placement") == 0) {
		pb_buf_puts(b, "The commit is not slow by itself: it moved hot code that did not change. "
			       "Reverting it would only hide the problem until the next unrelated change "
			       "moves the code again. Make the hot code's placement deliberate:\n\n"
			       "- Mark the hot functions `__attribute__((hot))` (GCC puts them in "
			       "`.text.hot`, together) and rarely-run code `__attribute__((cold))`.\n"
			       "- Build with profile-guided optimisation (`-fprofile-generate`/`-fprofile-use`) "
			       "or optimise the binary's layout with BOLT (`llvm-bolt -reorder-functions=hfsort`).\n"
			       "- Align functions (`-falign-functions=64`) to stop 32/64 B boundary effects.\n"
			       "- Link the hot set in a fixed order with a symbol ordering file "
			       "(`-ffunction-sections` and `ld --symbol-ordering-file`, or a linker script):\n\n"
			       "```\n");
		for (h = pb_json_child(pb_json_path(c->doc, "layout.hot")); h; h = pb_json_next(h))
			pb_buf_printf(b, "%s\n", pb_md_str(h, "name", "?"));
		pb_buf_puts(b, "```\n\nThen measure the culprit again (`placebisect measure --rev … "
			       "--backend cachegrind`): its I1 misses should be back to the parent's.\n\n");
	} else if (strcmp(v, "code-change") == 0) {
		pb_buf_puts(b, "The commit changed what the benchmark executes. Start with the hot "
			       "functions whose code changed, and the instruction count:\n\n");
		for (h = pb_json_child(pb_json_path(c->doc, "layout.hot")); h; h = pb_json_next(h))
			if (!pb_json_bool(pb_json_get(h, "same_code"), true))
				pb_buf_printf(b, "- `%s` (%s)\n", pb_md_str(h, "name", "?"),
					      pb_md_str(h, "code", "?"));
		pb_buf_printf(b, "\n`git show %.10s` and `perf diff` of the two builds show where.\n\n",
			      pb_md_str(c->doc, "culprit.commit", "?"));
	} else {
		pb_buf_puts(b, "Gather what the verdict lacks: measure with `--backend cachegrind` (exact "
			       "instruction counts and simulated I1 misses), configure `build.binary` so the "
			       "builds can be compared, and name the hot functions in `layout.hot` or "
			       "profile the bad build (`placebisect profile`).\n\n");
	}
}

static void system_section(struct ctx *c)
{
	const struct pb_json *s = pb_json_get(c->doc, "system"), *e;

	pb_buf_printf(c->out, "## System\n\n- backend: %s, metric: %s\n", pb_md_str(c->doc, "backend", "?"),
		      c->metric);
	for (e = pb_json_child(s); e; e = pb_json_next(e)) {
		if (pb_json_type(e) == PB_JSON_OBJECT || pb_json_type(e) == PB_JSON_ARRAY)
			continue;
		pb_buf_printf(c->out, "- %s: ", pb_json_key(e));
		if (pb_json_type(e) == PB_JSON_STRING)
			pb_md_text(c->out, pb_json_string(e, ""));
		else if (pb_json_type(e) == PB_JSON_NUMBER)
			pb_buf_printf(c->out, "%.10g", pb_json_number(e, 0));
		else if (pb_json_type(e) == PB_JSON_BOOL)
			pb_buf_puts(c->out, pb_json_bool(e, false) ? "yes" : "no");
		else
			pb_buf_puts(c->out, "unknown");
		pb_buf_putc(c->out, '\n');
	}
	pb_buf_putc(c->out, '\n');
}

static void bisect_report(struct ctx *c)
{
	const struct pb_json *cand;

	c->metric = pb_md_str(c->doc, "metric", "value");
	headline(c);
	summary(c);
	for (cand = pb_json_child(pb_json_get(c->doc, "candidates")); cand; cand = pb_json_next(cand))
		pb_buf_printf(c->out, "- `%s` %s\n%s", pb_md_str(cand, "commit", "?"),
			      pb_md_str(cand, "subject", ""), pb_json_next(cand) ? "" : "\n");
	reproduce(c);
	bisection(c);
	measurements(c);
	counters(c);
	hot_functions(c);
	function_deltas(c);
	layout(c);
	verdict(c);
	what_to_try(c);
	system_section(c);
	pb_buf_puts(c->out, "---\n*Written by placebisect " PB_VERSION ".*\n");
}

/* ---- Entry points ---- */

int pb_report_write(const struct pb_json *doc, const char *name, const char *md_path)
{
	const char *schema = pb_json_string(pb_json_get(doc, "schema"), "");
	struct pb_buf out = PB_BUF_INIT;
	struct ctx c = { doc, NULL, NULL, NULL, &out, NULL, NULL, 0 };
	size_t len = strlen(md_path), i;
	char *base, *slash;
	int ret = 0;

	base = len > 3 && strcmp(md_path + len - 3, ".md") == 0 ? pb_xstrndup(md_path, len - 3) :
								   pb_xstrdup(md_path);
	slash = strrchr(base, '/');
	c.base = base;
	c.link = slash ? slash + 1 : base;
	/* `report -o new/R.md` as `bisect --report new/R.md`: the directory is made here for both. */
	if (slash && slash != base) {
		*slash = '\0';
		ret = pb_mkdir_p(base);
		*slash = '/';
		if (ret) {
			free(base);
			return -1;
		}
	}
	if (strcmp(schema, "placebisect.bisect/1") == 0)
		bisect_report(&c);
	else if (pb_md_other_report(doc, schema, &out) < 0)
		ret = pb_error_as(PB_EXIT_USAGE, "%s: not a placebisect result file (schema '%s'); a "
				  "report is written from the JSON of bisect, measure, compare or "
				  "layout diff", name, schema);
	for (i = 0; ret == 0 && i < c.n_plots; i++)
		if (pb_atomic_write(c.plots[i], c.svgs[i].data, c.svgs[i].len))
			ret = -1;
	if (ret == 0 && pb_atomic_write(md_path, out.data, out.len))
		ret = -1;
	for (i = 0; i < c.n_plots; i++) {
		free(c.plots[i]);
		pb_buf_release(&c.svgs[i]);
	}
	free(c.plots);
	free(c.svgs);
	free(base);
	pb_buf_release(&out);
	return ret;
}

int pb_report_write_file(const char *json_path, const char *md_path)
{
	struct pb_json *doc;
	int ret;

	if (pb_json_parse_file(&doc, json_path))
		return -1;
	ret = pb_report_write(doc, json_path, md_path);
	pb_json_free(doc);
	return ret;
}
