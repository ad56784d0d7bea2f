/* compare.c: compare two measurements: the statistics, counter deltas, the compare JSON and the text table. */
#include "measure/compare.h"
#include "measure/unstable.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/util.h"
#include "render/format.h"

static bool same_str(const char *x, const char *y)
{
	return x && y ? strcmp(x, y) == 0 : x == y;
}

static double ratio_of(double a, double b)
{
	return isfinite(a) && isfinite(b) && a != 0 ? b / a : NAN;
}

static void add_delta(struct pb_compare_delta **arr, size_t *n, const char *name, double a, double b)
{
	struct pb_compare_delta *d;

	*arr = pb_xrealloc(*arr, (*n + 1) * sizeof(**arr));
	d = &(*arr)[(*n)++];
	d->name = pb_xstrdup(name);
	d->a = a;
	d->b = b;
	d->ratio = ratio_of(a, b);
}

static bool has_delta(const struct pb_compare *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_counters; i++)
		if (strcmp(c->counters[i].name, name) == 0)
			return true;
	return false;
}

/* Counters of both sides, in the order A then B names them. */
static void collect_counters(struct pb_compare *c)
{
	const struct pb_measurement *side[2] = { c->a, c->b };
	size_t s, i, j;

	for (s = 0; s < 2; s++)
		for (i = 0; i < side[s]->n_runs; i++)
			for (j = 0; j < side[s]->runs[i].n_counters; j++) {
				const char *name = side[s]->runs[i].counters[j].name;

				if (!has_delta(c, name))
					add_delta(&c->counters, &c->n_counters, name,
						  pb_measurement_counter(c->a, name),
						  pb_measurement_counter(c->b, name));
			}
}

static void collect_derived(struct pb_compare *c)
{
	const struct pb_derived *da = &c->a->derived, *db = &c->b->derived;
	const struct {
		const char *name;
		double a, b;
	} d[] = {
		{ "ipc", da->ipc, db->ipc },
		{ "icache_mpki", da->icache_mpki, db->icache_mpki },
		{ "itlb_mpki", da->itlb_mpki, db->itlb_mpki },
		{ "frontend_stall_pct", da->frontend_stall_pct, db->frontend_stall_pct },
	};
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (isfinite(d[i].a) || isfinite(d[i].b))
			add_delta(&c->derived, &c->n_derived, d[i].name, d[i].a, d[i].b);
}

double pb_compare_trend(const double *x, size_t n, double *p)
{
	double s = 0, var, tau;
	size_t i, j;

	*p = NAN;
	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			s += (x[j] > x[i]) - (x[j] < x[i]);
	tau = s / ((double)n * (double)(n - 1) / 2);
	if (n >= 8) {
		var = (double)n * (double)(n - 1) * (double)(2 * n + 5) / 18;
		*p = erfc(fabs(s) / sqrt(var) / M_SQRT2);
	}
	return tau;
}

