/* worktree.c: the private checkout, updated incrementally with libgit2's checkout into a target directory and verified. */
#include "bisect/worktree.h"
#include "bisect/repo_git.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/proc.h"


/* The worktree in dir, what it holds recorded in head_file (both taken: owned by wt). */
static int open_at(struct pb_worktree *wt, char *dir, char *head_file)
{
	struct pb_buf b = PB_BUF_INIT;

	memset(wt, 0, sizeof(*wt));
	wt->dir = dir;
	wt->head_file = head_file;
	if (pb_mkdir_p(wt->dir))
		return -1;
	/* What the directory holds, if a previous run recorded it after a complete checkout. */
	if (pb_buf_read_file(&b, wt->head_file) == 0 && b.len >= PB_OID_HEX - 1)
		memcpy(wt->current, b.data, PB_OID_HEX - 1);
	pb_error_clear();
	pb_buf_release(&b);
	return 0;
}

int pb_worktree_open(struct pb_worktree *wt, const char *state_dir)
{
	return open_at(wt, pb_xasprintf("%s/worktree", state_dir),
		       pb_xasprintf("%s/worktree.head", state_dir));
}

int pb_worktree_open_slot(struct pb_worktree *wt, const char *state_dir, size_t slot)
{
	return open_at(wt, pb_xasprintf("%s/worktrees/%zu", state_dir, slot),
		       pb_xasprintf("%s/worktrees/%zu.head", state_dir, slot));
}

void pb_worktree_release(struct pb_worktree *wt)
{
	free(wt->seen);
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

/* ---- Verifying the tracked files ---- */

/* What the walk over the commit's tree needs. */
struct verify {
	struct pb_worktree *wt;
	git_repository *g;
	size_t k;               /* index of the entry in walk order (the stat cache's index) */
	struct pb_buf path;
	struct pb_buf restored; /* the paths rewritten, for the warning */
	size_t n_restored;
	int err;
};

static bool same_stat(const struct pb_worktree_stat *a, const struct stat *st)
{
	return a->ino == (uint64_t)st->st_ino && a->size == (int64_t)st->st_size &&
	       a->mtime_s == (int64_t)st->st_mtim.tv_sec && a->mtime_ns == (long)st->st_mtim.tv_nsec &&
	       a->mode == (unsigned)st->st_mode;
}

static void remember(struct verify *v, const struct stat *st)
{
	struct pb_worktree *wt = v->wt;

	pb_xgrow((void **)&wt->seen, &wt->seen_cap, v->k + 1, sizeof(*wt->seen));
	wt->seen[v->k] = (struct pb_worktree_stat){ (uint64_t)st->st_ino, (int64_t)st->st_size,
		(int64_t)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec, (unsigned)st->st_mode };
	if (v->k + 1 > wt->n_seen)
		wt->n_seen = v->k + 1;
}

/* Does the file at v->path hold `entry` (content through the repository's filters, and mode)? */
static bool holds(struct verify *v, const git_tree_entry *entry, const char *rel, const struct stat *st)
{
	git_filemode_t mode = git_tree_entry_filemode(entry);
	git_oid oid;

	if (mode == GIT_FILEMODE_LINK) {
		char target[4096];
		ssize_t n;
		git_blob *blob = NULL;
		bool ok;

		if (!S_ISLNK(st->st_mode))
			return false;
		n = readlink(v->path.data, target, sizeof(target));
		if (n < 0 || git_blob_lookup(&blob, v->g, git_tree_entry_id(entry)))
			return false;
		ok = (size_t)n == (size_t)git_blob_rawsize(blob) &&
		     memcmp(target, git_blob_rawcontent(blob), (size_t)n) == 0;
		git_blob_free(blob);
		return ok;
	}
	if (!S_ISREG(st->st_mode) || ((st->st_mode & 0100) != 0) != (mode == GIT_FILEMODE_BLOB_EXECUTABLE))
		return false;
	if (git_repository_hashfile(&oid, v->g, v->path.data, GIT_OBJECT_BLOB, rel))
		return false;
	return git_oid_equal(&oid, git_tree_entry_id(entry));
}

static int remove_path(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		const char *argv[] = { "rm", "-rf", "--", path, NULL };
		struct pb_proc_opts o = PB_PROC_OPTS_INIT;
		struct pb_proc_result res;
		int ret;

		o.argv = argv;
		ret = pb_proc_run(&o, &res);
		pb_proc_result_release(&res);
		return ret;
	}
	return unlink(path) == 0 || errno == ENOENT ? 0 : pb_error_errno("cannot remove %s", path);
}

