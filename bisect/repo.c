/* repo.c: reading the user's repository with libgit2 (revisions, ranges, commit facts); never writes. */
#include "bisect/repo.h"
#include "bisect/repo_git.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"

struct pb_repo {
	git_repository *git;
	char *gitdir;
	char *top;
};

static void lib_init(void)
{
	static int done;

	/* libgit2 counts init calls; one for the process is enough and is never shut down. */
	if (!done) {
		git_libgit2_init();
		done = 1;
	}
}

static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

static char *strip_slash(const char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		n--;
	return pb_xstrndup(p, n);
}

int pb_repo_open(struct pb_repo **out, const char *start)
{
	git_buf found = { 0 };
	struct pb_repo *r;
	const char *wd;

	*out = NULL;
	lib_init();
	if (git_repository_discover(&found, start, 0, NULL) != 0)
		return strcmp(start, ".") == 0 ?
			       pb_error("not inside a git repository: run placebisect from your "
					"project's checkout, or pass --repo DIR") :
			       pb_error("%s is not inside a git repository: pass --repo DIR with your "
					"project's checkout", start);
	r = pb_xcalloc(1, sizeof(*r));
	if (git_repository_open(&r->git, found.ptr) != 0) {
		pb_error("cannot open the repository at %s: %s", found.ptr, git_msg());
		git_buf_dispose(&found);
		free(r);
		return -1;
	}
	git_buf_dispose(&found);
	wd = git_repository_workdir(r->git);
	r->top = wd ? strip_slash(wd) : NULL;
	r->gitdir = strip_slash(git_repository_path(r->git));
	*out = r;
	return 0;
}

void pb_repo_free(struct pb_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->git);
	free(r->gitdir);
	free(r->top);
	free(r);
}

int pb_repo_discover(char **top, char **gitdir, const char *start)
{
	struct pb_repo *r;

	*top = NULL;
	if (gitdir)
		*gitdir = NULL;
	if (pb_repo_open(&r, start))
		return -1;
	*top = r->top ? pb_xstrdup(r->top) : NULL;
	if (gitdir)
		*gitdir = pb_xstrdup(r->gitdir);
	pb_repo_free(r);
	return 0;
}

const char *pb_repo_gitdir(const struct pb_repo *r)
{
	return r->gitdir;
}

const char *pb_repo_top(const struct pb_repo *r)
{
	return r->top;
}

bool pb_repo_is_shallow(struct pb_repo *r)
{
	return git_repository_is_shallow(r->git) == 1;
}

int pb_repo_resolve(struct pb_repo *r, const char *rev, char out[PB_OID_HEX])
{
	git_object *obj = NULL, *commit = NULL;
	int ret = -1;

	if (git_revparse_single(&obj, r->git, rev) != 0) {
		if (pb_repo_is_shallow(r))
			return pb_error("revision '%s' not found in %s (this is a shallow clone: "
					"git fetch --unshallow, or fetch the tag)", rev, r->gitdir);
		return pb_error("revision '%s' not found in %s", rev, r->top ? r->top : r->gitdir);
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) != 0) {
		pb_error("revision '%s' is not a commit", rev);
		goto out;
	}
	git_oid_tostr(out, PB_OID_HEX, git_object_id(commit));
	ret = 0;
out:
	git_object_free(commit);
	git_object_free(obj);
	return ret;
}

/*
 * Whether `commit` descends from `ancestor` (1), not (0), or -1. libgit2 1.5 does not know a
 * shallow clone's boundary: its graph walk fails on the parents missing beyond it (and leaks).
 * In a shallow clone the commits that are present are walked instead, every parent, missing
 * ones being the boundary.
 */
static int descendant_of(struct pb_repo *r, const git_oid *commit, const git_oid *ancestor)
{
	git_oid *seen = NULL;
	size_t n = 0, cap = 0, next = 0, i, j;
	git_commit *c;
	int found = 0;

	if (!pb_repo_is_shallow(r))
		return git_graph_descendant_of(r->git, commit, ancestor);
	pb_xgrow((void **)&seen, &cap, 1, sizeof(*seen));
	seen[n++] = *commit;
	/* Breadth-first over the present history: a queue that is also the visited set. */
	while (next < n && !found) {
		if (git_commit_lookup(&c, r->git, &seen[next++]) != 0)
			continue; /* beyond the shallow boundary */
		for (i = 0; i < git_commit_parentcount(c) && !found; i++) {
			const git_oid *p = git_commit_parent_id(c, i);

			found = git_oid_equal(p, ancestor);
			for (j = 0; j < n && !git_oid_equal(&seen[j], p); j++)
				;
			if (j == n) {
				pb_xgrow((void **)&seen, &cap, n + 1, sizeof(*seen));
				seen[n++] = *p;
			}
		}
		git_commit_free(c);
	}
	free(seen);
	return found;
}

