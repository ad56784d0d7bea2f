/* search_block.c: the search's values: one more run of a commit, and blocks of commits run in an
 * order drawn at random, so that whatever the machine does meanwhile hits each of them alike. */
#include "bisect/search_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

void pb_search_pairs_add(struct pairs *p, double a, double b)
{
	pb_xgrow((void **)&p->a, &p->cap_a, p->n + 1, sizeof(double));
	pb_xgrow((void **)&p->b, &p->cap_b, p->n + 1, sizeof(double));
	p->a[p->n] = a;
	p->b[p->n++] = b;
}

void pb_search_pairs_release(struct pairs *p)
{
	free(p->a);
	free(p->b);
	memset(p, 0, sizeof(*p));
}

void pb_search_level_add(struct level *l, double x)
{
	if (!(x > 0))
		return;
	pb_xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(double));
	l->v[l->n++] = log(x);
}

/* One more value for commit i: 0 got one, 1 the run failed, -1 fatal. */
int pb_search_sample(struct ctx *c, size_t i)
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

/*
 * One block: commits ids[0..k-1] (k <= 4; a commit may be listed twice) sampled once each, in an
 * order drawn uniformly at random, so that whatever the machine does meanwhile hits each of them
 * alike on average. out[j] gets ids[j]'s value. A failed run is retried; too many failures at one commit are fatal. Returns 0 or -1.
 */
int pb_search_block(struct ctx *c, const size_t *ids, size_t k, double *out)
{
	struct pb_search_result *r = c->res;
	size_t order[4] = { 0, 1, 2, 3 }, j;
	int rc;

	pb_shuffle(order, k, &c->rng);
	for (j = 0; j < k; j++) {
		size_t i = ids[order[j]];

		while ((rc = pb_search_sample(c, i)) > 0) {
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
int pb_search_fill_blocks(struct ctx *c, size_t a, size_t b, size_t want, struct pairs *p)
{
	const size_t ids[2] = { a, b };
	double v[2];

	while (p->n < want) {
		if (pb_search_block(c, ids, 2, v))
			return -1;
		pb_search_pairs_add(p, v[0], v[1]);
	}
	return 0;
}

void pb_search_compare(struct ctx *c, size_t a, size_t b, struct pb_comparison *out)
{
	struct pb_search_result *r = c->res;

	pb_stats_compare(r->values[a], r->n_values[a], r->values[b], r->n_values[b], c->o->alpha,
			 c->o->min_effect, out);
}
