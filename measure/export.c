/* export.c: a measurement's runs as CSV and its summary as a markdown table (measure/compare --export-*). */
#include "measure/export.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "render/format.h"
#include "render/table.h"

/* A CSV field: quoted when it holds a comma, a quote, CR or LF (quotes doubled). */
static void csv_field(struct pb_buf *out, const char *s)
{
	const char *p;

	if (!s[strcspn(s, ",\"\r\n")]) {
		pb_buf_puts(out, s);
		return;
	}
	pb_buf_putc(out, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			pb_buf_putc(out, '"');
		pb_buf_putc(out, *p);
	}
	pb_buf_putc(out, '"');
}

/* ",%.10g", or "," alone for a value that is not a number. */
static void csv_number(struct pb_buf *out, double v)
{
	pb_buf_putc(out, ',');
	if (isfinite(v))
		pb_buf_printf(out, "%.10g", v);
}

/* ",2026-12-06T08:14:29.123456Z" from microseconds since the epoch; "," when 0 (not recorded). */
static void csv_time(struct pb_buf *out, int64_t us)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	char when[32];

	pb_buf_putc(out, ',');
	if (us <= 0 || !gmtime_r(&s, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	pb_buf_printf(out, "%s.%06" PRId64 "Z", when, us % 1000000);
}

/* The counter names of every run of every target, first seen first (borrowed from the runs). */
static const char **counter_names(const struct pb_export_target *t, size_t n, size_t *count)
{
	const char **names = NULL;
	size_t cap = 0, k = 0, i, r, c, j;

	for (i = 0; i < n; i++)
		for (r = 0; r < t[i].m->n_runs; r++)
			for (c = 0; c < t[i].m->runs[r].n_counters; c++) {
				const char *name = t[i].m->runs[r].counters[c].name;

				for (j = 0; j < k && strcmp(names[j], name) != 0; j++)
					;
				if (j < k)
					continue;
				pb_xgrow((void **)&names, &cap, k + 1, sizeof(*names));
				names[k++] = name;
			}
	*count = k;
	return names;
}

static double run_counter(const struct pb_run *run, const char *name)
{
	size_t c;

	for (c = 0; c < run->n_counters; c++)
		if (strcmp(run->counters[c].name, name) == 0)
			return run->counters[c].value;
	return NAN;
}

void pb_export_csv(const struct pb_export_target *t, size_t n, struct pb_buf *out)
{
	size_t n_names, i, r, c;
	const char **names = counter_names(t, n, &n_names);

	pb_buf_puts(out, "target,run,ok,value,unit,timestamp,wall_ns,user_ns,sys_ns,maxrss_kb,exit");
	for (c = 0; c < n_names; c++) {
		pb_buf_putc(out, ',');
		csv_field(out, names[c]);
	}
	pb_buf_putc(out, '\n');
	for (i = 0; i < n; i++)
		for (r = 0; r < t[i].m->n_runs; r++) {
			const struct pb_run *run = &t[i].m->runs[r];

			csv_field(out, t[i].name);
			pb_buf_printf(out, ",%zu,%d", r + 1, run->ok ? 1 : 0);
			csv_number(out, run->ok ? run->value : NAN);
			pb_buf_putc(out, ',');
			csv_field(out, t[i].m->unit ? t[i].m->unit : "");
			csv_time(out, run->start_real_us);
			pb_buf_printf(out, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%ld,%d", run->wall_ns,
				      run->user_ns, run->sys_ns, run->maxrss_kb, run->exit);
			for (c = 0; c < n_names; c++)
				csv_number(out, run_counter(run, names[c]));
			pb_buf_putc(out, '\n');
		}
	free(names);
}

/* A number for a person: grouped digits from 1000 up, 4 significant digits below. */
static void md_num(char *out, size_t size, double v)
{
	char raw[64];

	if (!isfinite(v)) {
		snprintf(out, size, "–");
		return;
	}
	if (fabs(v) >= 1000 && fabs(v) < 1e18)
		snprintf(raw, sizeof(raw), "%.0f", v);
	else
		snprintf(raw, sizeof(raw), "%.4g", v);
	pb_fmt_group_digits(out, size, raw);
}

void pb_export_markdown(const struct pb_export_target *t, size_t n, const struct pb_compare *cmp,
			struct pb_buf *out)
{
	const char *unit = n && t[0].m->unit ? t[0].m->unit : "";
	const char *metric = n && t[0].m->metric ? t[0].m->metric : "value";
	char h_median[96], a[64], b[64];
	const char *headers[] = { "target", "runs", h_median, "95% CI", "mean ± stdev", "min … max",
				  "B/A" };
	struct pb_table *tb;
	size_t i;

	if (*unit)
		snprintf(h_median, sizeof(h_median), "%s median (%s)", metric, unit);
	else
		snprintf(h_median, sizeof(h_median), "%s median", metric);
	tb = pb_table_new(cmp ? 7 : 6, headers);
	for (i = 1; i < (cmp ? 7u : 6u); i++)
		pb_table_align_right(tb, i);
	for (i = 0; i < n; i++) {
		const struct pb_summary *s = &t[i].m->summary;

		pb_table_cell(tb, t[i].name);
		pb_table_cellf(tb, "%zu", s->n);
		md_num(a, sizeof(a), s->n ? s->median : NAN);
		pb_table_cell(tb, a);
		md_num(a, sizeof(a), s->n ? s->ci95[0] : NAN);
		md_num(b, sizeof(b), s->n ? s->ci95[1] : NAN);
		pb_table_cellf(tb, "%s … %s", a, b);
		md_num(a, sizeof(a), s->n ? s->mean : NAN);
		md_num(b, sizeof(b), s->n ? s->stdev : NAN);
		pb_table_cellf(tb, "%s ± %s", a, b);
		md_num(a, sizeof(a), s->n ? s->min : NAN);
		md_num(b, sizeof(b), s->n ? s->max : NAN);
		pb_table_cellf(tb, "%s … %s", a, b);
		if (!cmp)
			continue;
		if (i == 0)
			pb_table_cell(tb, "1");
		else if (cmp->stats.ci95[0] == cmp->stats.ci95[1])
			pb_table_cellf(tb, "%.3f (exact)", cmp->stats.ratio);
		else
			pb_table_cellf(tb, "%.3f (%.3f … %.3f)", cmp->stats.ratio, cmp->stats.ci95[0],
				       cmp->stats.ci95[1]);
	}
	pb_table_render_markdown(tb, out);
	pb_table_free(tb);
	if (cmp && isfinite(cmp->stats.p_value) && cmp->stats.ci95[0] != cmp->stats.ci95[1])
		pb_buf_printf(out, "\nVerdict: **%s** (B against A, p = %.3g; alpha %g, min effect %g%%)\n",
			      pb_verdict_name(cmp->stats.verdict), cmp->stats.p_value, cmp->alpha,
			      cmp->min_effect * 100);
	else if (cmp)
		pb_buf_printf(out, "\nVerdict: **%s** (B against A, exact; min effect %g%%)\n",
			      pb_verdict_name(cmp->stats.verdict), cmp->min_effect * 100);
}
