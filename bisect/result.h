/* result.h: what a bisect is asked (struct pb_bisect_opts) and what it finds (struct pb_bisect_result). */
#ifndef PB_BISECT_RESULT_H
#define PB_BISECT_RESULT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "bisect/commit.h"
#include "bisect/explain.h"
#include "bisect/placement_check.h"
#include "bisect/repo.h"
#include "bisect/search.h"
#include "core/progress.h"
#include "measure/contention.h"

#define PB_BISECT_SCHEMA "placebisect.bisect/1"

struct pb_fix_result;

struct pb_bisect_opts {
	const char *good, *bad;  /* revisions */
	const char *bench;       /* benchmark name in the config */
	const char *backend;     /* overrides measure.backend when not NULL */
	const char *metric;      /* overrides the benchmark's metric when not NULL */
	const char *cpus;        /* overrides measure.cpus when not NULL */
	double alpha, min_effect; /* < 0: from the config */
	long max_runs;           /* <= 0: from the config */
	bool reset;              /* forget the journal (caches stay) */
	bool remeasure;          /* also drop this benchmark key's cached measurements (builds stay) */
	bool verify_placement;   /* rebuild parent and culprit with build.layout_variants */
	bool fix;                /* rebuild the culprit with a function order (build.fix), measure it */
	bool rebuild_failed;     /* build again commits whose build failed in an earlier run */
	volatile sig_atomic_t *stop; /* set by SIGINT: stop between runs */
	struct pb_progress *progress; /* may be NULL */
};

struct pb_bisect_result {
	char good[PB_OID_HEX], bad[PB_OID_HEX];
	char *benchmark, *metric, *backend;
	struct pb_bisect_commit *commits; /* 0 = good ... n = bad (n_commits = n + 1) */
	size_t n_commits;
	struct pb_search_result search;
	int builds, builds_cached;
	size_t runs_measured;    /* benchmark runs executed by this process (the rest were cached) */
	bool resumed;            /* an earlier run of the same bisect was found */
	/* Other work on the machine over all runs this bisect used (stated once when contended). */
	struct pb_contention contention;
	struct pb_attribution attribution; /* of the first culprit (done when one was found) */
	struct pb_placement_check placement; /* --verify-placement */
	struct pb_fix_result *fix; /* --fix (bisect/fix.h; owned): NULL when it did not run */
	char *fix_error;           /* --fix ran and failed: why (owned); NULL otherwise */
};

#endif
