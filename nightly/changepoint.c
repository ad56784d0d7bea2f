/* changepoint.c: E-Divisive means with Student's t-test as significance, split then merge (Hunter/Otava). */
#include "nightly/changepoint.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "measure/stats.h"

/* A growing, index-sorted set of change points. */
struct cps {
	struct pb_change_point *v;
	size_t n, cap;
};

static void cps_insert(struct cps *c, const struct pb_change_point *p)
{
	size_t at = 0;

	while (at < c->n && c->v[at].index < p->index)
		at++;
	if (at < c->n && c->v[at].index == p->index)
		return; /* overlapping windows find the same point twice */
	pb_xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	memmove(c->v + at + 1, c->v + at, (c->n - at) * sizeof(*c->v));
	c->v[at] = *p;
	c->n++;
}

static void cps_remove(struct cps *c, size_t at)
{
	memmove(c->v + at, c->v + at + 1, (c->n - at - 1) * sizeof(*c->v));
	c->n--;
}

/*
 * The candidate of x[start..stop) (at least 2 points): the tau maximising, over every kappa,
 *   Q(X = x[start..tau), Y = x[tau..kappa)) = 2/(n+m) sum|X-Y| - 2m/((n+m)(n-1)) sum_{i<k}|Xi-Xk|
 *                                              - 2n/((n+m)(m-1)) sum_{j<k}|Yj-Yk|
 * (Matteson and James's Q-hat with exponent 1; n = |X|, m = |Y|; a within-sum of one value is 0).
 * The sums grow by one point at a time: O(len^3) for a window, no matrices. Ties: the first.
 */
static size_t best_split(const double *x, size_t start, size_t stop, double *qhat)
{
	double sum_xx = 0, sum_xy, sum_yy, q, best = -INFINITY;
	size_t tau, kappa, i, at = start + 1;

	for (tau = start + 1; tau < stop; tau++) {
		double nx = (double)(tau - start);

		/* X gained x[tau - 1]: its distances to the earlier X values. */
		for (i = start; i + 1 < tau; i++)
			sum_xx += fabs(x[i] - x[tau - 1]);
		sum_xy = sum_yy = 0;
		for (kappa = tau + 1; kappa <= stop; kappa++) {
			double y = x[kappa - 1], m = (double)(kappa - tau);

			for (i = start; i < tau; i++)
				sum_xy += fabs(x[i] - y);
			for (i = tau; i + 1 < kappa; i++)
				sum_yy += fabs(x[i] - y);
			q = 2 / (nx + m) * sum_xy;
			if (nx > 1)
				q -= 2 * m / ((nx + m) * (nx - 1)) * sum_xx;
			if (m > 1)
				q -= 2 * nx / ((nx + m) * (m - 1)) * sum_yy;
			if (q > best) {
				best = q;
				at = tau;
			}
		}
	}
	*qhat = best;
	return at;
}

static double sample_std(const double *x, size_t n, double mean)
{
	double ss = 0;
	size_t i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return sqrt(ss / (double)(n - 1));
}

