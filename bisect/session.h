/* session.h: a whole bisect: revisions → builds → measurements → search → the bisect result (JSON). */
#ifndef PB_BISECT_SESSION_H
#define PB_BISECT_SESSION_H

#include <signal.h>
#include <stdbool.h>

#include "bisect/explain.h"
#include "bisect/repo.h"
#include "bisect/search.h"
#include "bisect/state.h"
#include "bisect/placement_check.h"
#include "core/config.h"
#include "core/json.h"
#include "core/progress.h"
#include "measure/contention.h"
#include "measure/result.h"

#define PB_BISECT_SCHEMA "placebisect.bisect/1"

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
	bool rebuild_failed;     /* build again commits whose build failed in an earlier run */
	volatile sig_atomic_t *stop; /* set by SIGINT: stop between runs */
	struct pb_progress *progress; /* may be NULL */
};

struct pb_bisect_commit {
	struct pb_commit_info info;
	struct pb_measurement m;  /* its runs (cached ones included) */
	char *binary;             /* its cached build's binary; NULL when not built or none */
	char *prefix;             /* its cached build's install prefix; NULL without build.install */
	char *dir;                /* its cached build's directory; NULL when not built */
	bool build_failed;
	char *build_reason;
	/* A merge among the culprits or candidates: what it brought in (pb_repo_merged); else NULL, 0. */
	char *merged_range;
	size_t merged_commits;
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
};

/*
 * Run the bisect in `repo` with `cfg`. Returns 0 with *res filled whatever the search found
 * (see res->search.status), or -1 (error recorded: a revision that does not resolve, good not an
 * ancestor of bad, no such benchmark, a build or runner error, PB_EXIT_INTERRUPTED on *stop).
 * Release with pb_bisect_result_release() in either case.
 */
int pb_bisect_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		  struct pb_bisect_result *res);
void pb_bisect_result_release(struct pb_bisect_result *res);

/* The bisect result as placebisect.bisect/1 (DESIGN.md "Result files"). */
void pb_bisect_write_json(const struct pb_bisect_result *res, struct pb_jsonw *w);

/* The exit code the result calls for: 0 found, 4 not reproduced or only skipped commits left. */
int pb_bisect_exit_code(const struct pb_bisect_result *res);

#endif
