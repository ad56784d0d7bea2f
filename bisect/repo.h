/* repo.h: the user's git repository, read-only (libgit2 stays inside bisect/). */
#ifndef PB_BISECT_REPO_H
#define PB_BISECT_REPO_H

/*
 * Find the repository containing `start` (a directory). On success *top is its working tree's top
 * directory (NULL for a bare repository) and *gitdir (when not NULL) the git directory, both
 * absolute and owned by the caller. Returns 0, or -1 with an error naming `start`.
 */
int pb_repo_discover(char **top, char **gitdir, const char *start);

#endif
