/* result.h: what a bisect is asked (struct pb_bisect_opts) and what it finds (struct pb_bisect_result). */
#ifndef PB_BISECT_RESULT_H
#define PB_BISECT_RESULT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bisect/commit.h"
#include "bisect/explain.h"
#include "bisect/placement_check.h"
#include "bisect/repo.h"
#include "bisect/search.h"
#include "core/progress.h"
#include "layout/toolchain.h"
#include "measure/contention.h"

#define PB_BISECT_SCHEMA "placebisect.bisect/1"

struct pb_fix_result;
struct pb_layouts_result;

struct pb_bisect_opts {
	const char *good, *bad;  /* revisions */
	const char *bench;       /* benchmark name in the config */
	const char *backend;     /* overrides measure.backend when not NULL */
	const char *metric;      /* overrides the benchmark's metric when not NULL */
	const char *cpus;        /* overrides measure.cpus when not NULL */
	double alpha, min_effect; /* < 0: from the config */
	long max_runs;           /* <= 0: from the config */
	long runs;               /* > 0: overrides the benchmark's runs (not in the cache key: more
				    or fewer samples of the same measurement) */
	long warmups;            /* overrides the benchmark's warmups when warmups_set (part of the
				    cache key: warm-ups change what a recorded run measures) */
	bool warmups_set;
	bool improvement;        /* find where the benchmark got faster (git's old/new terms): the
				    search sees 1/value, the result is turned back to the metric */
	bool reset;              /* forget the journal (caches stay) */
	bool remeasure;          /* also drop this benchmark key's cached measurements (builds stay) */
	bool verify_placement;   /* rebuild parent and culprit with build.layout_variants */
	bool fix;                /* rebuild the culprit with a function order (build.fix), measure it */
	size_t layouts;          /* > 0: measure the culprit's effect under this many random layouts */
	uint64_t layout_seed;    /* the first layout's seed (layout k: + k) */
	bool rebuild_failed;     /* build again commits whose build failed in an earlier run */
	size_t jobs;             /* --jobs K: commits built and judged per round (0: executor.jobs) */
	volatile sig_atomic_t *stop; /* set by SIGINT: stop between runs */
	struct pb_progress *progress; /* may be NULL */
};

struct pb_bisect_result {
	char good[PB_OID_HEX], bad[PB_OID_HEX];
	char *benchmark, *metric, *backend;
	long runs, warmups;      /* per measurement, after --runs/--warmups and the backend */
	bool improvement;        /* what was looked for: the culprit made it faster */
	struct pb_bisect_commit *commits; /* 0 = good ... n = bad (n_commits = n + 1) */
	size_t n_commits;
	struct pb_search_result search;
	int builds, builds_cached;
	size_t runs_measured;    /* benchmark runs executed by this process (the rest were cached) */
	bool resumed;            /* an earlier run of the same bisect was found */
	size_t jobs;             /* commits per round (k-way when > 1): rounds in search.rounds */
	/* Other work on the machine over all runs this bisect used (stated once when contended). */
	struct pb_contention contention;
	/* An exact backend (cachegrind): each endpoint's first two runs, good [0] and bad [1], as the
	 * search's repeat check took them (search.exact, search.repeat_spread say what it found). */
	bool repeat_checked;
	double repeat[2][2];
	struct pb_attribution attribution; /* of the first culprit (done when one was found) */
	struct pb_placement_check placement; /* --verify-placement */
	/* The endpoints (0 good, 1 bad): `git describe --tags --always`, and what built their binary. */
	char *describe[2];
	struct pb_toolchain toolchain[2];
	struct pb_fix_result *fix; /* --fix (bisect/fix.h; owned): NULL when it did not run */
	char *fix_error;           /* --fix ran and failed: why (owned); NULL otherwise */
	struct pb_layouts_result *layouts; /* --layouts (bisect/layouts.h; owned): NULL when not run */
	char *layouts_error;       /* --layouts ran and failed: why (owned); NULL otherwise */
};

#endif
