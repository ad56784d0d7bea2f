/* stats.c: summaries, rank and distribution tests, verdicts and Wald's SPRT (the only file using GSL). */
#include "measure/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "core/buf.h"
#include "core/error.h"

/* Exact Mann-Whitney distribution up to this many values per side (and no ties). */
#define MWU_EXACT_MAX 20
/* Exact two-sample KS (lattice paths, O(na * nb)) up to this product; asymptotic beyond. */
#define KS_EXACT_MAX_CELLS 4000000.0

/* Iglewicz and Hoaglin's modified z-score: 0.6745 (x - median) / MAD, outlier beyond 3.5. */
#define MZ_SCALE 0.6745
#define MZ_LIMIT 3.5
/* When MAD is 0, the same authors scale the mean absolute deviation instead: 1.253314 = sqrt(pi/2). */
#define MEANAD_SCALE 1.253314

static double *sorted_copy(const double *x, size_t n)
{
	double *s = pb_xmalloc((n ? n : 1) * sizeof(*s));

	if (n)
		memcpy(s, x, n * sizeof(*s));
	gsl_sort(s, 1, n);
	return s;
}

double pb_stats_median(const double *x, size_t n)
{
	double *s, m;

	if (n == 0)
		return NAN;
	s = sorted_copy(x, n);
	m = gsl_stats_median_from_sorted_data(s, 1, n);
	free(s);
	return m;
}

/* Median of one resample (n draws with replacement) of x, using tmp (n values) as scratch. */
static double resample_median(const gsl_rng *r, const double *x, size_t n, double *tmp)
{
	size_t i;

	for (i = 0; i < n; i++)
		tmp[i] = x[gsl_rng_uniform_int(r, n)];
	/* Quickselect (rearranges tmp): O(n) per resample instead of a sort. */
	return gsl_stats_median(tmp, 1, n);
}

static gsl_rng *seeded_rng(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	if (!r)
		abort(); /* only fails on memory exhaustion, as pb_xmalloc */
	gsl_rng_set(r, PB_STATS_SEED);
	return r;
}

/* Percentile interval [2.5%, 97.5%] of `reps` (sorted in place). */
static void percentile_ci(double *reps, size_t n, double ci[2])
{
	gsl_sort(reps, 1, n);
	ci[0] = gsl_stats_quantile_from_sorted_data(reps, 1, n, 0.025);
	ci[1] = gsl_stats_quantile_from_sorted_data(reps, 1, n, 0.975);
}

static void bootstrap_median_ci(const double *x, size_t n, double ci[2])
{
	double *reps = pb_xmalloc(PB_STATS_BOOTSTRAP * sizeof(*reps));
	double *tmp = pb_xmalloc(n * sizeof(*tmp));
	gsl_rng *r = seeded_rng();
	size_t k;

	for (k = 0; k < PB_STATS_BOOTSTRAP; k++)
		reps[k] = resample_median(r, x, n, tmp);
	percentile_ci(reps, PB_STATS_BOOTSTRAP, ci);
	gsl_rng_free(r);
	free(tmp);
	free(reps);
}

/* Count values whose modified z-score exceeds MZ_LIMIT; s is sorted, med its median. */
static size_t count_outliers(const double *s, size_t n, double med)
{
	double *dev = pb_xmalloc(n * sizeof(*dev));
	double mad, scale, sum = 0;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		dev[i] = fabs(s[i] - med);
		sum += dev[i];
	}
	gsl_sort(dev, 1, n);
	mad = gsl_stats_median_from_sorted_data(dev, 1, n);
	if (mad > 0)
		scale = MZ_SCALE / mad;
	else if (sum > 0)
		scale = 1.0 / (MEANAD_SCALE * (sum / (double)n));
	else
		scale = 0; /* all values equal: nothing stands out */
	for (i = 0; i < n; i++)
		if (scale > 0 && fabs(s[i] - med) * scale > MZ_LIMIT)
			k++;
	free(dev);
	return k;
}

