/* seqtest.c: Wald's SPRT on the signs of paired blocks' log ratios, valid under any noise (seqtest.h). */
#include "measure/seqtest.h"

#include <math.h>
#include <stdlib.h>

#include "core/error.h"

int pb_seqtest_init(struct pb_seqtest *t, double effect, double sigma, double alpha, double beta)
{
	if (!(effect > 0) || !isfinite(effect) || !(sigma > 0) || !isfinite(sigma))
		return pb_error("sequential test: the effect (%g) and the noise (%g) must be positive",
				effect, sigma);
	if (!(alpha > 0 && alpha < 1) || !(beta > 0 && beta < 1))
		return pb_error("sequential test: alpha (%g) and beta (%g) must lie between 0 and 1",
				alpha, beta);
	t->effect = effect;
	t->sigma = sigma;
	t->clip = 0;
	t->xmax = PB_SEQTEST_XMAX;
	/* Not Wald's approximation log((1 - beta) / alpha): 1 / alpha is what Ville's inequality bounds. */
	t->upper = log(1 / alpha);
	t->lower = log(beta / (1 - alpha));
	t->llr = t->max_llr = 0;
	t->n = 0;
	return 0;
}

enum pb_seqtest_state pb_seqtest_add(struct pb_seqtest *t, double a, double b)
{
	return pb_seqtest_add_block(t, &a, &b, 1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

enum pb_seqtest_state pb_seqtest_add_block(struct pb_seqtest *t, const double *a, const double *b, size_t m)
{
	double x[2 * PB_SEQTEST_MAX_SIDE], sorted[2 * PB_SEQTEST_MAX_SIDE], c, center, lambda, tobs = 0,
	       tmin = 0, tmax = 0, ts, sum = 0, big = -INFINITY;
	/* T of every placement: at most (8 choose 4) */
	double lt[70];
	unsigned mask, n2, bit, ones, count = 0;
	size_t k;

	if (m < 1 || m > PB_SEQTEST_MAX_SIDE)
		goto state;
	n2 = (unsigned)(2 * m);
	for (k = 0; k < 2 * m; k++) {
		double v = k < m ? a[k] : b[k - m];

		if (!(v > 0) || !isfinite(v))
			goto state;
		x[k] = sorted[k] = log(v);
	}
	/* Centred on the block's median and clipped: one run a burst hit counts a bounded amount. The
	 * centre and the clip depend on the values only, never on which of them were b's. */
	qsort(sorted, n2, sizeof(double), cmp_double);
	center = (sorted[m - 1] + sorted[m]) / 2;
	c = (t->clip > 0 ? t->clip : t->effect + t->sigma) / 2;
	for (k = 0; k < n2; k++) {
		x[k] -= center;
		x[k] = x[k] > c ? c : x[k] < -c ? -c : x[k];
		if (k >= m)
			tobs += x[k];
	}
	/* The spread of T over the placements: the m largest values against the m smallest. */
	for (k = 0; k < m; k++) {
		tmin += sorted[k] - center < -c ? -c : sorted[k] - center > c ? c : sorted[k] - center;
		tmax += sorted[n2 - 1 - k] - center > c ? c : sorted[n2 - 1 - k] - center < -c ? -c :
			sorted[n2 - 1 - k] - center;
	}
	lambda = 2 * t->effect / (t->sigma * t->sigma);
	if (tmax - tmin > 0 && lambda * (tmax - tmin) > (double)m * t->xmax)
		lambda = (double)m * t->xmax / (tmax - tmin);
	/* log of the mean over placements of exp(lambda T), by log-sum-exp */
	for (mask = 0; mask < (1u << n2); mask++) {
		for (ones = 0, bit = 0; bit < n2; bit++)
			ones += (mask >> bit) & 1;
		if (ones != m)
			continue;
		for (ts = 0, bit = 0; bit < n2; bit++)
			if ((mask >> bit) & 1)
				ts += x[bit];
		lt[count++] = lambda * ts;
		big = lambda * ts > big ? lambda * ts : big;
	}
	for (k = 0; k < count; k++)
		sum += exp(lt[k] - big);
	t->llr += lambda * tobs - big - log(sum / count);
	t->n++;
	if (t->llr > t->max_llr)
		t->max_llr = t->llr;
state:
	if (t->llr >= t->upper)
		return PB_SEQTEST_EFFECT;
	if (t->llr <= t->lower)
		return PB_SEQTEST_NULL;
	return PB_SEQTEST_CONTINUE;
}

double pb_seqtest_p(const struct pb_seqtest *t)
{
	return t->max_llr > 0 ? exp(-t->max_llr) : 1;
}
