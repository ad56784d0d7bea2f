/* report.c: the report of any result file (pb_report_write); a bisect's: the automated version of seed 003. */
#include "report/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "core/error.h"
#include "render/format.h"
#include "render/table.h"
#include "report/annotated.h"
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

	const bool imp = strcmp(pb_md_str(d, "direction", "regression"), "improvement") == 0;

	/* The title says what the bisect found: a report of "no regression" is not a regression's. */
	pb_buf_puts(b, strcmp(status, "found") == 0 ? (imp ? "# Improvement report: " : "# Regression report: ") :
		       strcmp(status, "not-reproduced") == 0 ? (imp ? "# Improvement not reproduced: " : "# Regression not reproduced: ") :
		       strcmp(status, "unconfirmed") == 0 ? "# Regression without a confirmed culprit: " :
		       strcmp(status, "unstable") == 0 ? "# Unstable benchmark, no commit judged: " :
							   "# Regression among skipped commits: ");
	pb_md_text(b, pb_md_str(d, "benchmark", "?"));
	pb_buf_puts(b, "\n\n");
	if (strcmp(status, "found") == 0) {
		pb_buf_printf(b, "**%.10s** “", pb_md_str(d, "culprit.commit", "?"));
		pb_md_text(b, pb_md_str(d, "culprit.subject", ""));
		pb_buf_printf(b, "” made `%s` ", pb_md_str(d, "benchmark", "?"));
		if (imp)
			pb_buf_printf(b, "%.1f%% faster", (1 - pb_md_num(d, "effect.ratio")) * 100);
		else
			pb_md_pct(b, pb_md_num(d, "effect.ratio"));
		pb_buf_printf(b, "%s on %s (%s backend). ", imp ? "" : " slower", c->metric,
			      pb_md_str(d, "backend", "?"));
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
		pb_buf_puts(b, imp ? "**The improvement did not reproduce**: bad is " :
				     "**The regression did not reproduce**: bad is ");
		pb_md_effect(b, pb_json_get(d, "endpoints"));
		pb_buf_puts(b, " against good, so there was nothing to bisect.\n\n");
	} else if (strcmp(status, "unstable") == 0) {
		pb_buf_puts(b, "**The benchmark is unstable**: ");
		pb_md_text(b, pb_md_str(d, "unstable", "?"));
		pb_buf_puts(b, ". No commit was judged.\n\n");
	} else if (strcmp(status, "unconfirmed") == 0) {
		pb_buf_puts(b, "**No culprit can be named**: ");
		pb_md_text(b, pb_md_str(d, "confirmation.why", "fresh runs did not confirm one"));
		pb_buf_puts(b, ". The commits the search named are listed below as candidates.\n\n");
	} else {
		pb_buf_printf(b, "**Only skipped commits are left**: the first bad commit is one of the "
				 "%zu candidates below (their builds or runs failed).\n\n",
			      pb_json_size(pb_json_get(d, "candidates")));
	}
}

/* "- **name**: " and the rest of the line: a list, since a two-column table needs a header row. */
static void item(struct ctx *c, const char *name)
{
	pb_buf_printf(c->out, "- **%s**: ", name);
}

/* An exact backend (`repeat` in the result): judged exactly, or with statistics because an
 * endpoint's two runs differed (the values and the spread). */
