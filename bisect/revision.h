/* revision.h: one revision, built (cached) and checked out, for measure --rev and profile --rev. */
#ifndef PB_BISECT_REVISION_H
#define PB_BISECT_REVISION_H

#include <stdbool.h>

#include "bisect/repo.h"
#include "bisect/state.h"
#include "core/config.h"

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

#endif
