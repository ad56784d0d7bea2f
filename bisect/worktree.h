/* worktree.h: one private checkout under <gitdir>/placebisect/, reused between steps for incremental builds. */
#ifndef PB_BISECT_WORKTREE_H
#define PB_BISECT_WORKTREE_H

#include <stddef.h>
#include <stdint.h>

#include "bisect/repo.h"

/* What a tracked file looked like when it was last found as its commit has it. */
struct pb_worktree_stat {
	uint64_t ino;
	int64_t size, mtime_s;
	long mtime_ns;
	unsigned mode;
};

struct pb_worktree {
	char *dir;        /* <state>/worktree */
	char *head_file;  /* <state>/worktree.head: the commit the directory holds ("" = unknown) */
	char current[PB_OID_HEX];
	/* Stat cache of the last verification (for commit seen_for, in tree-walk order): a file
	 * whose stat is unchanged is not hashed again. */
	char seen_for[PB_OID_HEX];
	struct pb_worktree_stat *seen;
	size_t n_seen, seen_cap;
};

/*
 * Prepare the private worktree under `state_dir` (created if missing). It is a plain directory,
 * not a `git worktree`: nothing is registered in .git/worktrees, no branch or ref is created.
 * Returns 0 or -1. Release with pb_worktree_release().
 */
int pb_worktree_open(struct pb_worktree *wt, const char *state_dir);
void pb_worktree_release(struct pb_worktree *wt);

/*
 * The private worktree of job slot `slot` (1, 2, ...: the local executor's parallel builds),
 * <state_dir>/worktrees/<slot>, kept between rounds so that each slot builds incrementally. Like
 * pb_worktree_open() otherwise; re-open it to see what another process checked out there.
 */
int pb_worktree_open_slot(struct pb_worktree *wt, const char *state_dir, size_t slot);

/*
 * Make the directory hold commit `id`, and verify it: only files that differ from the commit it
 * held are rewritten (so an incremental build recompiles what changed); untracked build outputs
 * stay. Then every tracked file is checked against the commit's tree (hashed, unless its stat is
 * unchanged since the last check), also when the directory already held `id`: one that a build
 * or a benchmark edited, deleted or replaced is rewritten, with a warning naming it. Call it
 * before every build and every run. The user's working tree, index, HEAD and refs are not
 * touched. When what the directory holds is unknown (first use, an interrupted checkout), it is
 * emptied and checked out whole. Returns 0 or -1 naming the commit.
 */
int pb_worktree_checkout(struct pb_worktree *wt, struct pb_repo *r, const char *id);

#endif
