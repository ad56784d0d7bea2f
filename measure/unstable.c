/* unstable.c: run series that alternate between two modes or drift run after run (unstable.h). */
#include "measure/unstable.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of x[0..n-1] (sorted in place); 0 when n is 0. */
static double median(double *x, size_t n)
{
	if (n == 0)
		return 0;
	qsort(x, n, sizeof(*x), cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* r[k] = log(v[k]) minus the mean log of v's group, for the positive values; returns how many.
 * The mean, not the median: a group whose runs fell mostly in one of two modes keeps its runs of
 * the other mode apart from that mode, where the median would put one mode at zero. */
static size_t residuals(const size_t *group, const double *v, size_t n, double *r, size_t *g,
			double *lg)
{
	double sum;
	size_t k, j, m = 0, nt;

	for (k = 0; k < n; k++)
		if (v[k] > 0 && isfinite(v[k])) {
			lg[m] = log(v[k]);
			g[m++] = group[k];
		}
	for (k = 0; k < m; k++) {
		sum = 0;
		nt = 0;
		for (j = 0; j < m; j++)
			if (g[j] == g[k]) {
				sum += lg[j];
				nt++;
			}
		r[k] = lg[k] - sum / (double)nt;
	}
	return m;
}

/* Every run slower (or faster) than the last. */
static bool drifts(const double *r, size_t m, double min_effect, char *why, size_t whylen)
{
	double *third = pb_xmalloc(m * sizeof(*third)), first, last;
	size_t k, up = 0, down = 0, t = m / 3;
	bool ret = false;

	for (k = 1; k < m; k++) {
		up += r[k] > r[k - 1];
		down += r[k] < r[k - 1];
	}
	memcpy(third, r, t * sizeof(*third));
	first = median(third, t);
	memcpy(third, r + m - t, t * sizeof(*third));
	last = median(third, t);
	if ((up >= 0.9 * (double)(m - 1) || down >= 0.9 * (double)(m - 1)) &&
	    fabs(last - first) >= log(1 + min_effect)) {
		snprintf(why, whylen, "every run is %s than the last (%zu of %zu in a row), %+.1f%% from "
			 "the first third of the %zu runs to the last", up > down ? "slower" : "faster",
			 up > down ? up : down, m - 1, (exp(last - first) - 1) * 100, m);
		ret = true;
	}
	free(third);
	return ret;
}

/*
 * The two modes' distance, fitted: within each group, the mean log of its runs at even positions
 * minus that at odd positions, the groups weighted by ne * no / (ne + no). 0 when no group has
 * runs at both.
 */
static double mode_gap(const size_t *g, const double *lg, size_t m)
{
	double num = 0, den = 0, se, so, w;
	size_t k, j, ne, no;

	for (k = 0; k < m; k++) {
		for (j = 0; j < k && g[j] != g[k]; j++)
			;
		if (j < k)
			continue; /* the group was done at its first run */
		se = so = 0;
		ne = no = 0;
		for (j = k; j < m; j++) {
			if (g[j] != g[k])
				continue;
			if (j % 2 == 0) {
				se += lg[j];
				ne++;
			} else {
				so += lg[j];
				no++;
			}
		}
		if (ne == 0 || no == 0)
			continue;
		w = (double)ne * (double)no / (double)(ne + no);
		num += w * (se / (double)ne - so / (double)no);
		den += w;
	}
	return den > 0 ? num / den : 0;
}

/* Runs at even and odd positions in two separate modes (r: residuals, g and lg: the groups and
 * log values they came from). */
static bool alternates(const double *r, const size_t *g, const double *lg, size_t m,
		       double min_effect, char *why, size_t whylen)
{
	double *x = pb_xmalloc(m * sizeof(*x)), mid, gap, spread;
	size_t k, ne = 0, no = 0, even_above = 0, odd_above = 0;
	bool ret = false;

	memcpy(x, r, m * sizeof(*x));
	mid = median(x, m);
	for (k = 0; k < m; k++) {
		if (k % 2 == 0) {
			ne++;
			even_above += r[k] > mid;
		} else {
			no++;
			odd_above += r[k] > mid;
		}
	}
	gap = fabs(mode_gap(g, lg, m));
	/* The spread within a mode: each run against the mean of its commit's runs of its parity. */
	for (k = 0; k < m; k++) {
		double sum = 0;
		size_t j, nt = 0;

		for (j = k % 2; j < m; j += 2)
			if (g[j] == g[k]) {
				sum += lg[j];
				nt++;
			}
		x[k] = fabs(lg[k] - sum / (double)nt);
	}
	spread = median(x, m);
	/* Every run on its parity's side: by chance about 2 / C(n, n/2) for iid runs (1e-5 at 20). */
	if (((even_above == ne && odd_above == 0) || (odd_above == no && even_above == 0)) &&
	    gap >= log(1 + min_effect) && gap > 4 * spread) {
		snprintf(why, whylen, "the runs alternate between two modes, every other run %.1f%% "
			 "slower (%zu runs, spread within a mode %.1f%%)", (exp(gap) - 1) * 100, m,
			 (exp(spread) - 1) * 100);
		ret = true;
	}
	free(x);
	return ret;
}

bool pb_unstable_check(const size_t *group, const double *v, size_t n, double min_effect, char *why,
		       size_t whylen)
{
	double *r, *lg;
	size_t m, *g;
	bool ret = false;

	if (n < PB_UNSTABLE_MIN_RUNS)
		return false;
	r = pb_xmalloc(n * sizeof(*r));
	lg = pb_xmalloc(n * sizeof(*lg));
	g = pb_xmalloc(n * sizeof(*g));
	m = residuals(group, v, n, r, g, lg);
	if (m >= PB_UNSTABLE_MIN_RUNS)
		ret = drifts(r, m, min_effect, why, whylen) ||
		      alternates(r, g, lg, m, min_effect, why, whylen);
	free(r);
	free(lg);
	free(g);
	return ret;
}
