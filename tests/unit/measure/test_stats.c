/* test_stats.c: summaries, MWU, KS, Welch, verdicts and the SPRT against independently computed references. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "measure/stats.h"

/*
 * Reference values: unless said otherwise, from SciPy 1.10.1 (Debian python3-scipy) run by hand:
 *   scipy.stats.mannwhitneyu(a, b, method="exact" | "asymptotic", use_continuity=True)
 *   scipy.stats.ks_2samp(a, b, method="exact"), scipy.stats.kstwobign.sf(lambda)
 *   scipy.stats.ttest_ind(a, b, equal_var=False), numpy mean / std(ddof=1) / median.
 * The numbers are written here literally; nothing is computed by the code under test.
 */
#define REL(want, got, tol) assert_true(fabs((got) - (want)) <= (tol) * fabs(want))
#define ABS(want, got, tol) assert_true(fabs((got) - (want)) <= (tol))
#define N(x) (sizeof(x) / sizeof((x)[0]))

static const double sum_x[] = { 10.2, 9.8, 10.1, 10.0, 10.4, 9.9, 10.3, 25.0 };

/* Two samples with no ties: numpy.random.RandomState(7).normal(100, 5, 12) and (104, 5, 15), rounded to 0.01. */
static const double ref_a[] = { 108.45, 97.67, 100.16, 102.04, 96.06, 100.01,
				100.0, 91.23, 105.09, 103.0, 96.87, 99.14 };
static const double ref_b[] = { 106.53, 102.69, 102.79, 96.73, 106.77, 104.62, 105.37, 96.37,
				112.25, 104.77, 102.06, 114.15, 103.77, 96.75, 101.97 };
static const double small_a[] = { 1.1, 2.3, 3.5, 4.2, 5.9 };
static const double small_b[] = { 6.1, 7.4, 2.9, 8.8, 9.0, 10.3 };
static const double tie_a[] = { 3, 4, 4, 5, 6, 6, 6, 7, 8, 9 };
static const double tie_b[] = { 5, 6, 7, 7, 8, 8, 9, 9, 10, 11, 12 };

static void test_summary(void **state)
{
	struct pb_summary s, s2;
	double shuffled[N(sum_x)];
	size_t i;

	(void)state;
	pb_stats_summary(sum_x, N(sum_x), &s);
	assert_int_equal(s.n, 8);
	REL(10.15, s.median, 1e-12);
	REL(11.9625, s.mean, 1e-12);
	REL(5.271740699237776, s.stdev, 1e-12);  /* numpy std(ddof=1) */
	assert_true(s.min == 9.8 && s.max == 25.0);
	/* MAD = 0.2; modified z of 25.0 is 0.6745 * 14.85 / 0.2 = 50.08, of 9.8 only 1.18. */
	assert_int_equal(s.outliers, 1);
	assert_true(s.unstable); /* 5.27 > 10% of 11.96 */
	assert_false(s.too_few);
	/*
	 * Bootstrap CI: 2000 resamples of the sorted values with GSL's MT19937 seeded 20161019, the
	 * percentile interval as gsl_stats_quantile_from_sorted_data. Reference from an independent
	 * Python re-implementation (MT19937 init_genrand seeding through random.setstate,
	 * gsl_rng_uniform_int's rejection, linear-interpolated quantiles): [9.9, 10.4].
	 */
	REL(9.9, s.ci95[0], 1e-12);
	REL(10.4, s.ci95[1], 1e-12);
	/* Same values in another order: the same interval, bit for bit. */
	for (i = 0; i < N(sum_x); i++)
		shuffled[i] = sum_x[(i * 3 + 1) % N(sum_x)];
	pb_stats_summary(shuffled, N(shuffled), &s2);
	assert_true(s2.ci95[0] == s.ci95[0] && s2.ci95[1] == s.ci95[1]);
	assert_true(pb_stats_median(sum_x, N(sum_x)) == s.median);
	assert_true(isnan(pb_stats_median(sum_x, 0)));
}

