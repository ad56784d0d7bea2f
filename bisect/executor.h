/* executor.h: the seam between "which commits to measure" (the drivers, the search) and where and
 * how their builds and runs happen (local now; parallel local or Slurm later). */
#ifndef PB_BISECT_EXECUTOR_H
#define PB_BISECT_EXECUTOR_H

#include <signal.h>
#include <stddef.h>

#include "bisect/build.h"
#include "bisect/repo.h"
#include "bisect/worktree.h"
#include "core/config.h"
#include "core/progress.h"
#include "measure/result.h"
#include "measure/runner.h"

/*
 * An executor knows a fixed list of commits (indices 0..n-1 into the ids it was made with) and does
 * two things with them: build one, and measure a batch. Drivers ask; they never call the builder
 * or the runner themselves. Everything that does not depend on where runs happen stays with the
 * caller: the measurement cache, the journal, handing values to the search, the verdicts.
 */
struct pb_executor;

/* One request of a batch: `runs` recorded runs of commit `commit`, appended to *m. */
struct pb_exec_request {
	size_t commit;
	size_t runs;
	struct pb_measurement *m; /* the commit's measurement (caller owns; one per commit) */
};

/*
 * Called after each recorded run of a request, on the caller's thread, with the run's results
 * already appended to req->m as m->runs[first .. m->n_runs) (one run, or several when the metric
 * is pyperf: one per value the benchmark wrote; a failed run is there too, with ok false).
 * Return 0 to go on, > 0 to end the batch now (no more runs are started: not an error), < 0 to
 * abort it (error recorded; pb_executor_measure returns -1).
 */
typedef int (*pb_exec_done_fn)(void *arg, const struct pb_exec_request *req, size_t first);

struct pb_executor_ops {
	const char *name; /* "local" */
	int (*build)(struct pb_executor *ex, size_t commit, struct pb_build *out);
	/* Build several commits, possibly at once; outs[i] for commits[i]. Same per-commit contract as
	 * build(). NULL op: the executor builds them one after another with build(). */
	int (*build_many)(struct pb_executor *ex, const size_t *commits, size_t n, struct pb_build *outs);
	int (*measure)(struct pb_executor *ex, const struct pb_exec_request *reqs, size_t n,
		       pb_exec_done_fn done, void *arg);
	const char *(*last_failure)(const struct pb_executor *ex, size_t commit);
	void (*free)(struct pb_executor *ex);
};

/* Implementations embed this first and point ops at their table. */
struct pb_executor {
	const struct pb_executor_ops *ops;
};

/*
 * Build commit `commit` (or take its cached build). Same contract as pb_builder_get(): 0 with *out
 * filled (out->ok false and out->reason when it cannot be built: not an error), -1 when something
 * outside the build failed. Release *out with pb_build_release() in either case. Once a commit is
 * built, its binary is what the executor's runs of it use for {binary}.
 */
int pb_executor_build(struct pb_executor *ex, size_t commit, struct pb_build *out);

/*
 * Build commits[0..n-1] as pb_executor_build() builds one, possibly at once (the local executor
 * with jobs > 1: one private worktree per job slot; Slurm: one job each); outs[i] for commits[i].
 * Returns 0 when every build ran (out->ok false for one that failed: not an error), or -1 on the
 * first error outside the builds (interrupted: every running build stopped first). Release every
 * outs[i] in either case.
 */
int pb_executor_build_many(struct pb_executor *ex, const size_t *commits, size_t n,
			   struct pb_build *outs);

/*
 * Measure a batch: for each request, req.runs recorded runs of req.commit, each reported through
 * `done` (see pb_exec_done_fn). Only built commits may be asked for. Warm-ups (the benchmark's
 * `warmups`) come before a commit's first recorded run in this executor's life, unrecorded.
 *
 * Order: the caller may rely on `done` being called once per recorded run, in the order of that
 * commit's runs, and on nothing else. The local executor runs the requests in order, each
 * request's runs one after another, one process at a time: a batch of one request of one run is
 * exactly one benchmark run. Other executors may interleave the runs of a batch's commits (A B A
 * B, order randomized within a block) or run several commits at once; callers that want runs of
 * several commits taken in the same time window should ask for them in one batch.
 *
 * Returns 0 when every run asked for happened or `done` ended the batch (failed runs included:
 * see m->runs[].ok), -1 on an error (the benchmark cannot be started, counters, the worktree) or
 * when the stop flag was set (PB_EXIT_INTERRUPTED).
 */
int pb_executor_measure(struct pb_executor *ex, const struct pb_exec_request *reqs, size_t n,
			pb_exec_done_fn done, void *arg);

/*
 * How the last failed run of `commit` ended (status or signal by name, the tails of its output), for
 * the message that names a benchmark failing on every run; NULL when none failed or it never ran.
 * The executor owns the string (valid until its next run of that commit).
 */
const char *pb_executor_last_failure(const struct pb_executor *ex, size_t commit);

/* Free the executor (accepts NULL). What it borrowed stays the caller's. */
void pb_executor_free(struct pb_executor *ex);

/* What the local executor borrows (all of it must outlive the executor). */
struct pb_executor_local_in {
	struct pb_repo *repo;
	struct pb_worktree *wt;          /* the one private worktree: builds and runs happen there */
	struct pb_builder *builder;      /* the build cache */
	const struct pb_config *cfg;
	const char *command;             /* the benchmark's command, placeholders unexpanded */
	const char *baseline;            /* the benchmark's baseline command, unexpanded; NULL: none */
	const char *prepare, *setup;     /* its prepare and setup commands, unexpanded; NULL: none */
	const struct pb_runner_opts *tmpl; /* options every commit's runner starts from */
	const char (*ids)[PB_OID_HEX];   /* the commits, by index */
	size_t n;
	volatile sig_atomic_t *stop;     /* checked before each run; may be NULL */
	struct pb_progress *progress;    /* "measuring <commit>: run k"; may be NULL */
	const size_t *runs_done;         /* runs measured so far in all, for the progress; may be NULL */
	size_t jobs;                     /* builds at once (build_many); 0 or 1: one at a time, in wt */
	const char *state_dir;           /* job slots' worktrees go under it (jobs > 1) */
};

/*
 * The local executor: builds with in->builder in in->wt (build_many with in->jobs > 1: up to jobs
 * at once, each in a child process in the worktree of its job slot, <state_dir>/worktrees/<slot>;
 * the same cache), runs each commit's benchmark in in->wt (the
 * worktree checked out at the commit before each run), one process at a time, with a runner per
 * commit made on first use from in->tmpl (pb_runner_begin fills an empty measurement's
 * descriptive fields). Returns 0 with *out.
 */
int pb_executor_local_new(struct pb_executor **out, const struct pb_executor_local_in *in);

#endif