static bool drifts(double tau, double p)
{
	return fabs(tau) >= PB_COMPARE_TREND_TAU && p <= PB_COMPARE_TREND_P;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * How far x moved over its runs, relative to its median: the Theil-Sen slope (median of the
 * pairwise slopes, robust to outliers) times the runs' span. INFINITY when it cannot be said
 * (too few or too many runs for the O(n^2) estimate, a median of 0).
 */
static double drift_span(const double *x, size_t n)
{
	double *sl, *v, med, slope;
	size_t i, j, k = 0;

	if (n < 2 || n > 1000)
		return INFINITY;
	sl = pb_xmalloc(n * (n - 1) / 2 * sizeof(*sl));
	v = pb_xmalloc(n * sizeof(*v));
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			sl[k++] = (x[j] - x[i]) / (double)(j - i);
	memcpy(v, x, n * sizeof(*v));
	qsort(sl, k, sizeof(*sl), cmp_double);
	qsort(v, n, sizeof(*v), cmp_double);
	slope = k % 2 ? sl[k / 2] : (sl[k / 2 - 1] + sl[k / 2]) / 2;
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	free(sl);
	free(v);
	return med > 0 ? fabs(slope) * (double)(n - 1) / med : INFINITY;
}

/*
 * Whether the effect is far beyond what the drift seen inside the samples could make: the CI's
 * bound nearest 1 is more than twice the larger side's drift span away. A drift of a few percent
 * cannot turn an equal pair into a 3x difference; it can make a 5% difference.
 */
static bool beyond_drift(const struct pb_compare *c, const double *va, size_t na, const double *vb,
			 size_t nb)
{
	double d = fmax(drift_span(va, na), drift_span(vb, nb));

	if (!isfinite(d))
		return false;
	return c->stats.verdict == PB_VERDICT_SLOWER ? c->stats.ci95[0] > 1 + 2 * d :
						       c->stats.ci95[1] < 1 / (1 + 2 * d);
}

/* Whether x's runs alternate between two modes (measure/unstable.h); *pat the numbers (static). */
static bool alternates(const double *x, size_t n, const char **pat)
{
	static char why[200];
	size_t *group = pb_xcalloc(n ? n : 1, sizeof(*group));
	bool ret = pb_unstable_check(group, x, n, PB_UNSTABLE_MIN_EFFECT, why, sizeof(why)) &&
		   strncmp(why, "the runs alternate", 18) == 0;

	free(group);
	*pat = why + (ret ? strlen("the runs alternate between two modes, ") : 0);
	return ret;
}

/* Downgrade a slower/faster verdict that rests on runs not comparable (see compare.h). */
static void check_safety(struct pb_compare *c, const double *va, size_t na, const double *vb, size_t nb)
{
	const struct pb_contention *x = &c->cont_a, *y = &c->cont_b;
	struct pb_buf why = PB_BUF_INIT;
	const char *pat;

	c->trend_a = pb_compare_trend(va, na, &c->trend_p_a);
	c->trend_b = pb_compare_trend(vb, nb, &c->trend_p_b);
	pb_contention_of(c->a, &c->cont_a);
	pb_contention_of(c->b, &c->cont_b);
	c->windows = -1;
	if (x->first_mono_ns && y->first_mono_ns) {
		/* The monotonic clock is per boot: compare realtime across files. */
		c->windows = x->last_real_us < y->first_real_us || y->last_real_us < x->first_real_us ? 0 : 1;
	}
	c->raw_verdict = c->stats.verdict;
	if (c->stats.verdict != PB_VERDICT_SLOWER && c->stats.verdict != PB_VERDICT_FASTER)
		return;
	if (c->stats.ci95[0] == c->stats.ci95[1])
		return; /* exact: no noise to be misled by */
	if (alternates(va, na, &pat) || alternates(vb, nb, &pat)) {
		pb_buf_printf(&why, "%s's runs alternate between two modes (%s): unstable, not a "
			      "sample of one level", alternates(va, na, &pat) ? c->name_a : c->name_b,
			      pat);
	} else if ((drifts(c->trend_a, c->trend_p_a) || drifts(c->trend_b, c->trend_p_b)) &&
		   !(c->windows == 1 && c->trend_a * c->trend_b > 0) && !beyond_drift(c, va, na, vb, nb)) {
		/* Runs taken in one window (interleaved, compare --rev) that drift the same way share
		 * the drift: it widens both samples alike and cannot make one side look slower. */
		bool da = drifts(c->trend_a, c->trend_p_a);

		pb_buf_printf(&why, "%s's runs drift with run order (Kendall tau %+.2f, p = %.2g): "
			      "unstable, not a sample of one level", da ? c->name_a : c->name_b,
			      da ? c->trend_a : c->trend_b, da ? c->trend_p_a : c->trend_p_b);
	} else if (c->windows == 0 && x->n && y->n && pb_metric_load_sensitive(c->a->metric) &&
		   (x->contended || y->contended ||
		    fabs(x->other_cpus - y->other_cpus) >= PB_CONTENTION_OTHER_CPUS)) {
		pb_buf_printf(&why, "measured at different times under different load: other work "
			      "took %.2f CPUs (steal %.1f%%, wall/cpu %.2f) during %s and %.2f CPUs "
			      "(steal %.1f%%, wall/cpu %.2f) during %s; measure both interleaved "
			      "(compare --rev A --rev B), on a quiet machine, or use --metric cpu",
			      x->other_cpus, x->steal_pct, x->wall_over_cpu, c->name_a, y->other_cpus,
			      y->steal_pct, y->wall_over_cpu, c->name_b);
	}
	if (why.len) {
		c->unsafe = pb_buf_detach(&why);
		c->stats.verdict = PB_VERDICT_UNKNOWN;
	}
	pb_buf_release(&why);
}

int pb_compare_measurements(struct pb_compare *c, const struct pb_measurement *a, const char *name_a,
			    const struct pb_measurement *b, const char *name_b, double alpha,
			    double min_effect)
{
	double *va = NULL, *vb = NULL;
	size_t na, nb;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	c->a = a;
	c->b = b;
	c->name_a = name_a;
	c->name_b = name_b;
	c->alpha = alpha;
	c->min_effect = min_effect;
	if (!same_str(a->metric, b->metric))
		return pb_error("%s measures '%s' but %s measures '%s': compare needs the same metric "
				"on both sides (measure again with --metric)", name_a,
				a->metric ? a->metric : "?", name_b, b->metric ? b->metric : "?");
	if (!same_str(a->benchmark, b->benchmark))
		pb_warn("%s is benchmark '%s' but %s is '%s'; comparing anyway", name_a,
			a->benchmark ? a->benchmark : "(a command)", name_b,
			b->benchmark ? b->benchmark : "(a command)");
	if (!same_str(a->backend, b->backend))
		pb_warn("%s was measured with the %s backend and %s with %s", name_a,
			a->backend ? a->backend : "?", name_b, b->backend ? b->backend : "?");
	va = pb_measurement_values(a, &na);
	vb = pb_measurement_values(b, &nb);
	if (na == 0 || nb == 0) {
		const char *which = na == 0 ? name_a : name_b;
		const struct pb_measurement *m = na == 0 ? a : b;

		pb_error("%s: no successful run to compare (%zu %s, all failed)", which, m->n_runs,
			 pb_plural(m->n_runs, "run", "runs"));
		goto out;
	}
	pb_stats_compare(va, na, vb, nb, alpha, min_effect, &c->stats);
	check_safety(c, va, na, vb, nb);
	collect_counters(c);
	collect_derived(c);
	ret = 0;
out:
	free(va);
	free(vb);
	return ret;
}

static void release_deltas(struct pb_compare_delta *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(d[i].name);
	free(d);
}

void pb_compare_release(struct pb_compare *c)
{
	release_deltas(c->counters, c->n_counters);
	release_deltas(c->derived, c->n_derived);
	free(c->unsafe);
	memset(c, 0, sizeof(*c));
}

static bool deterministic(const struct pb_compare *c)
{
	return c->a->summary.n > 0 && c->b->summary.n > 0 && c->a->summary.min == c->a->summary.max &&
	       c->b->summary.min == c->b->summary.max;
}

/* ---- JSON ---- */

static void write_side(struct pb_jsonw *w, const char *key, const struct pb_measurement *m,
		       const char *name)
{
	pb_jsonw_object(w, key);
	pb_summary_write_members(&m->summary, w);
	pb_jsonw_string(w, "file", name);
	pb_jsonw_string(w, "benchmark", m->benchmark);
	pb_jsonw_string(w, "commit", m->commit);
	pb_jsonw_string(w, "backend", m->backend);
	pb_jsonw_int(w, "n_failed", (int64_t)m->n_failed);
	pb_jsonw_end(w);
}

static void write_deltas(struct pb_jsonw *w, const char *key, const struct pb_compare_delta *d, size_t n)
{
	size_t i;

	pb_jsonw_object(w, key);
	for (i = 0; i < n; i++) {
		pb_jsonw_object(w, d[i].name);
		pb_jsonw_number(w, "a", d[i].a);
		pb_jsonw_number(w, "b", d[i].b);
		pb_jsonw_number(w, "ratio", d[i].ratio);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
}

static void write_contention(struct pb_jsonw *w, const char *key, const struct pb_contention *x)
{
	pb_jsonw_object(w, key);
	pb_jsonw_int(w, "runs", (int64_t)x->n);
	if (x->n) {
		pb_jsonw_number(w, "other_cpus", x->other_cpus);
		pb_jsonw_number(w, "max_other_cpus", x->max_other_cpus);
		pb_jsonw_number(w, "steal_pct", x->steal_pct);
		pb_jsonw_number(w, "wall_over_cpu", x->wall_over_cpu);
		pb_jsonw_number(w, "load1_max", x->load1_max);
		pb_jsonw_bool(w, "contended", x->contended);
	}
	pb_jsonw_end(w);
}

/* safety{trend{a, b, p_a, p_b}, windows, contention{a, b}, downgraded, why}. */
static void write_safety(const struct pb_compare *c, struct pb_jsonw *w)
{
	pb_jsonw_object(w, "safety");
	pb_jsonw_object(w, "trend");
	pb_jsonw_number(w, "a", c->trend_a);
	pb_jsonw_number(w, "b", c->trend_b);
	pb_jsonw_number(w, "p_a", c->trend_p_a);
	pb_jsonw_number(w, "p_b", c->trend_p_b);
	pb_jsonw_end(w);
	pb_jsonw_string(w, "windows", c->windows < 0 ? "unknown" : c->windows ? "overlapping" : "apart");
	pb_jsonw_object(w, "contention");
	write_contention(w, "a", &c->cont_a);
	write_contention(w, "b", &c->cont_b);
	pb_jsonw_end(w);
	pb_jsonw_bool(w, "downgraded", c->unsafe != NULL);
	if (c->unsafe) {
		pb_jsonw_string(w, "why", c->unsafe);
		pb_jsonw_string(w, "verdict_before", pb_verdict_name(c->raw_verdict));
	}
	pb_jsonw_end(w);
}

void pb_compare_write(const struct pb_compare *c, struct pb_jsonw *w)
{
	const struct pb_comparison *s = &c->stats;

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_COMPARE_SCHEMA);
	pb_jsonw_string(w, "metric", c->a->metric);
	pb_jsonw_string(w, "unit", c->a->unit ? c->a->unit : c->b->unit);
	write_side(w, "a", c->a, c->name_a);
	write_side(w, "b", c->b, c->name_b);
	pb_jsonw_number(w, "ratio", s->ratio);
	if (deterministic(c)) {
		/* Exact: the values are the answer; no sampling error to put a p-value or CI on. */
		pb_jsonw_null(w, "ci95");
		pb_jsonw_null(w, "p_value");
	} else {
		pb_jsonw_array(w, "ci95");
		pb_jsonw_number(w, NULL, s->ci95[0]);
		pb_jsonw_number(w, NULL, s->ci95[1]);
		pb_jsonw_end(w);
		pb_jsonw_number(w, "p_value", s->p_value);
	}
	pb_jsonw_object(w, "p_values");
	pb_jsonw_number(w, "mwu", s->p_mwu);
	pb_jsonw_number(w, "ks", s->p_ks);
	pb_jsonw_number(w, "welch", s->p_welch);
	pb_jsonw_end(w);
	pb_jsonw_string(w, "verdict", pb_verdict_name(s->verdict));
	pb_jsonw_number(w, "alpha", c->alpha);
	pb_jsonw_number(w, "min_effect", c->min_effect);
	pb_jsonw_bool(w, "deterministic", deterministic(c));
	write_safety(c, w);
	write_deltas(w, "counters", c->counters, c->n_counters);
	write_deltas(w, "derived", c->derived, c->n_derived);
	pb_jsonw_end(w);
}

/* ---- text ---- */

#define COLS 4

struct row {
	char *cell[COLS];
};

struct grid {
	struct row *rows;
	size_t n;
};

static void grid_add(struct grid *g, const char *c0, const char *c1, const char *c2, const char *c3)
{
	const char *src[COLS] = { c0, c1, c2, c3 };
	struct row *r;
	size_t i;

	g->rows = pb_xrealloc(g->rows, (g->n + 1) * sizeof(*g->rows));
	r = &g->rows[g->n++];
	for (i = 0; i < COLS; i++)
		r->cell[i] = src[i] ? pb_xstrdup(src[i]) : NULL;
}

/*
 * The name column left-aligned, the numbers right-aligned under their headers; a row whose only
 * cell is the first is a section title printed as is.
 */
static void grid_render(struct grid *g, struct pb_buf *out)
{
	size_t w[COLS] = { 0 }, i, k, len;

	for (i = 0; i < g->n; i++)
		for (k = 0; k < COLS && g->rows[i].cell[1]; k++)
			if (g->rows[i].cell[k] && (len = strlen(g->rows[i].cell[k])) > w[k])
				w[k] = len;
	for (i = 0; i < g->n; i++) {
		struct row *r = &g->rows[i];

		if (!r->cell[1]) {
			pb_buf_printf(out, "%s\n", r->cell[0]);
		} else {
			pb_buf_printf(out, "  %-*s", (int)w[0], r->cell[0]);
			for (k = 1; k < COLS; k++)
				pb_buf_printf(out, "  %*s", (int)w[k], r->cell[k] ? r->cell[k] : "");
			while (out->len && out->data[out->len - 1] == ' ')
				pb_buf_truncate(out, out->len - 1);
			pb_buf_putc(out, '\n');
		}
		for (k = 0; k < COLS; k++)
			free(r->cell[k]);
	}
	free(g->rows);
	g->rows = NULL;
	g->n = 0;
}

/* A value for people, in the unit of its metric or counter (render/format.h). */
static void fmt_num(char *buf, size_t size, double v, const char *unit)
{
	pb_fmt_value(buf, size, v, unit);
}

static void fmt_ratio(char *buf, size_t size, double r)
{
	if (!isfinite(r))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.3f", r);
}

static void add_values(struct grid *g, const char *name, double a, double b, double ratio,
		       const char *unit)
{
	char fa[48], fb[48], fr[32];

	fmt_num(fa, sizeof(fa), a, unit);
	fmt_num(fb, sizeof(fb), b, unit);
	fmt_ratio(fr, sizeof(fr), ratio);
	grid_add(g, name, fa, fb, fr);
}

/* "min … max" of each side's runs. */
static void add_range(struct grid *g, const struct pb_measurement *a, const struct pb_measurement *b)
{
	double alo, ahi, blo, bhi;
	char fa[112], fb[112], x[48], y[48];

	pb_measurement_range(a, &alo, &ahi);
	pb_measurement_range(b, &blo, &bhi);
	snprintf(fa, sizeof(fa), "%s .. %s", pb_fmt_value(x, sizeof(x), alo, a->unit),
		 pb_fmt_value(y, sizeof(y), ahi, a->unit));
	snprintf(fb, sizeof(fb), "%s .. %s", pb_fmt_value(x, sizeof(x), blo, b->unit),
		 pb_fmt_value(y, sizeof(y), bhi, b->unit));
	grid_add(g, "min .. max", fa, fb, NULL);
}

/* Medians of user and system CPU time per run, where either side recorded them. */
static void add_cpu_split(struct grid *g, const struct pb_measurement *a, const struct pb_measurement *b)
{
	double au, as, bu, bs;

	pb_measurement_cpu_split(a, &au, &as);
	pb_measurement_cpu_split(b, &bu, &bs);
	if (isnan(au) && isnan(bu))
		return;
	add_values(g, "user time", au, bu, ratio_of(au, bu), "ns");
	add_values(g, "sys time", as, bs, ratio_of(as, bs), "ns");
}

static void side_notes(const struct pb_measurement *m, const char *label, struct pb_buf *out)
{
	const struct pb_summary *s = &m->summary;

	if (m->n_failed)
		pb_buf_printf(out, "note: %s: %zu failed %s not counted\n", label, m->n_failed,
			      pb_plural(m->n_failed, "run", "runs"));
	if (s->unstable)
		pb_buf_printf(out, "note: %s is unstable: stdev is %.1f%% of the mean\n", label,
			      100 * s->stdev / fabs(s->mean));
	if (s->too_few && s->n > 1)
		pb_buf_printf(out, "note: %s has only %zu runs: its interval is not to be trusted\n",
			      label, s->n);
	if (s->outliers)
		pb_buf_printf(out, "note: %s has %zu %s (modified z-score > 3.5)\n", label,
			      s->outliers, pb_plural(s->outliers, "outlier", "outliers"));
}

/* Metrics that vary from run to run, unlike instruction counts or cachegrind's simulation. */
static bool timing_metric(const char *metric)
{
	static const char *const timing[] = { "wall", "cpu", "stdout", "pyperf", "hyperfine", "gbench",
					      "cycles", "task-clock" };
	size_t i;

	for (i = 0; metric && i < sizeof(timing) / sizeof(timing[0]); i++)
		if (strcmp(metric, timing[i]) == 0)
			return true;
	return false;
}

static void verdict_sentence(const struct pb_compare *c, struct pb_buf *out)
{
	const struct pb_comparison *s = &c->stats;
	double pct = 100 * (s->ratio - 1);

	switch (s->verdict) {
	case PB_VERDICT_SLOWER:
	case PB_VERDICT_FASTER:
		pb_buf_printf(out, "verdict: %s: B's %s is %.1f%% %s than A's (ratio %.3f, 95%% CI %.3f .. %.3f)",
			      pb_verdict_name(s->verdict), c->a->metric ? c->a->metric : "value",
			      fabs(pct), pct > 0 ? "higher" : "lower", s->ratio, s->ci95[0], s->ci95[1]);
		break;
	case PB_VERDICT_SAME:
		pb_buf_printf(out, "verdict: same: B is within +-%g%% of A (ratio %.3f, 95%% CI %.3f .. %.3f)",
			      100 * c->min_effect, s->ratio, s->ci95[0], s->ci95[1]);
		break;
	case PB_VERDICT_UNKNOWN:
		if (!isfinite(s->ratio))
			pb_buf_puts(out, "verdict: unknown: a ratio of medians cannot be formed from these values");
		else if (!(s->p_value <= c->alpha))
			pb_buf_printf(out, "verdict: unknown: not significant (p %.3g > alpha) and the CI "
				      "reaches beyond +-%g%%; more runs would settle it", s->p_value,
				      100 * c->min_effect);
		else
			pb_buf_printf(out, "verdict: unknown: significant, but %+.1f%% is under the minimum "
				      "effect and the CI reaches beyond it; more runs would settle it", pct);
		break;
	}
	pb_buf_putc(out, '\n');
}

void pb_compare_format(const struct pb_compare *c, struct pb_buf *out)
{
	const struct pb_measurement *a = c->a, *b = c->b;
	const struct pb_comparison *s = &c->stats;
	struct grid g = { NULL, 0 };
	char title[160], fa[128], fb[128], lo[48], hi[48];
	size_t i;

	pb_buf_printf(out, "A: %s", c->name_a);
	if (a->benchmark || a->commit)
		pb_buf_printf(out, " (%s%s%.12s)", a->benchmark ? a->benchmark : "",
			      a->benchmark && a->commit ? " @ " : "", a->commit ? a->commit : "");
	pb_buf_printf(out, "\nB: %s", c->name_b);
	if (b->benchmark || b->commit)
		pb_buf_printf(out, " (%s%s%.12s)", b->benchmark ? b->benchmark : "",
			      b->benchmark && b->commit ? " @ " : "", b->commit ? b->commit : "");
	pb_buf_puts(out, "\n\n");

	/* Values carry their unit ("631.9 ms", "1.84 G"): the header names the metric only. */
	snprintf(title, sizeof(title), "%s", a->metric ? a->metric : "value");
	grid_add(&g, title, "A", "B", "B/A");
	add_values(&g, "median", a->summary.median, b->summary.median, s->ratio, a->unit);
	fmt_num(lo, sizeof(lo), a->summary.ci95[0], a->unit);
	fmt_num(hi, sizeof(hi), a->summary.ci95[1], a->unit);
	snprintf(fa, sizeof(fa), "%s .. %s", lo, hi);
	fmt_num(lo, sizeof(lo), b->summary.ci95[0], b->unit);
	fmt_num(hi, sizeof(hi), b->summary.ci95[1], b->unit);
	snprintf(fb, sizeof(fb), "%s .. %s", lo, hi);
	fmt_ratio(lo, sizeof(lo), s->ci95[0]);
	fmt_ratio(hi, sizeof(hi), s->ci95[1]);
	snprintf(title, sizeof(title), "%s .. %s", lo, hi);
	grid_add(&g, "95% CI", fa, fb, title);
	add_values(&g, "mean", a->summary.mean, b->summary.mean,
		   ratio_of(a->summary.mean, b->summary.mean), a->unit);
	add_values(&g, "stdev", a->summary.stdev, b->summary.stdev, NAN, a->unit);
	add_range(&g, a, b);
	snprintf(fa, sizeof(fa), "%zu", a->summary.n);
	snprintf(fb, sizeof(fb), "%zu", b->summary.n);
	grid_add(&g, "runs", fa, fb, NULL);
	add_cpu_split(&g, a, b);
	if (c->n_counters) {
		grid_add(&g, "", NULL, NULL, NULL);
		grid_add(&g, "counters (median per run)", NULL, NULL, NULL);
		for (i = 0; i < c->n_counters; i++)
			add_values(&g, c->counters[i].name, c->counters[i].a, c->counters[i].b,
				   c->counters[i].ratio, pb_fmt_metric_unit(c->counters[i].name));
	}
	if (c->n_derived) {
		grid_add(&g, "", NULL, NULL, NULL);
		grid_add(&g, "derived metrics", NULL, NULL, NULL);
		for (i = 0; i < c->n_derived; i++)
			add_values(&g, c->derived[i].name, c->derived[i].a, c->derived[i].b,
				   c->derived[i].ratio, NULL);
	}
	grid_render(&g, out);

	pb_buf_putc(out, '\n');
	if (deterministic(c))
		pb_buf_printf(out, "exact: %s -> %s (no spread on either side: no p-value or CI)",
			      pb_fmt_exact(lo, sizeof(lo), a->summary.median),
			      pb_fmt_exact(hi, sizeof(hi), b->summary.median));
	else
		pb_buf_printf(out, "p-value: %.3g (Mann-Whitney %.3g, Kolmogorov-Smirnov %.3g, Welch %.3g)",
			      s->p_value, s->p_mwu, s->p_ks, s->p_welch);
	pb_buf_printf(out, "; alpha %g, min effect %g%%\n", c->alpha, 100 * c->min_effect);
	side_notes(a, "A", out);
	side_notes(b, "B", out);
	if (deterministic(c) && (a->summary.n == 1 || b->summary.n == 1) && timing_metric(a->metric))
		pb_buf_puts(out, "note: a single run of a timing metric is taken as exact; record more "
				 "runs (measure --runs N) for a test that accounts for noise\n");
	if (c->unsafe)
		pb_buf_printf(out, "warning: the runs would say %s, but %s: verdict unknown\n",
			      pb_verdict_name(c->raw_verdict), c->unsafe);
	verdict_sentence(c, out);
}

/* What a comparison document promises the report. */
static const struct pb_schema_rule compare_rules[] = {
	{ "metric", PB_S_STR | PB_S_REQ },
	{ "unit", PB_S_STR | PB_S_NULL },
	{ "a", PB_S_OBJ | PB_S_REQ },
	{ "b", PB_S_OBJ | PB_S_REQ },
	{ "a.n_failed", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "b.n_failed", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "a.summary", PB_S_OBJ },
	{ "b.summary", PB_S_OBJ },
	{ "a.summary.n", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "b.summary.n", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "ratio", PB_S_NUM | PB_S_NULL | PB_S_REQ },
	{ "ci95", PB_S_ARR | PB_S_NULL | PB_S_REQ },
	{ "ci95[]", PB_S_NUM | PB_S_NULL },
	{ "p_value", PB_S_NUM | PB_S_NULL | PB_S_REQ },
	{ "verdict", PB_S_STR | PB_S_REQ },
	{ "counters", PB_S_OBJ },
	{ "counters.*", PB_S_OBJ },
	{ "counters.*.a", PB_S_NUM | PB_S_NULL | PB_S_NONNEG },
	{ "counters.*.b", PB_S_NUM | PB_S_NULL | PB_S_NONNEG },
	{ "counters.*.ratio", PB_S_NUM | PB_S_NULL },
	{ "derived", PB_S_OBJ },
	{ "derived.*", PB_S_OBJ },
	{ NULL, 0 },
};

const struct pb_schema pb_compare_schema = { PB_COMPARE_SCHEMA, compare_rules };
