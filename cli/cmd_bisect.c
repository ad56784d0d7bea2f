/* cmd_bisect.c: `placebisect bisect` (and the one-liner): options in, pb_bisect_run, result out. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/fix.h"
#include "bisect/layouts.h"
#include "bisect/repo.h"
#include "bisect/session.h"
#include "cli/cli.h"
#include "core/proc.h"
#include "core/atomic.h"
#include "core/log.h"
#include "core/util.h"
#include "report/report.h"
#include "render/format.h"
#include "render/table.h"

static void print_summary(const struct pb_bisect_result *res, struct pb_buf *out)
{
	const struct pb_search_result *sr = &res->search;
	const char *headers[] = { "commit", "verdict", "runs", "median", "subject" };
	/* k-way: which round each step was built and measured in, and which job slot built it. */
	const char *kheaders[] = { "round", "slot", "commit", "verdict", "runs", "median", "subject" };
	const bool kway = res->jobs > 1;
	struct pb_table *t = kway ? pb_table_new(7, kheaders) : pb_table_new(5, headers);
	char v[48], w[48];
	const char *what = res->improvement ? "improvement" : "regression";
	size_t i;

	pb_table_align_right(t, kway ? 4 : 2);
	pb_table_align_right(t, kway ? 5 : 3);
	for (i = 0; i < sr->n_steps; i++) {
		const struct pb_search_step *st = &sr->steps[i];

		if (kway) {
			pb_table_cellf(t, "%d", st->round);
			if (res->commits[st->index].build_slot)
				pb_table_cellf(t, "%d", res->commits[st->index].build_slot);
			else
				pb_table_cell(t, "-");
		}
		pb_table_cellf(t, "%.7s", res->commits[st->index].info.id);
		if (st->restart)
			pb_table_cellf(t, "%s (restart %d)", pb_step_verdict_name(st->verdict), st->restart);
		else
			pb_table_cell(t, pb_step_verdict_name(st->verdict));
		pb_table_cellf(t, "%zu", st->runs);
		pb_table_cell(t, pb_fmt_metric(v, sizeof(v), st->median, res->metric));
		pb_table_cell(t, res->commits[st->index].info.subject);
	}
	/* Without a regression between the ends nothing was bisected: the first line says so. */
	if (sr->status == PB_SEARCH_NOT_REPRODUCED)
		pb_buf_printf(out, "Nothing bisected: measured %.7s (%s) and %.7s (%s), %zu %s "
			      "apart, benchmark %s, metric %s, backend %s.\n\n", res->good,
			      res->improvement ? "old, slow" : "good", res->bad,
			      res->improvement ? "new, fast" : "bad",
			      res->n_commits - 1, pb_plural(res->n_commits - 1, "commit", "commits"),
			      res->benchmark, res->metric, res->backend);
	else
		pb_buf_printf(out, "Bisected %zu %s between %.7s (%s) and %.7s (%s)%s, benchmark %s, "
			      "metric %s, backend %s.\n\n", res->n_commits - 1,
			      pb_plural(res->n_commits - 1, "commit", "commits"), res->good,
			      res->improvement ? "old, slow" : "good", res->bad,
			      res->improvement ? "new, fast" : "bad",
			      res->improvement ? " for an improvement" : "", res->benchmark, res->metric,
			      res->backend);
	pb_table_render_text(t, out);
	pb_table_free(t);
	pb_buf_putc(out, '\n');
	if (res->contention.contended)
		pb_buf_printf(out, "Contention: other work took %.2f CPUs (median; up to %.2f), steal %.1f%%, "
			      "wall/cpu %.2f during the runs; comparisons were interleaved and confirmed "
			      "on fresh runs. Firmer: %s.\n\n", res->contention.other_cpus,
			      res->contention.max_other_cpus, res->contention.steal_pct,
			      res->contention.wall_over_cpu, pb_contention_remedies(res->metric));
	if (sr->restarts)
		pb_buf_printf(out, "The bisection started over %d %s: fresh interleaved runs did not "
			      "confirm the culprit it first named (rows marked \"restart\").\n\n",
			      sr->restarts, pb_plural((size_t)sr->restarts, "time", "times"));
	switch (sr->status) {
	case PB_SEARCH_UNCONFIRMED:
		pb_buf_printf(out, "No culprit can be named: %s.\nCandidates (not confirmed):\n", sr->why);
		for (i = 0; i < sr->n_culprits; i++) {
			const struct pb_culprit *c = &sr->culprits[i];

			pb_buf_printf(out, "  %s %s: %+.1f%% against its parent (95%% CI %+.1f%% to %+.1f%%, "
				      "%zu fresh blocks), verdict %s\n", res->commits[c->index].info.id,
				      res->commits[c->index].info.subject, (c->effect.ratio - 1) * 100,
				      (c->effect.ci95[0] - 1) * 100, (c->effect.ci95[1] - 1) * 100,
				      c->blocks, pb_verdict_name(c->effect.verdict));
		}
		break;
	case PB_SEARCH_FOUND:
		for (i = 0; i < sr->n_culprits; i++) {
			const struct pb_culprit *c = &sr->culprits[i];
			const struct pb_commit_info *ci = &res->commits[c->index].info;

			pb_buf_printf(out, "%s %s %s\n  %s, %s\n",
				      i ? (res->improvement ? "Further improving commit:" : "Further culprit:") :
				      (res->improvement ? "First improving commit:" : "First bad commit:"),
				      ci->id, ci->subject, ci->author, ci->date);
			/* An exact backend that did not repeat was judged with statistics, even where a
			 * few values in two modes left the interval a point. */
			if (c->effect.ci95[0] == c->effect.ci95[1] && (!res->repeat_checked || sr->exact))
				pb_buf_printf(out, "  %+.1f%% against its parent (exact: %s -> %s), %.0f%% "
					      "of the whole %s\n", (c->effect.ratio - 1) * 100,
					      pb_fmt_exact(v, sizeof(v), pb_stats_median(sr->values[c->index - 1],
							   sr->n_values[c->index - 1])),
					      pb_fmt_exact(w, sizeof(w), pb_stats_median(sr->values[c->index],
							   sr->n_values[c->index])),
					      c->explained_fraction * 100, what);
			else
				pb_buf_printf(out, "  %+.1f%% against its parent (95%% CI %+.1f%% to %+.1f%%, "
					      "p = %.2g, %zu fresh interleaved blocks), %.0f%% of the whole "
					      "%s (95%% CI %.0f%% to %.0f%%)\n",
					      (c->effect.ratio - 1) * 100, (c->effect.ci95[0] - 1) * 100,
					      (c->effect.ci95[1] - 1) * 100, c->effect.p_value, c->blocks,
					      c->explained_fraction * 100, what,
					      c->explained_ci95[0] * 100,
					      c->explained_ci95[1] * 100);
			if (c->effect.verdict != (res->improvement ? PB_VERDICT_FASTER : PB_VERDICT_SLOWER))
				pb_buf_printf(out, "  (not confirmed: the larger sample says %s)\n",
					      pb_verdict_name(c->effect.verdict));
			if (res->commits[c->index].merged_range)
				pb_buf_printf(out, "  It is a merge: the change came with the %zu %s it "
					      "merged, %s\n", res->commits[c->index].merged_commits,
					      pb_plural(res->commits[c->index].merged_commits, "commit",
							"commits"),
					      res->commits[c->index].merged_range);
		}
		break;
	case PB_SEARCH_NOT_REPRODUCED:
		pb_buf_printf(out, "%s not reproduced: %s is %+.1f%% against %s (95%% CI %+.1f%% "
			      "to %+.1f%%, p = %.2g), verdict %s; nothing to bisect.\n",
			      res->improvement ? "Improvement" : "Regression", res->improvement ? "new" : "bad",
			      (sr->endpoints.ratio - 1) * 100, res->improvement ? "old" : "good",
			      (sr->endpoints.ci95[0] - 1) * 100,
			      (sr->endpoints.ci95[1] - 1) * 100, sr->endpoints.p_value,
			      pb_verdict_name(sr->endpoints.verdict));
		break;
	case PB_SEARCH_UNSTABLE:
		pb_buf_printf(out, "unstable: %s; the good and bad runs have no steady level to compare, "
			      "so no commit is judged. Make the runs independent of each other (state a "
			      "run leaves behind, warm-up, heat) or use --metric cpu or --backend "
			      "cachegrind; the runs are kept.\n", sr->why);
		break;
	case PB_SEARCH_ONLY_SKIPPED:
		pb_buf_printf(out, "Only skipped commits left: the first %s commit is one of\n",
			      res->improvement ? "improving" : "bad");
		for (i = 0; i < sr->n_candidates; i++)
			pb_buf_printf(out, "  %s %s\n", res->commits[sr->candidates[i]].info.id,
				      res->commits[sr->candidates[i]].info.subject);
		break;
	}
	if (res->fix) {
		char *fix = pb_fix_sentence(res->fix);

		pb_buf_printf(out, "\nFix (--fix): %s; ordering %s\n", fix, res->fix->order_file);
		free(fix);
	} else if (res->fix_error) {
		pb_buf_printf(out, "\nFix (--fix): not measured: %s\n", res->fix_error);
	}
	if (res->layouts) {
		char *l = pb_layouts_sentence(res->layouts);

		pb_buf_printf(out, "\nLayouts (--layouts): %s\n", l);
		free(l);
	} else if (res->layouts_error) {
		pb_buf_printf(out, "\nLayouts (--layouts): not measured: %s\n", res->layouts_error);
	}
	pb_buf_printf(out, "\n%d %s (%d cached), %zu %s (%zu measured now).\n", res->builds,
		      pb_plural((size_t)res->builds, "build", "builds"), res->builds_cached,
		      sr->runs_total, pb_plural(sr->runs_total, "run", "runs"), res->runs_measured);
	if (kway)
		pb_buf_printf(out, "%d bisection %s of up to %zu commits built at once (--jobs %zu)%s.\n",
			      sr->rounds, pb_plural((size_t)sr->rounds, "round", "rounds"), res->jobs,
			      res->jobs, sr->runs_dropped ? "; runs a round took that no step needed are "
			      "not counted above" : "");
	/* The answer last, where the eye lands. */
	if (sr->status == PB_SEARCH_FOUND && res->attribution.done)
		pb_buf_printf(out, "Attribution: %s — %s\n", pb_attr_name(res->attribution.verdict.verdict),
			      res->attribution.verdict.n_reasons ? res->attribution.verdict.reasons[0] :
								   "no reason recorded");
	else if (sr->status == PB_SEARCH_UNCONFIRMED)
		pb_buf_printf(out, "Attribution: inconclusive — no confirmed culprit (%s)\n", sr->why);
	else if (sr->status == PB_SEARCH_NOT_REPRODUCED)
		pb_buf_printf(out, "Attribution: inconclusive — the %s did not reproduce between %s\n", what,
			      res->improvement ? "old and new" : "good and bad");
	else if (sr->status == PB_SEARCH_UNSTABLE)
		pb_buf_puts(out, "Attribution: inconclusive — the benchmark is unstable\n");
	else if (sr->status == PB_SEARCH_ONLY_SKIPPED)
		pb_buf_puts(out, "Attribution: inconclusive — the first bad commit is among commits that "
				 "could not be built or decided\n");
	else
		pb_buf_puts(out, "Attribution: inconclusive — the culprit could not be explained\n");
}

