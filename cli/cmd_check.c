/* cmd_check.c: `placebisect check`, a `git bisect run` predicate: exit 0 good, 1 bad, 125 skip. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/repo.h"
#include "bisect/check.h"
#include "cli/cli.h"
#include "core/proc.h"

int cmd_check(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("check");
	struct pb_check_opts o = { .alpha = -1, .min_effect = -1 };
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_check_result res;
	struct pb_repo *repo = NULL;
	struct pb_config cfg;
	struct pb_jsonw w;
	char **pos = NULL;
	const struct cli_opt opts[] = {
		{ "rev", 0, CLI_STRING, &o.rev, "REV", "the revision to judge (default: HEAD, as git bisect checks it out)", 0, 0 },
		{ "bench", 0, CLI_STRING, &o.bench, "NAME", "the benchmark (benchmarks.NAME in the config)", 0, 0 },
		{ "baseline", 0, CLI_STRING, &o.baseline, "FILE", "a bisect result (good and bad samples) or a measurement of good", 0, 0 },
		{ "backend", 0, CLI_STRING, &o.backend, "B", "auto, perf, cachegrind or time", 0, 0 },
		{ "metric", 0, CLI_STRING, &o.metric, "M", "the metric (default: the benchmark's)", 0, 0 },
		{ "cpus", 0, CLI_STRING, &o.cpus, "LIST", "CPUs to pin the benchmark to", 0, 0 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	int ret = cli_parse(cmd, opts, argc, argv, &pos, NULL);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (pos[0])
		ret = pb_error("check: unexpected argument '%s'", pos[0]);
	else if (!o.bench || !o.baseline)
		ret = pb_error("check: --bench and --baseline are required (see 'placebisect check --help')");
	free(pos);
	if (ret)
		return ret;
	if (!o.rev)
		o.rev = "HEAD";
	o.stop = &cli_stop;
	pb_config_init(&cfg);
	memset(&res, 0, sizeof(res));
	if (cli_load_config(&cfg, true, NULL) || pb_repo_open(&repo, cli.repo ? cli.repo : ".")) {
		ret = -1;
		goto out;
	}
	cli_signals_catch();
	if (pb_check_run(repo, &cfg, &o, &res)) {
		ret = -1;
		goto out;
	}
	pb_jsonw_init(&w, &doc, false);
	pb_check_write_json(&res, &w);
	pb_jsonw_finish(&w);
	if (res.verdict == PB_CHECK_CANNOT)
		pb_buf_printf(&table, "%.7s %s: skip (%s)\n", res.commit, res.subject, res.reason);
	else
		pb_buf_printf(&table, "%.7s %s: %s (median %.6g over %zu runs)\n", res.commit, res.subject,
			      res.verdict == PB_CHECK_BAD ? "bad" : "good", res.median, res.runs);
	ret = cli_emit(&doc, &table) ? -1 : (int)res.verdict;
out:
	cli_signals_restore();
	pb_check_result_release(&res);
	pb_repo_free(repo);
	pb_config_release(&cfg);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	return ret;
}