void pb_stats_summary(const double *x, size_t n, struct pb_summary *out)
{
	double *s;

	memset(out, 0, sizeof(*out));
	out->n = n;
	if (n == 0) {
		out->median = out->mean = out->stdev = out->min = out->max = NAN;
		out->ci95[0] = out->ci95[1] = NAN;
		out->too_few = true;
		return;
	}
	s = sorted_copy(x, n);
	out->median = gsl_stats_median_from_sorted_data(s, 1, n);
	out->mean = gsl_stats_mean(s, 1, n);
	out->stdev = n > 1 ? gsl_stats_sd_m(s, 1, n, out->mean) : 0;
	out->min = s[0];
	out->max = s[n - 1];
	/* Resampling the sorted values makes the interval independent of the runs' order. */
	if (s[0] == s[n - 1]) {
		out->ci95[0] = out->ci95[1] = s[0];
	} else {
		bootstrap_median_ci(s, n, out->ci95);
	}
	out->outliers = count_outliers(s, n, out->median);
	out->unstable = out->stdev > 0.1 * fabs(out->mean);
	out->too_few = n < 5;
	free(s);
}

/* ---- Mann-Whitney U ---- */

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *x = pa, *y = pb;

	return (x->v > y->v) - (x->v < y->v);
}

/*
 * P(U >= u) for U of m values against n values without ties: the number of orderings with a
 * given U counted by dynamic programming over the position of the largest value
 * (c(m, n, u) = c(m - 1, n, u - n) + c(m, n - 1, u)), divided by C(m + n, m). Counts stay below
 * C(40, 20) < 2^53, exact in a double.
 */
static double mwu_exact_sf(size_t m, size_t n, double u)
{
	size_t umax = m * n, i, j, k;
	double *cnt = pb_xcalloc((n + 1) * (umax + 1), sizeof(*cnt));
	double total = 0, tail = 0;

#define C(j_, u_) cnt[(j_) * (umax + 1) + (u_)]
	/* i = 0 values of a: only U = 0 is possible, whatever j. */
	for (j = 0; j <= n; j++)
		C(j, 0) = 1;
	for (i = 1; i <= m; i++) {
		/* Row j holds c(i - 1, j, .) on entry; update in place from high u down for the
		 * c(i - 1, j, u - j) term, then add c(i, j - 1, u), already updated. */
		for (j = 0; j <= n; j++) {
			for (k = umax + 1; k-- > 0;)
				C(j, k) = k >= j ? C(j, k - j) : 0;
			if (j > 0)
				for (k = 0; k <= umax; k++)
					C(j, k) += C(j - 1, k);
		}
	}
	for (k = 0; k <= umax; k++) {
		total += C(n, k);
		if ((double)k >= u - 1e-9)
			tail += C(n, k);
	}
#undef C
	free(cnt);
	return tail / total;
}

double pb_stats_mwu(const double *a, size_t na, const double *b, size_t nb, double *u_out)
{
	size_t n = na + nb, i, j;
	struct ranked *r;
	double ra = 0, ties = 0, u, umax, mu, sigma2, z, p;
	bool tied = false;

	if (u_out)
		*u_out = NAN;
	if (na == 0 || nb == 0)
		return NAN;
	r = pb_xmalloc(n * sizeof(*r));
	for (i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 1 };
	for (i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 0 };
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (i = 0; i < n; i = j) {
		double t, mid;

		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		t = (double)(j - i);
		mid = (double)(i + j + 1) / 2.0; /* mean of the ranks i+1 .. j */
		if (t > 1) {
			tied = true;
			ties += t * t * t - t;
		}
		for (size_t k = i; k < j; k++)
			if (r[k].from_a)
				ra += mid;
	}
	free(r);
	u = ra - (double)na * (double)(na + 1) / 2.0;
	if (u_out)
		*u_out = u;
	mu = (double)na * (double)nb / 2.0;
	umax = u > mu ? u : (double)na * (double)nb - u; /* the larger of U_a and U_b */
	if (!tied && na <= MWU_EXACT_MAX && nb <= MWU_EXACT_MAX) {
		p = 2.0 * mwu_exact_sf(na, nb, umax);
		return p > 1 ? 1 : p;
	}
	sigma2 = (double)na * (double)nb / 12.0 *
		 ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
	if (sigma2 <= 0)
		return 1; /* every value equal */
	z = (umax - mu - 0.5) / sqrt(sigma2);
	if (z < 0)
		z = 0;
	p = 2.0 * gsl_cdf_ugaussian_Q(z);
	return p > 1 ? 1 : p;
}