static void test_summary_edges(void **state)
{
	const double one[] = { 42 }, same[] = { 7, 7, 7, 7, 7, 7 };
	const double step[] = { 100, 100, 100, 100, 100, 100, 100, 100, 100, 150 };
	struct pb_summary s;

	(void)state;
	pb_stats_summary(one, 1, &s);
	assert_true(s.median == 42 && s.stdev == 0 && s.ci95[0] == 42 && s.ci95[1] == 42);
	assert_true(s.too_few);
	assert_int_equal(s.outliers, 0);
	pb_stats_summary(same, N(same), &s);
	assert_true(s.ci95[0] == 7 && s.ci95[1] == 7 && !s.unstable && s.outliers == 0);
	/* MAD = 0: mean absolute deviation 5, (150 - 100) / (1.253314 * 5) = 7.98 > 3.5. */
	pb_stats_summary(step, N(step), &s);
	assert_int_equal(s.outliers, 1);
	assert_true(s.unstable); /* stdev sqrt(250) = 15.8 > 10% of the mean 105 */
}

static void test_mwu(void **state)
{
	double u, a[20], b[20];
	size_t i;

	(void)state;
	/* Exact, 5 vs 6: U = 3, p = 0.030303030303030304. */
	REL(0.030303030303030304, pb_stats_mwu(small_a, 5, small_b, 6, &u), 1e-12);
	assert_true(u == 3);
	/* Exact, 12 vs 15: U = 52, p = 0.06668012742854579. */
	REL(0.06668012742854579, pb_stats_mwu(ref_a, 12, ref_b, 15, &u), 1e-10);
	assert_true(u == 52);
	/* Symmetric in the sense of the two-sided test; U of b is 12 * 15 - 52. */
	REL(0.06668012742854579, pb_stats_mwu(ref_b, 15, ref_a, 12, &u), 1e-10);
	assert_true(u == 128);
	/* Ties: normal approximation with tie and continuity correction: U = 20, p = 0.014342395024913936. */
	REL(0.014342395024913936, pb_stats_mwu(tie_a, N(tie_a), tie_b, N(tie_b), &u), 1e-9);
	assert_true(u == 20);
	/*
	 * Complete separation, 20 vs 20: one of C(40, 20) = 137846528820 orderings is as extreme on
	 * each side, p = 2 / 137846528820 = 1.4508889103849688e-11 (closed form; scipy exact agrees).
	 */
	for (i = 0; i < 20; i++) {
		a[i] = 1.0 + (double)i;
		b[i] = 100.0 + (double)i;
	}
	REL(2.0 / 137846528820.0, pb_stats_mwu(a, 20, b, 20, &u), 1e-9);
	assert_true(u == 0);
	/* The same lattice argument for KS: D = 1 only on the two extreme paths. */
	REL(1.4508889103849681e-11, pb_stats_ks(a, 20, b, 20, NULL), 1e-9);
	assert_true(isnan(pb_stats_mwu(a, 0, b, 20, NULL)));
}

static void test_mwu_asymptotic_no_ties(void **state)
{
	double a[21], b[25], u;
	size_t i;

	(void)state;
	/* a = 0, 2, ..., 40 and b = 1, 3, ..., 49 (no ties, n > 20: normal approximation).
	 * scipy mannwhitneyu(a, b, method="asymptotic"): U = 210, p = 0.2514886301531659. */
	for (i = 0; i < N(a); i++)
		a[i] = 2.0 * (double)i;
	for (i = 0; i < N(b); i++)
		b[i] = 2.0 * (double)i + 1;
	REL(0.2514886301531659, pb_stats_mwu(a, N(a), b, N(b), &u), 1e-9);
	assert_true(u == 210);
}

static void test_ks(void **state)
{
	double d, a[2100], b[2000];
	size_t i;

	(void)state;
	/* Exact (lattice paths). */
	REL(0.060984556939597985, pb_stats_ks(ref_a, 12, ref_b, 15, &d), 1e-9);
	REL(0.48333333333333334, d, 1e-12);
	REL(0.025974025974025972, pb_stats_ks(small_a, 5, small_b, 6, &d), 1e-9);
	REL(0.8333333333333334, d, 1e-12);
	/* Equal sizes, first 10 of each. */
	REL(0.16782134274394334, pb_stats_ks(ref_a, 10, ref_b, 10, &d), 1e-9);
	REL(0.5, d, 1e-12);
	/* Ties: D over distinct values; p as scipy's exact method, which ignores ties too. */
	REL(0.09150137787908685, pb_stats_ks(tie_a, N(tie_a), tie_b, N(tie_b), &d), 1e-9);
	REL(0.5181818181818182, d, 1e-12);
	/* Identical samples. */
	assert_true(pb_stats_ks(ref_a, 12, ref_a, 12, &d) == 1 && d == 0);
	/*
	 * Asymptotic (m n > 4e6): a = i / 2100, b = i / 2000 + 0.05 (numpy arange, same doubles);
	 * scipy ks_2samp(a, b).statistic = 0.05047619047619047, lambda = sqrt(2100 * 2000 / 4100) * D
	 * = 1.6155458475692177, scipy.stats.kstwobign.sf(lambda) = 0.010814907757351944 (scipy's own
	 * default here is its exact method, 0.010339: the limit distribution is 5% off at this size).
	 */
	for (i = 0; i < N(a); i++)
		a[i] = (double)i / 2100.0;
	for (i = 0; i < N(b); i++)
		b[i] = (double)i / 2000.0 + 0.05;
	REL(0.010814907757351944, pb_stats_ks(a, N(a), b, N(b), &d), 1e-9);
	REL(0.05047619047619047, d, 1e-12);
}

