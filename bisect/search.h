/* search.h: noise-aware bisection over a list of commits, driven through build and sample callbacks. */
#ifndef PB_BISECT_SEARCH_H
#define PB_BISECT_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "bisect/kway.h"
#include "measure/stats.h"

/*
 * Commits are indices 0..n: 0 is good, n is bad, 1..n-1 the first-parent chain between them,
 * oldest first. The search never sees git or processes: the driver (session.c) or a simulation
 * (tests, bench/bisect-cost) provides these.
 */
struct pb_search_ops {
	/* Make commit i runnable: 0 built, 1 cannot be built (it is skipped), -1 fatal (error set). */
	int (*build)(void *arg, size_t i);
	/* One more value of commit i's metric (cached values first): 0 with *value, 1 when the run
	 * failed (counted against the commit), -1 fatal (error recorded, e.g. interrupted). */
	int (*sample)(void *arg, size_t i, double *value);
	/* Optional: a new step begins (k of about `total`), `what` says what it is. */
	void (*step)(void *arg, size_t i, int k, int total, const char *what);
	/* Optional, for messages: commit i ("commit a1b2c3d (subject)"; NULL: "commit #i"), and
	 * why its last run failed (NULL when unknown); both allocated, the search frees them. */
	char *(*describe)(void *arg, size_t i);
	char *(*last_failure)(void *arg, size_t i);
};

struct pb_search_opts {
	double alpha;       /* significance for the endpoint comparison; SPRT error rate */
	double min_effect;  /* smallest relative slowdown that counts */
	size_t runs;        /* first sample size for each endpoint (grown while their comparison is unknown) */
	size_t max_runs;    /* per commit; a commit undecided after this many is skipped */
	bool exact;         /* deterministic metric (cachegrind): one value decides */
	double explained_min; /* below this fraction of the effect, look for more culprits (0.8) */
	size_t max_culprits;  /* at most this many culprits are searched for (4) */
};

enum pb_search_status {
	PB_SEARCH_FOUND,          /* one or more culprits */
	PB_SEARCH_NOT_REPRODUCED, /* bad is not slower than good by min_effect */
	PB_SEARCH_ONLY_SKIPPED,   /* the first bad commit is among skipped ones: see candidates */
	PB_SEARCH_UNCONFIRMED,    /* a culprit was named by the steps but fresh samples do not back
				   * it (or the regression itself): culprits[] are candidates, `why` */
	PB_SEARCH_UNSTABLE,       /* the good and bad runs alternate between two modes or drift run
				   * after run (measure/unstable.h): no verdict, `why` says which */
};

enum pb_step_verdict { PB_STEP_GOOD, PB_STEP_BAD, PB_STEP_SKIP, PB_STEP_UNKNOWN };
const char *pb_step_verdict_name(enum pb_step_verdict v); /* "good" "bad" "skip" "unknown" */

struct pb_search_step {
	size_t index;
	enum pb_step_verdict verdict;
	size_t runs;   /* values used to decide (failed runs not counted) */
	double median; /* NAN when no value */
	const char *why; /* static: "endpoint", "bisect", "build failed", "max runs", "confirm" */
	int restart;   /* 0 for the first bisection, k for the k-th restart */
	size_t blocks; /* blocks that decided it: (commit, commit, reference) when pooled, else
			* (ref_good, commit, ref_bad), both kinds when the pool went stale */
	bool pooled;   /* judged against the pooled reference levels (fresh references agreed) */
	int round;     /* the bisection round it was built and measured in (1, 2, ...); 0 for the
			* endpoints. One at a time, every bisection step is a round of its own. */
};

struct pb_culprit {
	size_t index;  /* the culprit; index - 1 is its parent */
	/* parent (a) vs culprit (b) on fresh interleaved blocks taken after the search (paired): ratio
	 * and CI from the blocks, p_value and verdict from the sequential test that decided how many
	 * blocks to take (measure/seqtest.h; p_value anytime-valid) */
	struct pb_comparison effect;
	size_t blocks;               /* blocks of that confirmation */
	double explained_fraction;   /* of the confirmed good→bad effect, on a log scale */
	double explained_ci95[2];    /* from the two comparisons' CIs (conservative) */
};

