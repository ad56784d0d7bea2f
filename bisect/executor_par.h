/* executor_par.h: internal to bisect/executor.c: the local executor's parallel builds (one child
 * process and one private worktree per job slot). */
#ifndef PB_BISECT_EXECUTOR_PAR_H
#define PB_BISECT_EXECUTOR_PAR_H

#include <signal.h>
#include <stddef.h>

#include "bisect/build.h"
#include "bisect/repo.h"
#include "core/progress.h"

struct pb_par_in {
	struct pb_repo *repo;          /* its git directory is opened again in each child */
	struct pb_builder *builder;    /* the build cache; its counters and timeouts are updated */
	const char *state_dir;         /* slot worktrees under <state_dir>/worktrees/ */
	const char (*ids)[PB_OID_HEX];
	size_t jobs;                   /* slots, >= 1 */
	volatile sig_atomic_t *stop;   /* set by SIGINT: builds are stopped, none started; may be NULL */
	struct pb_progress *progress;  /* "building 3 commits (2 running, 1 done)"; may be NULL */
};

/*
 * Build commits[0..n-1] (indices into in->ids), up to in->jobs at once, each in a child process
 * (fork) that runs pb_builder_get() in the worktree of its slot (slots 1..jobs, reused between
 * calls): the same cache, log and artifacts as a build in the main worktree. outs[k] gets
 * commits[k]'s build (out->slot its slot) whatever happened to the others; release each with
 * pb_build_release(). Returns 0 when every build ran (failed builds included: out->ok false), or
 * -1 with the first error (a checkout, the disk, PB_EXIT_INTERRUPTED when *stop was set: every
 * running build is stopped and waited for, no child is left).
 */
int pb_par_build(const struct pb_par_in *in, const size_t *commits, size_t n, struct pb_build *outs);

#endif