static void judged(struct ctx *c)
{
	const struct pb_json *r = pb_json_get(c->doc, "repeat");
	static const char *const side[2] = { "good", "bad" };
	char v0[40], v1[40];
	bool exact = pb_json_bool(pb_json_get(c->doc, "exact"), false);
	int k;

	if (!r)
		return;
	item(c, "judged");
	pb_buf_puts(c->out, exact ? "exactly: each endpoint gave the same value twice (" :
				    "with statistics over repeated runs, not exactly: the benchmark is not "
				    "deterministic under the simulator (");
	for (k = 0; k < 2; k++) {
		const struct pb_json *a = pb_json_get(r, side[k]);
		double x = pb_json_number(pb_json_child(a), NAN);
		double y = pb_json_number(pb_json_next(pb_json_child(a)), NAN);

		pb_fmt_exact(v0, sizeof(v0), x);
		pb_fmt_exact(v1, sizeof(v1), y);
		if (exact)
			pb_buf_printf(c->out, "%s%s %s", k ? ", " : "", side[k], v0);
		else
			pb_buf_printf(c->out, "%s%s %s then %s", k ? "; " : "", side[k], v0, v1);
	}
	if (!exact)
		pb_buf_printf(c->out, "; spread %.1f%%", 100 * pb_md_num(r, "spread"));
	pb_buf_puts(c->out, ")\n");
}

static void summary(struct ctx *c)
{
	const struct pb_json *d = c->doc;
	struct pb_buf *b = c->out;

	pb_buf_puts(b, "## Summary\n\n");
	if (pb_json_get(d, "culprit")) {
		item(c, "culprit");
		pb_buf_printf(b, "`%s` ", pb_md_str(d, "culprit.commit", "?"));
		pb_md_text(b, pb_md_str(d, "culprit.subject", ""));
		pb_buf_putc(b, '\n');
		item(c, "author");
		pb_md_text(b, pb_md_str(d, "culprit.author", "?"));
		pb_buf_printf(b, ", %s\n", pb_md_str(d, "culprit.date", "?"));
		item(c, "effect");
		pb_buf_printf(b, "%s ", c->metric);
		pb_md_effect(b, pb_json_get(d, "effect"));
		pb_buf_puts(b, " against its parent\n");
		item(c, "explains");
		pb_buf_printf(b, "%.0f%% of the whole good → bad %s\n",
			      pb_md_num(d, "explained_fraction") * 100,
			      strcmp(pb_md_str(d, "direction", "regression"), "improvement") == 0 ?
				      "improvement" : "regression");
		item(c, "verdict");
		pb_buf_printf(b, "**%s**\n", verdict_of(d) ? verdict_of(d) : "not attributed");
	}
	item(c, "range");
	pb_buf_printf(b, "`%.10s` (good) … `%.10s` (bad): %.0f %s, bad ", pb_md_str(d, "good", "?"),
		      pb_md_str(d, "bad", "?"), pb_md_num(d, "commits"),
		      pb_md_num(d, "commits") == 1 ? "commit" : "commits");
	pb_md_effect(b, pb_json_get(d, "endpoints"));
	pb_buf_putc(b, '\n');
	judged(c);
	item(c, "cost");
	pb_buf_printf(b, "%.0f %s (%.0f from the cache), %.0f %s\n\n", pb_md_num(d, "builds"),
		      pb_md_num(d, "builds") == 1 ? "build" : "builds", pb_md_num(d, "builds_cached"),
		      pb_md_num(d, "runs_total"), pb_md_num(d, "runs_total") == 1 ? "run" : "runs");
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
			      "--metric %s", pb_md_str(d, "good", "?"), pb_md_str(d, "bad", "?"),
		      pb_md_str(d, "benchmark", "?"), backend, c->metric);
	/* The runs and warm-ups the bisect used (its --runs/--warmups or the config's). */
	if (pb_json_get(d, "runs"))
		pb_buf_printf(c->out, " --runs %.0f --warmups %.0f", pb_md_num(d, "runs"),
			      pb_md_num(d, "warmups"));
	if (strcmp(pb_md_str(d, "direction", "regression"), "improvement") == 0)
		pb_buf_puts(c->out, " --improvement");
	pb_buf_putc(c->out, '\n');
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

