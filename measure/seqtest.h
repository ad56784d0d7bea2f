/* seqtest.h: a sequential test of paired blocks ("is b slower than a by about this much?") that stops as
 * soon as the blocks decide and keeps its false-positive rate whatever the machine's noise does. */
#ifndef PB_MEASURE_SEQTEST_H
#define PB_MEASURE_SEQTEST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Wald's SPRT (Wald 1945) of H0 "no difference" against a FIXED alternative H1 "b is slower by
 * `effect` on the log scale", on the blocks' log ratios d = log(b / a) of values taken in the same
 * block in an order drawn at random. The likelihood ratio used is that of the sign of d given |d|:
 * under H0 the random order makes that sign a fair coin whatever the noise is (drift, bursts, two
 * modes), so the running product of the blocks' ratios is a nonnegative martingale with mean 1 and,
 * by Ville's inequality, crosses 1/alpha with probability at most alpha however long it runs and
 * whatever `effect` and `sigma` were used (they only set its power). Under H1 with normal noise of
 * standard deviation sigma the sign has probability 1 / (1 + exp(-2 effect |d| / sigma^2)) of being
 * positive; the block's factor is twice that probability for the sign seen, with d clipped to
 * +-clip so that one run a burst hit moves the test by a bounded step. The lower (futility) bound
 * log(beta / (1 - alpha)) is Wald's; stopping there can only lower the false-positive rate.
 * This is the sign-flip (randomization) argument of paired tests made sequential; the same idea as
 * the signed-rank test's, with no look penalty (compare Jennison & Turnbull's group-sequential
 * bounds, which spend alpha over a fixed number of looks).
 */
struct pb_seqtest {
	double effect;  /* H1: log(b / a) = effect > 0 */
	double sigma;   /* noise of one block's log ratio (the bet only; may be updated between blocks) */
	double clip;    /* |d| counts at most this much (0: effect + sigma) */
	double xmax;    /* the block's log-odds 2 effect d / sigma^2 is capped at +-xmax (PB_SEQTEST_XMAX) */
	double upper;   /* log(1 / alpha): H1 accepted at or above */
	double lower;   /* log(beta / (1 - alpha)): H0 accepted at or below */
	double llr;     /* log of the product of the blocks' factors */
	double max_llr; /* its largest value so far (the anytime p-value) */
	size_t n;       /* blocks added */
};

/* log(1 + tanh(1.1)) = +0.59 and log(1 - tanh(1.1)) = -1.50 at most per block: a bet that cannot be
 * wiped out by one block when sigma was under-estimated (two modes, a burst), at a small cost in power
 * when it was not. */
#define PB_SEQTEST_XMAX 2.2

enum pb_seqtest_state { PB_SEQTEST_CONTINUE, PB_SEQTEST_NULL, PB_SEQTEST_EFFECT };

/*
 * Set up the test: effect > 0 and sigma > 0 (log scale), 0 < alpha < 1, 0 < beta < 1.
 * Returns 0, or -1 (error recorded) on a parameter out of range.
 */
int pb_seqtest_init(struct pb_seqtest *t, double effect, double sigma, double alpha, double beta);

/*
 * Add one block: a and b taken in it (values, larger = slower). A value that is not a positive
 * finite number leaves the test unchanged. `sigma` and `clip` may be changed between calls from
 * blocks already added (never from the block being added) without losing the guarantee.
 * Returns EFFECT once llr >= upper, NULL once llr <= lower, else CONTINUE (the state is that of the
 * current llr: adding blocks after a decision may change it).
 */
enum pb_seqtest_state pb_seqtest_add(struct pb_seqtest *t, double a, double b);

/* Values of each side a block may hold (pb_seqtest_add_block). */
#define PB_SEQTEST_MAX_SIDE 4

/*
 * Add one block of m values of a and m of b (1 <= m <= PB_SEQTEST_MAX_SIDE), taken in an order drawn
 * uniformly at random among the (2m choose m) ways of placing the m runs of b among the block's 2m.
 * Under H0 every placement is as likely whatever the machine did, so the block's factor is the
 * likelihood ratio of the placement seen given the block's values: exp(lambda T) over its mean over
 * all placements, T the sum of b's values (logs, less the block's median, clipped to +-clip / 2) and
 * lambda = 2 effect / sigma^2 (normal noise, sigma the noise of one log ratio as above), lowered so
 * that lambda times the spread of T over the placements is at most m xmax. For m = 1 this is
 * pb_seqtest_add exactly; a block of 2 + 2 can move the test by up to log 6 where two pairs reach
 * log 4, so fewer runs reach 1/alpha when the effect is clear. Values that are not positive finite
 * numbers leave the test unchanged. Returns as pb_seqtest_add.
 */
enum pb_seqtest_state pb_seqtest_add_block(struct pb_seqtest *t, const double *a, const double *b, size_t m);

/* The anytime-valid p-value of H0 so far: min(1, exp(-max_llr)). */
double pb_seqtest_p(const struct pb_seqtest *t);

#endif