static void short_id(const char *hex, char out[8])
{
	memcpy(out, hex, 7);
	out[7] = '\0';
}

int pb_repo_first_parent_range(struct pb_repo *r, const char *good, const char *bad,
			       char (**ids_out)[PB_OID_HEX], size_t *n_out)
{
	char (*ids)[PB_OID_HEX] = NULL, sg[8], sb[8], merge[PB_OID_HEX] = "";
	git_oid og, ob, cur;
	git_commit *c = NULL;
	size_t n = 0, cap = 0, i;
	int ret = -1;

	*ids_out = NULL;
	*n_out = 0;
	short_id(good, sg);
	short_id(bad, sb);
	if (git_oid_fromstr(&og, good) || git_oid_fromstr(&ob, bad))
		return pb_error("internal: bad object id");
	if (git_oid_equal(&og, &ob))
		return pb_error("good and bad are the same commit (%s): nothing to bisect", sg);
	if (descendant_of(r, &ob, &og) != 1) {
		if (descendant_of(r, &og, &ob) == 1)
			return pb_error("good %s is a descendant of bad %s: swap --good and --bad?", sg, sb);
		return pb_error("good %s is not an ancestor of bad %s: bisection needs good to be in "
				"bad's history (git merge-base --is-ancestor %s %s)", sg, sb, sg, sb);
	}
	/* Walk bad's first parents back to good. */
	cur = ob;
	for (;;) {
		if (git_oid_equal(&cur, &og))
			break;
		if (git_commit_lookup(&c, r->git, &cur) != 0) {
			pb_error("commit %.7s is missing from the repository%s", git_oid_tostr_s(&cur),
				 pb_repo_is_shallow(r) ? " (shallow clone: git fetch --unshallow)" : "");
			goto out;
		}
		pb_xgrow((void **)&ids, &cap, n + 1, sizeof(*ids));
		git_oid_tostr(ids[n++], PB_OID_HEX, &cur);
		if (git_commit_parentcount(c) == 0) {
			pb_error("good %s is an ancestor of bad %s only through a merge, not on its "
				 "first-parent chain%s%s: use a mainline commit as good", sg, sb,
				 merge[0] ? "; the first merge that brings it in is " : "", merge);
			goto out;
		}
		if (git_commit_parentcount(c) > 1 && !merge[0]) {
			/* Remember the newest merge whose second side contains good, for the hint. */
			const git_oid *p2 = git_commit_parent_id(c, 1);

			if (git_oid_equal(p2, &og) || descendant_of(r, p2, &og) == 1)
				git_oid_tostr(merge, 8, git_commit_id(c));
		}
		if (pb_repo_is_shallow(r) && git_commit_parentcount(c) >= 1) {
			git_commit *p = NULL;

			if (git_commit_parent(&p, c, 0) != 0) {
				pb_error("the history between %s and %s stops at a shallow boundary "
					 "(git fetch --unshallow)", sg, sb);
				goto out;
			}
			git_commit_free(p);
		}
		cur = *git_commit_parent_id(c, 0);
		/* Past good's generation without meeting it: good is on a side branch. */
		if (!git_oid_equal(&cur, &og) && descendant_of(r, &cur, &og) != 1) {
			pb_error("good %s is an ancestor of bad %s only through a merge, not on its "
				 "first-parent chain: use the merge's first parent (e.g. %.7s^1) or a "
				 "mainline commit as good", sg, sb, merge[0] ? merge : git_oid_tostr_s(git_commit_id(c)));
			goto out;
		}
		git_commit_free(c);
		c = NULL;
	}
	/* Oldest first. */
	for (i = 0; i < n / 2; i++) {
		char tmp[PB_OID_HEX];

		memcpy(tmp, ids[i], PB_OID_HEX);
		memcpy(ids[i], ids[n - 1 - i], PB_OID_HEX);
		memcpy(ids[n - 1 - i], tmp, PB_OID_HEX);
	}
	*ids_out = ids;
	*n_out = n;
	ids = NULL;
	ret = 0;
out:
	git_commit_free(c);
	free(ids);
	return ret;
}

