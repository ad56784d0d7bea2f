/* search.c: reproduce, bisect with a sequential test per commit on interleaved blocks, skip around
 * failures, confirm on fresh blocks, repeat.
 *
 * Why steps pool their references. Judging a commit on full blocks (good, commit, bad) buys
 * immunity to drift and bursts at three runs per block, and each block's z carries the noise of
 * three runs: with iid noise a bisect cost 1.6x the runs of a fixed 20-run `git bisect run`. Most
 * of that goes to re-measuring two references whose level the search already knows well, so a
 * step first tries to judge the commit against the pooled levels of its references (all their
 * runs since the pool was last re-based): blocks of (commit, commit, commit, reference), one fresh
 * reference run per POOL_PER_REF of the commit, alternating good and bad. The fresh references are
 * what license the pool: each must lie within POOL_OUTLIER sigma of its pooled level (a burst) and
 * their mean within POOL_SHIFT standard errors (a drift); a verdict is taken only right after a
 * fresh reference passed, and must hold with the pooled midpoint moved by POOL_MARGIN of its own
 * standard error toward the other side. When a check fails the step is judged on full blocks
 * alone (classify_blocked: the values it took under the pool are not used) and the pool restarts
 * from those blocks, so a verdict never rests on references from another window the fresh runs
 * disagree with. What the check cannot see (a shift small against the noise of a few runs) can
 * mislead a step; it cannot name a wrong culprit with exit 0 by itself, because every culprit is
 * confirmed against its parent on fresh blocks, and a bisection that restarts after a failed
 * confirmation uses full blocks only.
 *
 * Why the confirmations carry the guarantee, and the steps only the cost. A confirmation is Wald's
 * SPRT (Wald 1945) against the effect the endpoints measured, on the sign of each fresh block's log
 * ratio given its size (measure/seqtest.h): with the order in each block drawn at random that sign
 * is a fair coin for an equal pair whatever the machine does, so a wrong culprit (a commit no slower
 * than its parent) passes with probability at most alpha however many blocks the test looks at —
 * no look penalty, unlike a group-sequential design that spends alpha over a fixed number of looks
 * (Jennison & Turnbull 2000), which is what it replaced (10 blocks, then up to four looks at
 * alpha / 4). The first culprit's confirmations before and after a restart share alpha. So a step
 * need not be right with probability 1 - alpha over the whole bisection (Bonferroni over the steps,
 * as before): a wrong step costs a rejected culprit and a restart, and each step is held to
 * STEP_ERROR_SHARE of alpha, where the runs a stricter step costs and the restarts a looser one
 * causes balance. As in Pinpoint's A/B runs on one bot, what is compared is measured together, in
 * random order. Where the runs go, per phase and noise model: bench/bisect_sim (README).
 * Tried and left: two commit runs per reference with a drift check at 2.5 standard errors (a sixth
 * of iid steps went to full blocks); a confirmation bet sized on the blocks' MAD alone (with runs in
 * two modes it took each mode switch for a strong sign: exit 4 in a fifth of bimodal bisects); Wald's
 * lower bound at beta 0.05 (a few runs fewer, more exit 4 with two modes).
 */
#include "bisect/search.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"
#include "bisect/multisect.h"
#include "measure/seqtest.h"
#include "measure/unstable.h"

#define MAX_RESTARTS 1 /* bisections started over (fresh blocks) after an unconfirmed culprit */
/* Confirmations (confirm_pair): the SPRT's alternative is this share of the effect expected (a bet
 * below the effect loses little power when the effect is as expected and keeps most of it when it
 * is smaller), and Wald's lower bound uses this beta. */
#define CONFIRM_BET 0.75
#define CONFIRM_BETA 0.005
#define CONFIRM_FIRST_SHARE 0.8 /* of alpha, for the culprit's confirmation before any restart */
#define RNG_SEED 0x9e3779b97f4a7c15ULL
/* A culprit explaining more than this share of the regression (CI lower bound), or less than
 * EXPLAINED_LOW (CI upper bound), is implausible. */
#define EXPLAINED_HIGH 1.5
#define EXPLAINED_LOW 0.25
/* Pooled steps (classify_pooled): values of each reference the pool needs first; a fresh
 * reference run further than POOL_OUTLIER sigma from its pooled level, or a step's fresh references
 * off by more than POOL_SHIFT standard errors on average, make the pool stale; the verdict must
 * hold with the midpoint moved by POOL_MARGIN standard errors of the pool. */
#define POOL_MIN 8
#define POOL_PER_REF 3 /* runs of the commit per fresh reference run */
#define POOL_OUTLIER 4.0
#define POOL_SHIFT 3.5
#define POOL_MARGIN 0.5
#define POOL_STALE 100 /* classify_pooled: judge on full blocks */
#define STEP_ERROR_SHARE 0.5 /* each noisy step errs with at most this share of alpha (bisect_range) */

enum build_state { UNBUILT, BUILT, BUILD_FAILED };
enum mark { NONE, MARK_GOOD, MARK_BAD, MARK_SKIP };

struct ctx {
	size_t n;
	const struct pb_search_opts *o;
	const struct pb_search_ops *ops;
	void *arg;
	struct pb_search_result *res;
	enum build_state *built;
	enum mark *mark;
	size_t *fails;
	size_t *cap;
	int step_k, step_total;
	uint64_t rng;  /* orders the runs within a block; fixed seed: a resumed search replays */
	int restarts;
	/* The endpoints' blocks: their effect (median log ratio), the noise of one block's log ratio,
	 * and how many (confirm_pair) */
	double ep_delta, ep_sigma_d;
	size_t ep_n;
	/* Every value in the order it was taken, and its commit (unstable.h) */
	size_t *seq_i, n_seq, cap_seq_i, cap_seq_v;
	double *seq_v;
	/* k-way (o->jobs > 1): the rounds (multisect.c); the round of the steps added now */
	struct pb_multisect ms;
	int round;
};

/* Values of two commits taken in the same blocks: a[k] and b[k] side by side. */
struct pairs {
	double *a, *b;
	size_t n, cap_a, cap_b;
};

static void pairs_add(struct pairs *p, double a, double b)
{
	pb_xgrow((void **)&p->a, &p->cap_a, p->n + 1, sizeof(double));
	pb_xgrow((void **)&p->b, &p->cap_b, p->n + 1, sizeof(double));
	p->a[p->n] = a;
	p->b[p->n++] = b;
}

