/* kway.h: what a k-way bisection needs of its caller: commits per round, and builds and runs in batches. */
#ifndef PB_BISECT_KWAY_H
#define PB_BISECT_KWAY_H

#include <stddef.h>

/* k-way bisection (pb_search_run_kway, bisect/multisect.c): several commits per round, built at
 * once, measured in one batch. */
struct pb_search_kway {
	size_t jobs; /* commits judged per round; 0 or 1: one at a time (pb_search_run) */
	/* Optional: build the commits ids[0..n-1] of round `round`, possibly at once; rcs[k] gets
	 * what ops->build() returns for ids[k]. Returns 0, or -1 fatal. NULL: ops->build() one
	 * after another. */
	int (*build_many)(void *arg, int round, const size_t *ids, size_t n, int *rcs);
	/* Optional: the next value of each of ids[0..n-1] (a commit may appear several times: its
	 * next values in that order), all taken in one batch in the order given: values[k] and
	 * rcs[k] as ops->sample() gives them. Returns 0, or -1 fatal. NULL: no batch, each step
	 * samples as it goes (a simulation). */
	int (*sample_many)(void *arg, const size_t *ids, size_t n, double *values, int *rcs);
};

#endif
