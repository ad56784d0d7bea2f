/* repo_git.h: bisect/-internal: the libgit2 handle behind a struct pb_repo (repo.c and worktree.c only). */
#ifndef PB_BISECT_REPO_GIT_H
#define PB_BISECT_REPO_GIT_H

#include <git2.h>

#include "bisect/repo.h"

/* Borrowed; valid while the pb_repo lives. */
git_repository *pb_repo_git(struct pb_repo *r);

#endif
