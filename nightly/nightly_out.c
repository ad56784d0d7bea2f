/* nightly_out.c: the nightly result as JSON (placebisect.nightly/1), as a table, and as a markdown summary. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "nightly/nightly.h"
#include "render/series.h"
#include "render/format.h"
#include "render/table.h"

/* The first regression this run found, or NULL. */
static const struct pb_nightly_regression *first_new(const struct pb_nightly_result *res)
{
	size_t i;

	for (i = 0; i < res->n_regs; i++)
		if (res->regs[i].is_new)
			return &res->regs[i];
	return NULL;
}

static const char *attribution(const struct pb_nightly_regression *r)
{
	return pb_json_string(pb_json_path(r->bisect_doc, "attribution.verdict"), NULL);
}

/* The culprit's effect against its parent (the bisect's), else the level change. */
static double effect_ratio(const struct pb_nightly_regression *r)
{
	double ratio = pb_json_number(pb_json_path(r->bisect_doc, "effect.ratio"), NAN);

	if (r->culprit && isfinite(ratio))
		return ratio;
	return r->before > 0 ? r->after / r->before : NAN;
}

static void pct(struct pb_buf *out, double ratio)
{
	char c[32];

	if (isfinite(ratio))
		pb_buf_puts(out, pb_fmt_change(c, sizeof(c), ratio));
	else
		pb_buf_puts(out, "?");
}

void pb_series_format(const struct pb_series *s, size_t from, struct pb_buf *out)
{
	const char *headers[] = { "#", "commit", "median", "runs", "change", "subject" };
	struct pb_table *t = pb_table_new(6, headers);
	struct pb_buf mark = PB_BUF_INIT;
	char v[48];
	size_t i, k;

	pb_table_align_right(t, 0);
	pb_table_align_right(t, 2);
	pb_table_align_right(t, 3);
	for (i = from; i < s->n_points; i++) {
		pb_buf_reset(&mark);
		for (k = 0; k < s->n_cps; k++)
			if (s->cps[k].index == i) {
				pb_buf_puts(&mark, "change ");
				pct(&mark, 1 + s->cps[k].rel_change);
			}
		pb_table_cellf(t, "%zu", i);
		pb_table_cellf(t, "%.7s", s->points[i].commit);
		pb_table_cell(t, pb_fmt_metric(v, sizeof(v), s->points[i].median, s->metric));
		pb_table_cellf(t, "%lld", (long long)s->points[i].runs);
		pb_table_cell(t, mark.data);
		pb_table_cell(t, s->points[i].subject ? s->points[i].subject : "");
	}
	pb_buf_printf(out, "History of %s on %s (metric %s, backend %s, config %s): %zu %s, "
		      "%zu change %s", s->benchmark, s->machine, s->metric, s->backend, s->config,
		      s->n_points, pb_plural(s->n_points, "point", "points"), s->n_cps,
		      pb_plural(s->n_cps, "point", "points"));
	if (from)
		pb_buf_printf(out, " (the last %zu points shown)", s->n_points - from);
	pb_buf_puts(out, ".\n\n");
	pb_table_render_text(t, out);
	pb_table_free(t);
	pb_buf_release(&mark);
}

static void write_cps(struct pb_jsonw *w, const struct pb_series *s)
{
	size_t i;

	pb_jsonw_array(w, "change_points");
	for (i = 0; i < s->n_cps; i++) {
		const struct pb_change_point *cp = &s->cps[i];

		pb_jsonw_object(w, NULL);
		pb_jsonw_int(w, "index", (int64_t)cp->index);
		pb_jsonw_string(w, "commit", s->points[cp->index].commit);
		pb_jsonw_string(w, "previous", s->points[cp->index - 1].commit);
		pb_jsonw_number(w, "mean_before", cp->mean_before);
		pb_jsonw_number(w, "mean_after", cp->mean_after);
		pb_jsonw_number(w, "rel_change", cp->rel_change);
		pb_jsonw_number(w, "p_value", cp->p_value);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
}

void pb_series_write_json(const struct pb_series *s, struct pb_jsonw *w)
{
	char hash[17];
	size_t i;

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_SERIES_SCHEMA);
	pb_jsonw_string(w, "benchmark", s->benchmark);
	pb_jsonw_string(w, "machine", s->machine);
	pb_jsonw_string(w, "config", s->config);
	pb_jsonw_string(w, "metric", s->metric);
	pb_jsonw_string(w, "backend", s->backend);
	pb_jsonw_array(w, "points");
	for (i = 0; i < s->n_points; i++) {
		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "commit", s->points[i].commit);
		pb_jsonw_string(w, "subject", s->points[i].subject);
		pb_jsonw_number(w, "median", s->points[i].median);
		pb_jsonw_int(w, "runs", s->points[i].runs);
		if (s->points[i].text_hash) {
			snprintf(hash, sizeof(hash), "%016" PRIx64, s->points[i].text_hash);
			pb_jsonw_string(w, "text_hash", hash);
		} else {
			pb_jsonw_null(w, "text_hash");
		}
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	write_cps(w, s);
	pb_jsonw_end(w);
}

