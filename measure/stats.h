/* stats.h: summaries, two-sample tests, verdicts and the sequential test (GSL stays in stats.c). */
#ifndef PB_MEASURE_STATS_H
#define PB_MEASURE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed seed for every bootstrap: the same input gives the same interval. */
#define PB_STATS_SEED 20161019u
#define PB_STATS_BOOTSTRAP 2000

struct pb_summary {
	size_t n;
	double median, mean, stdev, min, max;
	double ci95[2];   /* bootstrap 95% CI of the median (percentile method) */
	size_t outliers;  /* |modified z-score| > 3.5 (MAD based, as hyperfine) */
	bool unstable;    /* stdev > 10% of mean (pyperf's warning) */
	bool too_few;     /* n < 5: the interval is not to be trusted */
};

/* Summarize n values (n >= 1; NaNs are not allowed). */
void pb_stats_summary(const double *x, size_t n, struct pb_summary *out);

/* Median of n values (the mean of the middle two when n is even); NAN when n == 0. x is not modified. */
double pb_stats_median(const double *x, size_t n);

/* Mann-Whitney U, two-sided: exact distribution when both n <= 20 and no ties, else normal
 * approximation with tie and continuity correction. Returns p; *u (may be NULL) gets U of a. */
double pb_stats_mwu(const double *a, size_t na, const double *b, size_t nb, double *u);
/* Two-sample Kolmogorov-Smirnov, two-sided; *d (may be NULL) gets the statistic. */
double pb_stats_ks(const double *a, size_t na, const double *b, size_t nb, double *d);
/* Welch's t-test, two-sided. */
double pb_stats_welch(const double *a, size_t na, const double *b, size_t nb, double *t);
/*
 * Student's two-sample t-test with pooled variance, two-sided (the significance test of Hunter's
 * E-Divisive, nightly/changepoint.c). Needs na + nb >= 3 (else p = 1, t = 0). Zero spread on both
 * sides: p = 1 when the means are equal, else 0 (t infinite). *t (may be NULL) gets mean(a) - mean(b)
 * over its standard error.
 */
double pb_stats_student(const double *a, size_t na, const double *b, size_t nb, double *t);

enum pb_verdict { PB_VERDICT_UNKNOWN, PB_VERDICT_SAME, PB_VERDICT_SLOWER, PB_VERDICT_FASTER };
const char *pb_verdict_name(enum pb_verdict v); /* "unknown" "same" "slower" "faster" */

struct pb_comparison {
	double ratio;    /* median(b) / median(a) */
	double ci95[2];  /* bootstrap CI of the ratio */
	double p_mwu, p_ks, p_welch;
	double p_value;  /* 2 * min(p_mwu, p_ks), at most 1 (Pinpoint's two tests, Bonferroni);
			  * paired comparisons: Wilcoxon's signed-rank p */
	enum pb_verdict verdict;
};

/*
 * Compare b against a ("is b slower than a?", larger values = slower). DIFFERENT when
 * p_value <= alpha and |ratio - 1| >= min_effect (slower or faster by the sign); SAME when the CI
 * of the ratio lies inside [1 - min_effect, 1 + min_effect]; UNKNOWN otherwise. Samples with zero
 * spread on both sides (deterministic metrics) are compared exactly: equal → same, else by the ratio.
 */
void pb_stats_compare(const double *a, size_t na, const double *b, size_t nb, double alpha,
		      double min_effect, struct pb_comparison *out);

/* Exact signed-rank distribution up to this many nonzero differences (and no ties). */
#define PB_SIGNED_RANK_EXACT_MAX 30

/*
 * Wilcoxon's signed-rank test, two-sided, on n differences (zeros and non-finite values dropped):
 * exact without ties up to PB_SIGNED_RANK_EXACT_MAX, else normal with tie and continuity
 * correction. 1 when no difference is left.
 */
double pb_stats_signed_rank(const double *d, size_t n);

/*
 * Compare b against a measured in n blocks: a[k] and b[k] were taken in the same block, in an
 * order randomized within it. Under "no difference" each block's log(b[k] / a[k]) is then
 * symmetric about 0 whatever the machine did meanwhile (drift, bursts), so the signed-rank test
 * on them is valid where two independent samples are not. ratio = exp(median of the blocks' log
 * ratios), its CI a bootstrap over blocks; the verdict as pb_stats_compare(). Zero spread: as pb_stats_compare().
 */
void pb_stats_compare_paired(const double *a, const double *b, size_t n, double alpha,
			     double min_effect, struct pb_comparison *out);

/*
 * Wald's sequential probability ratio test: is a commit's sample good-like (from the good
 * endpoint's distribution) or bad-like? Works on log values; the two hypotheses are normal with
 * means log(good median) and log(bad median) and sigma pooled from the endpoint samples.
 * alpha = beta = the error rate. Feed values one at a time.
 */
enum pb_sprt_state { PB_SPRT_CONTINUE, PB_SPRT_GOOD, PB_SPRT_BAD };

struct pb_sprt {
	double mu_good, mu_bad, sigma; /* on log scale */
	double lower, upper;           /* decision bounds on the log-likelihood ratio */
	double llr;                    /* log L(bad)/L(good) so far */
	size_t n;
	bool exact;                    /* zero spread: one value decides */
};

/*
 * Set up from the endpoint samples. Returns 0, or -1 (error recorded) when the endpoints do not
 * differ (equal medians) or a value is not positive.
 */
int pb_sprt_init(struct pb_sprt *s, const double *good, size_t ng, const double *bad, size_t nb,
		 double error_rate);
/* Add one value; a value that is not a positive finite number is ignored (CONTINUE, n unchanged).
 * Zero spread (exact): the nearer endpoint on the log scale decides; the midpoint counts as BAD. */
enum pb_sprt_state pb_sprt_add(struct pb_sprt *s, double value);

#endif
