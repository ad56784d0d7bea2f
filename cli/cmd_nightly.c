/* cmd_nightly.c: `placebisect nightly`: options in, pb_nightly_run, the result, the summary and the exit code out. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "nightly/nightly.h"
#include "nightly/site.h"
#include "bisect/repo.h"
#include "cli/cli.h"
#include "core/atomic.h"
#include "core/log.h"
#include "core/proc.h"

int cmd_nightly(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("nightly");
	struct pb_nightly_opts o = { .alpha = -1, .min_effect = -1, .wait = PB_NIGHTLY_WAIT };
	const char *summary = NULL, *html = NULL;
	long window = 0, every = 0;
	const struct cli_opt opts[] = {
		CLI_OPT_BENCH(&o),
		{ "history", 0, CLI_STRING, &o.history, "DIR", "the history directory (created when missing)", 0, 0 },
		{ "rev", 0, CLI_STRING, &o.rev, "REV", "the revision to measure (default HEAD)", 0, 0 },
		{ "html", 0, CLI_STRING, &html, "DIR", "then write the history as a static site into DIR (as 'history show --html DIR')", 0, 0 },
		{ "summary", 0, CLI_STRING, &summary, "FILE", "append a markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)", 0, 0 },
		{ "machine", 0, CLI_STRING, &o.machine, "ID", "the machine's name in the history (default: the host name; give a stable one on CI runners)", 0, 0 },
		{ "backfill", 0, CLI_STRING, &o.backfill, "A..B", "seed the history with the commits of A..B instead (found changes are recorded, not alerted)", 0, 0 },
		{ "every", 0, CLI_INT, &every, "N", "with --backfill: every Nth commit, counted back from B (default 1)", 1, 1e6 },
		{ "window", 0, CLI_INT, &window, "N", "E-Divisive window in points (default 50)", 2, 1e6 },
		{ "max-pvalue", 0, CLI_DOUBLE, &o.max_pvalue, "P", "E-Divisive significance (default 0.001)", 1e-12, 1 },
		CLI_OPTS_STATS(&o),
		{ "max-runs", 0, CLI_INT, &o.max_runs, "N", "runs per commit in the bisect (default: stats.max_runs)", 1, 100000 },
		CLI_OPTS_MEASURE(&o),
		{ "wait", 0, CLI_DOUBLE, &o.wait, "SECONDS", "wait this long for another nightly holding the history (default 60)", 0, 1e6 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct cli_run run;
	struct pb_nightly_result res = { 0 };
	struct pb_site_result site = { 0 };
	struct pb_cp_opts cp;
	struct pb_buf md = PB_BUF_INIT;
	int ret = cli_parse_named(cmd, "nightly", opts, argc, argv);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (!o.bench || !o.history)
		ret = pb_error("nightly: --bench and --history are required (see 'placebisect nightly --help')");
	else if (o.backfill && o.rev)
		ret = pb_error("nightly: give --rev or --backfill, not both");
	else if (every && !o.backfill)
		ret = pb_error("nightly: --every goes with --backfill A..B");
	if (ret)
		return ret;
	o.window = (size_t)window;
	o.every = every;

	ret = -1;
	if (cli_run_start(&run, &o.progress, &o.stop))
		goto out;
	if (pb_nightly_run(run.repo, &run.cfg, &o, &res)) {
		if (pb_error_exit_code() == PB_EXIT_INTERRUPTED)
			pb_error_wrap("stopped; nothing was alerted, run the same command again: ");
		goto out;
	}
	pb_nightly_write_json(&res, cli_run_json(&run));
	pb_nightly_format(&res, &run.table);
	if (summary) {
		pb_nightly_summary(&res, summary, &md);
		if (pb_append_sync(summary, md.data, md.len)) {
			ret = -1;
			goto out;
		}
	}
	if (html) {
		/* The change points as the nightly found them. */
		cp.window = o.window ? o.window : PB_CP_WINDOW;
		cp.max_pvalue = o.max_pvalue > 0 ? o.max_pvalue : PB_CP_MAX_PVALUE;
		cp.min_magnitude = o.min_effect >= 0 ? o.min_effect : run.cfg.stats.min_effect;
		/* A site that cannot be written costs the site, never the alert's exit code. */
		if (pb_site_write_history(o.history, html, &cp, &site) == 0) {
			pb_buf_putc(&run.table, '\n');
			pb_site_format(&site, &run.table);
		} else {
			pb_warn("the history site was not written into %s: %s", html, pb_error_message());
			pb_error_clear();
		}
	}
	ret = cli_run_emit(&run) ? -1 : pb_nightly_exit_code(&res);
out:
	cli_run_release(&run);
	pb_nightly_result_release(&res);
	pb_site_result_release(&site);
	pb_buf_release(&md);
	return ret;
}
