/* cmd_compare.c: `placebisect compare A.json B.json`: read two measurements, compare, print or write the result. */
#include <math.h>
#include <stdlib.h>

#include "bisect/compare_revs.h"
#include "bisect/repo.h"
#include "cli/cli.h"
#include "core/proc.h"
#include "measure/compare.h"
#include "measure/export.h"
#include "measure/harness.h"
#include "measure/result.h"

/* DESIGN.md's defaults when no configuration says otherwise (core/config.c fills the same). */
#define DEFAULT_ALPHA 0.01
#define DEFAULT_MIN_EFFECT 0.02

int cmd_compare(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("compare");
	double alpha = NAN, min_effect = NAN;
	bool fail_on_regression = false;
	struct pb_harness_opts ho = { NULL, NULL };
	struct cli_list revs = { NULL, 0, 0 };
	/* With --rev: what the two revisions' measurement takes (the bisect's own options). */
	struct pb_bisect_opts ro = { .alpha = -1, .min_effect = -1 };
	long runs = 0;
	const char *export_csv = NULL, *export_md = NULL;
	const struct cli_opt opts[] = {
		{ "rev", 0, CLI_LIST, &revs, "REV",
		  "twice: build both revisions and measure them now, interleaved (the safe way on a shared machine)", 0, 0 },
		CLI_OPT_BENCH(&ro),
		{ "runs", 0, CLI_INT, &runs, "N", "with --rev: runs of each (default: the benchmark's runs)", 1, 100000 },
		CLI_OPTS_MEASURE(&ro),
		{ "alpha", 0, CLI_DOUBLE, &alpha, "X",
		  "significance level (default: stats.alpha from the config, else 0.01)", 0, 0.5 },
		{ "min-effect", 0, CLI_DOUBLE, &min_effect, "X",
		  "smallest relative change that matters, 0.02 = 2% (default: stats.min_effect, else 0.02)",
		  0, 0.99 },
		{ "fail-on-regression", 0, CLI_FLAG, &fail_on_regression, NULL,
		  "exit 1 when B is slower than A", 0, 0 },
		{ "select", 0, CLI_STRING, &ho.select, "NAME",
		  "the benchmark inside a pyperf, hyperfine or Google Benchmark file (one with several)",
		  0, 0 },
		{ "time", 0, CLI_STRING, &ho.time, "FIELD",
		  "Google Benchmark files: real_time (default) or cpu_time", 0, 0 },
		CLI_OPTS_EXPORT(&export_csv, &export_md),
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_measurement a, b;
	struct pb_compare c = { 0 };
	struct pb_config cfg;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_jsonw w;
	struct pb_repo *repo = NULL;
	struct pb_progress progress;
	char **pos = NULL, *name_a = NULL, *name_b = NULL;
	size_t npos = 0;
	int ret, rc_revs;

	pb_measurement_init(&a);
	pb_measurement_init(&b);
	pb_config_init(&cfg);
	ret = cli_parse(cmd, opts, argc, argv, &pos, NULL);
	if (ret) {
		ret = ret < 0 ? -1 : 0;
		goto out;
	}
	while (pos[npos])
		npos++;
	if (revs.n && (revs.n != 2 || npos || !ro.bench)) {
		ret = pb_error("compare: --rev takes two revisions (--rev A --rev B) and --bench NAME, and "
			       "no measurement files (see 'placebisect compare --help')");
		goto out;
	}
	if (!revs.n && npos != 2) {
		ret = pb_error("compare: expected two measurement files (A.json B.json), got %zu "
			       "(see 'placebisect compare --help')", npos);
		goto out;
	}
	if (alpha == 0) {
		ret = pb_error("compare: --alpha must be above 0");
		goto out;
	}
	if (isnan(alpha) || isnan(min_effect) || revs.n) {
		if (cli_load_config(&cfg, revs.n > 0, NULL)) {
			ret = -1;
			goto out;
		}
		if (isnan(alpha))
			alpha = cfg.stats.alpha > 0 ? cfg.stats.alpha : DEFAULT_ALPHA;
		if (isnan(min_effect))
			min_effect = cfg.stats.min_effect >= 0 ? cfg.stats.min_effect : DEFAULT_MIN_EFFECT;
	}
	ret = -1;
	/* Two revisions measured now, interleaved; else two files, each a placebisect measurement or
	 * another harness's result file. */
	if (revs.n) {
		const struct pb_bench *bm = pb_config_bench(&cfg, ro.bench);

		if (!bm || pb_repo_open(&repo, cli.repo ? cli.repo : "."))
			goto out;
		pb_progress_init(&progress, cli.quiet ? NULL : stderr);
		ro.good = revs.items[0];
		ro.bad = revs.items[1];
		ro.alpha = alpha;
		ro.min_effect = min_effect;
		ro.progress = &progress;
		ro.stop = &cli_stop;
		cli_signals_catch();
		rc_revs = pb_compare_revs(repo, &cfg, &ro, runs > 0 ? (size_t)runs : (size_t)bm->runs, &a, &b);
		cli_signals_restore();
		if (rc_revs)
			goto out;
		name_a = pb_xasprintf("A (%s)", revs.items[0]);
		name_b = pb_xasprintf("B (%s)", revs.items[1]);
	} else if (pb_harness_read_file(&a, pos[0], &ho) || pb_harness_read_file(&b, pos[1], &ho)) {
		goto out;
	}
	if (pb_compare_measurements(&c, &a, name_a ? name_a : pos[0], &b, name_b ? name_b : pos[1],
				    alpha, min_effect))
		goto out;
	pb_jsonw_init(&w, &doc, false);
	pb_compare_write(&c, &w);
	pb_jsonw_finish(&w);
	pb_compare_format(&c, &table);
	if (cli_emit(&doc, &table))
		goto out;
	if (export_csv || export_md) {
		const struct pb_export_target t[2] = { { name_a ? name_a : pos[0], &a },
						       { name_b ? name_b : pos[1], &b } };

		if (cli_export(export_csv, export_md, t, 2, &c))
			goto out;
	}
	ret = fail_on_regression && c.stats.verdict == PB_VERDICT_SLOWER ? PB_EXIT_REGRESSION
									  : PB_EXIT_OK;
out:
	pb_compare_release(&c);
	pb_measurement_release(&a);
	pb_measurement_release(&b);
	pb_config_release(&cfg);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	free(pos);
	free(revs.items);
	free(name_a);
	free(name_b);
	pb_repo_free(repo);
	return ret;
}
