/* search.c: reproduce, bisect with a sequential test per commit, skip around failures, confirm, repeat. */
#include "bisect/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

#define MAX_RESTARTS 2 /* bisections started over with larger endpoint samples */
#ifndef CONFIRM_STRICTER
#define CONFIRM_STRICTER 5 /* the confirmation's alpha is alpha / this */
#endif
#define CONFIRM_MIN 6 /* values on each side before the confirmation's first look */

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
};

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
	int rc = c->ops->sample(c->arg, i, &v);

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

/* Sample a and b alternately until each has `want` values; failures beyond `want` are fatal. */
static int fill_pair(struct ctx *c, size_t a, size_t b, size_t want)
{
	struct pb_search_result *r = c->res;
	size_t idx[2] = { a, b }, k;

	while (r->n_values[a] < want || r->n_values[b] < want) {
		for (k = 0; k < 2; k++) {
			size_t i = idx[k];

			if (r->n_values[i] >= want)
				continue;
			if (sample(c, i) < 0)
				return -1;
			if (c->fails[i] > want + 3 && r->n_values[i] == 0)
				return fail_at(c, i, true);
			if (c->fails[i] > 2 * want + 10)
				return fail_at(c, i, false);
		}
	}
	return 0;
}

static void compare(struct ctx *c, size_t a, size_t b, struct pb_comparison *out)
{
	struct pb_search_result *r = c->res;

	pb_stats_compare(r->values[a], r->n_values[a], r->values[b], r->n_values[b], c->o->alpha,
			 c->o->min_effect, out);
}

/*
 * Is commit i like ref_lo (good) or like ref_hi (bad)? Wald's SPRT between the two; when it has not
 * decided after each further `runs` values, a two-sample test against lo settles what it can:
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

/* The values a step is judged against on one side: the range's endpoint and the commits judged
 * like it so far. */
struct pool {
	double *v;
	size_t n, cap;
};

static void pool_add(struct pool *p, const double *v, size_t n)
{
	size_t k;

	pb_xgrow((void **)&p->v, &p->cap, p->n + n, sizeof(double));
	for (k = 0; k < n; k++)
		if (v[k] > 0 && isfinite(v[k])) /* what the sequential test can take */
			p->v[p->n++] = v[k];
}

/*
 * Bisect (lo, hi) where lo is good-like and hi bad-like. *first_bad gets the first bad commit,
 * or 0 when skipped commits hide it (then *lo_out and *hi_out bound the candidates). Returns 0 or -1.
 */
static int bisect_range(struct ctx *c, size_t lo, size_t hi, size_t *first_bad, size_t *lo_out,
			size_t *hi_out)
{
	/* The range's own endpoints carry the largest samples: the tests compare against them. */
	const size_t ref_lo = lo, ref_hi = hi;
	struct pb_search_result *r = c->res;
	/* The error rate is split over the steps (Bonferroni): one wrong step is a wrong culprit. */
	const double error_rate = c->o->alpha / (log2ceil(hi - lo) + 1);
	struct pool good = { NULL, 0, 0 }, bad = { NULL, 0, 0 };
	struct pb_sprt sprt, next;
	char what[64];
	size_t i;
	int rc, v, ret = -1;

	if (pb_search_sprt_init(&sprt, r->values[lo], r->n_values[lo], r->values[hi], r->n_values[hi],
				error_rate, c->o->exact))
		return -1;
	pool_add(&good, r->values[lo], r->n_values[lo]);
	pool_add(&bad, r->values[hi], r->n_values[hi]);
	c->step_total = c->step_k + log2ceil(hi - lo) + 1;
	while ((i = choose(c, lo, hi)) != 0) {
		snprintf(what, sizeof(what), "bisecting: %zu commits left", hi - lo - 1);
		begin_step(c, i, what);
		rc = build(c, i);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			c->mark[i] = MARK_SKIP;
			add_step(c, i, PB_STEP_SKIP, "build failed");
			continue;
		}
		v = classify(c, i, ref_lo, ref_hi, &sprt);
		if (v < 0)
			goto out;
		if (v == PB_STEP_UNKNOWN) {
			c->mark[i] = MARK_SKIP;
			add_step(c, i, PB_STEP_UNKNOWN, "undecided after max_runs");
			continue;
		}
		add_step(c, i, (enum pb_step_verdict)v, "bisect");
		/*
		 * A commit judged good-like is a further sample of good (bad-like: of bad), so the next
		 * steps judge against better estimates and sigma needs less widening: most of a step's
		 * cost comes from the uncertainty of the endpoints. A misjudged commit skews the test
		 * towards the other side; the confirmation catches the wrong culprit that follows. A
		 * deterministic metric has nothing to gain. Should the pooled samples not make a test
		 * (equal medians), the last one stays.
		 */
		if (!c->o->exact) {
			pool_add(v == PB_STEP_GOOD ? &good : &bad, r->values[i], r->n_values[i]);
			if (pb_search_sprt_init(&next, good.v, good.n, bad.v, bad.n, error_rate, false) == 0)
				sprt = next;
			else
				pb_error_clear();
		}
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
	free(good.v);
	free(bad.v);
	return ret;
}