void pb_series_svg(const struct pb_series *s, struct pb_buf *out)
{
	struct pb_series_plot p = { 0 };
	double *values = pb_xmalloc((s->n_points + 1) * sizeof(*values));
	char **labels = pb_xmalloc((s->n_points + 1) * sizeof(*labels));
	const char **tips = pb_xmalloc((s->n_points + 1) * sizeof(*tips));
	size_t *changes = pb_xmalloc((s->n_cps + 1) * sizeof(*changes)), i;
	char *title = pb_xasprintf("%s on %s: %s (%s)", s->benchmark, s->machine, s->metric, s->backend);

	for (i = 0; i < s->n_points; i++) {
		values[i] = s->points[i].median;
		labels[i] = pb_xstrndup(s->points[i].commit, 7);
		tips[i] = s->points[i].subject;
	}
	for (i = 0; i < s->n_cps; i++)
		changes[i] = s->cps[i].index;
	p.title = title;
	p.axis = s->metric;
	p.n = s->n_points;
	p.values = values;
	p.labels = (const char *const *)labels;
	p.tips = tips;
	p.changes = changes;
	p.n_changes = s->n_cps;
	pb_series_plot_svg(&p, out);
	for (i = 0; i < s->n_points; i++)
		free(labels[i]);
	free(labels);
	free(tips);
	free(values);
	free(changes);
	free(title);
}

/* culprit{commit, parent, subject, author, date, files[], ...} of the bisect, with its effect,
 * explained_fraction, verdict and reasons (the attribution), bisect and report. */
static void write_culprit(struct pb_jsonw *w, const struct pb_nightly_regression *r)
{
	const struct pb_json *c = pb_json_get(r->bisect_doc, "culprit"), *v;

	pb_jsonw_object(w, "culprit");
	if (c) {
		for (v = pb_json_child(c); v; v = pb_json_next(v))
			pb_jsonw_value(w, pb_json_key(v), v);
	} else {
		pb_jsonw_string(w, "commit", r->culprit);
	}
	if ((v = pb_json_get(r->bisect_doc, "effect")))
		pb_jsonw_value(w, "effect", v);
	if ((v = pb_json_get(r->bisect_doc, "explained_fraction")))
		pb_jsonw_value(w, "explained_fraction", v);
	pb_jsonw_string(w, "verdict", attribution(r));
	if ((v = pb_json_path(r->bisect_doc, "attribution.reasons")))
		pb_jsonw_value(w, "reasons", v);
	pb_jsonw_string(w, "bisect", r->bisect);
	pb_jsonw_string(w, "report", r->report);
	pb_jsonw_end(w);
}

static void write_comparison(struct pb_jsonw *w, const struct pb_nightly_result *res)
{
	if (!res->compared) {
		pb_jsonw_null(w, "baseline");
		return;
	}
	pb_jsonw_object(w, "baseline");
	pb_jsonw_int(w, "points", (int64_t)res->baseline_points);
	pb_jsonw_number(w, "median", res->baseline_median);
	pb_jsonw_number(w, "ratio", res->newest.ratio);
	pb_jsonw_array(w, "ci95");
	pb_jsonw_number(w, NULL, res->newest.ci95[0]);
	pb_jsonw_number(w, NULL, res->newest.ci95[1]);
	pb_jsonw_end(w);
	pb_jsonw_number(w, "p_value", res->newest.p_value);
	pb_jsonw_string(w, "verdict", pb_verdict_name(res->newest.verdict));
	pb_jsonw_end(w);
}

