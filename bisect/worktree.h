/* worktree.h: one private checkout under <gitdir>/placebisect/, reused between steps for incremental builds. */
#ifndef PB_BISECT_WORKTREE_H
#define PB_BISECT_WORKTREE_H

#include "bisect/repo.h"

struct pb_worktree {
	char *dir;        /* <state>/worktree */
	char *head_file;  /* <state>/worktree.head: the commit the directory holds ("" = unknown) */
	char current[PB_OID_HEX];
};

/*
 * Prepare the private worktree under `state_dir` (created if missing). It is a plain directory,
 * not a `git worktree`: nothing is registered in .git/worktrees, no branch or ref is created.
 * Returns 0 or -1. Release with pb_worktree_release().
 */
int pb_worktree_open(struct pb_worktree *wt, const char *state_dir);
void pb_worktree_release(struct pb_worktree *wt);

/*
 * Make the directory hold commit `id`: only files that differ from the commit it held are
 * rewritten (so an incremental build recompiles what changed); untracked build outputs stay.
 * The user's working tree, index, HEAD and refs are not touched. When what the directory holds is
 * unknown (first use, an interrupted checkout), it is emptied and checked out whole.
 * Returns 0 or -1 naming the commit.
 */
int pb_worktree_checkout(struct pb_worktree *wt, struct pb_repo *r, const char *id);

#endif
