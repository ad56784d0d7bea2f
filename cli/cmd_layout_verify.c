/* cmd_layout_verify.c: `placebisect layout verify --good REV --bad REV --bench NAME`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/repo.h"
#include "bisect/layout_verify.h"
#include "cli/cli.h"
#include "render/format.h"
#include "render/table.h"

static void print_table(const struct pb_layout_verify_result *res, struct pb_buf *out)
{
	const char *headers[] = { "variant", "good", "bad", "good vs good", "bad vs good", "outcome" };
	const struct pb_placement_check *pc = &res->pc;
	struct pb_table *t = pb_table_new(6, headers);
	char a[48], b[48];
	size_t i;

	for (i = 1; i < 5; i++)
		pb_table_align_right(t, i);
	pb_buf_printf(out, "Placement check of %s between %.7s (good, median %s) and %.7s (bad, median "
			   "%s), %s on %s:\n\n", res->benchmark, res->good,
		      pb_fmt_metric(a, sizeof(a), pc->base_parent, res->metric), res->bad,
		      pb_fmt_metric(b, sizeof(b), pc->base_culprit, res->metric), res->metric, res->backend);
	for (i = 0; i < pc->n; i++) {
		const struct pb_variant_check *v = &pc->v[i];

		pb_table_cell(t, v->name);
		pb_table_cell(t, pb_fmt_metric(a, sizeof(a), v->parent, res->metric));
		pb_table_cell(t, pb_fmt_metric(b, sizeof(b), v->culprit, res->metric));
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
	struct pb_layout_verify_result res = { 0 };
	const struct cli_opt opts[] = {
		CLI_OPTS_GOOD_BAD(&o, "the revision that is fast (plays the parent)",
				  "the revision that is slow (plays the culprit)"),
		CLI_OPT_REBUILD_FAILED(&o.rebuild_failed),
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct cli_run run;
	int ret = cli_parse_good_bad(cmd, "layout verify", opts, argc, argv, &o.good, &o.bad,
				     &o.bench);

	if (ret)
		return ret < 0 ? -1 : 0;
	ret = -1;
	if (cli_run_start(&run, &o.progress, &o.stop))
		goto out;
	if (pb_layout_verify(run.repo, &run.cfg, &o, &res))
		goto out;
	pb_layout_verify_write_json(&res, cli_run_json(&run));
	print_table(&res, &run.table);
	ret = cli_run_emit(&run) ? -1 : 0;
out:
	cli_run_release(&run);
	pb_layout_verify_release(&res);
	return ret;
}
