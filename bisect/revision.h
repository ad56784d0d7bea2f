/* revision.h: one revision, built (cached) and checked out, for measure --rev and profile --rev;
 * and a benchmark made ready to run there or in the user's tree. */
#ifndef PB_BISECT_REVISION_H
#define PB_BISECT_REVISION_H

#include <stdbool.h>

#include "bisect/repo.h"
#include "bisect/state.h"
#include "core/config.h"
#include "measure/runner.h"

struct pb_revision {
	char commit[PB_OID_HEX];
	char *binary;   /* the cached build's binary; NULL when build.binary is not configured */
	char *worktree; /* the private worktree, holding `commit` */
	char *prefix;   /* the cached build's install prefix; NULL without build.install */
	struct pb_state st; /* holds the repository's lock while the revision is in use */
};

/*
 * Resolve `rev`, build it (or take its cached build) and check it out in the private worktree,
 * keeping the repository's lock until pb_revision_release(). A revision whose build fails is an
 * error naming it and its build log; with rebuild_failed, a failure found in the build cache is
 * built again. Returns 0 or -1.
 */
int pb_revision_prepare(struct pb_repo *repo, const struct pb_config *cfg, const char *rev,
			bool rebuild_failed, struct pb_revision *out);
void pb_revision_release(struct pb_revision *r);

/* A benchmark of the config made ready to run: at a revision, or in the user's tree. */
struct pb_bench_target {
	struct pb_runner_opts o; /* the benchmark's runner options: command expanded, cwd, commit */
	struct pb_repo *repo;    /* opened for a revision; else NULL */
	struct pb_revision rev;  /* the revision, when one was asked for */
	char *dir;               /* where it runs: the revision's worktree, or `top` (may be NULL) */
	char *command, *binary;  /* the expanded command; {binary} */
	char *baseline;          /* the benchmark's baseline command expanded; NULL: none */
	char *prepare, *setup;   /* its prepare and setup commands expanded; NULL: none */
	char *tmp;               /* without a revision: the state directory's tmp/ for o.tmp_dir
				    (pb_state_tmp_of; the caller sets it); NULL: $TMPDIR */
};

/*
 * Runner options for benchmark `bench` of `cfg`: with `rev`, built (or from the build cache) and
 * checked out in the private worktree of the repository at `repo_dir`, which stays locked until
 * pb_bench_target_release(); without, in `top` (the user's tree, {binary} = top/build.binary; NULL:
 * the current directory); `rebuild_failed` as pb_revision_prepare's. Placeholders {binary}
 * {worktree} {config_dir} {prefix} expanded; t->o borrows
 * from *t and cfg. Returns 0 or -1 (no such benchmark, a revision that does not resolve or
 * build). Release with pb_bench_target_release() in either case.
 */
int pb_bench_target_prepare(struct pb_bench_target *t, const struct pb_config *cfg,
			    const char *bench, const char *rev, bool rebuild_failed, const char *repo_dir,
			    const char *top);
void pb_bench_target_release(struct pb_bench_target *t);

#endif
