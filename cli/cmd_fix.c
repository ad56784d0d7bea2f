/* cmd_fix.c: `placebisect fix --good REV --bad REV --bench NAME`: the layout fix built and measured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/layoutfix.h"
#include "bisect/repo.h"
#include "cli/cli.h"
#include "render/format.h"
#include "render/table.h"

static void cell_num(struct pb_table *t, double v)
{
	char cell[96];

	pb_table_cell(t, pb_fmt_grouped(cell, sizeof(cell), v));
}

static void print_text(const struct pb_fix_result *res, struct pb_buf *out)
{
	static const char *const names[PB_FIX_ARMS] = { "parent", "culprit", "culprit+fix", "parent+fix" };
	const char *headers[] = { "build", "median", "vs parent", "instructions", "I1 misses",
				  "hot lines", "pages", "max ways" };
	struct pb_table *t = pb_table_new(8, headers);
	char *sentence = pb_fix_sentence(res);
	size_t i;

	for (i = 1; i < 8; i++)
		pb_table_align_right(t, i);
	pb_buf_printf(out, "Layout fix of %s: %.7s (parent) and %.7s (culprit), %s on %s, %zu %s.\n\n",
		      res->benchmark, res->parent, res->culprit, res->metric, res->backend, res->blocks,
		      res->blocks == 1 ? "block" : "blocks of the four builds, order randomized in each");
	pb_buf_printf(out, "ordering: %zu functions in %zu clusters (call-chain clustering of the "
			   "culprit's call graph under callgrind), as %s:\n  ", res->order.n,
		      res->order.n_clusters, res->format);
	for (i = 0; i < res->order.n && i < 8; i++)
		pb_buf_printf(out, "%s%s", i ? ", " : "", res->order.fns[i].name);
	if (res->order.n > 8)
		pb_buf_printf(out, " and %zu more", res->order.n - 8);
	pb_buf_printf(out, "\n  %s\nrecipe:", res->order_file);
	for (i = 0; res->recipe && res->recipe[i]; i++)
		pb_buf_printf(out, " %s", res->recipe[i]);
	pb_buf_printf(out, "\nhot set: %zu functions (90%% of the culprit's instructions)\n\n", res->n_hot);
	for (i = 0; i < PB_FIX_ARMS; i++) {
		const struct pb_fix_arm *a = &res->arm[i];

		pb_table_cell(t, names[i]);
		if (!a->binary) {
			pb_table_cell(t, a->error ? "not built" : "-");
			for (size_t k = 2; k < 8; k++)
				pb_table_cell(t, "");
			continue;
		}
		cell_num(t, a->median);
		if (i == 0)
			pb_table_cell(t, "");
		else
			pb_table_cellf(t, "%+.1f%%", (a->median / res->arm[0].median - 1) * 100);
		cell_num(t, a->instructions);
		cell_num(t, a->i1_misses);
		if (a->placed) {
			pb_table_cellf(t, "%llu", (unsigned long long)a->cache_lines);
			pb_table_cellf(t, "%llu", (unsigned long long)a->pages);
			pb_table_cellf(t, "%u", a->l1i_max_ways);
		} else {
			pb_table_cell(t, "-");
			pb_table_cell(t, "-");
			pb_table_cell(t, "-");
		}
	}
	pb_table_render_text(t, out);
	pb_table_free(t);
	pb_buf_printf(out, "\n%c%s.\n", sentence[0] - ('a' - 'A'), sentence + 1);
	free(sentence);
}

int cmd_fix(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("fix");
	struct pb_bisect_opts o = { .alpha = -1, .min_effect = -1 };
	struct pb_fix_result res = { 0 };
	const struct cli_opt opts[] = {
		CLI_OPTS_GOOD_BAD(&o, "the revision that is fast (the culprit's parent)",
				  "the revision that is slow (the culprit) to fix"),
		CLI_OPT_REBUILD_FAILED(&o.rebuild_failed),
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct cli_run run;
	int ret = cli_parse_good_bad(cmd, "fix", opts, argc, argv, &o.good, &o.bad, &o.bench);

	if (ret)
		return ret < 0 ? -1 : 0;
	ret = -1;
	if (cli_run_start(&run, &o.progress, &o.stop))
		goto out;
	if (pb_fix_run(run.repo, &run.cfg, &o, &res))
		goto out;
	pb_fix_write_json(&res, NULL, cli_run_json(&run));
	print_text(&res, &run.table);
	ret = cli_run_emit(&run) ? -1 : 0;
out:
	cli_run_release(&run);
	pb_fix_release(&res);
	return ret;
}
