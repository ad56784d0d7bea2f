/* multisect.h: internal to bisect/search.c: the rounds of a k-way bisection (which commits, their
 * builds at once, their runs in one batch). */
#ifndef PB_BISECT_MULTISECT_H
#define PB_BISECT_MULTISECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bisect/kway.h"

/* What the round logic sees of the search (search.c fills it once). */
struct pb_ms_host {
	void *ctx;                                  /* the search's state, passed back */
	const struct pb_search_kway *kw;
	void *arg;                                  /* kw's argument */
	bool (*open)(void *ctx, size_t i);          /* i is undecided: it may be judged */
	int (*build)(void *ctx, size_t i);          /* the search's build(): 0 built, 1 not, -1 */
	void (*built)(void *ctx, size_t i, int rc); /* record what kw->build_many said of i */
	const size_t *n_values;                     /* values each commit has so far */
	size_t min_blocks;                          /* blocks a step needs before it may decide */
	size_t *dropped;                            /* += values of a batch no step used */
};

/* How the round's steps will be judged: what runs each needs at the least. */
enum pb_ms_mode {
	PB_MS_EXACT,   /* a deterministic metric: one value of the commit */
	PB_MS_BLOCKED, /* full blocks (lo, i, hi): host.min_blocks of them */
	PB_MS_POOLED,  /* pooled blocks (i, i, ref), the reference alternating: two of them */
};

/* A round's batch: entry k is a value of ids[k] taken in that order (search.c takes them). */
struct pb_multisect {
	size_t jobs;
	struct pb_ms_host host;
	uint64_t rng;        /* orders the runs within a block of the batch (fixed seed) */
	int round;           /* the current round (0: none yet) */
	size_t *points;      /* its commits, ascending */
	size_t n_points, next;
	size_t *spec;        /* the first round's commits, built with the endpoints (round 0) */
	size_t n_spec;
	size_t *ids;         /* its batch */
	double *values;
	int *rcs;
	bool *used;
	size_t n_batch;
};

/* Start with `jobs` (> 1) commits per round; the host is copied. */
void pb_multisect_init(struct pb_multisect *ms, size_t jobs, const struct pb_ms_host *host);
void pb_multisect_release(struct pb_multisect *ms);

/*
 * The next commit to judge in the range (lo, hi), whose steps are measured against ref_lo and
 * ref_hi: the next of the current round's commits still inside (lo, hi) and undecided, in
 * ascending order; when none is left, a new round: up to `jobs` undecided commits that split the
 * range into jobs + 1 parts (all of them when that many or fewer are left), built at once
 * (kw->build_many), then measured in one batch (kw->sample_many) with the runs `mode` says each
 * step needs at the least, each commit's blocks with its references. *out gets 0 when nothing is
 * undecided in (lo, hi). Returns 0, or -1 when a build or the batch failed fatally.
 */
int pb_multisect_next(struct pb_multisect *ms, size_t lo, size_t hi, size_t ref_lo, size_t ref_hi,
		      enum pb_ms_mode mode, size_t *out);

/*
 * The next value of commit i from the round's batch (the earliest not taken): 0 with *v, 1 when
 * that run failed, PB_MS_EMPTY when the batch holds none for i (then the search samples anew).
 */
#define PB_MS_EMPTY 2
int pb_multisect_take(struct pb_multisect *ms, size_t i, double *v);

/*
 * Build ids[0..n-1] at once (kw->build_many, round `round`; 0 for the endpoints), recorded through
 * the host; without build_many, one after another. Returns 0, or -1 on a fatal error.
 */
int pb_multisect_build(struct pb_multisect *ms, int round, const size_t *ids, size_t n);

/*
 * Round 0: the endpoints 0 and n, and in the job slots they leave free (jobs - 2) the commits the
 * first round will judge, split the same way, all built at once: the first round then starts
 * without a build. Returns 0, or -1 on a fatal error.
 */
int pb_multisect_build_endpoints(struct pb_multisect *ms, size_t n);

/* End the round: the batch's values no step took are dropped (counted in *host.dropped). */
void pb_multisect_end(struct pb_multisect *ms);

#endif