void pb_nightly_write_json(const struct pb_nightly_result *res, struct pb_jsonw *w)
{
	const struct pb_series *s = &res->series;
	const struct pb_nightly_regression *nr = first_new(res);
	size_t i;

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_NIGHTLY_SCHEMA);
	pb_jsonw_string(w, "benchmark", s->benchmark);
	pb_jsonw_string(w, "commit", res->commit);
	pb_jsonw_string(w, "subject", res->subject);
	pb_jsonw_string(w, "machine", s->machine);
	pb_jsonw_string(w, "config", s->config);
	pb_jsonw_string(w, "metric", s->metric);
	pb_jsonw_string(w, "backend", s->backend);
	pb_jsonw_string(w, "history", res->history);
	pb_jsonw_bool(w, "measured", res->measured);
	if (res->backfill)
		pb_jsonw_int(w, "backfilled", (int64_t)res->backfilled);
	pb_jsonw_number(w, "median", res->median);
	pb_jsonw_int(w, "runs", res->runs);
	pb_jsonw_int(w, "points", (int64_t)s->n_points);
	write_comparison(w, res);
	pb_jsonw_bool(w, "regression", res->regression);
	write_cps(w, s);
	pb_jsonw_array(w, "regressions");
	for (i = 0; i < res->n_regs; i++) {
		const struct pb_nightly_regression *r = &res->regs[i];

		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "status", r->is_new ? "new" : "open");
		pb_jsonw_string(w, "found_by", r->found_by);
		pb_jsonw_string(w, "good", r->good);
		pb_jsonw_string(w, "bad", r->bad);
		pb_jsonw_string(w, "bad_subject", r->bad_subject);
		pb_jsonw_number(w, "before", r->before);
		pb_jsonw_number(w, "after", r->after);
		pb_jsonw_number(w, "ratio", r->before > 0 ? r->after / r->before : NAN);
		pb_jsonw_string(w, "bisect_status", r->bisect_status);
		if (r->culprit)
			write_culprit(w, r);
		pb_jsonw_string(w, "bisect", r->bisect);
		pb_jsonw_string(w, "report", r->report);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	/* The contract's keys: the culprit this run bisected, and its report. */
	if (nr && nr->culprit)
		write_culprit(w, nr);
	pb_jsonw_string(w, "report", nr ? nr->report : NULL);
	pb_jsonw_end(w);
}

void pb_nightly_format(const struct pb_nightly_result *res, struct pb_buf *out)
{
	const struct pb_series *s = &res->series;
	size_t i, from = s->n_points > 10 ? s->n_points - 10 : 0;
	char v[48];

	pb_buf_printf(out, "Nightly of %s at %.7s %s (machine %s, metric %s, backend %s): median %s "
		      "of %lld %s%s.\n", s->benchmark, res->commit, res->subject ? res->subject : "",
		      s->machine, s->metric, s->backend,
		      pb_fmt_metric(v, sizeof(v), res->median, s->metric), (long long)res->runs,
		      pb_plural((size_t)res->runs, "run", "runs"), res->measured ? "" : " (recorded before)");
	if (res->backfill)
		pb_buf_printf(out, "Backfill: %zu %s measured now.\n", res->backfilled,
			      pb_plural(res->backfilled, "commit", "commits"));
	if (res->compared) {
		pb_buf_printf(out, "Against the baseline (%zu %s, median %s): ",
			      res->baseline_points, pb_plural(res->baseline_points, "point", "points"),
			      pb_fmt_metric(v, sizeof(v), res->baseline_median, s->metric));
		pct(out, res->newest.ratio);
		pb_buf_printf(out, " (95%% CI ");
		pct(out, res->newest.ci95[0]);
		pb_buf_puts(out, " to ");
		pct(out, res->newest.ci95[1]);
		pb_buf_printf(out, ", p = %.2g), %s.\n", res->newest.p_value,
			      pb_verdict_name(res->newest.verdict));
	}
	pb_buf_putc(out, '\n');
	pb_series_format(s, from, out);
	for (i = 0; i < res->n_regs; i++) {
		const struct pb_nightly_regression *r = &res->regs[i];
		const char *verdict = attribution(r);

		pb_buf_printf(out, "\n%s regression: ", r->is_new ? "NEW" : "Open");
		pct(out, r->before > 0 ? r->after / r->before : NAN);
		pb_buf_printf(out, " between %.7s and %.7s %s\n", r->good, r->bad,
			      r->bad_subject ? r->bad_subject : "");
		if (r->culprit) {
			pb_buf_printf(out, "  culprit: %s %s (", r->culprit,
				      pb_json_string(pb_json_path(r->bisect_doc, "culprit.subject"), ""));
			pct(out, effect_ratio(r));
			pb_buf_printf(out, "%s%s)\n", verdict ? ", " : "", verdict ? verdict : "");
		} else if (r->bisect_status) {
			pb_buf_printf(out, "  bisect: %s, no culprit\n", r->bisect_status);
		}
		if (r->report)
			pb_buf_printf(out, "  report: %s\n", r->report);
		else if (r->bisect)
			pb_buf_printf(out, "  bisect result: %s\n", r->bisect);
	}
	if (!res->n_regs)
		pb_buf_puts(out, "\nNo regression.\n");
}