/* ---- Kolmogorov-Smirnov ---- */

/*
 * Exact P(D >= d) for two samples of m and n values (no ties assumed, as scipy's method="exact"):
 * a uniformly random lattice path from (0,0) to (m,n) steps right with probability
 * (m - i) / ((m - i) + (n - j)); mass reaching a point with |i n - j m| >= dmn (D scaled by m n,
 * an integer) has left the band and is collected. Summing exit mass keeps small p accurate.
 */
static double ks_exact_sf(size_t m, size_t n, int64_t dmn)
{
	double *row = pb_xcalloc(n + 1, sizeof(*row));
	double out = 0;
	size_t i, j;

	for (i = 0; i <= m; i++) {
		for (j = 0; j <= n; j++) {
			double mass;
			int64_t gap;

			if (i == 0 && j == 0) {
				row[0] = 1;
				continue;
			}
			mass = 0;
			if (i > 0) /* from (i - 1, j): row[j] still holds it */
				mass += row[j] * (double)(m - i + 1) / (double)(m - i + 1 + n - j);
			if (j > 0) /* from (i, j - 1), updated already */
				mass += row[j - 1] * (double)(n - j + 1) / (double)(m - i + n - j + 1);
			gap = (int64_t)i * (int64_t)n - (int64_t)j * (int64_t)m;
			if (gap < 0)
				gap = -gap;
			if (gap >= dmn) {
				out += mass;
				mass = 0;
			}
			row[j] = mass;
		}
	}
	free(row);
	return out > 1 ? 1 : out;
}

/*
 * Asymptotic: the limiting Kolmogorov distribution Q(lambda) = 2 sum (-1)^(k-1) exp(-2 k^2 lambda^2)
 * with lambda = sqrt(m n / (m + n)) D (scipy's kstwobign.sf); for small lambda the dual series
 * P(K <= lambda) = sqrt(2 pi) / lambda sum exp(-(2k-1)^2 pi^2 / (8 lambda^2)) converges faster.
 */
static double kolmogorov_sf(double lambda)
{
	double s = 0, term;
	int k;

	if (lambda <= 0)
		return 1;
	if (lambda < 1.18) {
		for (k = 1; k <= 50; k++) {
			term = exp(-(double)((2 * k - 1) * (2 * k - 1)) * M_PI * M_PI /
				   (8 * lambda * lambda));
			s += term;
			if (term < 1e-17 * s)
				break;
		}
		s = 1 - sqrt(2 * M_PI) / lambda * s;
	} else {
		for (k = 1; k <= 100; k++) {
			term = exp(-2.0 * k * k * lambda * lambda);
			s += (k % 2 ? 2 : -2) * term;
			if (term < 1e-17)
				break;
		}
	}
	return s < 0 ? 0 : s > 1 ? 1 : s;
}

