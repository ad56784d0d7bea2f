/* steps.c: how the bisect report's result was found: how to reproduce it, the steps, the measurements and counters, the toolchain and the system. */
#include "report/sections.h"

#include <math.h>
#include <string.h>

#include "render/format.h"
#include "render/table.h"
#include "report/markdown.h"
#include "report/plots.h"

void pb_md_reproduce(struct pb_md_ctx *c)
{
	const struct pb_json *d = c->doc;
	const char *backend = pb_md_backend_option(pb_md_str(d, "backend", "?"));
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
static void where(struct pb_md_ctx *c)
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

void pb_md_bisection(struct pb_md_ctx *c)
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

void pb_md_measurements(struct pb_md_ctx *c)
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
	pb_md_plot(c, "distributions", "Every run of the good and the bad commit", pb_plot_distributions);
}

void pb_md_counters(struct pb_md_ctx *c)
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

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* "- good: `a1b2c3d4e5` (git describe: `v1.0`)" per endpoint, then the compiler and flags of
 * their binaries: one line when both agree. */
static void toolchain(struct pb_md_ctx *c)
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

void pb_md_system(struct pb_md_ctx *c)
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