void pb_nightly_summary(const struct pb_nightly_result *res, const char *summary_path,
			struct pb_buf *out)
{
	char *link, v[48];
	const struct pb_series *s = &res->series;
	const char *headers[] = { "benchmark", "status", "culprit", "effect", "verdict", "report" };
	struct pb_table *t;
	struct pb_buf cell = PB_BUF_INIT;
	size_t i;

	pb_buf_printf(out, "### placebisect nightly: %s at `%.7s`\n\n", s->benchmark, res->commit);
	if (!res->n_regs) {
		pb_buf_printf(out, "No regression (median %s, %zu %s in the history).\n\n",
			      pb_fmt_metric(v, sizeof(v), res->median, s->metric), s->n_points, pb_plural(s->n_points, "point", "points"));
		return;
	}
	pb_buf_printf(out, "%s\n\n", res->regression ? "**New regression found.**" :
				     "No new regression; open ones below.");
	t = pb_table_new(6, headers);
	for (i = 0; i < res->n_regs; i++) {
		const struct pb_nightly_regression *r = &res->regs[i];
		const char *verdict = attribution(r);

		pb_table_cell(t, s->benchmark);
		pb_table_cell(t, r->is_new ? "new" : "open");
		pb_buf_reset(&cell);
		if (r->culprit)
			pb_buf_printf(&cell, "`%.12s` %s", r->culprit,
				      pb_json_string(pb_json_path(r->bisect_doc, "culprit.subject"), ""));
		else
			pb_buf_printf(&cell, "between `%.7s` and `%.7s` (%s)", r->good, r->bad,
				      r->bisect_status ? r->bisect_status : "not bisected");
		pb_table_cell(t, cell.data);
		pb_buf_reset(&cell);
		pct(&cell, effect_ratio(r));
		pb_table_cell(t, cell.data);
		pb_table_cell(t, verdict ? verdict : "-");
		pb_buf_reset(&cell);
		if (r->report || r->bisect) {
			/* Relative to the summary, so the link works wherever both are published. */
			link = pb_path_relative(summary_path, r->report ? r->report : r->bisect);
			pb_buf_printf(&cell, "[%s](%s)", r->report ? "report" : "bisect result", link);
			free(link);
		} else
			pb_buf_puts(&cell, "-");
		pb_table_cell(t, cell.data);
	}
	pb_table_render_markdown(t, out);
	pb_buf_putc(out, '\n');
	pb_table_free(t);
	pb_buf_release(&cell);
}

/* What a nightly result promises its readers. */
static const struct pb_schema_rule nightly_rules[] = {
	{ "benchmark", PB_S_STR | PB_S_REQ },
	{ "commit", PB_S_STR | PB_S_REQ },
	{ "regression", PB_S_BOOL | PB_S_REQ },
	{ "median", PB_S_NUM | PB_S_NULL },
	{ "runs", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "points", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "regressions", PB_S_ARR },
	{ "regressions[]", PB_S_OBJ },
	{ "regressions[].status", PB_S_STR },
	{ NULL, 0 },
};

const struct pb_schema pb_nightly_schema = { PB_NIGHTLY_SCHEMA, nightly_rules };