static void pairs_release(struct pairs *p)
{
	free(p->a);
	free(p->b);
	memset(p, 0, sizeof(*p));
}

/* Log values of one reference commit taken since the pool was last re-based (see classify_pooled). */
struct level {
	double *v;
	size_t n, cap;
};

static void level_add(struct level *l, double x)
{
	if (!(x > 0))
		return;
	pb_xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(double));
	l->v[l->n++] = log(x);
}

const char *pb_step_verdict_name(enum pb_step_verdict v)
{
	static const char *const names[] = { "good", "bad", "skip", "unknown" };

	return names[v];
}

static void add_step(struct ctx *c, size_t i, enum pb_step_verdict v, const char *why)
{
	struct pb_search_result *r = c->res;
	struct pb_search_step *s;

	r->steps = pb_xrealloc(r->steps, (r->n_steps + 1) * sizeof(*r->steps));
	s = &r->steps[r->n_steps++];
	s->index = i;
	s->verdict = v;
	s->runs = r->n_values[i];
	s->median = r->n_values[i] ? pb_stats_median(r->values[i], r->n_values[i]) : NAN;
	s->why = why;
	s->restart = c->restarts;
	s->blocks = 0;
	s->pooled = false;
	s->round = c->round;
}

static void begin_step(struct ctx *c, size_t i, const char *what)
{
	c->step_k++;
	if (c->step_k > c->step_total)
		c->step_total = c->step_k;
	if (c->ops->step)
		c->ops->step(c->arg, i, c->step_k, c->step_total, what);
}

static int build(struct ctx *c, size_t i)
{
	int rc;

	if (c->built[i] != UNBUILT)
		return c->built[i] == BUILT ? 0 : 1;
	rc = c->ops->build(c->arg, i);
	if (rc < 0)
		return -1;
	c->built[i] = rc == 0 ? BUILT : BUILD_FAILED;
	return rc;
}

/* One more value for commit i: 0 got one, 1 the run failed, -1 fatal. */
static int sample(struct ctx *c, size_t i)
{
	struct pb_search_result *r = c->res;
	double v;
	/* A k-way round's batch first: values taken with the round's references. */
	int rc = pb_multisect_take(&c->ms, i, &v);

	if (rc == PB_MS_EMPTY)
		rc = c->ops->sample(c->arg, i, &v);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		c->fails[i]++;
		r->failed_runs++;
		return 1;
	}
	pb_xgrow((void **)&r->values[i], &c->cap[i], r->n_values[i] + 1, sizeof(double));
	r->values[i][r->n_values[i]++] = v;
	r->runs_total++;
	pb_xgrow((void **)&c->seq_i, &c->cap_seq_i, c->n_seq + 1, sizeof(*c->seq_i));
	pb_xgrow((void **)&c->seq_v, &c->cap_seq_v, c->n_seq + 1, sizeof(*c->seq_v));
	c->seq_i[c->n_seq] = i;
	c->seq_v[c->n_seq++] = v;
	return 0;
}

/* The inconclusive error for commit i whose runs fail: every one of them, or too many. */
static int fail_at(struct ctx *c, size_t i, bool every)
{
	char *what = c->ops->describe ? c->ops->describe(c->arg, i) : pb_xasprintf("commit #%zu", i);
	char *why = c->ops->last_failure ? c->ops->last_failure(c->arg, i) : NULL;
	int ret;

	if (every)
		ret = pb_error_as(PB_EXIT_INCONCLUSIVE, "the benchmark fails on every run at %s (%zu "
				  "failures): nothing to measure%s%s", what, c->fails[i],
				  why ? "; the last failed run: " : "", why ? why : "");
	else
		ret = pb_error_as(PB_EXIT_INCONCLUSIVE, "the benchmark failed too often to measure at "
				  "%s (%zu failures)%s%s", what, c->fails[i],
				  why ? "; the last failed run: " : "", why ? why : "");
	free(what);
	free(why);
	return ret;
}

static uint64_t next_rand(struct ctx *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 2685821657736338717ULL;
}

/*
 * One block: commits ids[0..k-1] (k <= 3) sampled once each, in an order drawn at random, so that
 * whatever the machine does meanwhile hits each of them alike on average. out[j] gets ids[j]'s
 * value. A failed run is retried; too many failures at one commit are fatal. Returns 0 or -1.
 */
static int block(struct ctx *c, const size_t *ids, size_t k, double *out)
{
	struct pb_search_result *r = c->res;
	size_t order[3] = { 0, 1, 2 }, j, t, tmp;
	int rc;

	for (j = k; j > 1; j--) {
		t = (size_t)(next_rand(c) >> 33) % j;
		tmp = order[j - 1];
		order[j - 1] = order[t];
		order[t] = tmp;
	}
	for (j = 0; j < k; j++) {
		size_t i = ids[order[j]];

		while ((rc = sample(c, i)) > 0) {
			if (c->fails[i] > 13 && r->n_values[i] == 0)
				return fail_at(c, i, true);
			if (c->fails[i] > 2 * c->o->max_runs + 10)
				return fail_at(c, i, false);
		}
		if (rc < 0)
			return -1;
		out[order[j]] = r->values[i][r->n_values[i] - 1];
	}
	return 0;
}

/* Fresh blocks of (a, b) into p until it holds `want`. Returns 0 or -1. */
static int fill_blocks(struct ctx *c, size_t a, size_t b, size_t want, struct pairs *p)
{
	const size_t ids[2] = { a, b };
	double v[2];

	while (p->n < want) {
		if (block(c, ids, 2, v))
			return -1;
		pairs_add(p, v[0], v[1]);
	}
	return 0;
}

/*
 * The noise of one block's log ratio from the pairs p, for a confirmation's bet: the mean absolute
 * deviation from their median (times 1.2533, a normal's sigma), each deviation capped at four MAD
 * sigmas so that a burst does not inflate it, and at least the MAD's sigma. Not the MAD alone: with
 * runs in two modes most blocks differ by little and a few by the modes' gap, and a bet sized on the
 * MAD takes every such block for a strong sign. 0 when fewer than two pairs.
 */
