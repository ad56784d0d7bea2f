/* driver.h: internal to bisect/: what the command drivers (bisect, check, layout verify) share. */
#ifndef PB_BISECT_DRIVER_H
#define PB_BISECT_DRIVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "bisect/build.h"
#include "bisect/executor.h"
#include "bisect/repo.h"
#include "bisect/result.h"
#include "bisect/state.h"
#include "bisect/worktree.h"
#include "core/config.h"
#include "measure/runner.h"

/*
 * A benchmark prepared against n commits: the state directory (locked), the private worktree, the
 * build cache, the executor that builds and runs the commits there, and per commit how many of
 * its runs were handed out. The commits'
 * results (info, builds, measurements) live in res->commits; the driver borrows res, repo, cfg, o.
 * pb_driver_init() it, then pb_driver_prepare().
 */
struct pb_driver {
	struct pb_repo *repo;
	const struct pb_config *cfg;
	const struct pb_bisect_opts *o;
	const struct pb_bench *bench;
	struct pb_state st;
	struct pb_worktree wt;
	struct pb_builder builder;
	struct pb_runner_opts tmpl;  /* options every commit's runner starts from */
	char *key;                   /* measurement cache key */
	struct pb_bisect_result *res;
	char (*ids)[PB_OID_HEX];
	struct pb_executor *ex;      /* where builds and runs happen (local) */
	/* per commit */
	size_t *cursor;              /* runs of commits[i].m already handed to the search */
	bool *loaded;                /* its cached measurement was looked up */
	int step_k, step_total;      /* the progress's last step (a k-way round's builds redraw it) */
	size_t jobs;                 /* commits built at once: --jobs, else executor.jobs */
	/* 0: every run is saved to the measurement cache before it is used. Else runs are saved once
	 * this many are unsaved, and by pb_driver_flush() (k-way: a save rewrites the commit's file
	 * with two fsyncs, more than a short run; a SIGKILL loses at most that many runs). */
	size_t save_every;
	size_t unsaved;
	bool *dirty;                 /* commits with unsaved runs */
};

/* Zero *s and set what it borrows (repo, cfg, o, res); no state directory is held yet. */
void pb_driver_init(struct pb_driver *s, struct pb_repo *repo, const struct pb_config *cfg,
		    const struct pb_bisect_opts *o, struct pb_bisect_result *res);

/*
 * Resolve the benchmark `bench`, the runner's options (config, then the non-NULL overrides) and the
 * backend (now, so that a bad metric or an unusable backend fails before anything is built); fill
 * res->benchmark, backend, metric; allocate res->commits and the per-commit arrays for `n` commits
 * (ids left zero: the caller fills s->ids). Returns 0 or -1 (error recorded).
 */
int pb_driver_prepare(struct pb_driver *s, const char *bench, const char *backend,
		      const char *metric, const char *cpus, volatile sig_atomic_t *stop, size_t n);

/*
 * Open the state directory, take its lock, open the worktree and the builder, and make the local
 * executor over s->ids (fill them first). Returns 0 or -1.
 */
int pb_driver_open_state(struct pb_driver *s);

/* Append {"event": event, "commit": commit, k1: v1} (commit, k1 optional) to the journal. 0 or -1. */
int pb_driver_journal(struct pb_driver *s, const char *event, const char *commit, const char *k1,
		      const char *v1);

/*
 * Build commit i (or take its cached build) into res->commits[i] (binary, build_failed,
 * build_reason); a fresh build is journaled. Returns 0 built, 1 cannot be built (skipped), or -1:
 * an endpoint (0 or n-1) that cannot be built (PB_EXIT_INCONCLUSIVE), interruption, an error.
 */
int pb_driver_build(struct pb_driver *s, size_t i);

/*
 * Build commits ids[0..n-1] at once (pb_executor_build_many), each recorded as pb_driver_build()
 * records one: rcs[k] 0 built, 1 cannot be built. Returns 0, or -1 (error recorded; interrupted:
 * what finished is kept).
 */
int pb_driver_build_many(struct pb_driver *s, const size_t *ids, size_t n, int *rcs);

/*
 * The next value of each of ids[0..n-1] (a commit may come several times), cached runs not handed
 * out first, the rest asked of the executor as one batch in that order: values[k], rcs[k] as
 * pb_driver_sample() gives them. Returns 0, or -1 on error or interruption.
 */
int pb_driver_sample_many(struct pb_driver *s, const size_t *ids, size_t n, double *values, int *rcs);

/*
 * The next value of commit i: a cached run not yet handed out, else a new run asked of the
 * executor (a batch of one run of one commit), saved to the measurement cache.
 * Returns 0 with *value, 1 for a failed run (no value), -1 on error or interruption.
 */
int pb_driver_sample(struct pb_driver *s, size_t i, double *value);

/* Save every commit's unsaved runs (see save_every). Returns 0 or -1 (error recorded). */
int pb_driver_flush(struct pb_driver *s);

/* Free the executor, close the worktree, builder and state (the lock). Accepts a zeroed driver. */
void pb_driver_release(struct pb_driver *s);

#endif