/* executor slurm: the node and job id each step's commit was built and measured by. */
static void where(struct ctx *c)
{
	const char *headers[] = { "commit", "built on", "build job", "measured on", "measure job" };
	const struct pb_json *st, *w;
	struct pb_table *t = NULL;

	for (st = pb_json_child(pb_json_get(c->doc, "steps")); st; st = pb_json_next(st)) {
		w = pb_json_get(st, "slurm");
		if (!w)
			continue;
		if (!t) {
			t = pb_table_new(5, headers);
			pb_table_align_right(t, 2);
			pb_table_align_right(t, 4);
		}
		pb_table_cellf(t, "`%.7s`", pb_md_str(st, "commit", "?"));
		pb_table_cell(t, pb_md_str(w, "build_node", "-"));
		pb_table_cell(t, pb_md_str(w, "build_job", "-"));
		pb_table_cell(t, pb_md_str(w, "measure_node", "-"));
		pb_table_cell(t, pb_md_str(w, "measure_job", "-"));
	}
	if (!t)
		return;
	pb_buf_puts(c->out, "Where each commit was built and last measured (Slurm jobs):\n\n");
	pb_md_table(c->out, t);
}

static void bisection(struct ctx *c)
{
	const char *headers[] = { "#", "commit", "subject", "runs", "median", "verdict", "why" };
	const struct pb_json *st;
	struct pb_table *t = pb_table_new(7, headers);
	struct pb_buf v = PB_BUF_INIT;

	pb_buf_puts(c->out, "## Bisection\n\nEvery commit measured, in the order the search asked for "
			    "them.\n\n");
	if (pb_md_num(c->doc, "jobs") > 1) {
		/* k-way (--jobs K): which commits each round built at once and measured in one batch. */
		double round = -1;

		pb_buf_printf(c->out, "k-way bisection (`--jobs %.0f`): %.0f rounds, each building its "
			      "commits at once and measuring them in one batch with their references",
			      pb_md_num(c->doc, "jobs"), pb_md_num(c->doc, "rounds"));
		for (st = pb_json_child(pb_json_get(c->doc, "steps")); st; st = pb_json_next(st)) {
			if (!(pb_md_num(st, "round") > 0))
				continue;
			if (pb_md_num(st, "round") != round) {
				round = pb_md_num(st, "round");
				pb_buf_printf(c->out, "; round %.0f:", round);
			}
			pb_buf_printf(c->out, " `%.7s`", pb_md_str(st, "commit", "?"));
		}
		pb_buf_puts(c->out, ".\n\n");
	}
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
	where(c);
}

static void measurements(struct ctx *c)
{
	const struct pb_json *d = c->doc;
	const char *headers[] = { "commit", "runs", "median" };
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
	char chg[32];

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
		pb_md_value(&v, pb_json_key(e), a);
		pb_table_cell(t, v.data);
		pb_buf_reset(&v);
		pb_md_value(&v, pb_json_key(e), b);
		pb_table_cell(t, v.data);
		if (a > 0)
			pb_table_cell(t, pb_fmt_change(chg, sizeof(chg), b / a));
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
static void function_deltas(struct ctx *c)
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
static void fix_body(struct ctx *c, const struct pb_json *f)
{
	static const char *const arms[] = { "parent", "culprit", "culprit+fix", "parent+fix" };
	const char *h[] = { "build", "median", "vs parent", "instructions", "I1 misses", "hot lines",
			    "4 KiB pages", "max ways in a set" };
	const struct pb_json *e, *b, *fp;
	const char *backend = backend_option(pb_md_str(f, "backend", pb_md_str(c->doc, "backend", "?")));
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
	plot(c, "fix-l1i-sets", "Hot lines per L1i set, culprit vs culprit with the fix", pb_plot_fix_sets);
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
static void fix_section(struct ctx *c)
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
static void layouts_body(struct ctx *c, const struct pb_json *l)
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
		      pb_md_str(l, "benchmark", "?"), backend_option(pb_md_str(l, "backend", "?")),
		      pb_md_num(l, "n"), pb_md_num(l, "seed"));
	pb_buf_release(&cell);
}

