/* search_confirm.c: is a commit slower than another, on fresh interleaved blocks (a culprit
 * against its parent, good against bad after the search)?
 *
 * Why the confirmations carry the guarantee, and the steps only the cost. A confirmation is Wald's
 * SPRT (Wald 1945) against the effect the endpoints measured, on fresh blocks of 2 + 2 runs (a, b,
 * a, b in an order drawn uniformly at random): given a block's four values, which two of them were
 * b's is, for an equal pair, a uniform draw among six whatever the machine did, and the test's
 * factor is the likelihood ratio of the placement seen (measure/seqtest.h). So a wrong culprit (a
 * commit no slower than its parent) passes with probability at most alpha however many blocks the
 * test looks at — no look penalty, unlike a group-sequential design that spends alpha over a fixed
 * number of looks (Jennison & Turnbull 2000), which is what it replaced (10 blocks, then up to four
 * looks at alpha / 4). Blocks of 2 + 2 replaced pairs: a pair's sign can move the test by log 2 at
 * most, a block of four by log 6, so a clear effect needs 12 runs where pairs needed 18 (the bet's
 * cap, CONFIRM_XMAX). The first culprit's confirmations before and after a restart share alpha. So
 * a step need not be right with probability 1 - alpha over the whole bisection (Bonferroni over the
 * steps, as before): a wrong step costs a rejected culprit and a restart, and each step is held to
 * STEP_ERROR_SHARE of alpha, where the runs a stricter step costs and the restarts a looser one
 * causes balance. Good against bad again is measured the same way at a looser level (search.c,
 * again_alpha): it sizes the regression in the culprit's window and catches one that is gone; the
 * guarantee is the culprit's. As in Pinpoint's A/B runs on one bot, what is compared is measured
 * together, in random order. Where the runs go, per phase and noise model: bench/bisect_sim (README).
 * Tried and left: two commit runs per reference with a drift check at 2.5 standard errors (a sixth
 * of iid steps went to full blocks); a confirmation bet sized on the blocks' MAD alone (with runs in
 * two modes it took each mode switch for a strong sign: exit 4 in a fifth of bimodal bisects); Wald's
 * lower bound at beta 0.05 (a few runs fewer, more exit 4 with two modes).
 */
#include "bisect/search_int.h"

#include <math.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/util.h"
#include "measure/seqtest.h"

/* The SPRT's alternative is this share of the effect expected (a bet below the effect loses little
 * power when the effect is as expected and keeps most of it when it is smaller), and Wald's lower
 * bound uses this beta. */
#define CONFIRM_BET 0.75
#define CONFIRM_BETA 0.005
/* The bet's cap per pair of a block of 2 + 2 (seqtest.h): 3.2 lets three clear blocks reach 1 / 0.008,
 * the culprit's alpha (12 runs; 3.0 needs four, pairs at 2.2 nine); 4 and 5 saved a run more with
 * iid noise and cost exit 4 with runs in two modes (bench/bisect_sim, 300 seeds at 5%: 97.3% and
 * 95.7% exact). */
#define CONFIRM_XMAX 3.2
#define CONFIRM_MIN_NULL_BLOCKS 4 /* blocks before the test may say "not slower" */

/*
 * The noise of one block's log ratio from the pairs p, for a confirmation's bet: the mean absolute
 * deviation from their median (times 1.2533, a normal's sigma), each deviation capped at four MAD
 * sigmas so that a burst does not inflate it, and at least the MAD's sigma. Not the MAD alone: with
 * runs in two modes most blocks differ by little and a few by the modes' gap, and a bet sized on the
 * MAD takes every such block for a strong sign. 0 when fewer than two pairs.
 */
double pb_search_pairs_sigma(const struct pairs *p)
{
	double *d = pb_xmalloc((p->n ? p->n : 1) * sizeof(*d)), *e, med, mad, sum = 0;
	size_t k, m = 0;

	for (k = 0; k < p->n; k++)
		if (p->a[k] > 0 && p->b[k] > 0)
			d[m++] = log(p->b[k] / p->a[k]);
	if (m < 2) {
		free(d);
		return 0;
	}
	e = pb_xmalloc(m * sizeof(*e));
	med = pb_stats_median(d, m);
	for (k = 0; k < m; k++)
		e[k] = fabs(d[k] - med);
	mad = 1.4826 * pb_stats_median(e, m);
	for (k = 0; k < m; k++)
		sum += e[k] < 4 * mad ? e[k] : 4 * mad;
	sum = 1.2533 * sum / (double)m;
	free(d);
	free(e);
	return sum > mad ? sum : mad;
}

