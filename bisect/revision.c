/* revision.c: one revision built (cached) and checked out in the private worktree, for --rev. */
#include "bisect/revision.h"

#include <stdlib.h>
#include <string.h>

#include "bisect/build.h"
#include "bisect/worktree.h"
#include "core/error.h"

int pb_revision_prepare(struct pb_repo *repo, const struct pb_config *cfg, const char *rev,
			bool rebuild_failed, struct pb_revision *out)
{
	struct pb_worktree wt;
	struct pb_builder b;
	struct pb_build bd;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&wt, 0, sizeof(wt));
	memset(&b, 0, sizeof(b));
	memset(&bd, 0, sizeof(bd));
	out->st.lock_fd = -1;
	if (pb_repo_resolve(repo, rev, out->commit) || pb_state_open(&out->st, pb_repo_gitdir(repo)) ||
	    pb_state_lock(&out->st) || pb_worktree_open(&wt, out->st.dir) ||
	    pb_builder_init(&b, repo, &wt, &out->st, cfg))
		goto out;
	b.rebuild_failed = rebuild_failed;
	if (pb_builder_get(&b, out->commit, &bd))
		goto out;
	if (!bd.ok) {
		pb_error("%s (%.7s) cannot be built: %s", rev, out->commit, bd.reason ? bd.reason : "?");
		goto out;
	}
	if (pb_worktree_checkout(&wt, repo, out->commit))
		goto out;
	out->binary = bd.binary ? pb_xstrdup(bd.binary) : NULL;
	out->worktree = pb_xstrdup(wt.dir);
	out->prefix = bd.prefix ? pb_xstrdup(bd.prefix) : NULL;
	ret = 0;
out:
	pb_build_release(&bd);
	pb_builder_release(&b);
	pb_worktree_release(&wt);
	if (ret)
		pb_revision_release(out);
	return ret;
}

void pb_revision_release(struct pb_revision *r)
{
	free(r->binary);
	free(r->worktree);
	free(r->prefix);
	r->prefix = NULL;
	pb_state_close(&r->st);
	r->binary = r->worktree = NULL;
}