static double mean_of(const double *x, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

/* Test the point at p->index between the segments [lo, index) and [index, hi). */
static void test_point(const double *x, size_t lo, size_t hi, struct pb_change_point *p)
{
	const double *a = x + lo, *b = x + p->index;
	size_t na = p->index - lo, nb = hi - p->index;

	p->p_value = pb_stats_student(a, na, b, nb, &p->t);
	p->mean_before = mean_of(a, na);
	p->mean_after = mean_of(b, nb);
	p->std_before = sample_std(a, na, p->mean_before);
	p->std_after = sample_std(b, nb, p->mean_after);
	p->rel_change = p->mean_before != 0 ? p->mean_after / p->mean_before - 1 : 0;
}

/* Re-test point k of c against its neighbours (the series' ends beyond the outer ones). */
static void retest(const double *x, size_t n, struct cps *c, size_t k)
{
	test_point(x, k ? c->v[k - 1].index : 0, k + 1 < c->n ? c->v[k + 1].index : n, &c->v[k]);
}

/* E-Divisive on x[start..stop): add the significant points to `all`; returns the last one's index (0: none). */
static size_t divide(const double *x, size_t start, size_t stop, double pvalue, struct cps *all)
{
	struct cps found = { NULL, 0, 0 };
	struct pb_change_point p;
	size_t last;

	for (;;) {
		size_t lo = start, k, best_lo = 0, best_hi = 0, best_at = 0;
		double best_q = -INFINITY, q;

		/* The best candidate over the segments the accepted points leave. */
		for (k = 0; k <= found.n; k++) {
			size_t hi = k < found.n ? found.v[k].index : stop, at;

			if (hi - lo > 1) {
				at = best_split(x, lo, hi, &q);
				if (q > best_q) {
					best_q = q;
					best_at = at;
					best_lo = lo;
					best_hi = hi;
				}
			}
			lo = hi;
		}
		if (best_q == -INFINITY)
			break;
		memset(&p, 0, sizeof(p));
		p.index = best_at;
		p.qhat = best_q;
		test_point(x, best_lo, best_hi, &p);
		if (!(p.p_value <= pvalue))
			break;
		cps_insert(&found, &p);
	}
	for (size_t k = 0; k < found.n; k++)
		cps_insert(all, &found.v[k]);
	last = found.n ? found.v[found.n - 1].index : 0;
	free(found.v);
	return last;
}

static double magnitude(const struct pb_change_point *p)
{
	double fwd = p->mean_before != 0 ? fabs(p->mean_after / p->mean_before - 1) : 0;
	double bwd = p->mean_after != 0 ? fabs(p->mean_before / p->mean_after - 1) : 0;

	return fwd > bwd ? fwd : bwd;
}

static bool same_code(const uint64_t *text_hash, size_t i)
{
	return text_hash && text_hash[i] && text_hash[i] == text_hash[i - 1];
}

/* Hunter's merge step, with identical code as the first reason to drop a point. */
static void merge(const double *x, const uint64_t *text_hash, size_t n, const struct pb_cp_opts *o,
		  struct cps *c)
{
	size_t k, weakest;

	while (c->n) {
		weakest = c->n;
		for (k = 0; k < c->n && weakest == c->n; k++)
			if (same_code(text_hash, c->v[k].index))
				weakest = k;
		if (weakest == c->n) {
			weakest = 0;
			for (k = 1; k < c->n; k++)
				if (c->v[k].p_value > c->v[weakest].p_value)
					weakest = k;
		}
		if (!same_code(text_hash, c->v[weakest].index) && c->v[weakest].p_value < o->max_pvalue) {
			weakest = 0;
			for (k = 1; k < c->n; k++)
				if (magnitude(&c->v[k]) < magnitude(&c->v[weakest]))
					weakest = k;
			if (magnitude(&c->v[weakest]) > o->min_magnitude)
				return;
		}
		cps_remove(c, weakest);
		/* Its neighbours now reach further: the one before it and the one that took its place. */
		if (weakest > 0)
			retest(x, n, c, weakest - 1);
		if (weakest < c->n)
			retest(x, n, c, weakest);
	}
}

void pb_changepoints_find(const double *x, const uint64_t *text_hash, size_t n,
			  const struct pb_cp_opts *o, struct pb_change_point **out, size_t *n_out)
{
	struct cps all = { NULL, 0, 0 };
	size_t window = o->window < 2 ? 2 : o->window, step = window / 2, start = 0, end, k;
	double first_pass = o->max_pvalue < 0.05 ? o->max_pvalue * 10 :
			    o->max_pvalue < 0.5 ? o->max_pvalue * 2 : o->max_pvalue;

	/* Split: windows half a window apart; the next starts at the last point found when later. */
	while (start < n) {
		size_t last;

		end = start + window < n ? start + window : n;
		last = divide(x, start, end, first_pass, &all);
		start = last > start + step ? last : start + step;
	}
	/* The weak points' statistics over the whole series, each against its neighbours. */
	for (k = 0; k < all.n; k++)
		retest(x, n, &all, k);
	merge(x, text_hash, n, o, &all);
	*out = all.n ? all.v : NULL;
	*n_out = all.n;
	if (!all.n)
		free(all.v);
}
