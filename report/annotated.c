/* annotated.c: the bisect report's section of hot code side by side (annotate --diff of parent and culprit, without costs). */
#include "report/annotated.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "layout/annotate.h"
#include "layout/annotate_diff.h"
#include "layout/placement.h"
#include "report/markdown.h"

/* The geometry the result used: l1i_sets{sets, ways} and a 64 B line, else the default. */
static void geometry(const struct pb_json *doc, struct pb_l1i *g)
{
	double sets = pb_md_num(doc, "l1i_sets.sets"), ways = pb_md_num(doc, "l1i_sets.ways");
	char spec[64];

	if (sets >= 1 && ways >= 1 && sets <= 65536 && ways <= 64) {
		snprintf(spec, sizeof(spec), "%.0f,%.0f,64", sets * ways * 64, ways);
		if (pb_l1i_parse(g, spec, "l1i_sets") == 0)
			return;
	}
	pb_l1i_parse(g, PB_L1I_DEFAULT_SPEC, "default");
}

void pb_report_hot_code(const struct pb_json *doc, struct pb_buf *out)
{
	const char *pbin = pb_md_str(doc, "binaries.parent", NULL);
	const char *cbin = pb_md_str(doc, "binaries.culprit", NULL);
	const struct pb_json *f;
	struct pb_annotation *a = NULL, *b = NULL, *probe = NULL;
	struct pb_ann_opts o;
	struct pb_buf text = PB_BUF_INIT, json = PB_BUF_INIT, names = PB_BUF_INIT;
	struct pb_jsonw w;
	const char *list[PB_REPORT_HOT_CODE];
	size_t n = 0;

	if (!pbin || !cbin || access(pbin, R_OK) || access(cbin, R_OK))
		return;
	memset(&o, 0, sizeof(o));
	geometry(doc, &o.l1i);
	o.max_funcs = 1;
	o.cover = 1;
	/* The hottest functions both builds define (one at a time: a name one lacks is skipped). */
	for (f = pb_json_child(pb_json_path(doc, "attribution.hot_functions"));
	     f && n < PB_REPORT_HOT_CODE; f = pb_json_next(f)) {
		const char *name = pb_md_str(f, "name", NULL);

		if (!name)
			continue;
		o.names = &name;
		o.n_names = 1;
		if (pb_annotation_new(&probe, pbin, &o) == 0) {
			pb_annotation_free(probe);
			probe = NULL;
			if (pb_annotation_new(&probe, cbin, &o) == 0)
				list[n++] = name;
		}
		pb_annotation_free(probe);
		probe = NULL;
	}
	pb_error_clear();
	if (!n)
		return;
	o.names = list;
	o.n_names = n;
	if (pb_annotation_new(&a, pbin, &o) || pb_annotation_new(&b, cbin, &o))
		goto out;
	pb_jsonw_init(&w, &json, true);
	if (pb_annotation_diff_write(a, b, &w, &text))
		goto out;
	for (size_t i = 0; i < n; i++)
		pb_buf_printf(&names, "%s%s", i ? "," : "", list[i]);
	pb_buf_puts(out, "## Hot code, side by side\n\n");
	pb_buf_printf(out, "The culprit's hottest %s in the parent's build (left) and the culprit's "
			   "(right), instruction by instruction: `=` the same code, `<` / `>` on one side "
			   "only, `sN` the L1i set of a new 64 B line, `J` a JCC-erratum site. With the cost "
			   "of each instruction: `placebisect annotate --diff %s %s --function %s` with "
			   "`--callgrind` and `--callgrind-bad` files.\n\n```\n",
		      n == 1 ? "function" : "functions", pbin, cbin, names.data);
	pb_buf_add(out, text.data, text.len);
	pb_buf_puts(out, "```\n\n");
out:
	pb_error_clear();
	pb_annotation_free(a);
	pb_annotation_free(b);
	pb_buf_release(&text);
	pb_buf_release(&json);
	pb_buf_release(&names);
}
