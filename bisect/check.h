/* check.h: `check`: one revision against a baseline, a `git bisect run` predicate (0, 1, 125). */
#ifndef PB_BISECT_CHECK_H
#define PB_BISECT_CHECK_H

#include <signal.h>
#include <stddef.h>

#include "bisect/repo.h"
#include "core/config.h"
#include "core/json.h"

#define PB_CHECK_SCHEMA "placebisect.check/1"

struct pb_check_opts {
	const char *rev, *bench;
	const char *baseline;    /* a bisect result (good and bad samples) or a measurement (good) */
	const char *backend, *metric, *cpus; /* overrides, or NULL */
	double alpha, min_effect; /* < 0: from the config */
	long max_runs;           /* <= 0: from the config */
	bool rebuild_failed;     /* build it again if its build failed in an earlier run */
	bool improvement;        /* with a measurement baseline: "bad" is faster than it (a bisect
				    result's samples carry their own direction) */
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
	bool repeat_checked;  /* an exact backend: the revision ran twice first */
	bool exact;           /* ... and gave the same value both times (judged exactly) */
	double repeat[2];     /* those two runs */
};

/*
 * Build and measure `rev` and judge it against the baseline: with good and bad samples (a bisect
 * result), the sequential test of the bisection; with a good sample only (a measurement), good
 * unless it is slower by min_effect. A commit that cannot be built or measured, or stays undecided
 * after max_runs, is PB_CHECK_CANNOT with the reason. An exact backend (cachegrind) runs the
 * revision twice first (one extra run): two different values are judged as a noisy metric, with
 * a warning (measure/repeat.h), or PB_CHECK_CANNOT when the baseline has no spread to judge them. Returns 0 with *res filled, or -1 for a bad
 * input (revision, baseline file, config: class PB_EXIT_USAGE) or interruption.
 */
int pb_check_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_check_opts *o,
		 struct pb_check_result *res);
void pb_check_result_release(struct pb_check_result *res);
void pb_check_write_json(const struct pb_check_result *res, struct pb_jsonw *w);

#endif