double pb_stats_ks(const double *a, size_t na, const double *b, size_t nb, double *d_out)
{
	double *sa, *sb, en;
	size_t i = 0, j = 0;
	int64_t gap, dmn = 0;

	if (d_out)
		*d_out = NAN;
	if (na == 0 || nb == 0)
		return NAN;
	sa = sorted_copy(a, na);
	sb = sorted_copy(b, nb);
	/* Walk both ECDFs; compare only after all values equal to the current one are taken. */
	while (i < na || j < nb) {
		double v = i < na && (j >= nb || sa[i] <= sb[j]) ? sa[i] : sb[j];

		while (i < na && sa[i] == v)
			i++;
		while (j < nb && sb[j] == v)
			j++;
		gap = (int64_t)i * (int64_t)nb - (int64_t)j * (int64_t)na;
		if (gap < 0)
			gap = -gap;
		if (gap > dmn)
			dmn = gap;
	}
	free(sa);
	free(sb);
	if (d_out)
		*d_out = (double)dmn / ((double)na * (double)nb);
	if (dmn == 0)
		return 1;
	if ((double)na * (double)nb <= KS_EXACT_MAX_CELLS)
		return ks_exact_sf(na, nb, dmn);
	en = (double)na * (double)nb / (double)(na + nb);
	return kolmogorov_sf(sqrt(en) * (double)dmn / ((double)na * (double)nb));
}

/* ---- Welch ---- */

double pb_stats_welch(const double *a, size_t na, const double *b, size_t nb, double *t_out)
{
	double ma, mb, va, vb, se2, t, df;

	if (t_out)
		*t_out = NAN;
	if (na < 2 || nb < 2)
		return NAN;
	ma = gsl_stats_mean(a, 1, na);
	mb = gsl_stats_mean(b, 1, nb);
	va = gsl_stats_variance_m(a, 1, na, ma) / (double)na;
	vb = gsl_stats_variance_m(b, 1, nb, mb) / (double)nb;
	se2 = va + vb;
	if (se2 <= 0) {
		if (t_out)
			*t_out = ma == mb ? 0 : ma > mb ? INFINITY : -INFINITY;
		return ma == mb ? 1 : 0;
	}
	t = (ma - mb) / sqrt(se2);
	/* Welch-Satterthwaite degrees of freedom. */
	df = se2 * se2 / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
	if (t_out)
		*t_out = t;
	return 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
}

double pb_stats_student(const double *a, size_t na, const double *b, size_t nb, double *t_out)
{
	double ma, mb, ssa = 0, ssb = 0, df, sp2, se, t;

	if (t_out)
		*t_out = 0;
	if (na == 0 || nb == 0 || na + nb < 3)
		return 1;
	ma = gsl_stats_mean(a, 1, na);
	mb = gsl_stats_mean(b, 1, nb);
	/* Sums of squares; a side of one value has none and only lends its mean. */
	if (na > 1)
		ssa = gsl_stats_variance_m(a, 1, na, ma) * (double)(na - 1);
	if (nb > 1)
		ssb = gsl_stats_variance_m(b, 1, nb, mb) * (double)(nb - 1);
	df = (double)(na + nb - 2);
	sp2 = (ssa + ssb) / df;
	se = sqrt(sp2 * (1.0 / (double)na + 1.0 / (double)nb));
	if (!(se > 0)) {
		if (t_out)
			*t_out = ma == mb ? 0 : ma > mb ? INFINITY : -INFINITY;
		return ma == mb ? 1 : 0;
	}
	t = (ma - mb) / se;
	if (t_out)
		*t_out = t;
	return 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
}

/* ---- Verdicts ---- */

const char *pb_verdict_name(enum pb_verdict v)
{
	switch (v) {
	case PB_VERDICT_SAME: return "same";
	case PB_VERDICT_SLOWER: return "slower";
	case PB_VERDICT_FASTER: return "faster";
	case PB_VERDICT_UNKNOWN: break;
	}
	return "unknown";
}

static bool zero_spread(const double *x, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (x[i] != x[0])
			return false;
	return true;
}

/*
 * Percentile bootstrap of median(b*) / median(a*), a and b resampled independently. Both are
 * sorted first, so the interval depends on the values and not on the order of the runs.
 */
