/* seqtest.c: Wald's SPRT on the signs of paired blocks' log ratios, valid under any noise (seqtest.h). */
#include "measure/seqtest.h"

#include <math.h>

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
	double d, c, x;

	if (!(a > 0) || !(b > 0) || !isfinite(a) || !isfinite(b))
		goto state;
	d = log(b / a);
	c = t->clip > 0 ? t->clip : t->effect + t->sigma;
	d = d > c ? c : d < -c ? -c : d;
	/* log(2 P_H1(sign of d | |d|)) = log 2 - log(1 + exp(-x)); an odd function of d, so that its
	 * exponential has mean 1 when the sign is a fair coin. */
	x = 2 * t->effect * d / (t->sigma * t->sigma);
	/* A bounded bet: one block moves the test by at most log(1 + tanh(xmax / 2)) up and
	 * log(1 - tanh(xmax / 2)) down, however small sigma was estimated. */
	x = x > t->xmax ? t->xmax : x < -t->xmax ? -t->xmax : x;
	t->llr += x < -30 ? M_LN2 + x : M_LN2 - log1p(exp(-x));
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
