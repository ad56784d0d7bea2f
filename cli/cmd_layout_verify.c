/* cmd_layout_verify.c: `placebisect layout verify --good REV --bad REV --bench NAME`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/repo.h"
#include "bisect/layout_verify.h"
#include "cli/cli.h"
#include "render/table.h"

static void print_table(const struct pb_layout_verify_result *res, struct pb_buf *out)
{
	const char *headers[] = { "variant", "good", "bad", "good vs good", "bad vs good", "outcome" };
	const struct pb_placement_check *pc = &res->pc;
	struct pb_table *t = pb_table_new(6, headers);
	size_t i;

	for (i = 1; i < 5; i++)
		pb_table_align_right(t, i);
	pb_buf_printf(out, "Placement check of %s between %.7s (good, median %.6g) and %.7s (bad, median "
			   "%.6g), %s on %s:\n\n", res->benchmark, res->good, pc->base_parent, res->bad,
		      pc->base_culprit, res->metric, res->backend);
	for (i = 0; i < pc->n; i++) {
		const struct pb_variant_check *v = &pc->v[i];

		pb_table_cell(t, v->name);
		pb_table_cellf(t, "%.6g", v->parent);
		pb_table_cellf(t, "%.6g", v->culprit);
		pb_table_cellf(t, "%+.1f%%", (v->parent_ratio - 1) * 100);
		pb_table_cellf(t, "%+.1f%%", (v->culprit_ratio - 1) * 100);
		pb_table_cell(t, v->error ? v->error : v->reproduces && v->removes ? "reproduces and removes" :
			      v->reproduces ? "reproduces the slowdown in good" :
			      v->removes ? "removes the slowdown from bad" : "no effect");
	}
	pb_table_render_text(t, out);
	pb_table_free(t);
	pb_buf_printf(out, "\n%s\n", pc->confirmed ? "Placement confirmed: moving the code alone makes "
			   "or unmakes the slowdown." : "Not confirmed: no variant reproduced or removed "
			   "the slowdown.");
}

int cmd_layout_verify(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("layout");
	struct pb_bisect_opts o = { .alpha = -1, .min_effect = -1 };
	struct pb_layout_verify_result res;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_progress progress;
	struct pb_repo *repo = NULL;
	struct pb_config cfg;
	struct pb_jsonw w;
	char **pos = NULL;
	const struct cli_opt opts[] = {
		{ "good", 0, CLI_STRING, &o.good, "REV", "the revision that is fast (plays the parent)", 0, 0 },
		{ "bad", 0, CLI_STRING, &o.bad, "REV", "the revision that is slow (plays the culprit)", 0, 0 },
		{ "bench", 0, CLI_STRING, &o.bench, "NAME", "the benchmark (benchmarks.NAME in the config)", 0, 0 },
		{ "backend", 0, CLI_STRING, &o.backend, "B", "auto, perf, cachegrind or time", 0, 0 },
		{ "metric", 0, CLI_STRING, &o.metric, "M", "the metric (default: the benchmark's)", 0, 0 },
		{ "cpus", 0, CLI_STRING, &o.cpus, "LIST", "CPUs to pin the benchmark to", 0, 0 },
		{ "alpha", 0, CLI_DOUBLE, &o.alpha, "P", "significance level (default: stats.alpha)", 1e-9, 0.5 },
		{ "min-effect", 0, CLI_DOUBLE, &o.min_effect, "F", "smallest relative slowdown that counts", 0, 0.99 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	int ret = cli_parse(cmd, opts, argc, argv, &pos, NULL);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (pos[0])
		ret = pb_error("layout verify: unexpected argument '%s'", pos[0]);
	else if (!o.good || !o.bad || !o.bench)
		ret = pb_error("layout verify: --good, --bad and --bench are required");
	free(pos);
	if (ret)
		return ret;
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
	if (pb_layout_verify(repo, &cfg, &o, &res)) {
		ret = -1;
		goto out;
	}
	pb_jsonw_init(&w, &doc, false);
	pb_layout_verify_write_json(&res, &w);
	pb_jsonw_finish(&w);
	print_table(&res, &table);
	ret = cli_emit(&doc, &table) ? -1 : 0;
out:
	cli_signals_restore();
	pb_layout_verify_release(&res);
	pb_repo_free(repo);
	pb_config_release(&cfg);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	return ret;
}