/*
 * Culprit against parent, interleaved and sequential: the first look uses what the steps already
 * measured (at least CONFIRM_MIN values a side), then one more value a side per look until the
 * verdict is known, up to max_runs. Each look is at alpha / CONFIRM_STRICTER; over all the looks
 * two equal commits still pass as "slower" less often than alpha (0.6% at alpha 0.01 in
 * simulation). A clear verdict either way is worth more than a fixed large sample: it costs little
 * when the culprit is right and catches a misjudged step when it is not.
 */
static int confirm(struct ctx *c, size_t culprit, struct pb_culprit *out)
{
	struct pb_search_result *r = c->res;
	size_t have = r->n_values[culprit - 1] < r->n_values[culprit] ? r->n_values[culprit - 1] :
									 r->n_values[culprit];
	size_t want = c->o->exact ? 1 : have > CONFIRM_MIN ? have : CONFIRM_MIN;
	double total, part;

	if (want > c->o->max_runs)
		want = c->o->max_runs;
	begin_step(c, culprit, "confirming the culprit against its parent");
	out->index = culprit;
	for (;;) {
		if (fill_pair(c, culprit - 1, culprit, want))
			return -1;
		/* Stricter than one comparison's alpha: this verdict names the culprit. */
		pb_stats_compare(r->values[culprit - 1], r->n_values[culprit - 1], r->values[culprit],
				 r->n_values[culprit], c->o->alpha / CONFIRM_STRICTER, c->o->min_effect,
				 &out->effect);
		if (out->effect.verdict != PB_VERDICT_UNKNOWN || c->o->exact || want >= c->o->max_runs)
			break;
		want++;
	}
	total = log(pb_stats_median(r->values[c->n], r->n_values[c->n]) /
		    pb_stats_median(r->values[0], r->n_values[0]));
	part = log(pb_stats_median(r->values[culprit], r->n_values[culprit]) /
		   pb_stats_median(r->values[culprit - 1], r->n_values[culprit - 1]));
	out->explained_fraction = total != 0 ? part / total : NAN;
	return 0;
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
 * Start the bisection over with twice the endpoint sample: every step is judged against the
 * endpoints' estimates, and a misjudged step usually means they were off. Nothing measured is
 * lost: the steps replay their values first. Commits that failed to build stay skipped.
 */
static int restart(struct ctx *c, size_t *endpoint_runs, int *restarts)
{
	size_t i;

	(*restarts)++;
	if (!c->o->exact) {
		*endpoint_runs = 2 * *endpoint_runs < c->o->max_runs ? 2 * *endpoint_runs : c->o->max_runs;
		begin_step(c, 0, "measuring good and bad again: a step was misjudged");
		if (fill_pair(c, 0, c->n, *endpoint_runs))
			return -1;
	}
	for (i = 1; i < c->n; i++)
		if (c->built[i] != BUILD_FAILED)
			c->mark[i] = NONE;
	return 0;
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
		*pending = pb_xrealloc(*pending, (*npending + 1) * sizeof(**pending));
		(*pending)[(*npending)++] = side[k];
	}
}