static void bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb, double ci[2])
{
	double *reps = pb_xmalloc(PB_STATS_BOOTSTRAP * sizeof(*reps));
	double *tmp = pb_xmalloc((na > nb ? na : nb) * sizeof(*tmp));
	double *sa = sorted_copy(a, na), *sb = sorted_copy(b, nb);
	gsl_rng *r = seeded_rng();
	size_t k;

	for (k = 0; k < PB_STATS_BOOTSTRAP; k++) {
		double ma = resample_median(r, sa, na, tmp);
		double mb = resample_median(r, sb, nb, tmp);

		reps[k] = mb / ma;
	}
	percentile_ci(reps, PB_STATS_BOOTSTRAP, ci);
	gsl_rng_free(r);
	free(sa);
	free(sb);
	free(tmp);
	free(reps);
}

static enum pb_verdict decide(const struct pb_comparison *c, double alpha, double min_effect)
{
	if (!isfinite(c->ratio))
		return PB_VERDICT_UNKNOWN;
	/* DESIGN.md "Statistics": different when significant and large enough, */
	if (c->p_value <= alpha && fabs(c->ratio - 1) >= min_effect && c->ratio != 1)
		return c->ratio > 1 ? PB_VERDICT_SLOWER : PB_VERDICT_FASTER;
	/* the same when the whole interval lies within the effect that does not matter, */
	if (c->ci95[0] >= 1 - min_effect && c->ci95[1] <= 1 + min_effect)
		return PB_VERDICT_SAME;
	/* else more runs are needed. */
	return PB_VERDICT_UNKNOWN;
}

void pb_stats_compare(const double *a, size_t na, const double *b, size_t nb, double alpha,
		      double min_effect, struct pb_comparison *out)
{
	double ma, mb;

	out->ratio = out->ci95[0] = out->ci95[1] = NAN;
	out->p_mwu = out->p_ks = out->p_welch = out->p_value = NAN;
	out->verdict = PB_VERDICT_UNKNOWN;
	if (na == 0 || nb == 0)
		return;
	ma = pb_stats_median(a, na);
	mb = pb_stats_median(b, nb);
	if (zero_spread(a, na) && zero_spread(b, nb)) {
		/* Deterministic metrics: no sampling error, the values are the answer. */
		out->p_mwu = out->p_ks = out->p_welch = out->p_value = ma == mb ? 1 : 0;
		if (ma == mb)
			out->ratio = 1;
		else
			out->ratio = ma != 0 ? mb / ma : NAN;
		out->ci95[0] = out->ci95[1] = out->ratio;
		out->verdict = ma == mb ? PB_VERDICT_SAME : decide(out, alpha, min_effect);
		return;
	}
	out->p_mwu = pb_stats_mwu(a, na, b, nb, NULL);
	out->p_ks = pb_stats_ks(a, na, b, nb, NULL);
	out->p_welch = pb_stats_welch(a, na, b, nb, NULL);
	/*
	 * The smaller of two p-values is not a p-value: under the null it falls below alpha up to
	 * twice as often. Bonferroni's 2 * min keeps the rate at or below alpha whatever the two
	 * tests' dependence (bench/stats_fpr measures it: see README.md, "bisect").
	 */
	out->p_value = 2 * (out->p_mwu < out->p_ks ? out->p_mwu : out->p_ks);
	if (out->p_value > 1)
		out->p_value = 1;
	if (ma <= 0 || mb < 0)
		return; /* a ratio of medians means nothing across zero */
	out->ratio = mb / ma;
	bootstrap_ratio_ci(a, na, b, nb, out->ci95);
	out->verdict = decide(out, alpha, min_effect);
}

/* ---- Paired (blocked) samples ---- */

/* P(W+ <= w) for n nonzero differences without ties: subsets of 1..n by their sum. */
static double signed_rank_cdf(size_t n, double w)
{
	size_t max = n * (n + 1) / 2, i, k;
	double *cnt = pb_xcalloc(max + 1, sizeof(*cnt)), total = 0, low = 0;

	cnt[0] = 1;
	for (i = 1; i <= n; i++)
		for (k = max + 1; k-- > i;)
			cnt[k] += cnt[k - i];
	for (k = 0; k <= max; k++) {
		total += cnt[k];
		if ((double)k <= w + 1e-9)
			low += cnt[k];
	}
	free(cnt);
	return low / total;
}