static void test_welch(void **state)
{
	double t;
	const double c1[] = { 5, 5, 5 }, c2[] = { 6, 6, 6 };

	(void)state;
	REL(0.046109229644269556, pb_stats_welch(ref_a, 12, ref_b, 15, &t), 1e-8);
	REL(-2.0998085495114056, t, 1e-12);
	REL(0.016198421086258553, pb_stats_welch(small_a, 5, small_b, 6, &t), 1e-8);
	REL(-2.9673592953932464, t, 1e-12);
	/* No variance at all: different means are certain, equal ones are not different. */
	assert_true(pb_stats_welch(c1, 3, c2, 3, &t) == 0 && t < 0);
	assert_true(pb_stats_welch(c1, 3, c1, 3, &t) == 1 && t == 0);
	assert_true(isnan(pb_stats_welch(c1, 1, c2, 3, &t)));
}

/* References computed with mpmath 1.3.0 (pooled variance, p = I_{df/(df+t^2)}(df/2, 1/2)). */
static void test_student(void **state)
{
	double t;
	const double c1[] = { 5, 5, 5 }, c2[] = { 6, 6, 6 }, three[] = { 5.0, 5.2, 4.9 }, one[] = { 7.0 };

	(void)state;
	REL(0.049100298266814866, pb_stats_student(ref_a, 12, ref_b, 15, &t), 1e-8);
	REL(-2.06834528474674, t, 1e-12);
	REL(0.018648847740649327, pb_stats_student(small_a, 5, small_b, 6, &t), 1e-8);
	REL(-2.8643110608466728, t, 1e-12);
	/* One value on a side still has a mean: the pooled variance comes from the other side. */
	REL(0.007947897799540682, pb_stats_student(three, 3, one, 1, &t), 1e-8);
	REL(-11.149951953772203, t, 1e-12);
	assert_true(pb_stats_student(c1, 3, c2, 3, &t) == 0 && t < 0);
	assert_true(pb_stats_student(c1, 3, c1, 3, &t) == 1 && t == 0);
	assert_true(pb_stats_student(c1, 1, c2, 1, &t) == 1 && t == 0);
}

/* xorshift64* and Box-Muller: reproducible synthetic samples without the library under test. */
static uint64_t rng_state;

