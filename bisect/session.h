/* session.h: a whole bisect: revisions → builds → measurements → search → the bisect result (JSON). */
#ifndef PB_BISECT_SESSION_H
#define PB_BISECT_SESSION_H

#include <signal.h>
#include <stdbool.h>

#include "bisect/explain.h"
#include "bisect/repo.h"
#include "bisect/search.h"
#include "bisect/state.h"
#include "bisect/verify.h"
#include "core/config.h"
#include "core/json.h"
#include "core/progress.h"
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
	bool verify_placement;   /* rebuild parent and culprit with build.layout_variants */
	volatile sig_atomic_t *stop; /* set by SIGINT: stop between runs */
	struct pb_progress *progress; /* may be NULL */
};

struct pb_bisect_commit {
	struct pb_commit_info info;
	struct pb_measurement m;  /* its runs (cached ones included) */
	char *binary;             /* its cached build's binary; NULL when not built or none */
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

/* ---- One revision, built and checked out (measure --rev) ---- */

struct pb_revision {
	char commit[PB_OID_HEX];
	char *binary;   /* the cached build's binary; NULL when build.binary is not configured */
	char *worktree; /* the private worktree, holding `commit` */
	struct pb_state st; /* holds the repository's lock while the revision is in use */
};

/*
 * Resolve `rev`, build it (or take its cached build) and check it out in the private worktree,
 * keeping the repository's lock until pb_revision_release(). A revision whose build fails is an
 * error naming it and its build log. Returns 0 or -1.
 */
int pb_revision_prepare(struct pb_repo *repo, const struct pb_config *cfg, const char *rev,
			struct pb_revision *out);
void pb_revision_release(struct pb_revision *r);

/* ---- layout verify: the placement check on any two revisions ---- */

#define PB_PLACEMENT_CHECK_SCHEMA "placebisect.placement-check/1"

struct pb_layout_verify_result {
	char good[PB_OID_HEX], bad[PB_OID_HEX];
	char *benchmark, *backend, *metric;
	struct pb_placement_check pc; /* good plays the parent, bad the culprit */
};

/*
 * Build and measure `good` and `bad` (bisect's caches), then each of build.layout_variants of
 * both (pb_placement_check_run). Uses o->good, o->bad, o->bench, o->backend, o->metric, o->cpus,
 * o->alpha, o->min_effect, o->stop and o->progress. Returns 0 or -1; release the result with
 * pb_layout_verify_release() in either case.
 */
int pb_layout_verify(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		     struct pb_layout_verify_result *res);
void pb_layout_verify_release(struct pb_layout_verify_result *res);
void pb_layout_verify_write_json(const struct pb_layout_verify_result *res, struct pb_jsonw *w);

/* ---- check: one revision against a baseline, for `git bisect run` ---- */

#define PB_CHECK_SCHEMA "placebisect.check/1"

struct pb_check_opts {
	const char *rev, *bench;
	const char *baseline;    /* a bisect result (good and bad samples) or a measurement (good) */
	const char *backend, *metric, *cpus; /* overrides, or NULL */
	double alpha, min_effect; /* < 0: from the config */
	long max_runs;           /* <= 0: from the config */
	volatile sig_atomic_t *stop;
};

enum pb_check_verdict { PB_CHECK_GOOD = 0, PB_CHECK_BAD = 1, PB_CHECK_CANNOT = 125 };

struct pb_check_result {
	char commit[PB_OID_HEX];
	char *subject;
	enum pb_check_verdict verdict;
	char *reason;        /* for PB_CHECK_CANNOT: why */
	char *backend, *metric;
	size_t runs;         /* values used */
	double median;
	size_t baseline_good, baseline_bad; /* sizes of the baseline samples */
};

/*
 * Build and measure `rev` and judge it against the baseline: with good and bad samples (a bisect
 * result), the sequential test of the bisection; with a good sample only (a measurement), good
 * unless it is slower by min_effect. A commit that cannot be built or measured, or stays undecided
 * after max_runs, is PB_CHECK_CANNOT with the reason. Returns 0 with *res filled, or -1 for a bad
 * input (revision, baseline file, config: class PB_EXIT_USAGE) or interruption.
 */
int pb_check_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_check_opts *o,
		 struct pb_check_result *res);
void pb_check_result_release(struct pb_check_result *res);
void pb_check_write_json(const struct pb_check_result *res, struct pb_jsonw *w);

#endif
