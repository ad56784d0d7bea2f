/* search_int.h: bisect/-internal: the search's state and the pieces search.c, search_block.c,
 * search_step.c and search_confirm.c share. Not for other modules: the search's API is search.h. */
#ifndef PB_BISECT_SEARCH_INT_H
#define PB_BISECT_SEARCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bisect/multisect.h"
#include "bisect/search.h"
#include "measure/seqtest.h"

#define POOL_STALE 100 /* pb_search_classify_pooled: judge on full blocks */

enum build_state { UNBUILT, BUILT, BUILD_FAILED };
enum mark { NONE, MARK_GOOD, MARK_BAD, MARK_SKIP };

struct ctx {
	bool exact; /* judged exactly: o->exact, and two runs of each endpoint gave the same value */
	size_t runs; /* first blocks of a range's references: o->runs, more when exact fell back */
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
	struct pairs *ep; /* the endpoints' blocks (the regression's size, with the again's: verify_found) */
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



/* Log values of one reference commit taken since the pool was last re-based (see classify_pooled). */
struct level {
	double *v;
	size_t n, cap;
};

/* search_block.c: values and blocks */
void pb_search_pairs_add(struct pairs *p, double a, double b);
void pb_search_pairs_release(struct pairs *p);
/* x > 0 joins l as log(x); others are ignored. */
void pb_search_level_add(struct level *l, double x);
/* One more value for commit i (a k-way batch's first): 0 got one, 1 the run failed, -1 fatal. */
int pb_search_sample(struct ctx *c, size_t i);
/* Commits ids[0..k-1] (k <= 4, repeats allowed) once each in an order drawn at random; out[j] gets ids[j]'s value.
 * Failed runs are retried; too many are fatal. Returns 0 or -1. */
int pb_search_block(struct ctx *c, const size_t *ids, size_t k, double *out);
/* Fresh blocks of (a, b) into p until it holds `want`. Returns 0 or -1. */
int pb_search_fill_blocks(struct ctx *c, size_t a, size_t b, size_t want, struct pairs *p);
/* a against b on every value at hand (two-sample: stats.h). */
void pb_search_compare(struct ctx *c, size_t a, size_t b, struct pb_comparison *out);

/* search_step.c: is a commit good-like or bad-like? Each returns the pb_step_verdict, -1 fatal. */
int pb_search_classify_exact(struct ctx *c, size_t i, size_t ref_lo, size_t ref_hi, const struct pb_sprt *init);
/* The median log ratio of the pairs (hi over lo) and the noise of one run. */
void pb_search_ref_estimates(const struct pairs *p, double *delta, double *sigma);
int pb_search_classify_blocked(struct ctx *c, size_t i, size_t ref_lo, size_t ref_hi, double error_rate,
			       struct pairs *refs, size_t *blocks);
/* Also POOL_STALE: judge on full blocks instead. */
int pb_search_classify_pooled(struct ctx *c, size_t i, size_t ref_lo, size_t ref_hi, double error_rate,
			      const struct pairs *refs, struct level *lv, size_t *blocks);

/* search_confirm.c: one block of 2 + 2 runs of a and b in an order drawn at random: both pairs
 * into p, the block into the sequential test t (*st its state). Returns 0 or -1. */
int pb_search_block22(struct ctx *c, size_t a, size_t b, struct pairs *p, struct pb_seqtest *t,
		      enum pb_seqtest_state *st);
/* search_confirm.c: is b slower than a, on fresh blocks? Slower needs the sequential test to
 * decide so and the blocks' median ratio (size_by_ci: the upper end of its CI) to be at least
 * 1 + min_effect. Its blocks' pairs are appended to keep (NULL: not). Returns 0 (out, *blocks) or -1. */
double pb_search_pairs_sigma(const struct pairs *p);
int pb_search_confirm_pair(struct ctx *c, size_t a, size_t b, double expect, double alpha,
			   bool size_by_ci, struct pb_comparison *out, size_t *blocks, struct pairs *keep);

#endif