static double uniform01(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((double)((rng_state * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

static double lognormal(double median, double sigma)
{
	double u1 = uniform01(), u2 = uniform01();

	return median * exp(sigma * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
}

static void fill(double *x, size_t n, double median, double sigma)
{
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = lognormal(median, sigma);
}

static void test_compare(void **state)
{
	struct pb_comparison c;
	double a[30], b[30];

	(void)state;
	/* The reference pair: ratio of medians 103.77 / 100.085 = 1.0376481175941203; the CI from
	 * the Python re-implementation of the bootstrap (see test_summary): [1.0016582130316034,
	 * 1.0745562574068832]. p = 2 * min(MWU 0.0667, KS 0.0610) > alpha = 0.01: not significant, CI
	 * wider than +-2%: unknown. */
	pb_stats_compare(ref_a, 12, ref_b, 15, 0.01, 0.02, &c);
	REL(1.0376481175941203, c.ratio, 1e-12);
	REL(1.0016582130316034, c.ci95[0], 1e-12);
	REL(1.0745562574068832, c.ci95[1], 1e-12);
	REL(2 * 0.060984556939597985, c.p_value, 1e-9);
	REL(0.06668012742854579, c.p_mwu, 1e-9);
	REL(0.046109229644269556, c.p_welch, 1e-8);
	assert_int_equal(c.verdict, PB_VERDICT_UNKNOWN);
	/* With alpha = 0.15 the same data is a significant 3.8% slowdown. */
	pb_stats_compare(ref_a, 12, ref_b, 15, 0.15, 0.02, &c);
	assert_int_equal(c.verdict, PB_VERDICT_SLOWER);
	pb_stats_compare(ref_b, 15, ref_a, 12, 0.15, 0.02, &c);
	assert_int_equal(c.verdict, PB_VERDICT_FASTER);

	/* 30 vs 30, 1% noise: 10% slower is slower; the same distribution is the same. */
	rng_state = 0x9e3779b97f4a7c15ULL;
	fill(a, 30, 100, 0.01);
	fill(b, 30, 110, 0.01);
	pb_stats_compare(a, 30, b, 30, 0.01, 0.02, &c);
	assert_int_equal(c.verdict, PB_VERDICT_SLOWER);
	assert_true(c.p_value < 1e-10 && c.ci95[0] > 1.08 && c.ci95[1] < 1.12);
	fill(b, 30, 100, 0.01);
	pb_stats_compare(a, 30, b, 30, 0.01, 0.02, &c);
	assert_int_equal(c.verdict, PB_VERDICT_SAME);
	assert_true(c.ci95[0] >= 0.98 && c.ci95[1] <= 1.02);
	/* 1.5% slower with 1% noise: significant but under min_effect 2%, and the CI reaches past
	 * 1.02, so not "same" either: unknown (more runs). With min_effect 1%: slower. */
	rng_state = 0x5851f42d4c957f2dULL;
	fill(a, 30, 100, 0.01);
	fill(b, 30, 101.5, 0.01);
	pb_stats_compare(a, 30, b, 30, 0.01, 0.02, &c);
	assert_true(c.p_value <= 0.01 && c.ratio < 1.02 && c.ci95[1] > 1.02);
	assert_int_equal(c.verdict, PB_VERDICT_UNKNOWN);
	pb_stats_compare(a, 30, b, 30, 0.01, 0.01, &c);
	assert_int_equal(c.verdict, PB_VERDICT_SLOWER);
	/* 0.5% slower with 0.2% noise: significant, but the whole CI is inside +-2%: same. */
	fill(a, 30, 100, 0.002);
	fill(b, 30, 100.5, 0.002);
	pb_stats_compare(a, 30, b, 30, 0.01, 0.02, &c);
	assert_true(c.p_value < 1e-6);
	assert_int_equal(c.verdict, PB_VERDICT_SAME);
	/* 3 vs 3 can never reach p <= 0.01 (exact MWU floor 0.1): unknown however far apart. */
	{
		const double s1[] = { 100, 101, 102 }, s2[] = { 200, 201, 202 };

		pb_stats_compare(s1, 3, s2, 3, 0.01, 0.02, &c);
		REL(0.1, c.p_mwu, 1e-12); /* 2 / C(6, 3) */
		assert_int_equal(c.verdict, PB_VERDICT_UNKNOWN);
	}
	pb_stats_compare(a, 0, b, 30, 0.01, 0.02, &c);
	assert_int_equal(c.verdict, PB_VERDICT_UNKNOWN);
	assert_true(isnan(c.ratio));
}

static void test_compare_deterministic(void **state)
{
	const double a[] = { 1000, 1000, 1000 }, same[] = { 1000 }, slow[] = { 1100, 1100 };
	const double tiny[] = { 1001, 1001 };
	struct pb_comparison c;

	(void)state;
	pb_stats_compare(a, 3, same, 1, 0.01, 0.02, &c);
	assert_int_equal(c.verdict, PB_VERDICT_SAME);
	assert_true(c.ratio == 1 && c.p_value == 1 && c.ci95[0] == 1 && c.ci95[1] == 1);
	pb_stats_compare(a, 3, slow, 2, 0.01, 0.02, &c);
	assert_int_equal(c.verdict, PB_VERDICT_SLOWER);
	assert_true(c.ratio == 1.1 && c.p_value == 0 && c.ci95[0] == 1.1);
	pb_stats_compare(slow, 2, a, 3, 0.01, 0.02, &c);
	assert_int_equal(c.verdict, PB_VERDICT_FASTER);
	/* 0.1% deterministic difference: inside min_effect, the same; with min_effect 0, slower. */
	pb_stats_compare(a, 3, tiny, 2, 0.01, 0.02, &c);
	assert_int_equal(c.verdict, PB_VERDICT_SAME);
	pb_stats_compare(a, 3, tiny, 2, 0.01, 0, &c);
	assert_int_equal(c.verdict, PB_VERDICT_SLOWER);
	assert_string_equal(pb_verdict_name(PB_VERDICT_SLOWER), "slower");
	assert_string_equal(pb_verdict_name(PB_VERDICT_FASTER), "faster");
	assert_string_equal(pb_verdict_name(PB_VERDICT_SAME), "same");
	assert_string_equal(pb_verdict_name(PB_VERDICT_UNKNOWN), "unknown");
}

static void test_signed_rank(void **state)
{
	/* W+ = 41 of 55; exact two-sided p by enumerating all 2^10 signs: 198 / 1024. */
	const double d[] = { 0.5, -1.25, 2, 3.5, -0.25, 4, 5.5, 6, 7.5, -8.25, 0 };
	const double a[] = { 100, 100, 100, 100, 100, 100, 100, 100 };
	const double b[] = { 110, 111, 109, 110.5, 112, 108, 113, 111.5 };
	struct pb_comparison c;

	(void)state;
	REL(0.193359375, pb_stats_signed_rank(d, 11), 1e-12); /* the zero is dropped */
	assert_true(pb_stats_signed_rank(d, 0) == 1);
	/* 8 blocks all slower: p = 2 / 2^8; a bootstrap over blocks. */
	pb_stats_compare_paired(a, b, 8, 0.01, 0.02, &c);
	REL(2.0 / 256, c.p_value, 1e-12);
	REL(sqrt(1.105 * 1.11), c.ratio, 1e-12);
	assert_int_equal(c.verdict, PB_VERDICT_SLOWER);
	/* Zero spread on both sides: exact, as pb_stats_compare. */
	pb_stats_compare_paired(a, a, 8, 0.01, 0.02, &c);
	assert_true(c.ratio == 1 && c.p_value == 1 && c.verdict == PB_VERDICT_SAME);
}

static void test_sprt_reference(void **state)
{
	const double good[] = { 100, 101, 99, 100.5, 99.5 }, bad[] = { 110, 111, 109, 110.5, 109.5 };
	struct pb_sprt s;

	(void)state;
	assert_int_equal(pb_sprt_init(&s, good, 5, bad, 5, 0.01), 0);
	/* Python (math.log, statistics.mean): pooled sigma of the logs 0.007555123233059964; the
	 * log-likelihood ratio as a difference of normal log-densities after 104: -14.083454011281567,
	 * after 106 as well: 3.6391620469613954; Wald's bound log(0.99 / 0.01) = 4.59511985013459. */
	REL(0.007555123233059964, s.sigma, 1e-12);
	REL(4.59511985013459, s.upper, 1e-12);
	REL(-4.59511985013459, s.lower, 1e-12);
	assert_false(s.exact);
	assert_int_equal(pb_sprt_add(&s, 104), PB_SPRT_GOOD);
	REL(-14.083454011281567, s.llr, 1e-9);
	assert_int_equal(pb_sprt_add(&s, 106), PB_SPRT_CONTINUE);
	REL(3.6391620469613954, s.llr, 1e-9);
	assert_int_equal(pb_sprt_add(&s, -1), PB_SPRT_CONTINUE); /* ignored */
	assert_int_equal(s.n, 2);

	assert_int_equal(pb_sprt_init(&s, good, 5, good, 5, 0.01), -1);
	assert_non_null(strstr(pb_error_message(), "same median"));
	assert_int_equal(pb_sprt_init(&s, good, 5, bad, 5, 0.7), -1);
	{
		const double neg[] = { 1, -2 };

		assert_int_equal(pb_sprt_init(&s, neg, 2, bad, 5, 0.01), -1);
		assert_non_null(strstr(pb_error_message(), "not a positive number"));
	}
}

/* Feed values from lognormal(median, sigma) until a decision; returns it, *n gets the count. */
static enum pb_sprt_state run_sprt(struct pb_sprt *s, double median, double sigma, size_t *n)
{
	enum pb_sprt_state st = PB_SPRT_CONTINUE;

	for (*n = 0; *n < 100 && st == PB_SPRT_CONTINUE; (*n)++)
		st = pb_sprt_add(s, lognormal(median, sigma));
	return st;
}

static void test_sprt_synthetic(void **state)
{
	double good[10], bad[10];
	struct pb_sprt s;
	size_t n, trial, total_good = 0, total_bad = 0;

	(void)state;
	/* Endpoints 5% apart with 3% noise: each value carries about 0.7 nats of evidence. */
	rng_state = 0x2545f4914f6cdd1dULL;
	fill(good, 10, 100, 0.03);
	fill(bad, 10, 105, 0.03);
	for (trial = 0; trial < 20; trial++) {
		assert_int_equal(pb_sprt_init(&s, good, 10, bad, 10, 0.01), 0);
		assert_int_equal(run_sprt(&s, 100, 0.03, &n), PB_SPRT_GOOD);
		assert_true(n <= 30);
		total_good += n;
		assert_int_equal(pb_sprt_init(&s, good, 10, bad, 10, 0.01), 0);
		assert_int_equal(run_sprt(&s, 105, 0.03, &n), PB_SPRT_BAD);
		assert_true(n <= 30);
		total_bad += n;
	}
	/* Few values on average (Wald's expected sample size here is about 7). */
	assert_true(total_good <= 20 * 12 && total_bad <= 20 * 12);

	/* Clearly separated endpoints (10% apart, 1% noise) decide in one or two values. */
	fill(good, 10, 100, 0.01);
	fill(bad, 10, 110, 0.01);
	for (trial = 0; trial < 20; trial++) {
		assert_int_equal(pb_sprt_init(&s, good, 10, bad, 10, 0.01), 0);
		assert_int_equal(run_sprt(&s, 100, 0.01, &n), PB_SPRT_GOOD);
		assert_true(n <= 2);
		assert_int_equal(pb_sprt_init(&s, good, 10, bad, 10, 0.01), 0);
		assert_int_equal(run_sprt(&s, 110, 0.01, &n), PB_SPRT_BAD);
		assert_true(n <= 2);
	}
}

static void test_sprt_exact(void **state)
{
	const double good[] = { 5000, 5000 }, bad[] = { 5600 }, down[] = { 4000 };
	struct pb_sprt s;

	(void)state;
	assert_int_equal(pb_sprt_init(&s, good, 2, bad, 1, 0.01), 0);
	assert_true(s.exact);
	assert_int_equal(pb_sprt_add(&s, 5000), PB_SPRT_GOOD);
	assert_int_equal(pb_sprt_init(&s, good, 2, bad, 1, 0.01), 0);
	assert_int_equal(pb_sprt_add(&s, 5600), PB_SPRT_BAD);
	assert_int_equal(pb_sprt_init(&s, good, 2, bad, 1, 0.01), 0);
	assert_int_equal(pb_sprt_add(&s, 5100), PB_SPRT_GOOD);
	assert_int_equal(pb_sprt_init(&s, good, 2, bad, 1, 0.01), 0);
	assert_int_equal(pb_sprt_add(&s, 5500), PB_SPRT_BAD);
	assert_int_equal(s.n, 1);
	/* The midpoint on the log scale, sqrt(5000 * 5600), counts as bad (the seed's `>=`). */
	assert_int_equal(pb_sprt_init(&s, good, 2, bad, 1, 0.01), 0);
	assert_int_equal(pb_sprt_add(&s, exp((log(5000.0) + log(5600.0)) / 2)), PB_SPRT_BAD);
	/* A "bad" endpoint below the good one (a metric where less is worse) works the same way. */
	assert_int_equal(pb_sprt_init(&s, good, 2, down, 1, 0.01), 0);
	assert_int_equal(pb_sprt_add(&s, 4100), PB_SPRT_BAD);
	assert_int_equal(pb_sprt_init(&s, good, 2, down, 1, 0.01), 0);
	assert_int_equal(pb_sprt_add(&s, 4900), PB_SPRT_GOOD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_edges),
		cmocka_unit_test(test_mwu),
		cmocka_unit_test(test_mwu_asymptotic_no_ties),
		cmocka_unit_test(test_ks),
		cmocka_unit_test(test_welch),
		cmocka_unit_test(test_student),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_compare_deterministic),
		cmocka_unit_test(test_signed_rank),
		cmocka_unit_test(test_sprt_reference),
		cmocka_unit_test(test_sprt_synthetic),
		cmocka_unit_test(test_sprt_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