/*
 * Is b slower than a, on fresh blocks? A deterministic metric: one block, compared exactly.
 * Otherwise Wald's SPRT on blocks of 2 + 2 (measure/seqtest.h: which runs of a block were b's is a
 * uniform draw under "no difference" whatever the noise, so the test passes an equal b as slower
 * with probability at most alpha however many blocks it takes) against a fixed alternative:
 * CONFIRM_BET of the effect `expect` (log scale) that the endpoints measured for it, with the noise
 * of the endpoint blocks pooled with the blocks taken so far (a guard when the endpoints' few blocks
 * under-estimated it). It stops as soon as the blocks decide: slower (and at least min_effect
 * slower by the blocks' median, or by its CI's upper end with size_by_ci), or not (Wald's lower
 * bound at CONFIRM_BETA, after CONFIRM_MIN_NULL_BLOCKS), or unknown after max_runs runs of each.
 * ratio and CI from the blocks' pairs (pb_stats_compare_paired), p_value the test's anytime-valid
 * one, at level alpha. Returns 0 or -1.
 */
int pb_search_block22(struct ctx *c, size_t a, size_t b, struct pairs *p, struct pb_seqtest *t,
		      enum pb_seqtest_state *st)
{
	const size_t ids[4] = { a, b, a, b };
	double v[4];

	if (pb_search_block(c, ids, 4, v))
		return -1;
	pb_search_pairs_add(p, v[0], v[1]);
	pb_search_pairs_add(p, v[2], v[3]);
	*st = pb_seqtest_add_block(t, (const double[2]){ v[0], v[2] }, (const double[2]){ v[1], v[3] }, 2);
	return 0;
}

int pb_search_confirm_pair(struct ctx *c, size_t a, size_t b, double expect, double alpha,
			   bool size_by_ci, struct pb_comparison *out, size_t *blocks, struct pairs *keep)
{
	struct pairs p = { NULL, NULL, 0, 0, 0 };
	struct pb_seqtest t;
	enum pb_seqtest_state st = PB_SEQTEST_CONTINUE;
	double s_now;
	size_t n_blocks = 0;
	int ret = -1;

	if (c->exact) {
		/* A deterministic metric gives the same value again: the values at hand are the answer. */
		if (c->res->n_values[a] && c->res->n_values[b])
			pb_search_pairs_add(&p, c->res->values[a][c->res->n_values[a] - 1],
				  c->res->values[b][c->res->n_values[b] - 1]);
		if (pb_search_fill_blocks(c, a, b, 1, &p))
			goto out;
		pb_stats_compare_paired(p.a, p.b, p.n, c->o->alpha, c->o->min_effect, out);
		goto done;
	}
	if (!(expect > 0))
		expect = log1p(c->o->min_effect);
	if (pb_seqtest_init(&t, CONFIRM_BET * expect, c->ep_sigma_d > expect / 2 ? c->ep_sigma_d :
			    expect / 2, alpha, CONFIRM_BETA))
		goto out;
	t.xmax = CONFIRM_XMAX;
	while (st == PB_SEQTEST_CONTINUE && p.n < c->o->max_runs) {
		/* The bet for the next block from the blocks already taken, never from that block. */
		s_now = pb_search_pairs_sigma(&p);
		if (p.n >= 4 && c->ep_n > 0)
			t.sigma = sqrt(((double)c->ep_n * c->ep_sigma_d * c->ep_sigma_d + (double)p.n * s_now * s_now) /
				       (double)(c->ep_n + p.n));
		if (t.sigma < expect / 2)
			t.sigma = expect / 2;
		t.clip = expect + t.sigma;
		if (pb_search_block22(c, a, b, &p, &t, &st))
			goto out;
		/* A block of 2 + 2 can lose up to 4.8 at the cap: two unlucky blocks must not reject
		 * a real culprit. Stopping later never raises the false-positive rate. */
		if (++n_blocks < CONFIRM_MIN_NULL_BLOCKS && st == PB_SEQTEST_NULL)
			st = PB_SEQTEST_CONTINUE;
	}
	pb_stats_compare_paired(p.a, p.b, p.n, c->o->alpha, c->o->min_effect, out);
	out->p_value = pb_seqtest_p(&t);
	if (st == PB_SEQTEST_EFFECT)
		out->verdict = (size_by_ci ? out->ci95[1] : out->ratio) >= 1 + c->o->min_effect ?
			       PB_VERDICT_SLOWER : PB_VERDICT_UNKNOWN;
	else if (out->verdict == PB_VERDICT_SLOWER)
		out->verdict = PB_VERDICT_UNKNOWN; /* the sequential test did not back it */
done:
	*blocks = c->exact ? p.n : n_blocks; /* noisy: blocks of 2 + 2 runs, not pairs */
	for (size_t k = 0; keep && k < p.n; k++)
		pb_search_pairs_add(keep, p.a[k], p.b[k]);
	ret = 0;
out:
	pb_search_pairs_release(&p);
	return ret;
}
