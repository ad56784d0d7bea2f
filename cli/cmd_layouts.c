/* cmd_layouts.c: `placebisect layouts --good REV --bad REV --bench NAME`: the effect across random layouts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/layoutfix.h"
#include "bisect/result.h"
#include "cli/cli.h"
#include "render/format.h"
#include "render/table.h"

static void cell_num(struct pb_table *t, double v)
{
	char cell[96];

	pb_table_cell(t, pb_fmt_grouped(cell, sizeof(cell), v));
}

static void print_text(const struct pb_layouts_result *res, struct pb_buf *out)
{
	const char *headers[] = { "seed", "align", "env pad", "ASLR", "parent", "culprit", "effect", "" };
	struct pb_table *t = pb_table_new(8, headers);
	char *sentence = pb_layouts_sentence(res);
	size_t i;

	for (i = 2; i < 7; i++)
		pb_table_align_right(t, i);
	pb_buf_printf(out, "Effect of %.7s against %.7s under %zu random %s of %s, %s on %s "
		      "(shuffled function order as %s, alignment, environment size, ASLR):\n\n",
		      res->culprit, res->parent, res->n, res->n == 1 ? "layout" : "layouts",
		      res->benchmark, res->metric, res->backend, res->format);
	for (i = 0; i < res->n; i++) {
		const struct pb_layout_sample *l = &res->l[i];

		pb_table_cellf(t, "%llu", (unsigned long long)l->seed);
		pb_table_cell(t, l->cflags ? l->cflags + strlen("-falign-functions=") : "-");
		pb_table_cellf(t, "%ld", l->env_pad);
		pb_table_cell(t, l->aslr_off ? "off" : "on");
		if (l->error) {
			pb_table_cell(t, "not measured");
			for (size_t k = 5; k < 8; k++)
				pb_table_cell(t, "");
			continue;
		}
		cell_num(t, l->parent);
		cell_num(t, l->culprit);
		pb_table_cellf(t, "%+.1f%%", (l->cmp.ratio - 1) * 100);
		pb_table_cell(t, l->slower ? "slower" : l->faster ? "faster" : "same");
	}
	pb_table_render_text(t, out);
	pb_table_free(t);
	pb_buf_printf(out, "\n%c%s.\n", sentence[0] - ('a' - 'A'), sentence + 1);
	if (res->n)
		pb_buf_printf(out, "Orders: %s (and the other seeds beside it).\n", res->l[0].order_file);
	free(sentence);
}

int cmd_layouts(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("layouts");
	struct pb_bisect_opts o = { .alpha = -1, .min_effect = -1 };
	struct pb_layouts_result res;
	long n = 8, seed = PB_LAYOUTS_SEED;
	const struct cli_opt opts[] = {
		CLI_OPTS_GOOD_BAD(&o, "the revision that is fast (the culprit's parent)",
				  "the revision that is slow (the culprit)"),
		{ "layouts", 0, CLI_INT, &n, "N", "random layouts to build and measure (default 8)", 1, 1000 },
		{ "seed", 0, CLI_INT, &seed, "S", "the first layout's seed; layout k has S + k (default 1)", 0, 1000000000 },
		CLI_OPT_REBUILD_FAILED(&o.rebuild_failed),
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct cli_run run;
	int ret = cli_parse_good_bad(cmd, "layouts", opts, argc, argv, &o.good, &o.bad, &o.bench);

	pb_layouts_init(&res);
	if (ret)
		return ret < 0 ? -1 : 0;
	ret = -1;
	o.layouts = (size_t)n;
	o.layout_seed = (uint64_t)seed;
	if (cli_run_start(&run, &o.progress, &o.stop))
		goto out;
	if (pb_layouts_run(run.repo, &run.cfg, &o, &res))
		goto out;
	pb_layouts_write_json(&res, NULL, cli_run_json(&run));
	print_text(&res, &run.table);
	ret = cli_run_emit(&run) ? -1 : 0;
out:
	cli_run_release(&run);
	pb_layouts_release(&res);
	return ret;
}
