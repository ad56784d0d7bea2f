/* cmd_nightly.c: `placebisect nightly`: options in, pb_nightly_run, the result, the summary and the exit code out. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "nightly/nightly.h"
#include "bisect/repo.h"
#include "cli/cli.h"
#include "core/atomic.h"
#include "core/proc.h"

int cmd_nightly(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("nightly");
	struct pb_nightly_opts o = { .alpha = -1, .min_effect = -1, .wait = PB_NIGHTLY_WAIT };
	const char *summary = NULL;
	long window = 0, every = 0, max_runs = 0;
	const struct cli_opt opts[] = {
		{ "bench", 0, CLI_STRING, &o.bench, "NAME", "the benchmark (benchmarks.NAME in the config)", 0, 0 },
		{ "history", 0, CLI_STRING, &o.history, "DIR", "the history directory (created when missing)", 0, 0 },
		{ "rev", 0, CLI_STRING, &o.rev, "REV", "the revision to measure (default HEAD)", 0, 0 },
		{ "summary", 0, CLI_STRING, &summary, "FILE", "append a markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)", 0, 0 },
		{ "machine", 0, CLI_STRING, &o.machine, "ID", "the machine's name in the history (default: the host name; give a stable one on CI runners)", 0, 0 },
		{ "backfill", 0, CLI_STRING, &o.backfill, "A..B", "seed the history with the commits of A..B instead (found changes are recorded, not alerted)", 0, 0 },
		{ "every", 0, CLI_INT, &every, "N", "with --backfill: every Nth commit, counted back from B (default 1)", 1, 1e6 },
		{ "window", 0, CLI_INT, &window, "N", "E-Divisive window in points (default 50)", 2, 1e6 },
		{ "max-pvalue", 0, CLI_DOUBLE, &o.max_pvalue, "P", "E-Divisive significance (default 0.001)", 1e-12, 1 },
		{ "alpha", 0, CLI_DOUBLE, &o.alpha, "P", "significance of the two-sample verdict (default: stats.alpha)", 1e-9, 0.5 },
		{ "min-effect", 0, CLI_DOUBLE, &o.min_effect, "F", "smallest relative slowdown that counts (default: stats.min_effect)", 0, 0.99 },
		{ "max-runs", 0, CLI_INT, &max_runs, "N", "runs per commit in the bisect (default: stats.max_runs)", 1, 100000 },
		{ "backend", 0, CLI_STRING, &o.backend, "B", "auto, perf, cachegrind or time (default: measure.backend)", 0, 0 },
		{ "metric", 0, CLI_STRING, &o.metric, "M", "the metric (default: the benchmark's)", 0, 0 },
		{ "cpus", 0, CLI_STRING, &o.cpus, "LIST", "CPUs to pin the benchmark to (default: measure.cpus)", 0, 0 },
		{ "wait", 0, CLI_DOUBLE, &o.wait, "SECONDS", "wait this long for another nightly holding the history (default 60)", 0, 1e6 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_nightly_result res;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT, md = PB_BUF_INIT;
	struct pb_progress progress;
	struct pb_repo *repo = NULL;
	struct pb_config cfg;
	struct pb_jsonw w;
	char **pos = NULL;
	int ret = cli_parse(cmd, opts, argc, argv, &pos, NULL);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (pos[0])
		ret = pb_error("nightly: unexpected argument '%s'", pos[0]);
	else if (!o.bench || !o.history)
		ret = pb_error("nightly: --bench and --history are required (see 'placebisect nightly --help')");
	else if (o.backfill && o.rev)
		ret = pb_error("nightly: give --rev or --backfill, not both");
	else if (every && !o.backfill)
		ret = pb_error("nightly: --every goes with --backfill A..B");
	free(pos);
	if (ret)
		return ret;
	o.window = (size_t)window;
	o.every = every;
	o.max_runs = max_runs;

	pb_config_init(&cfg);
	memset(&res, 0, sizeof(res));
	if (cli_load_config(&cfg, true, NULL) || pb_repo_open(&repo, cli.repo ? cli.repo : ".")) {
		ret = -1;
		goto out;
	}
	pb_progress_init(&progress, cli.quiet ? NULL : stderr);
	o.progress = &progress;
	o.stop = &cli_stop;
	cli_signals_catch();
	if (pb_nightly_run(repo, &cfg, &o, &res)) {
		if (pb_error_exit_code() == PB_EXIT_INTERRUPTED)
			pb_error_wrap("stopped; nothing was alerted, run the same command again: ");
		ret = -1;
		goto out;
	}
	pb_jsonw_init(&w, &doc, false);
	pb_nightly_write_json(&res, &w);
	pb_jsonw_finish(&w);
	pb_nightly_format(&res, &table);
	if (summary) {
		pb_nightly_summary(&res, &md);
		if (pb_append_sync(summary, md.data, md.len)) {
			ret = -1;
			goto out;
		}
	}
	ret = cli_emit(&doc, &table) ? -1 : pb_nightly_exit_code(&res);
out:
	cli_signals_restore();
	pb_nightly_result_release(&res);
	pb_repo_free(repo);
	pb_config_release(&cfg);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	pb_buf_release(&md);
	return ret;
}