struct absrank {
	double a;
	int pos;
};

static int cmp_absrank(const void *pa, const void *pb)
{
	const struct absrank *x = pa, *y = pb;

	return (x->a > y->a) - (x->a < y->a);
}

double pb_stats_signed_rank(const double *d, size_t n)
{
	struct absrank *r = pb_xmalloc((n ? n : 1) * sizeof(*r));
	double wplus = 0, ties = 0, mu, sigma2, z, p;
	size_t m = 0, i, j;

	for (i = 0; i < n; i++)
		if (d[i] != 0 && isfinite(d[i]))
			r[m++] = (struct absrank){ fabs(d[i]), d[i] > 0 };
	if (m == 0) {
		free(r);
		return 1;
	}
	qsort(r, m, sizeof(*r), cmp_absrank);
	for (i = 0; i < m; i = j) {
		double t, mid;

		for (j = i + 1; j < m && r[j].a == r[i].a; j++)
			;
		t = (double)(j - i);
		mid = (double)(i + j + 1) / 2.0;
		if (t > 1)
			ties += t * t * t - t;
		for (size_t k = i; k < j; k++)
			if (r[k].pos)
				wplus += mid;
	}
	free(r);
	mu = (double)m * (double)(m + 1) / 4.0;
	if (ties == 0 && m <= PB_SIGNED_RANK_EXACT_MAX) {
		double lo = signed_rank_cdf(m, wplus);
		double hi = 1 - signed_rank_cdf(m, wplus - 1);

		p = 2 * (lo < hi ? lo : hi);
		return p > 1 ? 1 : p;
	}
	sigma2 = (double)m * (double)(m + 1) * (double)(2 * m + 1) / 24.0 - ties / 48.0;
	if (sigma2 <= 0)
		return 1;
	z = (fabs(wplus - mu) - 0.5) / sqrt(sigma2);
	if (z < 0)
		z = 0;
	p = 2.0 * gsl_cdf_ugaussian_Q(z);
	return p > 1 ? 1 : p;
}

/* Percentile bootstrap of exp(median(d*)) over the blocks' log ratios d. */
static void bootstrap_paired_ci(const double *d, size_t n, double ci[2])
{
	double *reps = pb_xmalloc(PB_STATS_BOOTSTRAP * sizeof(*reps));
	double *sd = sorted_copy(d, n), *tmp = pb_xmalloc(n * sizeof(*tmp));
	gsl_rng *r = seeded_rng();
	size_t k;

	for (k = 0; k < PB_STATS_BOOTSTRAP; k++)
		reps[k] = exp(resample_median(r, sd, n, tmp));
	percentile_ci(reps, PB_STATS_BOOTSTRAP, ci);
	gsl_rng_free(r);
	free(sd);
	free(tmp);
	free(reps);
}

void pb_stats_compare_paired(const double *a, const double *b, size_t n, double alpha,
			     double min_effect, struct pb_comparison *out)
{
	double *d, ma, mb;
	size_t i, m = 0;

	out->ratio = out->ci95[0] = out->ci95[1] = NAN;
	out->p_mwu = out->p_ks = out->p_welch = out->p_value = NAN;
	out->verdict = PB_VERDICT_UNKNOWN;
	if (n == 0)
		return;
	if (zero_spread(a, n) && zero_spread(b, n)) {
		pb_stats_compare(a, n, b, n, alpha, min_effect, out);
		return;
	}
	ma = pb_stats_median(a, n);
	mb = pb_stats_median(b, n);
	if (!(ma > 0) || !(mb > 0))
		return;
	d = pb_xmalloc(n * sizeof(*d));
	for (i = 0; i < n; i++)
		if (a[i] > 0 && b[i] > 0)
			d[m++] = log(b[i] / a[i]);
	if (m > 0) {
		out->p_value = pb_stats_signed_rank(d, m);
		/* The median of the blocks' ratios: a burst that hit one block moves it by one rank. */
		out->ratio = exp(pb_stats_median(d, m));
		bootstrap_paired_ci(d, m, out->ci95);
		out->verdict = decide(out, alpha, min_effect);
	}
	free(d);
}