/* bisect --layouts: its Layouts section, or why it could not be made. */
static void layouts_section(struct ctx *c)
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

/* `report` of a placebisect.fix/1 or placebisect.layouts/1 document. */
static void fix_report(struct ctx *c)
{
	c->metric = pb_md_str(c->doc, "metric", "value");
	pb_buf_printf(c->out, "# Layout fix: %s\n\n`%.10s` (parent) and `%.10s` (culprit), %s on %s.\n\n",
		      pb_md_str(c->doc, "benchmark", "?"), pb_md_str(c->doc, "parent", "?"),
		      pb_md_str(c->doc, "culprit", "?"), c->metric, pb_md_str(c->doc, "backend", "?"));
	fix_body(c, c->doc);
	pb_buf_puts(c->out, "---\n*Written by placebisect " PB_VERSION ".*\n");
}

static void layouts_report(struct ctx *c)
{
	c->metric = pb_md_str(c->doc, "metric", "value");
	pb_buf_printf(c->out, "# Layouts: %s\n\n`%.10s` (parent) and `%.10s` (culprit), %s on %s.\n\n",
		      pb_md_str(c->doc, "benchmark", "?"), pb_md_str(c->doc, "parent", "?"),
		      pb_md_str(c->doc, "culprit", "?"), c->metric, pb_md_str(c->doc, "backend", "?"));
	layouts_body(c, c->doc);
	pb_buf_puts(c->out, "---\n*Written by placebisect " PB_VERSION ".*\n");
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

/*
 * How to link the hot set in a fixed order with the linker that linked the culprit
 * (layout.bad.linker: lld, gold, mold or GNU ld), then the list it takes.
 */
static void ordering_advice(struct ctx *c)
{
	const char *linker = pb_md_str(c->doc, "layout.bad.linker", NULL);
	const struct pb_json *h;
	struct pb_buf *b = c->out;
	bool gold = linker && strcmp(linker, "gold") == 0, gnu = linker && strcmp(linker, "ld") == 0;

	if (linker && (strcmp(linker, "lld") == 0 || strcmp(linker, "mold") == 0))
		pb_buf_printf(b, "- Link the hot set in a fixed order: build with `-ffunction-sections` "
				 "and link with `-Wl,--symbol-ordering-file=hot.txt` (%s, the linker of "
				 "these builds), hot.txt being:\n\n```\n", linker);
	else if (gold)
		pb_buf_puts(b, "- Link the hot set in a fixed order: build with `-ffunction-sections` and "
			       "link with `-Wl,--section-ordering-file=hot.txt` (gold, the linker of these "
			       "builds), hot.txt listing their sections:\n\n```\n");
	else if (gnu)
		pb_buf_puts(b, "- Link the hot set in a fixed order: build with `-ffunction-sections`; GNU "
			       "ld (the linker of these builds) takes no ordering file, so put their "
			       "sections first in `.text` with a linker script (`ld --verbose` prints the "
			       "default one; add these lines at the start of its `.text` rule), or link "
			       "with lld (`-fuse-ld=lld -Wl,--symbol-ordering-file=FILE`):\n\n```\n");
	else
		pb_buf_puts(b, "- Link the hot set in a fixed order: build with `-ffunction-sections`, "
			       "then lld or mold: `-Wl,--symbol-ordering-file=FILE` (these names); gold: "
			       "`-Wl,--section-ordering-file=FILE` (their `.text.NAME` sections); GNU ld: "
			       "a linker script that puts those sections first in `.text`:\n\n```\n");
	for (h = pb_json_child(pb_json_path(c->doc, "layout.hot")); h; h = pb_json_next(h))
		pb_buf_printf(b, gnu ? "*(.text.%s)\n" : gold ? ".text.%s\n" : "%s\n",
			      pb_md_str(h, "name", "?"));
	pb_buf_puts(b, "```\n\n`placebisect order` writes such a file from the culprit's call graph (callers "
		       "beside their callees: `--format gold`, `lld`, `ld` for a GNU ld script fragment "
		       "linked with `-Wl,-T,FILE`, or `hot`), and `bisect --fix` (or `placebisect fix`) "
		       "rebuilds the culprit with it and measures what it recovers.\n\n");
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
			       "- Align functions (`-falign-functions=64`) to stop 32/64 B boundary effects.\n");
		ordering_advice(c);
		pb_buf_puts(b, "Then measure the culprit again (`placebisect measure --rev … "
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
		/* Only what is missing: build.binary is configured when the builds were compared. */
		pb_buf_puts(b, "Gather what the verdict lacks: measure with `--backend cachegrind` (exact "
			       "instruction counts and simulated I1 misses), ");
		if (!pb_md_str(c->doc, "binaries.culprit", NULL))
			pb_buf_puts(b, "configure `build.binary` so the builds can be compared, ");
		pb_buf_puts(b, "and name the hot functions in `layout.hot` or profile the bad build "
			       "(`placebisect profile`).\n\n");
	}
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* "- good: `a1b2c3d4e5` (git describe: `v1.0`)" per endpoint, then the compiler and flags of
 * their binaries: one line when both agree. */
static void toolchain(struct ctx *c)
{
	static const char *const side[2] = { "good", "bad" };
	const struct pb_json *t[2];
	const char *cc[2], *fl[2];
	bool same;
	int k;

	for (k = 0; k < 2; k++) {
		t[k] = pb_json_path(c->doc, k ? "toolchain.bad" : "toolchain.good");
		cc[k] = pb_md_str(t[k], "compiler", NULL);
		fl[k] = pb_md_str(t[k], "producer", NULL);
		if (!t[k])
			continue;
		pb_buf_printf(c->out, "- %s: `%.10s`", side[k], pb_md_str(c->doc, side[k], "?"));
		if (pb_md_str(t[k], "describe", NULL)) {
			pb_buf_puts(c->out, " (git describe: `");
			pb_md_text(c->out, pb_md_str(t[k], "describe", ""));
			pb_buf_puts(c->out, "`)");
		}
		pb_buf_putc(c->out, '\n');
	}
	same = t[0] && t[1] && same_str(cc[0], cc[1]) && same_str(fl[0], fl[1]);
	for (k = 0; k < (same ? 1 : 2); k++) {
		if (!cc[k] && !fl[k])
			continue;
		pb_buf_printf(c->out, "- compiler (%s): ", same ? "good and bad" : side[k]);
		pb_md_text(c->out, cc[k] ? cc[k] : "not recorded (no .comment section)");
		pb_buf_puts(c->out, "; flags: ");
		pb_md_text(c->out, fl[k] ? fl[k] : "not recorded (no DWARF: build with -g to see them)");
		pb_buf_putc(c->out, '\n');
	}
}

static void system_section(struct ctx *c)
{
	const struct pb_json *s = pb_json_get(c->doc, "system"), *e;

	pb_buf_printf(c->out, "## System\n\n- backend: %s, metric: %s\n", pb_md_str(c->doc, "backend", "?"),
		      c->metric);
	toolchain(c);
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
	pb_report_hot_code(c->doc, c->out);
	verdict(c);
	fix_section(c);
	layouts_section(c);
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
	else if (strcmp(schema, "placebisect.fix/1") == 0)
		fix_report(&c);
	else if (strcmp(schema, "placebisect.layouts/1") == 0)
		layouts_report(&c);
	else if (pb_md_other_report(doc, schema, &out) < 0)
		ret = pb_error_as(PB_EXIT_USAGE, "%s: not a placebisect result file (schema '%s'); a "
				  "report is written from the JSON of bisect, measure, compare, "
				  "layout diff, fix or layouts", name, schema);
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
