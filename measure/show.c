/* show.c: a measurement as perf-stat-like text: counters with running ratios, derived metrics, median ± CI. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "measure/runner.h"
#include "render/format.h"
#include "render/table.h"

/* A counter's median: "<not counted>" when it was not (pb_fmt_* prints "-" for NaN). */
static const char *counter_value(char *out, size_t size, double v, const char *name)
{
	if (isnan(v)) {
		snprintf(out, size, "<not counted>");
		return out;
	}
	return pb_fmt_metric(out, size, v, name);
}

/* The first ok run with counters (their names and order), or NULL. */
static const struct pb_run *counter_run(const struct pb_measurement *m)
{
	size_t i;

	for (i = 0; i < m->n_runs; i++)
		if (m->runs[i].ok && m->runs[i].n_counters)
			return &m->runs[i];
	return NULL;
}

/* Lowest running ratio of counter `name` over the ok runs. */
static double running(const struct pb_measurement *m, const char *name)
{
	double lo = 1;
	size_t i, j;

	for (i = 0; i < m->n_runs; i++)
		for (j = 0; m->runs[i].ok && j < m->runs[i].n_counters; j++)
			if (strcmp(m->runs[i].counters[j].name, name) == 0 &&
			    !isnan(m->runs[i].counters[j].value) && m->runs[i].counters[j].running_ratio < lo)
				lo = m->runs[i].counters[j].running_ratio;
	return lo;
}

static void counters_table(const struct pb_measurement *m, struct pb_buf *out)
{
	static const char *const hdr[] = { "counter", "median per run", "counted" };
	const struct pb_run *r = counter_run(m);
	struct pb_table *t;
	char v[64];
	size_t j;
	double med;

	if (!r)
		return;
	t = pb_table_new(3, hdr);
	pb_table_align_right(t, 1);
	pb_table_align_right(t, 2);
	for (j = 0; j < r->n_counters; j++) {
		med = pb_measurement_counter(m, r->counters[j].name);
		counter_value(v, sizeof(v), med, r->counters[j].name);
		pb_table_cell(t, r->counters[j].name);
		pb_table_cell(t, v);
		if (isnan(med))
			pb_table_cell(t, "-");
		else
			pb_table_cellf(t, "%.1f%%", 100.0 * running(m, r->counters[j].name));
	}
	pb_buf_putc(out, '\n');
	pb_table_render_text(t, out);
	pb_table_free(t);
}

static void derived_lines(const struct pb_measurement *m, struct pb_buf *out)
{
	const struct pb_derived *d = &m->derived;
	bool any = !isnan(d->ipc) || !isnan(d->icache_mpki) || !isnan(d->itlb_mpki) ||
		   !isnan(d->frontend_stall_pct);

	if (!any)
		return;
	pb_buf_puts(out, "\n");
	if (!isnan(d->ipc))
		pb_buf_printf(out, "  %-20s %10.3f  instructions per cycle\n", "ipc", d->ipc);
	if (!isnan(d->icache_mpki))
		pb_buf_printf(out, "  %-20s %10.3f  L1i misses per 1000 instructions\n", "icache_mpki",
			      d->icache_mpki);
	if (!isnan(d->itlb_mpki))
		pb_buf_printf(out, "  %-20s %10.3f  iTLB misses per 1000 instructions\n", "itlb_mpki",
			      d->itlb_mpki);
	if (!isnan(d->frontend_stall_pct))
		pb_buf_printf(out, "  %-20s %9.2f%%  of slots/cycles the frontend delivered nothing\n",
			      "frontend_stall_pct", d->frontend_stall_pct);
}

static void functions_table(const struct pb_measurement *m, struct pb_buf *out)
{
	static const char *const hdr[] = { "function", "Ir", "I1mr", "file" };
	struct pb_table *t;
	char a[64], b[64];
	size_t i;

	if (m->n_functions == 0)
		return;
	t = pb_table_new(4, hdr);
	pb_table_align_right(t, 1);
	pb_table_align_right(t, 2);
	for (i = 0; i < m->n_functions && i < 10; i++) {
		pb_fmt_count(a, sizeof(a), m->functions[i].ir);
		pb_fmt_count(b, sizeof(b), m->functions[i].i1mr);
		pb_table_cell(t, m->functions[i].name);
		pb_table_cell(t, a);
		pb_table_cell(t, b);
		pb_table_cell(t, m->functions[i].file ? m->functions[i].file : "?");
	}
	pb_buf_puts(out, "\nTop functions (simulated):\n");
	pb_table_render_text(t, out);
	pb_table_free(t);
}

/* "range: 5.51 ms … 9.63 ms" of the metric over the ok runs; the user/sys split of CPU time. */
static void spread_lines(const struct pb_measurement *m, struct pb_buf *out)
{
	double lo, hi, user, sys;
	char a[48], b[48];

	pb_measurement_range(m, &lo, &hi);
	if (m->summary.n > 1)
		pb_buf_printf(out, "  range: %s … %s over %zu %s\n", pb_fmt_value(a, sizeof(a), lo, m->unit),
			      pb_fmt_value(b, sizeof(b), hi, m->unit), m->summary.n,
			      pb_plural(m->summary.n, "run", "runs"));
	/* Under cachegrind that would be valgrind's time, not the benchmark's. */
	if (m->backend && strncmp(m->backend, "cachegrind", 10) == 0)
		return;
	pb_measurement_cpu_split(m, &user, &sys);
	if (!isnan(user))
		pb_buf_printf(out, "  cpu time: user %s, sys %s (medians per run)\n",
			      pb_fmt_ns(a, sizeof(a), user), pb_fmt_ns(b, sizeof(b), sys));
}

void pb_measure_format(const struct pb_measurement *m, struct pb_buf *out)
{
	const struct pb_summary *s = &m->summary;
	char med[64], lo[64], hi[64], sd[64];

	pb_buf_printf(out, "Measurement of '%s'%s%s (%zu %s, %zu failed, backend %s)\n",
		      m->command ? m->command : "?", m->benchmark ? " as " : "",
		      m->benchmark ? m->benchmark : "", m->n_runs, pb_plural(m->n_runs, "run", "runs"),
		      m->n_failed, m->backend ? m->backend : "?");
	counters_table(m, out);
	derived_lines(m, out);
	functions_table(m, out);
	pb_buf_putc(out, '\n');
	if (s->n == 0) {
		pb_buf_printf(out, "%s: no successful run\n", m->metric ? m->metric : "metric");
	} else {
		pb_fmt_value(med, sizeof(med), s->median, m->unit);
		pb_fmt_value(lo, sizeof(lo), s->ci95[0], m->unit);
		pb_fmt_value(hi, sizeof(hi), s->ci95[1], m->unit);
		pb_fmt_value(sd, sizeof(sd), s->stdev, m->unit);
		pb_buf_printf(out, "%s: median %s, 95%% CI [%s, %s], stdev %s, n=%zu%s%s\n", m->metric,
			      med, lo, hi, sd, s->n, s->unstable ? " (unstable: stdev > 10% of mean)" : "",
			      s->too_few && s->n > 1 ? " (few runs: CI not to be trusted)" : "");
		spread_lines(m, out);
		if (s->outliers)
			pb_buf_printf(out, "%zu outlier(s) by modified z-score\n", s->outliers);
	}
	/* m->warnings went to stderr as they arose (and stay in the JSON): not again in the table. */
}