/* ---- SPRT ---- */

int pb_sprt_init(struct pb_sprt *s, const double *good, size_t ng, const double *bad, size_t nb,
		 double error_rate)
{
	double *lg = NULL, *lb = NULL, ss = 0, mg, mb;
	size_t i;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (ng == 0 || nb == 0)
		return pb_error("sequential test: no values for the %s endpoint", ng ? "bad" : "good");
	if (!(error_rate > 0 && error_rate < 0.5))
		return pb_error("sequential test: error rate %g is not in (0, 0.5)", error_rate);
	lg = pb_xmalloc(ng * sizeof(*lg));
	lb = pb_xmalloc(nb * sizeof(*lb));
	for (i = 0; i < ng + nb; i++) {
		double v = i < ng ? good[i] : bad[i - ng];

		if (!(v > 0) || !isfinite(v)) {
			ret = pb_error("sequential test: %s endpoint value %g is not a positive number",
				       i < ng ? "good" : "bad", v);
			goto out;
		}
		if (i < ng)
			lg[i] = log(v);
		else
			lb[i - ng] = log(v);
	}
	s->mu_good = log(pb_stats_median(good, ng));
	s->mu_bad = log(pb_stats_median(bad, nb));
	if (s->mu_good == s->mu_bad) {
		ret = pb_error("sequential test: the good and bad endpoints have the same median (%g): "
			       "nothing to tell apart", pb_stats_median(good, ng));
		goto out;
	}
	/* Pooled standard deviation of the log values around each endpoint's own mean. */
	mg = gsl_stats_mean(lg, 1, ng);
	mb = gsl_stats_mean(lb, 1, nb);
	for (i = 0; i < ng; i++)
		ss += (lg[i] - mg) * (lg[i] - mg);
	for (i = 0; i < nb; i++)
		ss += (lb[i] - mb) * (lb[i] - mb);
	s->sigma = ng + nb > 2 ? sqrt(ss / (double)(ng + nb - 2)) : 0;
	s->exact = s->sigma == 0;
	/* Wald's bounds with alpha = beta = e: A = log((1 - e) / e), B = log(e / (1 - e)). */
	s->upper = log((1 - error_rate) / error_rate);
	s->lower = -s->upper;
out:
	free(lg);
	free(lb);
	return ret;
}

/*
 * A value that is not positive cannot be placed on the log scale and leaves the test unchanged
 * (PB_SPRT_CONTINUE). Once a bound is crossed, the state stays decided as more values arrive
 * unless they pull the ratio back inside.
 */
enum pb_sprt_state pb_sprt_add(struct pb_sprt *s, double value)
{
	double x, mid;

	if (!(value > 0) || !isfinite(value))
		return PB_SPRT_CONTINUE;
	x = log(value);
	mid = (s->mu_good + s->mu_bad) / 2;
	s->n++;
	if (s->exact) {
		/* Zero spread: the nearer endpoint wins; the midpoint counts as bad, as the seed's
		 * threshold script (`ms >= (good + bad) / 2` is BAD). */
		bool toward_bad = s->mu_bad > s->mu_good ? x >= mid : x <= mid;

		s->llr = toward_bad ? INFINITY : -INFINITY;
		return toward_bad ? PB_SPRT_BAD : PB_SPRT_GOOD;
	}
	/* log N(x; mu_bad, sigma) - log N(x; mu_good, sigma) */
	s->llr += (s->mu_bad - s->mu_good) * (x - mid) / (s->sigma * s->sigma);
	if (s->llr >= s->upper)
		return PB_SPRT_BAD;
	if (s->llr <= s->lower)
		return PB_SPRT_GOOD;
	return PB_SPRT_CONTINUE;
}
