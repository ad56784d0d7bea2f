/* search.c: reproduce, bisect with a sequential test per commit on interleaved blocks, skip around
 * failures, confirm on fresh blocks, repeat. How a step is judged and why: search_step.c; how a
 * culprit and the regression are confirmed and why that carries the guarantee: search_confirm.c;
 * blocks in random order: search_block.c.
 */
#include "bisect/search_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"
#include "bisect/multisect.h"
#include "measure/repeat.h"
#include "measure/seqtest.h"
#include "measure/unstable.h"


#define MAX_RESTARTS 1 /* bisections started over (fresh blocks) after an unconfirmed culprit */
#define CONFIRM_FIRST_SHARE 0.8 /* of alpha, for the culprit's confirmation before any restart */
#define RNG_SEED 0x9e3779b97f4a7c15ULL
/* A culprit explaining more than this share of the regression (CI lower bound), or less than
 * EXPLAINED_LOW (CI upper bound), is implausible. */
#define EXPLAINED_HIGH 1.5
#define EXPLAINED_LOW 0.25
/* The endpoints' first blocks (endpoints_early): at least this many blocks of 2 + 2, the bet and
 * its cap as the confirmations' (search_confirm.c). */
#define ENDPOINT_MIN_BLOCKS 3
#define ENDPOINT_BET 0.75
#define ENDPOINT_XMAX 3.2
#define ENDPOINT_BETA 0.005
#define AGAIN_ALPHA_FACTOR 5 /* good against bad again (again_alpha) */
#define AGAIN_ALPHA_MAX 0.05
#define STEP_ERROR_SHARE 0.5 /* each noisy step errs with at most this share of alpha (bisect_range) */

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
	if (pb_multisect_next(&c->ms, lo, hi, ref_lo, ref_hi, c->exact ? PB_MS_EXACT :
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
			size_t *lo_out, size_t *hi_out, bool *flat)
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

	if (c->exact && pb_search_sprt_init(&sprt, r->values[lo], r->n_values[lo], r->values[hi],
					       r->n_values[hi], error_rate, true))
		return -1;
	*flat = false;
	/* The whole range has the endpoints' blocks (however many decided them); a part its own. */
	if (!c->exact && pb_search_fill_blocks(c, ref_lo, ref_hi, lo == 0 && hi == c->n && refs->n ? refs->n :
					       c->runs, refs))
		return -1;
	/* A part of the range (a further culprit is sought there) holds a regression only if its own
	 * ends, in blocks taken now, say so: the values at hand that sent the search there were taken
	 * at other times, and steps between two equal ends never decide (each would take max_runs). */
	if (!c->exact && (lo != 0 || hi != c->n)) {
		struct pb_comparison cmp;
		size_t want = refs->n;

		/* More blocks while unknown, as for the endpoints: runs in two modes need them. */
		for (;;) {
			pb_stats_compare_paired(refs->a, refs->b, refs->n, c->o->alpha, c->o->min_effect, &cmp);
			if (cmp.verdict != PB_VERDICT_UNKNOWN || want >= c->o->max_runs)
				break;
			want = grow(want, c->o->max_runs);
			if (pb_search_fill_blocks(c, ref_lo, ref_hi, want, refs))
				return -1;
		}
		if (cmp.verdict != PB_VERDICT_SLOWER) {
			*flat = true;
			*lo_out = lo;
			*hi_out = hi;
			*first_bad = 0;
			return 0;
		}
	}
	/* The pool starts from the endpoints' blocks, all taken in one window. */
	for (k = 0; k < refs->n; k++) {
		pb_search_level_add(&lv[0], refs->a[k]);
		pb_search_level_add(&lv[1], refs->b[k]);
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
		if (c->exact)
			v = pb_search_classify_exact(c, i, ref_lo, ref_hi, &sprt);
		else if (c->restarts) /* a step misjudged once: trust blocks alone from now on */
			v = POOL_STALE;
		else
			v = pb_search_classify_pooled(c, i, ref_lo, ref_hi, error_rate, refs, lv, &blocks);
		pooled = !c->exact && v != POOL_STALE && v >= 0;
		if (v == POOL_STALE) {
			/* Judged on full blocks alone; the pool restarts from what was measured now. */
			size_t before = blocks;

			from = refs->n;
			v = pb_search_classify_blocked(c, i, ref_lo, ref_hi, error_rate, refs, &blocks);
			blocks += before;
			lv[0].n = lv[1].n = 0;
			for (k = from; k < refs->n; k++) {
				pb_search_level_add(&lv[0], refs->a[k]);
				pb_search_level_add(&lv[1], refs->b[k]);
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
	return pb_search_confirm_pair(c, culprit - 1, culprit, expect, c->o->alpha * (c->restarts < MAX_RESTARTS ?
			    CONFIRM_FIRST_SHARE : 1 - CONFIRM_FIRST_SHARE), false, &out->effect, &out->blocks, NULL);
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
		pb_search_compare(c, side[k].lo, side[k].hi, &cmp);
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

/*
 * The level good against bad is measured again at: AGAIN_ALPHA_FACTOR times alpha, at most
 * AGAIN_ALPHA_MAX. It does not carry the guarantee against a wrong culprit (the culprit's own
 * confirmation does, at alpha, and a wrong culprit must pass that too); it measures the regression
 * in the culprit's window, for the share the culprit explains, and catches one that is gone.
 */
static double again_alpha(double alpha)
{
	return AGAIN_ALPHA_FACTOR * alpha < AGAIN_ALPHA_MAX ? AGAIN_ALPHA_FACTOR * alpha : AGAIN_ALPHA_MAX;
}

/* Is the culprit found backed by fresh evidence? Sets status, confirmed and why. */
static int verify_found(struct ctx *c, bool have_unconfirmed, const struct pb_culprit *unconfirmed)
{
	struct pb_search_result *r = c->res;
	struct pb_comparison total;
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
	if (pb_search_confirm_pair(c, 0, c->n, c->ep_delta, again_alpha(c->o->alpha), true,
				   &r->confirm_endpoints, &r->confirm_blocks, c->ep))
		return -1;
	/* The share each culprit explains: of the regression measured on every block of good and bad,
	 * the first ones and these (each block is a same-window comparison; the few the again test
	 * needs alone would make the share's CI needlessly wide). */
	pb_stats_compare_paired(c->ep->a, c->ep->b, c->ep->n, c->o->alpha, c->o->min_effect, &total);
	for (k = 0; k < r->n_culprits; k++)
		explain(c->exact ? &r->confirm_endpoints : &total, &r->culprits[k]);
	qsort(r->culprits, r->n_culprits, sizeof(*r->culprits), by_effect);
	cu = &r->culprits[0];
	r->status = PB_SEARCH_UNCONFIRMED;
	if (r->confirm_endpoints.verdict != PB_VERDICT_SLOWER)
		snprintf(r->why, sizeof(r->why),
			 "good and bad measured again (%zu fresh interleaved blocks) say %s (ratio %.4f, "
			 "p = %.2g): the regression the search followed is not there now", r->confirm_blocks,
			 pb_verdict_name(r->confirm_endpoints.verdict), r->confirm_endpoints.ratio,
			 r->confirm_endpoints.p_value);
	else if (!c->exact && (cu->explained_ci95[0] > EXPLAINED_HIGH ||
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

/* Whether both endpoints gave the same value in both blocks (a metric taken as exact,
 * measure/repeat.h); *spread gets the larger relative difference between one endpoint's values. */
static bool repeatable(const struct pairs *ep, double *spread)
{
	struct pb_repeat r[2];

	pb_repeat_check(&r[0], "good", ep->a[0], ep->a[1]);
	pb_repeat_check(&r[1], "bad", ep->b[0], ep->b[1]);
	*spread = pb_repeat_spread(r, 2);
	return r[0].same && r[1].same;
}

/*
 * The endpoints of a noisy metric, first in blocks of 2 + 2 (good, bad, good, bad in an order drawn
 * at random), judged by the sequential test the confirmations use (at alpha, its bet from the blocks
 * before each one): a clear regression stops after ENDPOINT_MIN_BLOCKS blocks, as soon as the test
 * says slower and the blocks' median is min_effect slower. Else blocks until o->runs of each, and
 * the caller goes on as ever (a paired signed-rank test, more blocks while unknown). Runs that
 * alternate or drift (pb_unstable_check) stop it with *unstable and the pattern in why.
 * *slower and *p (the test's anytime-valid p-value) say whether it stopped early. Returns 0 or -1.
 */
static int endpoints_early(struct ctx *c, struct pairs *ep, bool *slower, double *p, char *why,
			   size_t whylen, bool *unstable)
{
	const double floor_effect = log1p(c->o->min_effect);
	struct pb_seqtest t;
	enum pb_seqtest_state st;
	double delta, sigma, effect;
	size_t blocks = 0;

	*slower = *unstable = false;
	*p = 1;
	if (pb_seqtest_init(&t, floor_effect, floor_effect, c->o->alpha, ENDPOINT_BETA))
		return -1;
	t.xmax = ENDPOINT_XMAX;
	while (ep->n + 2 <= c->o->runs) {
		/* The bet from the blocks before this one. */
		if (ep->n >= 2) {
			pb_search_ref_estimates(ep, &delta, &sigma);
			effect = delta > floor_effect ? delta : floor_effect;
			sigma = pb_search_pairs_sigma(ep);
			t.effect = ENDPOINT_BET * effect;
			t.sigma = sigma > effect / 2 ? sigma : effect / 2;
			t.clip = effect + t.sigma;
		}
		if (pb_search_block22(c, 0, c->n, ep, &t, &st))
			return -1;
		blocks++;
		pb_search_ref_estimates(ep, &delta, &sigma);
		if (st == PB_SEQTEST_EFFECT && blocks >= ENDPOINT_MIN_BLOCKS && delta >= floor_effect) {
			/* Twelve runs at least before a pattern is looked for (by chance, eight alternate
			 * one time in a hundred). */
			if (pb_unstable_check(c->seq_i, c->seq_v, c->n_seq, c->o->min_effect, why, whylen)) {
				*unstable = true;
				return 0;
			}
			*slower = true;
			*p = pb_seqtest_p(&t);
			return 0;
		}
	}
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
	struct ctx c = { .exact = o->exact, .runs = o->runs, .n = n, .o = o, .ops = ops, .arg = arg,
			 .res = res, .rng = RNG_SEED };
	char why[200];
	struct pairs ep = { NULL, NULL, 0, 0, 0 }, refs = { NULL, NULL, 0, 0, 0 };
	struct range *pending = NULL;
	size_t want, npending = 0, first_bad, lo, hi, i;
	double explained = 0;
	struct pb_culprit unconfirmed;
	bool have_unconfirmed = false, unstable = false, flat, early = false;
	double early_p = 1;
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
	/* Grown by a quarter while unknown: a clear regression stops soon after it shows. A metric taken
	 * as exact runs each endpoint twice: one deterministic value is the answer only if it comes
	 * again (Lua 5.4's time-seeded string hash made cachegrind's Ir vary by 2.7% run to run). */
	res->exact = o->exact;
	if (!c.exact && endpoints_early(&c, &ep, &early, &early_p, why, sizeof(why), &unstable))
		goto out;
	for (want = c.exact ? 2 : early || unstable ? ep.n : o->runs;; want = grow(want, o->max_runs)) {
		if (pb_search_fill_blocks(&c, 0, n, want, &ep))
			goto out;
		if (c.exact && !repeatable(&ep, &res->repeat_spread)) {
			c.exact = res->exact = false;
			want = c.runs = o->runs > PB_SEARCH_EXACT_FALLBACK_RUNS ? o->runs :
					PB_SEARCH_EXACT_FALLBACK_RUNS;
			if (pb_search_fill_blocks(&c, 0, n, want, &ep))
				goto out;
		}
		pb_stats_compare_paired(ep.a, ep.b, ep.n, o->alpha, o->min_effect, &res->endpoints);
		if (early) {
			res->endpoints.verdict = PB_VERDICT_SLOWER;
			res->endpoints.p_value = early_p;
			break;
		}
		/* Runs that alternate or drift run after run have no level to compare. */
		unstable = !c.exact && pb_unstable_check(c.seq_i, c.seq_v, c.n_seq, o->min_effect, why,
							 sizeof(why));
		if (res->endpoints.verdict != PB_VERDICT_UNKNOWN || want >= o->max_runs || c.exact ||
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
	pb_search_ref_estimates(&ep, &c.ep_delta, &c.ep_sigma_d);
	c.ep_sigma_d = pb_search_pairs_sigma(&ep);
	c.ep_n = ep.n;
	c.ep = &ep;
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
		pb_search_pairs_release(&refs);
		if (rg.lo == 0 && rg.hi == n)
			for (i = 0; i < ep.n; i++)
				pb_search_pairs_add(&refs, ep.a[i], ep.b[i]);
		if (bisect_range(&c, rg.lo, rg.hi, &refs, &first_bad, &lo, &hi, &flat))
			goto out;
		if (flat)
			continue; /* no further regression there after all */
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
	pb_search_pairs_release(&ep);
	pb_search_pairs_release(&refs);
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