int pb_search_run(size_t n, const struct pb_search_opts *o, const struct pb_search_ops *ops,
		  void *arg, struct pb_search_result *res)
{
	struct ctx c = { n, o, ops, arg, res, NULL, NULL, NULL, NULL, 0, 0 };
	struct range *pending = NULL;
	size_t want, npending = 0, first_bad, lo, hi, i;
	double explained = 0;
	struct pb_culprit unconfirmed;
	bool have_unconfirmed = false;
	size_t endpoint_runs;
	int rc, ret = -1, restarts = 0;

	memset(res, 0, sizeof(*res));
	res->n_commits = n + 1;
	res->values = pb_xcalloc(n + 1, sizeof(*res->values));
	res->n_values = pb_xcalloc(n + 1, sizeof(*res->n_values));
	c.built = pb_xcalloc(n + 1, sizeof(*c.built));
	c.mark = pb_xcalloc(n + 1, sizeof(*c.mark));
	c.fails = pb_xcalloc(n + 1, sizeof(*c.fails));
	c.cap = pb_xcalloc(n + 1, sizeof(*c.cap));
	c.step_total = 3 + log2ceil(n);

	/* 1. Reproduce: both endpoints, interleaved, more runs while the answer is unknown. */
	begin_step(&c, 0, "building and measuring the good and bad commits");
	for (i = 0; i <= n; i += n) {
		rc = build(&c, i);
		if (rc != 0) {
			if (rc > 0)
				pb_error_as(PB_EXIT_INCONCLUSIVE, "the %s commit cannot be built",
					    i ? "bad" : "good");
			goto out;
		}
	}
	/* Grown by a quarter, not doubled, while unknown: a clear regression stops soon after it
	 * shows, and the steps' values join the endpoints' samples later anyway. */
	for (want = o->exact ? 1 : o->runs;; want = grow(want, o->max_runs)) {
		if (fill_pair(&c, 0, n, want))
			goto out;
		compare(&c, 0, n, &res->endpoints);
		if (res->endpoints.verdict != PB_VERDICT_UNKNOWN || want >= o->max_runs || o->exact)
			break;
	}
	endpoint_runs = want;
	add_step(&c, 0, PB_STEP_GOOD, "endpoint");
	add_step(&c, n, PB_STEP_BAD, "endpoint");
	c.mark[0] = MARK_GOOD;
	c.mark[n] = MARK_BAD;
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

		if (bisect_range(&c, rg.lo, rg.hi, &first_bad, &lo, &hi))
			goto out;
		if (!first_bad) {
			/* Undecided commits may come from poor endpoint estimates: try once more. */
			if (res->n_culprits == 0 && restarts < MAX_RESTARTS && undecided(&c, lo, hi)) {
				if (restart(&c, &endpoint_runs, &restarts))
					goto out;
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
		if (confirm(&c, first_bad, &res->culprits[res->n_culprits]))
			goto out;
		if (res->culprits[res->n_culprits].effect.verdict != PB_VERDICT_SLOWER &&
		    res->n_culprits == 0 && restarts < MAX_RESTARTS) {
			/* The larger sample does not confirm it: a step misjudged a commit. */
			if (restart(&c, &endpoint_runs, &restarts))
				goto out;
			npending = 0;
			pending[npending++] = (struct range){ 0, n, 0, n };
			continue;
		}
		if (res->culprits[res->n_culprits].effect.verdict != PB_VERDICT_SLOWER) {
			/* Not confirmed: keep it only as a last resort, and look on both sides. */
			if (!have_unconfirmed) {
				unconfirmed = res->culprits[res->n_culprits];
				have_unconfirmed = true;
			}
			push_sides(&c, &pending, &npending, &rg, first_bad);
			continue;
		}
		explained += res->culprits[res->n_culprits++].explained_fraction;
		if (explained >= o->explained_min)
			continue;
		push_sides(&c, &pending, &npending, &rg, first_bad);
	}
	if (res->n_culprits == 0 && have_unconfirmed)
		res->culprits[res->n_culprits++] = unconfirmed;
	qsort(res->culprits, res->n_culprits, sizeof(*res->culprits), by_effect);
	res->status = PB_SEARCH_FOUND;
	ret = 0;
out:
	free(pending);
	free(c.built);
	free(c.mark);
	free(c.fails);
	free(c.cap);
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