static double pairs_sigma(const struct pairs *p)
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
 * Otherwise Wald's SPRT on the blocks' signs (measure/seqtest.h: the sign of log(b / a) given its
 * size is a fair coin under "no difference" whatever the noise, so the test passes an equal b as
 * slower with probability at most alpha however many blocks it takes) against a fixed alternative:
 * CONFIRM_BET of the effect `expect` (log scale) that the endpoints measured for it, with the noise
 * of the endpoint blocks pooled with the blocks taken so far (a guard when the endpoints' few blocks
 * under-estimated it). It stops as soon as the blocks decide: slower (and at least min_effect
 * slower by the blocks' median), or not (Wald's lower bound at CONFIRM_BETA), or unknown after
 * max_runs blocks. ratio and CI from the blocks (pb_stats_compare_paired), p_value the test's
 * anytime-valid one, at level alpha. Returns 0 or -1.
 */
static int confirm_pair(struct ctx *c, size_t a, size_t b, double expect, double alpha,
			struct pb_comparison *out, size_t *blocks)
{
	struct pairs p = { NULL, NULL, 0, 0, 0 };
	struct pb_seqtest t;
	enum pb_seqtest_state st = PB_SEQTEST_CONTINUE;
	double s_now;
	int ret = -1;

	if (c->o->exact) {
		/* A deterministic metric gives the same value again: the values at hand are the answer. */
		if (c->res->n_values[a] && c->res->n_values[b])
			pairs_add(&p, c->res->values[a][c->res->n_values[a] - 1],
				  c->res->values[b][c->res->n_values[b] - 1]);
		if (fill_blocks(c, a, b, 1, &p))
			goto out;
		pb_stats_compare_paired(p.a, p.b, p.n, c->o->alpha, c->o->min_effect, out);
		goto done;
	}
	if (!(expect > 0))
		expect = log1p(c->o->min_effect);
	if (pb_seqtest_init(&t, CONFIRM_BET * expect, c->ep_sigma_d > expect / 2 ? c->ep_sigma_d :
			    expect / 2, alpha, CONFIRM_BETA))
		goto out;
	while (st == PB_SEQTEST_CONTINUE && p.n < c->o->max_runs) {
		/* The bet for the next block from the blocks already taken, never from that block. */
		s_now = pairs_sigma(&p);
		if (p.n >= 4 && c->ep_n > 0)
			t.sigma = sqrt(((double)c->ep_n * c->ep_sigma_d * c->ep_sigma_d + (double)p.n * s_now * s_now) /
				       (double)(c->ep_n + p.n));
		if (t.sigma < expect / 2)
			t.sigma = expect / 2;
		t.clip = expect + t.sigma;
		if (fill_blocks(c, a, b, p.n + 1, &p))
			goto out;
		st = pb_seqtest_add(&t, p.a[p.n - 1], p.b[p.n - 1]);
	}
	pb_stats_compare_paired(p.a, p.b, p.n, c->o->alpha, c->o->min_effect, out);
	out->p_value = pb_seqtest_p(&t);
	if (st == PB_SEQTEST_EFFECT)
		out->verdict = out->ratio >= 1 + c->o->min_effect ? PB_VERDICT_SLOWER : PB_VERDICT_UNKNOWN;
	else if (out->verdict == PB_VERDICT_SLOWER)
		out->verdict = PB_VERDICT_UNKNOWN; /* the sequential test did not back it */
done:
	*blocks = p.n;
	ret = 0;
out:
	pairs_release(&p);
	return ret;
}

static void compare(struct ctx *c, size_t a, size_t b, struct pb_comparison *out)
{
	struct pb_search_result *r = c->res;

	pb_stats_compare(r->values[a], r->n_values[a], r->values[b], r->n_values[b], c->o->alpha,
			 c->o->min_effect, out);
}

/*
 * A deterministic metric (exact): is commit i like ref_lo (good) or like ref_hi (bad)? One value
 * decides by the nearer endpoint (noisy metrics use classify_blocked). Kept general: Wald's SPRT
 * between the two; when it has not decided after each further `runs` values, a two-sample test
 * against lo settles what it can:
 * a commit carrying part of the regression (several culprits) is bad-like once it is slower than
 * good by min_effect. Returns the verdict, or -1 on a fatal error.
 */
static int classify(struct ctx *c, size_t i, size_t ref_lo, size_t ref_hi, const struct pb_sprt *init)
{
	struct pb_search_result *r = c->res;
	struct pb_sprt s = *init;
	enum pb_sprt_state st = PB_SPRT_CONTINUE;
	struct pb_comparison cmp;
	size_t fed = 0, check_at = c->o->runs;
	int rc;

	while (st == PB_SPRT_CONTINUE) {
		/* Values already known (an earlier step, the confirmation) count first. */
		if (fed == r->n_values[i]) {
			if (r->n_values[i] >= c->o->max_runs || c->fails[i] > c->o->max_runs)
				return PB_STEP_UNKNOWN;
			rc = sample(c, i);
			if (rc < 0)
				return -1;
			if (rc > 0)
				continue;
		}
		st = pb_sprt_add(&s, r->values[i][fed++]);
		/* One or two noisy values never decide: the hypotheses are estimates themselves. */
		if (!s.exact && fed < PB_SEARCH_MIN_DECIDE)
			st = PB_SPRT_CONTINUE;
		if (st == PB_SPRT_CONTINUE && !c->o->exact && r->n_values[i] >= check_at) {
			check_at += c->o->runs;
			compare(c, ref_lo, i, &cmp);
			if (cmp.verdict == PB_VERDICT_SLOWER)
				return PB_STEP_BAD;
			compare(c, i, ref_hi, &cmp);
			if (cmp.verdict == PB_VERDICT_SLOWER)
				return PB_STEP_GOOD;
		}
	}
	return st == PB_SPRT_BAD ? PB_STEP_BAD : PB_STEP_GOOD;
}

int pb_search_sprt_init(struct pb_sprt *s, const double *good, size_t ng, const double *bad,
			size_t nb, double error_rate, bool exact)
{
	if (pb_sprt_init(s, good, ng, bad, nb, error_rate))
		return -1;
	s->exact = s->exact || exact;
	/*
	 * Both hypotheses are medians estimated from the endpoint samples, and so is the midpoint
	 * between them that every value is judged against. Widen sigma by that uncertainty (the
	 * variance of a median is about pi/2 times that of a mean) so that the test is not more
	 * confident than the data.
	 */
	s->sigma *= sqrt(1 + M_PI / 2 * (1.0 / (double)ng + 1.0 / (double)nb));
	return 0;
}