/* Write `entry` at v->path as checkout would (filters applied), replacing whatever is there. */
static int restore(struct verify *v, const git_tree_entry *entry, const char *rel)
{
	git_blob *blob = NULL;
	git_buf data = GIT_BUF_INIT;
	git_blob_filter_options fo;
	char *dir = pb_xstrdup(v->path.data), *slash = strrchr(dir, '/');
	git_filemode_t mode = git_tree_entry_filemode(entry);
	int ret = -1;

	git_blob_filter_options_init(&fo, GIT_BLOB_FILTER_OPTIONS_VERSION);
	if (slash)
		*slash = '\0';
	if (remove_path(v->path.data) || pb_mkdir_p(dir))
		goto out;
	if (git_blob_lookup(&blob, v->g, git_tree_entry_id(entry))) {
		pb_error("cannot read %s from the repository: %s", rel,
			 git_error_last() ? git_error_last()->message : "?");
		goto out;
	}
	if (mode == GIT_FILEMODE_LINK) {
		char *target = pb_xstrndup(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));

		ret = symlink(target, v->path.data) ? pb_error_errno("cannot restore %s", v->path.data) : 0;
		free(target);
		goto out;
	}
	if (git_blob_filter(&data, blob, rel, &fo)) {
		pb_error("cannot restore %s: %s", rel, git_error_last() ? git_error_last()->message : "?");
		goto out;
	}
	if (pb_atomic_write(v->path.data, data.ptr, data.size) ||
	    chmod(v->path.data, mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644))
		goto out;
	ret = 0;
out:
	git_buf_dispose(&data);
	git_blob_free(blob);
	free(dir);
	return ret;
}

static int verify_entry(const char *root, const git_tree_entry *entry, void *payload)
{
	struct verify *v = payload;
	git_filemode_t mode = git_tree_entry_filemode(entry);
	struct pb_buf rel = PB_BUF_INIT;
	struct stat st;
	bool cached;

	if (mode == GIT_FILEMODE_TREE || mode == GIT_FILEMODE_COMMIT)
		return 0; /* directories are walked into; submodules are not checked out */
	pb_buf_printf(&rel, "%s%s", root, git_tree_entry_name(entry));
	pb_buf_reset(&v->path);
	pb_buf_printf(&v->path, "%s/%s", v->wt->dir, rel.data);
	/* Unchanged since it was last found right (same inode, size, mtime, mode): not read again. */
	cached = lstat(v->path.data, &st) == 0 && v->k < v->wt->n_seen && same_stat(&v->wt->seen[v->k], &st);
	if (!cached && !(lstat(v->path.data, &st) == 0 && holds(v, entry, rel.data, &st))) {
		if (restore(v, entry, rel.data) || lstat(v->path.data, &st) != 0) {
			v->err = -1;
			pb_buf_release(&rel);
			return -1;
		}
		if (v->n_restored < 8)
			pb_buf_printf(&v->restored, "%s%s", v->n_restored ? ", " : "", rel.data);
		else if (v->n_restored == 8)
			pb_buf_puts(&v->restored, ", ...");
		v->n_restored++;
	}
	remember(v, &st);
	v->k++;
	pb_buf_release(&rel);
	return 0;
}

/*
 * Every tracked file of `commit` as the commit has it, rewriting any that is not (edited,
 * deleted, replaced, its mode changed): a build or benchmark that edits a tracked file would
 * otherwise change every later build. Untracked files are not looked at.
 */
static int verify_tracked(struct pb_worktree *wt, git_repository *g, git_object *commit, const char *id)
{
	struct verify v = { .wt = wt, .g = g, .path = PB_BUF_INIT, .restored = PB_BUF_INIT };
	git_tree *tree = NULL;
	int ret = -1;

	if (strcmp(wt->seen_for, id) != 0) {
		wt->n_seen = 0; /* the cache is per commit: entries are matched by their walk order */
		memcpy(wt->seen_for, id, PB_OID_HEX);
	}
	if (git_commit_tree(&tree, (git_commit *)commit) ||
	    git_tree_walk(tree, GIT_TREEWALK_PRE, verify_entry, &v)) {
		if (!v.err)
			pb_error("cannot read the tree of %.7s: %s", id,
				 git_error_last() ? git_error_last()->message : "?");
		pb_error_wrap("verifying the worktree at %.7s: ", id);
		wt->n_seen = 0;
		goto out;
	}
	if (v.n_restored)
		pb_warn("the build or the benchmark changed tracked files in the private worktree (%s); "
			"restored them to %.7s's before going on: a build must leave tracked files as they "
			"are (write what it generates to untracked files)", v.restored.data, id);
	ret = 0;
out:
	git_tree_free(tree);
	pb_buf_release(&v.path);
	pb_buf_release(&v.restored);
	return ret;
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

	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	if (git_oid_fromstr(&oid, id) || git_object_lookup(&target, g, &oid, GIT_OBJECT_COMMIT)) {
		pb_error("commit %.7s not found", id);
		goto out;
	}
	if (strcmp(wt->current, id) == 0)
		goto verify;
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
verify:
	/* The checkout writes what differs between the two commits only: a tracked file the build
	 * edited that both commits share is found here (as is one edited since the last call). */
	if (verify_tracked(wt, g, target, id))
		goto out;
	if (strcmp(wt->current, id) != 0) {
		if (pb_atomic_write(wt->head_file, id, strlen(id)))
			goto out;
		memcpy(wt->current, id, PB_OID_HEX);
	}
	ret = 0;
out:
	git_index_free(empty);
	git_tree_free(base_tree);
	git_object_free(base_commit);
	git_object_free(target);
	return ret;
}
