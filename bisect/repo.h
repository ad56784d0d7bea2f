/* repo.h: the user's git repository, read-only: revisions, first-parent ranges, commit facts. */
#ifndef PB_BISECT_REPO_H
#define PB_BISECT_REPO_H

#include <stdbool.h>
#include <stddef.h>

#define PB_OID_HEX 41 /* 40 hex digits + NUL */

struct pb_repo; /* opaque; libgit2 stays inside bisect/ */

/*
 * Find the repository containing `start` (a directory). On success *top is its working tree's top
 * directory (NULL for a bare repository) and *gitdir (when not NULL) the git directory, both
 * absolute and owned by the caller. Returns 0, or -1 with an error naming `start`.
 */
int pb_repo_discover(char **top, char **gitdir, const char *start);

/* Open the repository containing `start`. Free with pb_repo_free(). Returns 0 or -1. */
int pb_repo_open(struct pb_repo **out, const char *start);
void pb_repo_free(struct pb_repo *r); /* accepts NULL */

/* The git directory (absolute, no trailing slash) and the working tree's top (NULL when bare). */
const char *pb_repo_gitdir(const struct pb_repo *r);
const char *pb_repo_top(const struct pb_repo *r);

/*
 * Resolve any revision libgit2 accepts ("v1.0", "HEAD~3", a short hash) to a commit. Unknown →
 * -1 naming `rev` (class PB_EXIT_USAGE); in a shallow clone the hint to unshallow is added.
 */
int pb_repo_resolve(struct pb_repo *r, const char *rev, char out[PB_OID_HEX]);

/* Whether the repository is a shallow clone. */
bool pb_repo_is_shallow(struct pb_repo *r);

/*
 * The first-parent chain from `good` (exclusive) to `bad` (inclusive), oldest first, as an array of
 * *n hex ids (caller frees). Errors (class PB_EXIT_USAGE), each naming both revisions: good == bad;
 * good not an ancestor of bad; good an ancestor reached only through a merge, not on bad's
 * first-parent chain (the hint names the merge to use as good instead); the chain reaching a
 * shallow boundary (hint: git fetch --unshallow).
 */
int pb_repo_first_parent_range(struct pb_repo *r, const char *good, const char *bad,
			       char (**ids)[PB_OID_HEX], size_t *n);

struct pb_commit_info {
	char id[PB_OID_HEX];
	char parent[PB_OID_HEX]; /* first parent; "" for a root commit */
	size_t n_parents;
	char (*parents)[PB_OID_HEX]; /* all n_parents of them, the first first; NULL for a root commit */
	char *subject, *author, *date; /* date: ISO 8601 with offset */
	char **files;   /* paths changed against the first parent, NULL-terminated */
	size_t n_files;
	long insertions, deletions;
};

/*
 * Facts about commit `id`; release with pb_commit_info_release(). At a shallow clone's boundary
 * (the parent is missing) files[] is empty. Returns 0 or -1.
 */
int pb_repo_commit_info(struct pb_repo *r, const char *id, struct pb_commit_info *out);
void pb_commit_info_release(struct pb_commit_info *c);

/*
 * What merge commit c brought in: the commits reachable from its other parents and not from its
 * first. *range (caller frees) gets it in git's revision syntax, "P1..P2" with full ids (an octopus:
 * "P1..P2 P3 ..."), *n how many commits that is. A commit with one parent (or none) brought in
 * nothing: *range NULL, *n 0. Returns 0, or -1 with an error naming the commit.
 */
int pb_repo_merged(struct pb_repo *r, const struct pb_commit_info *c, char **range, size_t *n);

/*
 * `git describe --tags --always` of commit `id`: the nearest tag reachable from it with the
 * distance and abbreviated id ("v1.0-3-g1a2b3c4"), a tag itself ("v1.0"), or the abbreviated id
 * when no tag is reachable. *out is allocated (caller frees). Returns 0 or -1.
 */
int pb_repo_git_describe(struct pb_repo *r, const char *id, char **out);

/* "1a2b3c4 subject" for messages, into out. */
void pb_repo_describe(struct pb_repo *r, const char *id, char *out, size_t size);

/*
 * What a checkout of `id` will not reproduce faithfully: submodules (a .gitmodules file or gitlink
 * entries) and Git LFS pointer files (filter=lfs in .gitattributes). Each found is reported with
 * pb_warn(); returns how many kinds were found.
 */
int pb_repo_check_special(struct pb_repo *r, const char *id);

#endif