/* The undecided commit strictly between lo and hi nearest the middle, or 0 when none is left. */
static size_t choose(struct ctx *c, size_t lo, size_t hi)
{
	size_t mid = lo + (hi - lo) / 2, d, i;

	for (d = 0; d < hi - lo; d++) {
		i = mid - d;
		if (d <= mid && i > lo && i < hi && c->mark[i] == NONE)
			return i;
		i = mid + d;
		if (i > lo && i < hi && c->mark[i] == NONE)
			return i;
	}
	return 0;
}

/* want plus a quarter (at least 2), at most max. */
static size_t grow(size_t want, size_t max)
{
	want += want / 4 > 2 ? want / 4 : 2;
	return want < max ? want : max;
}

static int log2ceil(size_t n)
{
	int k = 0;

	while (((size_t)1 << k) < n)
		k++;
	return k;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The range's references in the same window: from the blocks holding both of its endpoints,
 * d = log(hi) - log(lo): *delta its median, *sigma the noise of one run (1.4826 MAD / sqrt 2,
 * robust to the runs a burst hit). */
static void ref_estimates(const struct pairs *p, double *delta, double *sigma)
{
	double *d = pb_xmalloc((p->n ? p->n : 1) * sizeof(*d));
	size_t k, m = 0;

	for (k = 0; k < p->n; k++)
		if (p->a[k] > 0 && p->b[k] > 0)
			d[m++] = log(p->b[k] / p->a[k]);
	qsort(d, m, sizeof(*d), cmp_double);
	*delta = m ? (m % 2 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2) : 0;
	for (k = 0; k < m; k++)
		d[k] = fabs(d[k] - *delta);
	qsort(d, m, sizeof(*d), cmp_double);
	*sigma = m ? 1.4826 * (m % 2 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2) / M_SQRT2 : 0;
	free(d);
}

/*
 * Is commit i like ref_lo (good) or like ref_hi (bad)? Measured in blocks (ref_lo, i, ref_hi),
 * order randomized per block; each block gives z = log(i) - (log(lo) + log(hi)) / 2, with mean
 * -delta/2 when i is good-like and +delta/2 when bad-like whatever level the machine is at. Wald's
 * SPRT on z, clipped to +-(delta/2 + sigma_z) so that one run a burst hit moves the test by a
 * bounded step. Each block's (lo, hi) pair joins the references. Returns the verdict (UNKNOWN
 * after max_runs blocks), or -1 on a fatal error.
 */
static int classify_blocked(struct ctx *c, size_t i, size_t ref_lo, size_t ref_hi, double error_rate,
			    struct pairs *refs, size_t *blocks)
{
	const size_t ids[3] = { ref_lo, i, ref_hi };
	const double bound = log((1 - error_rate) / error_rate);
	double v[3], delta, sigma, sz, clip, z, llr = 0;

	for (*blocks = 0; *blocks < c->o->max_runs;) {
		ref_estimates(refs, &delta, &sigma);
		if (!(delta > 0))
			return PB_STEP_UNKNOWN; /* the references no longer differ */
		/* A floor for quantized values (MAD 0); widened by the uncertainty of delta's median. */
		if (sigma < delta / 20)
			sigma = delta / 20;
		sz = sigma * sqrt(1.5) * sqrt(1 + M_PI / 2 / (double)refs->n);
		clip = delta / 2 + sz;
		if (block(c, ids, 3, v))
			return -1;
		(*blocks)++;
		pairs_add(refs, v[0], v[2]);
		if (!(v[0] > 0 && v[1] > 0 && v[2] > 0))
			continue;
		z = log(v[1]) - (log(v[0]) + log(v[2])) / 2;
		z = z > clip ? clip : z < -clip ? -clip : z;
		llr += delta * z / (sz * sz);
		if (*blocks < PB_SEARCH_MIN_DECIDE)
			continue;
		if (llr >= bound)
			return PB_STEP_BAD;
		if (llr <= -bound)
			return PB_STEP_GOOD;
	}
	return PB_STEP_UNKNOWN;
}

/* The mean of each reference's pooled values, m[0] and m[1], and the noise of one run: 1.4826 MAD
 * of both sides' values around their medians, robust to a run a burst hit. */
static void level_stats(const struct level *lv, double *m, double *sigma)
{
	double *d = pb_xmalloc((lv[0].n + lv[1].n + 1) * sizeof(*d)), sum, med;
	size_t k, j, nd = 0;

	for (j = 0; j < 2; j++) {
		sum = 0;
		for (k = 0; k < lv[j].n; k++)
			sum += lv[j].v[k];
		m[j] = lv[j].n ? sum / (double)lv[j].n : 0;
		for (k = 0; k < lv[j].n; k++)
			d[nd + k] = lv[j].v[k];
		qsort(d + nd, lv[j].n, sizeof(*d), cmp_double);
		med = lv[j].n ? (lv[j].n % 2 ? d[nd + lv[j].n / 2] :
				 (d[nd + lv[j].n / 2 - 1] + d[nd + lv[j].n / 2]) / 2) : 0;
		for (k = 0; k < lv[j].n; k++)
			d[nd + k] = fabs(d[nd + k] - med);
		nd += lv[j].n;
	}
	qsort(d, nd, sizeof(*d), cmp_double);
	*sigma = nd ? 1.4826 * (nd % 2 ? d[nd / 2] : (d[nd / 2 - 1] + d[nd / 2]) / 2) : 0;
	free(d);
}

/* The log-likelihood ratio (bad against good) of the z values against a midpoint moved by u:
 * each z is clipped to +-clip around it, as in classify_blocked. */
static double pooled_llr(const double *z, size_t n, double u, double delta, double sz, double clip)
{
	double llr = 0, x;
	size_t k;

	for (k = 0; k < n; k++) {
		x = z[k] - u;
		x = x > clip ? clip : x < -clip ? -clip : x;
		llr += delta * x / (sz * sz);
	}
	return llr;
}

/*
 * Is commit i like ref_lo (good) or like ref_hi (bad), judged against the pooled reference levels
 * `lv` (lv[0] of ref_lo, lv[1] of ref_hi) while fresh reference runs say they still hold? Blocks
 * of (i, i, reference), the reference alternating between ref_lo and ref_hi; each fresh reference
 * must lie within POOL_OUTLIER sigma of its pooled level, and their mean within POOL_SHIFT standard
 * errors of it — else the machine is not where it was when the pool was measured: POOL_STALE, and
 * the caller judges i on full blocks instead. The verdict must hold with the midpoint moved by
 * POOL_MARGIN standard errors of the pool toward the other side, and is only taken right after a
 * fresh reference. Fresh references join the pool. Returns the verdict, POOL_STALE, or -1.
 */
static int classify_pooled(struct ctx *c, size_t i, size_t ref_lo, size_t ref_hi, double error_rate,
			   const struct pairs *refs, struct level *lv, size_t *blocks)
{
	const double bound = log((1 - error_rate) / error_rate);
	double *z = NULL, m[2], delta, sigma, pair_sigma, mid, tau, sz, clip, r, shift = 0, se, v;
	size_t nz = 0, cap = 0, fresh = 0, k;
	int side = 0, ret = PB_STEP_UNKNOWN;

	/* Delta from the paired blocks (level-free); the noise from the pool's runs, which are many
	 * more than the pairs early on (pair_sigma's MAD of ten pairs varied 1.5-4% at a true 3%). */
	ref_estimates(refs, &delta, &pair_sigma);
	level_stats(lv, m, &sigma);
	if (!(delta > 0) || lv[0].n < POOL_MIN || lv[1].n < POOL_MIN)
		return POOL_STALE;
	if (sigma < delta / 20)
		sigma = delta / 20;
	mid = (m[0] + m[1]) / 2;
	/* The pooled midpoint's own error is shared by every value of the step: a margin, not noise. */
	tau = sigma / 2 * sqrt(1.0 / (double)lv[0].n + 1.0 / (double)lv[1].n);
	sz = sigma * sqrt(1 + 1.0 / (double)(lv[0].n + lv[1].n));
	clip = delta / 2 + sz;
	for (*blocks = 0; POOL_PER_REF * *blocks < c->o->max_runs;) {
		const size_t ref = side ? ref_hi : ref_lo;

		for (k = 0; k <= POOL_PER_REF; k++) {
			const size_t id = k < POOL_PER_REF ? i : ref;

			if (block(c, &id, 1, &v)) {
				ret = -1;
				goto out;
			}
			if (!(v > 0))
				continue;
			if (k < POOL_PER_REF) {
				pb_xgrow((void **)&z, &cap, nz + 1, sizeof(double));
				z[nz++] = log(v) - mid;
				continue;
			}
			/* Is the machine still where the pool says? One run far off (a burst), or the
			 * step's references together off by more than their noise (a drift). */
			r = log(v) - m[side];
			fresh++;
			shift += r;
			se = sigma * sqrt(1.0 / (double)fresh + 1.0 / (double)lv[side].n);
			if (fabs(r) > POOL_OUTLIER * sigma || fabs(shift / (double)fresh) > POOL_SHIFT * se) {
				ret = POOL_STALE;
				goto out;
			}
			level_add(&lv[side], v);
		}
		(*blocks)++;
		side = !side;
		if (nz < PB_SEARCH_MIN_DECIDE)
			continue;
		if (pooled_llr(z, nz, POOL_MARGIN * tau, delta, sz, clip) >= bound) {
			ret = PB_STEP_BAD;
			break;
		}
		if (pooled_llr(z, nz, -POOL_MARGIN * tau, delta, sz, clip) <= -bound) {
			ret = PB_STEP_GOOD;
			break;
		}
	}
out:
	free(z);
	return ret;
}

/* The k-way rounds' view of the search (multisect.h). */
static bool ms_open(void *ctx, size_t i)
{
	return ((struct ctx *)ctx)->mark[i] == NONE;
}

static int ms_build(void *ctx, size_t i)
{
	return build(ctx, i);
}

static void ms_built(void *ctx, size_t i, int rc)
{
	struct ctx *c = ctx;

	if (c->built[i] == UNBUILT)
		c->built[i] = rc == 0 ? BUILT : BUILD_FAILED;
}

/* The next commit to judge in (lo, hi) into *i (0: none left): the middle one, or with jobs > 1
 * the next of a k-way round's (multisect.c). Each step is a round of its own when one at a time.
 * Returns 0 or -1. */
static int next_commit(struct ctx *c, size_t lo, size_t hi, size_t ref_lo, size_t ref_hi, size_t *i)
{
	if (c->ms.jobs <= 1) {
		*i = choose(c, lo, hi);
		c->round = *i ? ++c->res->rounds : 0;
		return 0;
	}
	if (pb_multisect_next(&c->ms, lo, hi, ref_lo, ref_hi, c->o->exact ? PB_MS_EXACT :
			      c->restarts ? PB_MS_BLOCKED : PB_MS_POOLED, i))
		return -1;
	c->round = c->res->rounds = c->ms.round;
	return 0;
}

/*
 * Bisect (lo, hi) where lo is good-like and hi bad-like. *first_bad gets the first bad commit,
 * or 0 when skipped commits hide it (then *lo_out and *hi_out bound the candidates). `refs` holds
 * blocks of (lo, hi) measured so far (grown here). Returns 0 or -1.
 */
static int bisect_range(struct ctx *c, size_t lo, size_t hi, struct pairs *refs, size_t *first_bad,
			size_t *lo_out, size_t *hi_out)
{
	/* Every step is measured alongside the range's own endpoints. */
	const size_t ref_lo = lo, ref_hi = hi;
	struct pb_search_result *r = c->res;
	/* A wrong step costs runs (a culprit its confirmation rejects, and a restart), never a wrong
	 * answer: the confirmation is what bounds that (confirm_pair). So the steps are not held to
	 * alpha over all of them (Bonferroni, as before: a tenth more runs per bisect) but each to
	 * STEP_ERROR_SHARE of it, the level at which the restarts a wrong step costs and the runs a
	 * stricter step costs balance (bench/bisect_sim). */
	const double error_rate = c->o->alpha * STEP_ERROR_SHARE;
	struct level lv[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	struct pb_sprt sprt;
	char what[64];
	size_t i, k, from, blocks = 0;
	bool pooled;
	int rc, v, ret = -1;

	if (c->o->exact && pb_search_sprt_init(&sprt, r->values[lo], r->n_values[lo], r->values[hi],
					       r->n_values[hi], error_rate, true))
		return -1;
	if (!c->o->exact && fill_blocks(c, ref_lo, ref_hi, c->o->runs, refs))
		return -1;
	/* The pool starts from the endpoints' blocks, all taken in one window. */
	for (k = 0; k < refs->n; k++) {
		level_add(&lv[0], refs->a[k]);
		level_add(&lv[1], refs->b[k]);
	}
	/* The estimate only grows: at most log2ceil steps here, then the culprit's confirmation, as
	 * counted at the start; a shrinking "~n" reads as a wrong one. */
	if (c->step_total < c->step_k + log2ceil(hi - lo) + 1)
		c->step_total = c->step_k + log2ceil(hi - lo) + 1;
	for (;;) {
		if (next_commit(c, lo, hi, ref_lo, ref_hi, &i))
			goto out;
		if (!i)
			break;
		if (c->ms.jobs > 1)
			snprintf(what, sizeof(what), "round %d: bisecting: %zu %s left", c->round,
				 hi - lo - 1, pb_plural(hi - lo - 1, "commit", "commits"));
		else
			snprintf(what, sizeof(what), "bisecting: %zu %s left", hi - lo - 1,
				 pb_plural(hi - lo - 1, "commit", "commits"));
		begin_step(c, i, what);
		rc = build(c, i);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			c->mark[i] = MARK_SKIP;
			add_step(c, i, PB_STEP_SKIP, "build failed");
			continue;
		}
		blocks = 0;
		pooled = false;
		if (c->o->exact)
			v = classify(c, i, ref_lo, ref_hi, &sprt);
		else if (c->restarts) /* a step misjudged once: trust blocks alone from now on */
			v = POOL_STALE;
		else
			v = classify_pooled(c, i, ref_lo, ref_hi, error_rate, refs, lv, &blocks);
		pooled = !c->o->exact && v != POOL_STALE && v >= 0;
		if (v == POOL_STALE) {
			/* Judged on full blocks alone; the pool restarts from what was measured now. */
			size_t before = blocks;

			from = refs->n;
			v = classify_blocked(c, i, ref_lo, ref_hi, error_rate, refs, &blocks);
			blocks += before;
			lv[0].n = lv[1].n = 0;
			for (k = from; k < refs->n; k++) {
				level_add(&lv[0], refs->a[k]);
				level_add(&lv[1], refs->b[k]);
			}
		}
		if (v < 0)
			goto out;
		if (v == PB_STEP_UNKNOWN) {
			c->mark[i] = MARK_SKIP;
			add_step(c, i, PB_STEP_UNKNOWN, "undecided after max_runs");
			r->steps[r->n_steps - 1].blocks = blocks;
			r->steps[r->n_steps - 1].pooled = pooled;
			continue;
		}
		add_step(c, i, (enum pb_step_verdict)v, "bisect");
		r->steps[r->n_steps - 1].blocks = blocks;
		r->steps[r->n_steps - 1].pooled = pooled;
		if (v == PB_STEP_GOOD) {
			c->mark[i] = MARK_GOOD;
			lo = i;
		} else {
			c->mark[i] = MARK_BAD;
			hi = i;
		}
	}
	*lo_out = lo;
	*hi_out = hi;
	*first_bad = hi - lo == 1 ? hi : 0;
	ret = 0;
out:
	/* What a k-way round measured and no step took is dropped, never used by a later step. */
	pb_multisect_end(&c->ms);
	c->round = 0;
	free(lv[0].v);
	free(lv[1].v);
	return ret;
}

/* Culprit against parent on fresh blocks (confirm_pair), expecting an effect `expect` (log).
 * Returns 0 or -1. */
static int confirm(struct ctx *c, size_t culprit, double expect, struct pb_culprit *out)
{
	begin_step(c, culprit, "confirming the culprit against its parent (fresh, interleaved)");
	out->index = culprit;
	out->explained_fraction = out->explained_ci95[0] = out->explained_ci95[1] = NAN;
	/* The first culprit's confirmations share alpha: the first bisection's and, after a
	 * restart, the second's (an equal pair passes at most one of them with probability alpha). */
	return confirm_pair(c, culprit - 1, culprit, expect, c->o->alpha * (c->restarts < MAX_RESTARTS ?
			    CONFIRM_FIRST_SHARE : 1 - CONFIRM_FIRST_SHARE), &out->effect, &out->blocks);
}

/* The culprit's share of the confirmed regression on a log scale, its CI from the two CIs. */
static void explain(const struct pb_comparison *total, struct pb_culprit *cu)
{
	double t = log(total->ratio), lo = log(total->ci95[0]), hi = log(total->ci95[1]);

	cu->explained_fraction = t != 0 ? log(cu->effect.ratio) / t : NAN;
	if (lo > 0 && hi > 0) {
		cu->explained_ci95[0] = log(cu->effect.ci95[0]) / hi;
		cu->explained_ci95[1] = log(cu->effect.ci95[1]) / lo;
	} else {
		cu->explained_ci95[0] = cu->explained_ci95[1] = NAN;
	}
}

static int by_effect(const void *a, const void *b)
{
	const struct pb_culprit *x = a, *y = b;

	return x->explained_fraction < y->explained_fraction ? 1 :
	       x->explained_fraction > y->explained_fraction ? -1 : 0;
}

/* Whether any commit strictly between lo and hi was left undecided (not a build failure). */
static bool undecided(struct ctx *c, size_t lo, size_t hi)
{
	size_t i;

	for (i = lo + 1; i < hi; i++)
		if (c->mark[i] == MARK_SKIP && c->built[i] == BUILT)
			return true;
	return false;
}

/*
 * Start the bisection over: a misjudged step named a culprit fresh blocks do not back. Every step
 * measures again alongside its references (nothing measured is lost: the values stay, the table
 * numbers the restart). Commits that failed to build stay skipped.
 */
static void restart(struct ctx *c)
{
	size_t i;

	c->restarts++;
	c->res->restarts = c->restarts;
	begin_step(c, 0, "starting over: fresh blocks did not confirm the culprit");
	for (i = 1; i < c->n; i++)
		if (c->built[i] != BUILD_FAILED)
			c->mark[i] = NONE;
}

struct range {
	size_t lo, hi;           /* bisect between these */
	size_t outer_lo, outer_hi; /* the range it came from, where further culprits are sought */
};

/*
 * The rest of the effect lies before the culprit's parent or after the culprit, within the range
 * the culprit was found in. Search a side only when the values at hand already show it slower:
 * the explained fraction alone is too noisy to send the search after culprits that are not there.
 */
static void push_sides(struct ctx *c, struct range **pending, size_t *npending, const struct range *rg,
		       size_t first_bad)
{
	struct pb_search_result *r = c->res;
	struct range side[2] = {
		{ rg->outer_lo, first_bad - 1, rg->outer_lo, first_bad - 1 },
		{ first_bad, rg->outer_hi, first_bad, rg->outer_hi },
	};
	struct pb_comparison cmp;
	size_t k;

	for (k = 0; k < 2; k++) {
		if (side[k].hi - side[k].lo < 1 || r->n_values[side[k].lo] == 0 ||
		    r->n_values[side[k].hi] == 0)
			continue;
		compare(c, side[k].lo, side[k].hi, &cmp);
		if (cmp.verdict != PB_VERDICT_SLOWER)
			continue;
		c->mark[side[k].lo] = MARK_GOOD;
		c->mark[side[k].hi] = MARK_BAD;
		/* Verdicts inside were against the whole range's references, not this part's. */
		for (size_t j = side[k].lo + 1; j < side[k].hi; j++)
			if (c->built[j] != BUILD_FAILED)
				c->mark[j] = NONE;
		*pending = pb_xrealloc(*pending, (*npending + 1) * sizeof(**pending));
		(*pending)[(*npending)++] = side[k];
	}
}

/* Is the culprit found backed by fresh evidence? Sets status, confirmed and why. */
static int verify_found(struct ctx *c, bool have_unconfirmed, const struct pb_culprit *unconfirmed)
{
	struct pb_search_result *r = c->res;
	struct pb_culprit *cu;
	size_t k;

	if (r->n_culprits == 0) {
		r->status = PB_SEARCH_UNCONFIRMED;
		if (have_unconfirmed) {
			r->culprits[r->n_culprits++] = *unconfirmed;
			snprintf(r->why, sizeof(r->why),
				 "fresh interleaved runs of the culprit and its parent say %s (ratio %.4f, "
				 "p = %.2g, %zu blocks), not slower", pb_verdict_name(unconfirmed->effect.verdict),
				 unconfirmed->effect.ratio, unconfirmed->effect.p_value, unconfirmed->blocks);
		} else {
			snprintf(r->why, sizeof(r->why), "no culprit was confirmed");
		}
		return 0;
	}
	begin_step(c, c->n, "measuring good and bad again (fresh, interleaved)");
	if (confirm_pair(c, 0, c->n, c->ep_delta, c->o->alpha, &r->confirm_endpoints, &r->confirm_blocks))
		return -1;
	for (k = 0; k < r->n_culprits; k++)
		explain(&r->confirm_endpoints, &r->culprits[k]);
	qsort(r->culprits, r->n_culprits, sizeof(*r->culprits), by_effect);
	cu = &r->culprits[0];
	r->status = PB_SEARCH_UNCONFIRMED;
	if (r->confirm_endpoints.verdict != PB_VERDICT_SLOWER)
		snprintf(r->why, sizeof(r->why),
			 "good and bad measured again (%zu fresh interleaved blocks) say %s (ratio %.4f, "
			 "p = %.2g): the regression the search followed is not there now", r->confirm_blocks,
			 pb_verdict_name(r->confirm_endpoints.verdict), r->confirm_endpoints.ratio,
			 r->confirm_endpoints.p_value);
	else if (!c->o->exact && (cu->explained_ci95[0] > EXPLAINED_HIGH ||
				  cu->explained_ci95[1] < EXPLAINED_LOW))
		snprintf(r->why, sizeof(r->why),
			 "the culprit would explain %.0f%% (95%% CI %.0f%% to %.0f%%) of the regression: "
			 "implausible", cu->explained_fraction * 100, cu->explained_ci95[0] * 100,
			 cu->explained_ci95[1] * 100);
	else
		r->status = PB_SEARCH_FOUND;
	r->confirmed = r->status == PB_SEARCH_FOUND;
	return 0;
}

int pb_search_run(size_t n, const struct pb_search_opts *o, const struct pb_search_ops *ops,
		  void *arg, struct pb_search_result *res)
{
	return pb_search_run_kway(n, o, ops, NULL, arg, res);
}

int pb_search_run_kway(size_t n, const struct pb_search_opts *o, const struct pb_search_ops *ops,
		       const struct pb_search_kway *kw, void *arg, struct pb_search_result *res)
{
	struct ctx c = { n, o, ops, arg, res, NULL, NULL, NULL, NULL, 0, 0, RNG_SEED, 0, 0, 0, 0,
			 NULL, 0, 0, 0, NULL, { 0 }, 0 };
	char why[200];
	struct pairs ep = { NULL, NULL, 0, 0, 0 }, refs = { NULL, NULL, 0, 0, 0 };
	struct range *pending = NULL;
	size_t want, npending = 0, first_bad, lo, hi, i;
	double explained = 0;
	struct pb_culprit unconfirmed;
	bool have_unconfirmed = false, unstable = false;
	int rc, ret = -1;

	memset(res, 0, sizeof(*res));
	res->n_commits = n + 1;
	res->values = pb_xcalloc(n + 1, sizeof(*res->values));
	res->n_values = pb_xcalloc(n + 1, sizeof(*res->n_values));
	c.built = pb_xcalloc(n + 1, sizeof(*c.built));
	c.mark = pb_xcalloc(n + 1, sizeof(*c.mark));
	c.fails = pb_xcalloc(n + 1, sizeof(*c.fails));
	c.cap = pb_xcalloc(n + 1, sizeof(*c.cap));
	c.step_total = 3 + log2ceil(n);
	if (kw && kw->jobs > 1) {
		const struct pb_ms_host host = { &c, kw, arg, ms_open, ms_build, ms_built,
						 res->n_values, PB_SEARCH_MIN_DECIDE, &res->runs_dropped };

		pb_multisect_init(&c.ms, kw->jobs, &host);
	}

	/* 1. Reproduce: both endpoints in blocks, more blocks while the answer is unknown. */
	begin_step(&c, 0, "building and measuring the good and bad commits");
	/* k-way: both endpoints at once, and the first round's commits in the slots they leave free
	 * (round 0); the endpoints' outcomes are read below as ever. */
	if (c.ms.jobs > 1 && pb_multisect_build_endpoints(&c.ms, n))
		goto out;
	for (i = 0; i <= n; i += n) {
		rc = build(&c, i);
		if (rc != 0) {
			if (rc > 0)
				pb_error_as(PB_EXIT_INCONCLUSIVE, "the %s commit cannot be built",
					    i ? "bad" : "good");
			goto out;
		}
	}
	/* Grown by a quarter while unknown: a clear regression stops soon after it shows. */
	for (want = o->exact ? 1 : o->runs;; want = grow(want, o->max_runs)) {
		if (fill_blocks(&c, 0, n, want, &ep))
			goto out;
		pb_stats_compare_paired(ep.a, ep.b, ep.n, o->alpha, o->min_effect, &res->endpoints);
		/* Runs that alternate or drift run after run have no level to compare. */
		unstable = !o->exact && pb_unstable_check(c.seq_i, c.seq_v, c.n_seq, o->min_effect, why,
							  sizeof(why));
		if (res->endpoints.verdict != PB_VERDICT_UNKNOWN || want >= o->max_runs || o->exact ||
		    unstable)
			break;
	}
	add_step(&c, 0, PB_STEP_GOOD, "endpoint");
	add_step(&c, n, PB_STEP_BAD, "endpoint");
	c.mark[0] = MARK_GOOD;
	c.mark[n] = MARK_BAD;
	if (unstable) {
		res->status = PB_SEARCH_UNSTABLE;
		snprintf(res->why, sizeof(res->why), "%s", why);
		ret = 0;
		goto out;
	}
	ref_estimates(&ep, &c.ep_delta, &c.ep_sigma_d);
	c.ep_sigma_d = pairs_sigma(&ep);
	c.ep_n = ep.n;
	if (res->endpoints.verdict != PB_VERDICT_SLOWER) {
		res->status = PB_SEARCH_NOT_REPRODUCED;
		ret = 0;
		goto out;
	}

	/* 2-4. Bisect each range that still holds a regression, confirm, and look again while the
	 * culprits found explain too little of the whole effect. */
	pending = pb_xmalloc(sizeof(*pending));
	pending[npending++] = (struct range){ 0, n, 0, n };
	while (npending > 0 && res->n_culprits < o->max_culprits) {
		struct range rg = pending[--npending];

		/* The whole range starts from the endpoints' blocks; a part measures its own. */
		pairs_release(&refs);
		if (rg.lo == 0 && rg.hi == n)
			for (i = 0; i < ep.n; i++)
				pairs_add(&refs, ep.a[i], ep.b[i]);
		if (bisect_range(&c, rg.lo, rg.hi, &refs, &first_bad, &lo, &hi))
			goto out;
		if (!first_bad) {
			/* Undecided commits may come from a window gone bad: try once more. */
			if (res->n_culprits == 0 && c.restarts < MAX_RESTARTS && undecided(&c, lo, hi)) {
				restart(&c);
				npending = 0;
				pending[npending++] = (struct range){ 0, n, 0, n };
				continue;
			}
			/* Only skipped commits between lo and hi: report them, as git does. */
			if (res->n_culprits == 0) {
				res->status = PB_SEARCH_ONLY_SKIPPED;
				res->n_candidates = hi - lo;
				res->candidates = pb_xmalloc(res->n_candidates * sizeof(size_t));
				for (i = 0; i < res->n_candidates; i++)
					res->candidates[i] = lo + 1 + i;
				ret = 0;
				goto out;
			}
			continue;
		}
		res->culprits = pb_xrealloc(res->culprits, (res->n_culprits + 1) * sizeof(*res->culprits));
		/* The effect still unexplained is what this culprit is expected to carry. */
		if (confirm(&c, first_bad, c.ep_delta * (explained < 0.75 ? 1 - explained : 0.25),
			    &res->culprits[res->n_culprits]))
			goto out;
		if (res->culprits[res->n_culprits].effect.verdict != PB_VERDICT_SLOWER &&
		    res->n_culprits == 0 && c.restarts < MAX_RESTARTS) {
			/* Fresh blocks do not confirm it: a step misjudged a commit. */
			if (!have_unconfirmed) {
				unconfirmed = res->culprits[res->n_culprits];
				have_unconfirmed = true;
			}
			restart(&c);
			npending = 0;
			pending[npending++] = (struct range){ 0, n, 0, n };
			continue;
		}
		if (res->culprits[res->n_culprits].effect.verdict != PB_VERDICT_SLOWER) {
			/* Not confirmed: keep it only as a candidate, and look on both sides. */
			if (!have_unconfirmed || res->n_culprits == 0) {
				unconfirmed = res->culprits[res->n_culprits];
				have_unconfirmed = true;
			}
			push_sides(&c, &pending, &npending, &rg, first_bad);
			continue;
		}
		/* A rough share (medians of everything measured) decides whether to look further. */
		explained += log(res->culprits[res->n_culprits].effect.ratio) /
			     log(res->endpoints.ratio);
		res->n_culprits++;
		if (explained >= o->explained_min)
			continue;
		push_sides(&c, &pending, &npending, &rg, first_bad);
	}
	if (verify_found(&c, have_unconfirmed, &unconfirmed))
		goto out;
	ret = 0;
out:
	pairs_release(&ep);
	pairs_release(&refs);
	free(pending);
	free(c.built);
	free(c.mark);
	free(c.fails);
	free(c.cap);
	free(c.seq_i);
	free(c.seq_v);
	pb_multisect_release(&c.ms);
	return ret;
}

void pb_search_result_release(struct pb_search_result *res)
{
	size_t i;

	for (i = 0; res->values && i < res->n_commits; i++)
		free(res->values[i]);
	free(res->values);
	free(res->n_values);
	free(res->culprits);
	free(res->candidates);
	free(res->steps);
	memset(res, 0, sizeof(*res));
}