/* The markdown report of the result document, in a directory created if needed. */
static int write_report(const struct pb_buf *doc, const char *path)
{
	struct pb_json *root;
	int ret;

	if (pb_json_parse(&root, doc->data, doc->len, "the bisect result"))
		return -1;
	ret = pb_report_write(root, "the bisect result", path);
	pb_json_free(root);
	if (ret == 0 && !cli.quiet)
		fprintf(stderr, "placebisect: wrote the report %s\n", path);
	return ret;
}

int cmd_bisect(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("bisect");
	const char *report = NULL;
	bool resume = false, first_parent = false;
	long warmups = -1, jobs = 0, layouts = 0, layout_seed = PB_LAYOUTS_SEED;
	struct pb_bisect_opts o = { .alpha = -1, .min_effect = -1 };
	struct pb_bisect_result res = { 0 };
	const struct cli_opt opts[] = {
		CLI_OPTS_GOOD_BAD(&o, "a revision where the benchmark is fast",
				  "a later revision where it is slow"),
		{ "old", 0, CLI_STRING, &o.good, "REV", "the same as --good (git's term: the older revision)", 0, 0 },
		{ "new", 0, CLI_STRING, &o.bad, "REV", "the same as --bad (the newer revision)", 0, 0 },
		{ "improvement", 0, CLI_FLAG, &o.improvement, NULL, "find the commit that made it faster: --good/--old is the slow, older revision, --bad/--new the fast one", 0, 0 },
		{ "runs", 0, CLI_INT, &o.runs, "N", "recorded runs per measurement, overriding benchmarks.NAME.runs", 1, 100000 },
		{ "warmups", 0, CLI_INT, &warmups, "N", "unrecorded runs before a commit's first, overriding benchmarks.NAME.warmups", 0, 10000 },
		{ "max-runs", 0, CLI_INT, &o.max_runs, "N", "runs per commit before a step is left undecided (default: stats.max_runs)", 1, 100000 },
		{ "report", 0, CLI_STRING, &report, "FILE.md", "write the markdown report there, its SVG plots beside it", 0, 0 },
		{ "resume", 0, CLI_FLAG, &resume, NULL, NULL, 0, 0 }, /* compatibility: resuming is automatic */
		{ "verify-placement", 0, CLI_FLAG, &o.verify_placement, NULL, "rebuild culprit and parent with build.layout_variants and measure them", 0, 0 },
		{ "fix", 0, CLI_FLAG, &o.fix, NULL, "rebuild the culprit (and parent) with a function order from its call graph (build.fix) and measure what it recovers", 0, 0 },
		{ "layouts", 0, CLI_INT, &layouts, "N", "build and measure parent and culprit under N random layouts (build.fix); they decide the attribution", 1, 1000 },
		{ "layout-seed", 0, CLI_INT, &layout_seed, "S", "the first random layout's seed (default 1; layout k: S + k)", 0, 1000000000 },
		{ "reset", 0, CLI_FLAG, &o.reset, NULL, "forget the interrupted bisect's journal (cached builds and measurements stay)", 0, 0 },
		{ "remeasure", 0, CLI_FLAG, &o.remeasure, NULL, "drop this benchmark's cached measurements (this backend, metric and config) and the journal; builds stay", 0, 0 },
		CLI_OPT_REBUILD_FAILED(&o.rebuild_failed),
		{ "jobs", 'j', CLI_INT, &jobs, "K", "k-way bisection: build K commits at once, each in its own worktree, and judge them per round (default: executor.jobs, 1)", 1, 64 },
		{ "first-parent", 0, CLI_FLAG, &first_parent, NULL, NULL, 0, 0 }, /* compatibility: the only mode */
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct cli_run run;
	int ret = cli_parse_good_bad(cmd, "bisect", opts, argc, argv, &o.good, &o.bad, &o.bench);

	if (ret)
		return ret < 0 ? -1 : 0;
	(void)resume;
	(void)first_parent;
	o.jobs = (size_t)jobs;
	o.warmups_set = warmups >= 0;
	o.layouts = (size_t)layouts;
	o.layout_seed = (uint64_t)layout_seed;
	o.warmups = warmups;
	if (o.improvement && o.verify_placement)
		return pb_error("bisect: --verify-placement checks a slowdown; it cannot be combined "
				"with --improvement (run it without --verify-placement)");

	ret = -1;
	if (cli_run_start(&run, &o.progress, &o.stop))
		goto out;
	if (pb_bisect_run(run.repo, &run.cfg, &o, &res)) {
		if (pb_error_exit_code() == PB_EXIT_INTERRUPTED)
			pb_error_wrap("stopped; what was measured is kept, run the same command again to "
				      "resume: ");
		goto out;
	}
	pb_bisect_write_json(&res, cli_run_json(&run));
	print_summary(&res, &run.table);
	/* Said on stderr too, where --json and -q still leave it visible with exit 4. */
	if (res.search.status == PB_SEARCH_UNSTABLE)
		pb_warn("unstable: %s; no commit was judged (exit 4), the runs are kept", res.search.why);
	if (cli_run_emit(&run) || (report && write_report(&run.doc, report)))
		ret = -1;
	else
		ret = pb_bisect_exit_code(&res);
out:
	cli_run_release(&run);
	pb_bisect_result_release(&res);
	return ret;
}