static int lookup(struct pb_repo *r, const char *id, git_commit **c)
{
	git_oid oid;

	if (git_oid_fromstr(&oid, id) || git_commit_lookup(c, r->git, &oid))
		return pb_error("commit %.7s not found: %s", id, git_msg());
	return 0;
}

struct files_acc {
	char **files;
	size_t n, cap;
};

static int file_cb(const git_diff_delta *d, float progress, void *payload)
{
	struct files_acc *a = payload;
	const char *path = d->new_file.path ? d->new_file.path : d->old_file.path;

	(void)progress;
	pb_xgrow((void **)&a->files, &a->cap, a->n + 2, sizeof(*a->files));
	a->files[a->n++] = pb_xstrdup(path);
	a->files[a->n] = NULL;
	return 0;
}

int pb_repo_git_describe(struct pb_repo *r, const char *id, char **out)
{
	git_describe_options opts;
	git_describe_format_options fopts;
	git_describe_result *d = NULL;
	git_buf buf = GIT_BUF_INIT;
	git_commit *c = NULL;
	int ret = -1;

	*out = NULL;
	if (lookup(r, id, &c))
		return -1;
	git_describe_options_init(&opts, GIT_DESCRIBE_OPTIONS_VERSION);
	git_describe_format_options_init(&fopts, GIT_DESCRIBE_FORMAT_OPTIONS_VERSION);
	opts.describe_strategy = GIT_DESCRIBE_TAGS;
	opts.show_commit_oid_as_fallback = 1;
	if (git_describe_commit(&d, (git_object *)c, &opts) || git_describe_format(&buf, d, &fopts)) {
		pb_error("cannot describe commit %.7s: %s", id, git_msg());
		goto out;
	}
	*out = pb_xstrdup(buf.ptr);
	ret = 0;
out:
	git_buf_dispose(&buf);
	git_describe_result_free(d);
	git_commit_free(c);
	return ret;
}

