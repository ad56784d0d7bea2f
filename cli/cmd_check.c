/* cmd_check.c: `placebisect check`, a `git bisect run` predicate: exit 0 good, 1 bad, 125 skip. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/repo.h"
#include "bisect/check.h"
#include "cli/cli.h"
#include "core/proc.h"
#include "core/util.h"
#include "render/format.h"

int cmd_check(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("check");
	struct pb_check_opts o = { .alpha = -1, .min_effect = -1 };
	struct pb_check_result res = { 0 };
	const struct cli_opt opts[] = {
		{ "rev", 0, CLI_STRING, &o.rev, "REV", "the revision to judge (default: HEAD, as git bisect checks it out)", 0, 0 },
		CLI_OPT_BENCH(&o),
		{ "baseline", 0, CLI_STRING, &o.baseline, "FILE", "a bisect result (good and bad samples) or a measurement of good", 0, 0 },
		CLI_OPTS_MEASURE(&o),
		{ "improvement", 0, CLI_FLAG, &o.improvement, NULL, "with a measurement baseline: bad means faster than it by min_effect (a bisect --improvement result needs no flag)", 0, 0 },
		CLI_OPT_REBUILD_FAILED(&o.rebuild_failed),
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct cli_run run;
	char med[48];
	int ret = cli_parse_named(cmd, "check", opts, argc, argv);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (!o.bench || !o.baseline)
		return pb_error("check: --bench and --baseline are required (see 'placebisect check "
				"--help')");
	if (!o.rev)
		o.rev = "HEAD";
	ret = -1;
	if (cli_run_start(&run, NULL, &o.stop))
		goto out;
	if (pb_check_run(run.repo, &run.cfg, &o, &res))
		goto out;
	pb_check_write_json(&res, cli_run_json(&run));
	if (res.verdict == PB_CHECK_CANNOT)
		pb_buf_printf(&run.table, "%.7s %s: skip (%s)\n", res.commit, res.subject, res.reason);
	else
		pb_buf_printf(&run.table, "%.7s %s: %s (median %s over %zu %s)\n", res.commit,
			      res.subject, res.verdict == PB_CHECK_BAD ? "bad" : "good",
			      pb_fmt_metric(med, sizeof(med), res.median, res.metric),
			      res.runs, pb_plural(res.runs, "run", "runs"));
	ret = cli_run_emit(&run) ? -1 : (int)res.verdict;
out:
	cli_run_release(&run);
	pb_check_result_release(&res);
	return ret;
}