struct pb_search_result {
	enum pb_search_status status;
	struct pb_comparison endpoints; /* good (a) vs bad (b), interleaved blocks */
	/* o->exact: whether the metric was judged exactly — each endpoint was run twice and gave the
	 * same value both times. When not (a benchmark that is not deterministic under the simulator:
	 * a time-seeded hash, threads), the search judged it with the statistics of a noisy metric
	 * instead, and repeat_spread is the larger relative difference between an endpoint's two runs
	 * (values[0][0..1] and values[n][0..1] are those runs). */
	bool exact;
	double repeat_spread;
	/* After the search: good vs bad again on fresh interleaved blocks (when a culprit was found),
	 * judged as the culprit's `effect` is. */
	struct pb_comparison confirm_endpoints;
	size_t confirm_blocks;
	bool confirmed;                 /* both confirmations back the first culprit */
	char why[256];                  /* PB_SEARCH_UNCONFIRMED (and unstable): the reason */
	int restarts;
	struct pb_culprit *culprits;    /* by effect, largest first */
	size_t n_culprits;
	size_t *candidates;             /* PB_SEARCH_ONLY_SKIPPED: indices that may be first-bad */
	size_t n_candidates;
	struct pb_search_step *steps;
	size_t n_steps;
	size_t runs_total;              /* values sampled (including cached) */
	size_t failed_runs;
	int rounds;                     /* bisection rounds (restarts included; see steps[].round) */
	size_t runs_dropped;            /* k-way: values of a round's batch no step took (not in
					 * runs_total; they stay in the caller's records) */
	/* Every commit's values (n + 1 arrays), for the report. */
	double **values;
	size_t *n_values;
	size_t n_commits;
};

/* Values a noisy step needs at least before the sequential test may decide it. */
#define PB_SEARCH_MIN_DECIDE 3
/* Endpoint blocks a metric taken as exact that proved not repeatable starts from, at least. */
#define PB_SEARCH_EXACT_FALLBACK_RUNS 8

/*
 * The sequential test the steps use: pb_sprt_init() on the good and bad samples, exact for a
 * deterministic metric, sigma widened for the uncertainty of the estimated hypotheses. Feed it
 * with pb_sprt_add(), and do not accept a decision before PB_SEARCH_MIN_DECIDE noisy values.
 * Returns 0 or -1 (error recorded: endpoints equal, a value not positive).
 */
int pb_search_sprt_init(struct pb_sprt *s, const double *good, size_t ng, const double *bad,
			size_t nb, double error_rate, bool exact);

/*
 * Run the whole search over commits 0..n (n >= 1). Every comparison is made on runs taken in the
 * same time window: commits compared are sampled in blocks, in an order randomized within each
 * block (a fixed-seed generator, so that a resumed search replays its cached values in the same
 * order). Reproduce (blocks of good and bad, a paired signed-rank test, more blocks while unknown),
 * bisect with a sequential test per commit on blocks (range good, commit, range bad) — each block's
 * log(commit) - mean(log(good), log(bad)), clipped, so that a burst hitting one run cannot decide —
 * skip what cannot be built or decided, confirm each culprit against its parent on fresh blocks
 * (a sequential test that stops as soon as they decide and passes a commit no slower than its
 * parent with probability at most alpha, whatever the noise: measure/seqtest.h),
 * search the remaining ranges while the culprits found explain less than explained_min of the
 * effect, and last measure good against bad again on fresh blocks. A culprit whose confirmation
 * fails (after one restart), or whose share of the regression is implausible, leaves the status
 * PB_SEARCH_UNCONFIRMED with the reason in res->why. When the endpoints' runs, in the order they
 * were taken, alternate between two modes or drift run after run (pb_unstable_check), the search
 * stops there with PB_SEARCH_UNSTABLE and the pattern in res->why (noisy metrics only). With
 * o->exact, each endpoint runs twice first: when either gives two different values, the metric is
 * not exact after all and everything is judged as for a noisy metric (res->exact false,
 * res->repeat_spread), starting from at least PB_SEARCH_EXACT_FALLBACK_RUNS blocks of the endpoints.
 * Returns 0 with *res filled (whatever the status), -1 on a fatal error from the callbacks or
 * when an endpoint cannot be built or never runs successfully (error recorded).
 * Release with pb_search_result_release() in either case.
 */
int pb_search_run(size_t n, const struct pb_search_opts *o, const struct pb_search_ops *ops,
		  void *arg, struct pb_search_result *res);
void pb_search_result_release(struct pb_search_result *res);

/*
 * pb_search_run() with up to kw->jobs commits judged per round: the commits that split the
 * undecided range into jobs + 1 parts, built with kw->build_many, measured in one batch with the
 * references each step is judged against (kw->sample_many: the least runs a step needs, taken
 * first; a step that needs more samples anew), judged in ascending order with the same
 * statistics as one at a time; values of a batch no step took are dropped (res->runs_dropped).
 * Rounds about log_{jobs+1} n (res->rounds, steps[].round). kw NULL or jobs <= 1: pb_search_run.
 */
int pb_search_run_kway(size_t n, const struct pb_search_opts *o, const struct pb_search_ops *ops,
		       const struct pb_search_kway *kw, void *arg, struct pb_search_result *res);

#endif
