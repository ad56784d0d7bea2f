/* report.c: the report of any result file (pb_report_write); a bisect's: the automated version of seed 003. */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "core/error.h"
#include "report/annotated.h"
#include "report/markdown.h"
#include "report/other.h"
#include "report/sections.h"

/* ---- The bisect report ---- */

void pb_md_plot(struct pb_md_ctx *c, const char *name, const char *alt,
		bool (*fn)(const struct pb_json *, struct pb_buf *))
{
	struct pb_buf svg = PB_BUF_INIT;

	if (!fn(c->doc, &svg)) {
		pb_buf_release(&svg);
		return;
	}
	c->plots = pb_xrealloc(c->plots, (c->n_plots + 1) * sizeof(*c->plots));
	c->svgs = pb_xrealloc(c->svgs, (c->n_plots + 1) * sizeof(*c->svgs));
	c->plots[c->n_plots] = pb_xasprintf("%s-%s.svg", c->base, name);
	c->svgs[c->n_plots++] = svg;
	pb_buf_printf(c->out, "![%s](%s-%s.svg)\n\n", alt, c->link, name);
}

const char *pb_md_backend_option(const char *backend)
{
	return strncmp(backend, "perf (", 6) == 0 ? "auto" : backend;
}

static void bisect_report(struct pb_md_ctx *c)
{
	const struct pb_json *cand;

	c->metric = pb_md_str(c->doc, "metric", "value");
	pb_md_headline(c);
	pb_md_summary(c);
	for (cand = pb_json_child(pb_json_get(c->doc, "candidates")); cand; cand = pb_json_next(cand))
		pb_buf_printf(c->out, "- `%s` %s\n%s", pb_md_str(cand, "commit", "?"),
			      pb_md_str(cand, "subject", ""), pb_json_next(cand) ? "" : "\n");
	pb_md_reproduce(c);
	pb_md_bisection(c);
	pb_md_measurements(c);
	pb_md_counters(c);
	pb_md_hot_functions(c);
	pb_md_function_deltas(c);
	pb_md_layout(c);
	pb_report_hot_code(c->doc, c->out);
	pb_md_verdict(c);
	pb_md_fix_section(c);
	pb_md_layouts_section(c);
	pb_md_what_to_try(c);
	pb_md_system(c);
	pb_buf_puts(c->out, "---\n*Written by placebisect " PB_VERSION ".*\n");
}

/* ---- Entry points ---- */

int pb_report_write(const struct pb_json *doc, const char *name, const char *md_path)
{
	const char *schema = pb_json_string(pb_json_get(doc, "schema"), "");
	struct pb_buf out = PB_BUF_INIT;
	struct pb_md_ctx c = { doc, NULL, NULL, NULL, &out, NULL, NULL, 0 };
	size_t len = strlen(md_path), i;
	char *base, *slash;
	int ret = 0;

	base = len > 3 && strcmp(md_path + len - 3, ".md") == 0 ? pb_xstrndup(md_path, len - 3) :
								   pb_xstrdup(md_path);
	slash = strrchr(base, '/');
	c.base = base;
	c.link = slash ? slash + 1 : base;
	/* `report -o new/R.md` as `bisect --report new/R.md`: the directory is made here for both. */
	if (slash && slash != base) {
		*slash = '\0';
		ret = pb_mkdir_p(base);
		*slash = '/';
		if (ret) {
			free(base);
			return -1;
		}
	}
	if (strcmp(schema, "placebisect.bisect/1") == 0)
		bisect_report(&c);
	else if (strcmp(schema, "placebisect.fix/1") == 0)
		pb_md_fix_report(&c);
	else if (strcmp(schema, "placebisect.layouts/1") == 0)
		pb_md_layouts_report(&c);
	else if (pb_md_other_report(doc, schema, &out) < 0)
		ret = pb_error_as(PB_EXIT_USAGE, "%s: not a placebisect result file (schema '%s'); a "
				  "report is written from the JSON of bisect, measure, compare, "
				  "layout diff, fix or layouts", name, schema);
	for (i = 0; ret == 0 && i < c.n_plots; i++)
		if (pb_atomic_write(c.plots[i], c.svgs[i].data, c.svgs[i].len))
			ret = -1;
	if (ret == 0 && pb_atomic_write(md_path, out.data, out.len))
		ret = -1;
	for (i = 0; i < c.n_plots; i++) {
		free(c.plots[i]);
		pb_buf_release(&c.svgs[i]);
	}
	free(c.plots);
	free(c.svgs);
	free(base);
	pb_buf_release(&out);
	return ret;
}

int pb_report_write_file(const char *json_path, const char *md_path)
{
	struct pb_json *doc;
	int ret;

	if (pb_json_parse_file(&doc, json_path))
		return -1;
	ret = pb_report_write(doc, json_path, md_path);
	pb_json_free(doc);
	return ret;
}
