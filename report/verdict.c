/* verdict.c: the bisect report's findings: headline, summary, the verdict with its placement check, and what to try. */
#include "report/sections.h"

#include <math.h>
#include <string.h>

#include "render/format.h"
#include "render/table.h"
#include "report/markdown.h"
#include "report/plots.h"

static const char *verdict_of(const struct pb_json *doc)
{
	return pb_md_str(doc, "attribution.verdict", NULL);
}

void pb_md_headline(struct pb_md_ctx *c)
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
static void item(struct pb_md_ctx *c, const char *name)
{
	pb_buf_printf(c->out, "- **%s**: ", name);
}

/* An exact backend (`repeat` in the result): judged exactly, or with statistics because an
 * endpoint's two runs differed (the values and the spread). */
static void judged(struct pb_md_ctx *c)
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

void pb_md_summary(struct pb_md_ctx *c)
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
	pb_md_plot(c, "timeline", "Bisection timeline: median per commit with 95% CI, culprit marked",
	     pb_plot_timeline);
}

/* The table of layout variants (bisect --verify-placement). */
static void placement_check(struct pb_md_ctx *c)
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

void pb_md_verdict(struct pb_md_ctx *c)
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
static void ordering_advice(struct pb_md_ctx *c)
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

void pb_md_what_to_try(struct pb_md_ctx *c)
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
