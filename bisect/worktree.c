/* worktree.c: the private checkout, updated incrementally with libgit2's checkout into a target directory. */
#include "bisect/worktree.h"
#include "bisect/repo_git.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/proc.h"


int pb_worktree_open(struct pb_worktree *wt, const char *state_dir)
{
	struct pb_buf b = PB_BUF_INIT;

	memset(wt, 0, sizeof(*wt));
	wt->dir = pb_xasprintf("%s/worktree", state_dir);
	wt->head_file = pb_xasprintf("%s/worktree.head", state_dir);
	if (pb_mkdir_p(wt->dir))
		return -1;
	/* What the directory holds, if a previous run recorded it after a complete checkout. */
	if (pb_buf_read_file(&b, wt->head_file) == 0 && b.len >= PB_OID_HEX - 1)
		memcpy(wt->current, b.data, PB_OID_HEX - 1);
	pb_error_clear();
	pb_buf_release(&b);
	return 0;
}

void pb_worktree_release(struct pb_worktree *wt)
{
	free(wt->dir);
	free(wt->head_file);
	memset(wt, 0, sizeof(*wt));
}

static int empty_dir(const char *dir)
{
	const char *argv[] = { "rm", "-rf", "--", dir, NULL };
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result res;
	int ret;

	o.argv = argv;
	ret = pb_proc_run(&o, &res);
	if (ret == 0 && !(res.exited && res.status == 0))
		ret = pb_error_as(PB_EXIT_ENV, "cannot empty %s: %s", dir, res.err.data);
	pb_proc_result_release(&res);
	return ret ? ret : pb_mkdir_p(dir);
}

int pb_worktree_checkout(struct pb_worktree *wt, struct pb_repo *r, const char *id)
{
	git_checkout_options opts;
	git_repository *g = pb_repo_git(r);
	git_object *target = NULL, *base_commit = NULL;
	git_tree *base_tree = NULL;
	git_index *empty = NULL;
	git_oid oid;
	int ret = -1;

	if (strcmp(wt->current, id) == 0)
		return 0;
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	if (git_oid_fromstr(&oid, id) || git_object_lookup(&target, g, &oid, GIT_OBJECT_COMMIT)) {
		pb_error("commit %.7s not found", id);
		goto out;
	}
	/*
	 * The baseline is what the directory holds: the previous commit's tree, or nothing. libgit2
	 * then writes only the files that differ and removes files the new tree dropped.
	 */
	if (wt->current[0] && git_oid_fromstr(&oid, wt->current) == 0 &&
	    git_object_lookup(&base_commit, g, &oid, GIT_OBJECT_COMMIT) == 0 &&
	    git_commit_tree(&base_tree, (git_commit *)base_commit) == 0) {
		opts.baseline = base_tree;
	} else {
		if (empty_dir(wt->dir) || git_index_new(&empty)) {
			pb_error_wrap("checking out %.7s: ", id);
			goto out;
		}
		opts.baseline_index = empty;
	}
	/* Forget the recorded head first: an interrupted checkout leaves the directory unknown. */
	wt->current[0] = '\0';
	if (pb_atomic_write(wt->head_file, "", 0))
		goto out;
	opts.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX |
				 GIT_CHECKOUT_DONT_WRITE_INDEX;
	opts.target_directory = wt->dir;
	if (git_checkout_tree(g, target, &opts) != 0) {
		pb_error_as(PB_EXIT_ENV, "cannot check %.7s out into %s: %s", id, wt->dir,
			    git_error_last() ? git_error_last()->message : "?");
		goto out;
	}
	if (pb_atomic_write(wt->head_file, id, strlen(id)))
		goto out;
	memcpy(wt->current, id, PB_OID_HEX);
	ret = 0;
out:
	git_index_free(empty);
	git_tree_free(base_tree);
	git_object_free(base_commit);
	git_object_free(target);
	return ret;
}