int pb_repo_commit_info(struct pb_repo *r, const char *id, struct pb_commit_info *out)
{
	git_commit *c = NULL, *p = NULL;
	git_tree *t = NULL, *pt = NULL;
	git_diff *diff = NULL;
	git_diff_stats *stats = NULL;
	struct files_acc acc = { NULL, 0, 0 };
	const git_signature *a;
	char date[40];
	struct tm tm;
	time_t when;
	size_t k;
	int off, ret = -1;

	memset(out, 0, sizeof(*out));
	if (lookup(r, id, &c))
		return -1;
	git_oid_tostr(out->id, PB_OID_HEX, git_commit_id(c));
	out->n_parents = git_commit_parentcount(c);
	if (out->n_parents) {
		git_oid_tostr(out->parent, PB_OID_HEX, git_commit_parent_id(c, 0));
		out->parents = pb_xmalloc(out->n_parents * sizeof(*out->parents));
		for (k = 0; k < out->n_parents; k++)
			git_oid_tostr(out->parents[k], PB_OID_HEX, git_commit_parent_id(c, (unsigned)k));
	}
	out->subject = pb_xstrdup(git_commit_summary(c) ? git_commit_summary(c) : "");
	a = git_commit_author(c);
	out->author = pb_xasprintf("%s <%s>", a->name, a->email);
	off = a->when.offset;
	when = (time_t)a->when.time + off * 60;
	gmtime_r(&when, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	out->date = pb_xasprintf("%s%c%02d:%02d", date, off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);

	if (out->n_parents && git_commit_parent(&p, c, 0) != 0 && pb_repo_is_shallow(r)) {
		/* A shallow clone's boundary: the parent is not here, so neither are the changes. */
		out->files = pb_xcalloc(1, sizeof(*out->files));
		ret = 0;
		goto out;
	}
	if (git_commit_tree(&t, c) || (out->n_parents && (!p || git_commit_tree(&pt, p))) ||
	    git_diff_tree_to_tree(&diff, r->git, pt, t, NULL)) {
		pb_error("cannot diff commit %.7s: %s", id, git_msg());
		goto out;
	}
	acc.files = pb_xcalloc(1, sizeof(*acc.files));
	acc.cap = 1;
	git_diff_foreach(diff, file_cb, NULL, NULL, NULL, &acc);
	out->files = acc.files;
	out->n_files = acc.n;
	acc.files = NULL;
	if (git_diff_get_stats(&stats, diff) == 0) {
		out->insertions = (long)git_diff_stats_insertions(stats);
		out->deletions = (long)git_diff_stats_deletions(stats);
	}
	ret = 0;
out:
	if (ret)
		pb_commit_info_release(out);
	git_diff_stats_free(stats);
	git_diff_free(diff);
	git_tree_free(t);
	git_tree_free(pt);
	git_commit_free(p);
	git_commit_free(c);
	return ret;
}

void pb_commit_info_release(struct pb_commit_info *c)
{
	size_t i;

	for (i = 0; c->files && c->files[i]; i++)
		free(c->files[i]);
	free(c->files);
	free(c->parents);
	free(c->subject);
	free(c->author);
	free(c->date);
	memset(c, 0, sizeof(*c));
}

int pb_repo_merged(struct pb_repo *r, const struct pb_commit_info *c, char **range, size_t *n)
{
	struct pb_buf b = PB_BUF_INIT;
	git_revwalk *walk = NULL;
	git_oid oid;
	size_t k;
	int rc, ret = -1;

	*range = NULL;
	*n = 0;
	if (c->n_parents < 2)
		return 0;
	if (git_revwalk_new(&walk, r->git)) {
		pb_error("cannot list the commits merge %.7s brought in: %s", c->id, git_msg());
		goto out;
	}
	pb_buf_printf(&b, "%s..", c->parents[0]);
	for (k = 0; k < c->n_parents; k++) {
		if (k > 1)
			pb_buf_putc(&b, ' ');
		if (k > 0)
			pb_buf_puts(&b, c->parents[k]);
		if (git_oid_fromstr(&oid, c->parents[k]) ||
		    (k ? git_revwalk_push(walk, &oid) : git_revwalk_hide(walk, &oid))) {
			pb_error("cannot list the commits merge %.7s brought in: parent %.7s: %s", c->id,
				 c->parents[k], git_msg());
			goto out;
		}
	}
	while ((rc = git_revwalk_next(&oid, walk)) == 0)
		(*n)++;
	if (rc != GIT_ITEROVER) {
		pb_error("cannot list the commits merge %.7s brought in: %s", c->id, git_msg());
		goto out;
	}
	*range = pb_buf_detach(&b);
	ret = 0;
out:
	if (ret)
		*n = 0;
	pb_buf_release(&b);
	git_revwalk_free(walk);
	return ret;
}

void pb_repo_describe(struct pb_repo *r, const char *id, char *out, size_t size)
{
	git_commit *c = NULL;
	git_oid oid;

	if (git_oid_fromstr(&oid, id) == 0 && git_commit_lookup(&c, r->git, &oid) == 0) {
		snprintf(out, size, "%.7s %s", id, git_commit_summary(c) ? git_commit_summary(c) : "");
		git_commit_free(c);
	} else {
		snprintf(out, size, "%.7s", id);
	}
}

static int gitlink_cb(const char *root, const git_tree_entry *e, void *payload)
{
	(void)root;
	if (git_tree_entry_filemode(e) == GIT_FILEMODE_COMMIT) {
		*(int *)payload = 1;
		return -1; /* stop */
	}
	return 0;
}

static bool blob_contains(struct pb_repo *r, git_tree *t, const char *path, const char *needle)
{
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	bool found = false;

	if (git_tree_entry_bypath(&e, t, path) == 0 &&
	    git_blob_lookup(&b, r->git, git_tree_entry_id(e)) == 0) {
		size_t n = (size_t)git_blob_rawsize(b);
		char *s = pb_xstrndup(git_blob_rawcontent(b), n);

		found = strstr(s, needle) != NULL;
		free(s);
	}
	git_blob_free(b);
	git_tree_entry_free(e);
	return found;
}

int pb_repo_check_special(struct pb_repo *r, const char *id)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	int kinds = 0, gitlink = 0;
	char sid[8];

	short_id(id, sid);
	if (lookup(r, id, &c) || git_commit_tree(&t, c)) {
		git_commit_free(c);
		return 0;
	}
	git_tree_walk(t, GIT_TREEWALK_PRE, gitlink_cb, &gitlink);
	if (gitlink || blob_contains(r, t, ".gitmodules", "[submodule")) {
		pb_warn("%s has submodules: they are not checked out in the private worktree; a build "
			"that needs them will fail (and the commit be skipped)", sid);
		kinds++;
	}
	if (blob_contains(r, t, ".gitattributes", "filter=lfs")) {
		pb_warn("%s uses Git LFS: LFS files appear as pointer files in the private worktree",
			sid);
		kinds++;
	}
	git_tree_free(t);
	git_commit_free(c);
	return kinds;
}

git_repository *pb_repo_git(struct pb_repo *r)
{
	return r->git;
}
