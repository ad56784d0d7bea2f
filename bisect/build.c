/* build.c: one build per commit: checkout, build.command in the worktree, artifacts into the cache. */
#include "bisect/build.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bisect/buildtick.h"
#include "core/atomic.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/proc.h"
#include "core/util.h"

static void push_env(struct pb_builder *b, const char *kv)
{
	size_t n = 0;

	while (b->env[n])
		n++;
	b->env = pb_xrealloc(b->env, (n + 2) * sizeof(*b->env));
	b->env[n] = pb_xstrdup(kv);
	b->env[n + 1] = NULL;
}

/* A build step's process: `shell` in the worktree, the build's environment and timeout, into the log. */
static void step_opts(const struct pb_builder *b, const char *shell, int logfd, struct pb_proc_opts *o)
{
	o->shell = shell;
	o->cwd = b->wt->dir;
	o->env_set = (const char *const *)b->env;
	o->env_pass = (const char *const *)b->cfg->build.env_pass;
	o->timeout_s = b->cfg->build.timeout;
	o->stdout_fd = logfd;
	o->merge_stderr = true;
}

/* build.clean in the worktree, its output appended to the log; a failure fails the build. */
static int run_clean(struct pb_builder *b, int logfd, char **reason)
{
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result res;
	char desc[96];
	int ret;

	memset(&res, 0, sizeof(res));
	step_opts(b, b->cfg->build.clean, logfd, &o);
	if (pb_proc_run(&o, &res))
		return -1;
	ret = res.exited && res.status == 0 ? 0 : 1;
	if (ret) {
		pb_proc_describe(&res, o.timeout_s, desc, sizeof(desc));
		*reason = pb_xasprintf("build.clean failed (%s)", desc);
	}
	pb_proc_result_release(&res);
	return ret;
}

int pb_builder_init(struct pb_builder *b, struct pb_repo *repo, struct pb_worktree *wt,
		    const struct pb_state *st, const struct pb_config *cfg)
{
	memset(b, 0, sizeof(*b));
	if (!cfg->build.command)
		return pb_error("%s: build.command is required to bisect (the shell command that builds "
				"a revision in its worktree, e.g. \"make -j2\")",
				cfg->path ? cfg->path : "the configuration");
	b->repo = repo;
	b->wt = wt;
	b->st = st;
	b->cfg = cfg;
	b->cache_dir = pb_state_path(st, "builds/%016llx", (unsigned long long)pb_config_build_hash(cfg));
	b->env = pb_xcalloc(1, sizeof(*b->env));
	for (size_t i = 0; cfg->build.env[i]; i++)
		push_env(b, cfg->build.env[i]);
	return pb_mkdir_p(b->cache_dir);
}

int pb_builder_init_variant(struct pb_builder *b, struct pb_repo *repo, struct pb_worktree *wt,
			    const struct pb_state *st, const struct pb_config *cfg,
			    const struct pb_layout_variant *v)
{
	if (!cfg->build.clean)
		return pb_error("%s: build.layout_variants needs build.clean (the command that removes "
				"the build's outputs, e.g. \"make clean\"): without it a variant would "
				"reuse objects built without its settings",
				cfg->path ? cfg->path : "the configuration");
	if (pb_builder_init(b, repo, wt, st, cfg))
		return -1;
	b->variant = v;
	free(b->cache_dir);
	b->cache_dir = pb_state_path(st, "builds/%016llx-%s",
				     (unsigned long long)pb_config_build_hash(cfg), v->name);
	for (size_t i = 0; v->env[i]; i++)
		push_env(b, v->env[i]);
	return pb_mkdir_p(b->cache_dir);
}

void pb_builder_release(struct pb_builder *b)
{
	for (size_t i = 0; i < b->n_timed_out; i++)
		free(b->timed_out[i]);
	free(b->timed_out);
	for (size_t i = 0; b->env && b->env[i]; i++)
		free(b->env[i]);
	free(b->env);
	free(b->cache_dir);
	memset(b, 0, sizeof(*b));
}

void pb_build_release(struct pb_build *bd)
{
	free(bd->dir);
	free(bd->binary);
	free(bd->prefix);
	free(bd->log);
	free(bd->reason);
	memset(bd, 0, sizeof(*bd));
}

/* write() until all of it is written: a short write (the disk filling up) says why on the next. */
static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int copy_file(const char *src, const char *dst)
{
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int in, out, ret = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return pb_error_errno("cannot read %s", src);
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return pb_error("%s is not a regular file", src);
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0777);
	if (out < 0) {
		close(in);
		return pb_error_errno("cannot write %s", dst);
	}
	while ((n = read(in, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(out, chunk, (size_t)n)) {
			ret = pb_error_errno("cannot copy %s to %s", src, dst);
			break;
		}
	}
	/* The source's times too, as cp -a: a cached stdlib's byte-code caches (CPython checks each
	 * .pyc against its .py's mtime) and make-style timestamps stay valid in the copy. */
	if (ret == 0 && futimens(out, (struct timespec[2]){ st.st_atim, st.st_mtim }) != 0)
		ret = pb_error_errno("cannot set the times of %s", dst);
	if (ret == 0 && fsync(out) != 0)
		ret = pb_error_errno("cannot write %s", dst);
	close(in);
	close(out);
	return ret;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* rm -rf, best effort and silent: used on our own cache entries only. */
static void remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int write_meta(const char *dir, bool ok, bool timed_out, double seconds, const char *reason,
		      const char *log)
{
	char *path = pb_xasprintf("%s/meta.json", dir);
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_jsonw w;
	int ret;

	pb_jsonw_init(&w, &doc, false);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "schema", "placebisect.build/1");
	pb_jsonw_bool(&w, "ok", ok);
	if (timed_out)
		pb_jsonw_bool(&w, "timed_out", true);
	pb_jsonw_number(&w, "seconds", seconds);
	pb_jsonw_string(&w, "reason", reason);
	pb_jsonw_string(&w, "log", log);
	pb_jsonw_end(&w);
	pb_jsonw_finish(&w);
	ret = pb_atomic_write(path, doc.data, doc.len);
	pb_buf_release(&doc);
	free(path);
	return ret;
}

#define PREFIX_PH "{prefix}/"

/* The binary's file name inside the cache directory: its name, or its path in the prefix. */
static char *cached_binary(const struct pb_builder *b, const char *dir)
{
	char *copy, *name;

	if (!b->cfg->build.binary)
		return NULL;
	if (strncmp(b->cfg->build.binary, PREFIX_PH, strlen(PREFIX_PH)) == 0)
		return pb_xasprintf("%s/prefix/%s", dir, b->cfg->build.binary + strlen(PREFIX_PH));
	copy = pb_xstrdup(b->cfg->build.binary);
	name = pb_xasprintf("%s/%s", dir, basename(copy));
	free(copy);
	return name;
}

static bool timed_out_here(const struct pb_builder *b, const char *id)
{
	for (size_t i = 0; i < b->n_timed_out; i++)
		if (strcmp(b->timed_out[i], id) == 0)
			return true;
	return false;
}

/* The per-commit artifact tree being copied: where it goes. */
static const char *tree_src, *tree_dst;
static int tree_rc;

static int copy_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	char *dst = pb_xasprintf("%s%s", tree_dst, path + strlen(tree_src));
	char link[4096];
	ssize_t n;
	int rc = 0;

	(void)ftw;
	if (flag == FTW_D) {
		if (mkdir(dst, (sb->st_mode & 0777) | 0700) != 0 && errno != EEXIST)
			rc = pb_error_errno("cannot create %s", dst);
	} else if (flag == FTW_SL) {
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0 || (link[n] = '\0', symlink(link, dst) != 0) ||
		    utimensat(AT_FDCWD, dst, (struct timespec[2]){ sb->st_atim, sb->st_mtim },
			      AT_SYMLINK_NOFOLLOW) != 0)
			rc = pb_error_errno("cannot copy the link %s", path);
	} else if (flag == FTW_F && S_ISREG(sb->st_mode)) {
		rc = copy_file(path, dst);
	}
	free(dst);
	tree_rc = rc;
	return rc ? 1 : 0;
}

/* cp -a of the directory src to dst (created with its parents), links kept as links. 0 or -1. */
static int copy_tree(const char *src, const char *dst)
{
	char *parent = pb_xstrdup(dst), *slash = strrchr(parent, '/');
	int ret;

	if (slash)
		*slash = '\0';
	ret = slash ? pb_mkdir_p(parent) : 0;
	free(parent);
	if (ret)
		return -1;
	tree_src = src;
	tree_dst = dst;
	tree_rc = 0;
	if (nftw(src, copy_entry, 16, FTW_PHYS) != 0 && tree_rc == 0)
		return pb_error_errno("cannot copy %s", src);
	return tree_rc;
}

/* One build.artifacts entry into the commit's directory: a file by name, a directory by its path. */
static int copy_artifact(const char *worktree, const char *rel, const char *dir)
{
	char *src = pb_xasprintf("%s/%s", worktree, rel), *copy = pb_xstrdup(rel), *dst;
	struct stat st;
	int rc;

	if (stat(src, &st) == 0 && S_ISDIR(st.st_mode)) {
		while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
			copy[strlen(copy) - 1] = '\0';
		free(src);
		src = pb_xasprintf("%s/%s", worktree, copy);
		dst = pb_xasprintf("%s/%s", dir, copy);
		rc = copy_tree(src, dst);
	} else {
		dst = pb_xasprintf("%s/%s", dir, basename(copy));
		rc = copy_file(src, dst);
	}
	free(src);
	free(dst);
	free(copy);
	return rc;
}

/* build.install with {prefix}, in the worktree, into the log; 1 (and *reason) when it failed. */
static int run_install(struct pb_builder *b, const char *prefix, int logfd, char **reason)
{
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result res;
	char *cmd, desc[96];
	int ret;

	memset(&res, 0, sizeof(res));
	cmd = pb_config_expand(b->cfg->build.install, &(struct pb_placeholders){
		.worktree = b->wt->dir, .config_dir = b->cfg->dir, .prefix = prefix });
	step_opts(b, cmd, logfd, &o);
	if (pb_mkdir_p(prefix) || pb_proc_run(&o, &res)) {
		free(cmd);
		pb_proc_result_release(&res);
		return -1;
	}
	ret = res.exited && res.status == 0 ? 0 : 1;
	if (ret) {
		pb_proc_describe(&res, o.timeout_s, desc, sizeof(desc));
		*reason = pb_xasprintf("build.install failed (%s)", desc);
	}
	free(cmd);
	pb_proc_result_release(&res);
	return ret;
}

/*
 * The cache entry in `dir`: 0 with *out filled (a success, or a failure to report as cached),
 * 1 when it is not to be used and the commit is built again: damaged (a meta.json that does not
 * parse, lacks its keys, or a success whose binary is missing), a failure while rebuild_failed is
 * set, or a timeout from an earlier run (a timeout says more about the machine's load then than
 * about the commit). Warns or notes why.
 */
static int from_cache(struct pb_builder *b, const char *id, const char *dir, struct pb_build *out)
{
	char *meta = pb_xasprintf("%s/meta.json", dir);
	struct pb_json *doc = NULL;
	const char *reason, *log;
	int ret = 1;
	bool ok;

	if (pb_json_parse_file(&doc, meta)) {
		pb_warn("discarding a damaged build record, %.7s is built again: %s", id, pb_error_message());
		pb_error_clear();
		goto out;
	}
	if (!pb_json_string(pb_json_get(doc, "schema"), NULL) || !pb_json_get(doc, "ok") ||
	    (pb_json_bool(pb_json_get(doc, "ok"), true) != pb_json_bool(pb_json_get(doc, "ok"), false))) {
		pb_warn("discarding a damaged build record, %.7s is built again: %s has no schema or "
			"no boolean 'ok'", id, meta);
		goto out;
	}
	ok = pb_json_bool(pb_json_get(doc, "ok"), false);
	out->binary = ok ? cached_binary(b, dir) : NULL;
	if (out->binary && access(out->binary, F_OK) != 0) {
		pb_warn("discarding a damaged build record, %.7s is built again: its binary %s is missing",
			id, out->binary);
		goto out;
	}
	if (!ok && b->rebuild_failed) {
		pb_note("building %.7s again (--rebuild-failed): it failed in an earlier run", id);
		goto out;
	}
	if (!ok && pb_json_bool(pb_json_get(doc, "timed_out"), false) && !timed_out_here(b, id)) {
		pb_note("building %.7s again: it timed out in an earlier run (build.timeout %g s)", id,
			b->cfg->build.timeout);
		goto out;
	}
	if (b->cfg->build.install)
		out->prefix = pb_xasprintf("%s/prefix", dir);
	out->ok = ok;
	out->seconds = pb_json_number(pb_json_get(doc, "seconds"), 0);
	reason = pb_json_string(pb_json_get(doc, "reason"), NULL);
	log = pb_json_string(pb_json_get(doc, "log"), NULL);
	if (!ok)
		out->reason = pb_xasprintf("%s (from the build cache: it failed in an earlier run; "
					   "--rebuild-failed builds it again)", reason ? reason : "failed");
	if (log)
		out->log = pb_xstrdup(log);
	out->cached = true;
	b->cached++;
	ret = 0;
out:
	if (ret) {
		free(out->binary);
		out->binary = NULL;
	}
	pb_json_free(doc);
	free(meta);
	return ret;
}

int pb_builder_get(struct pb_builder *b, const char *id, struct pb_build *out)
{
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result res;
	char *meta = NULL, *logdir = NULL, desc[96], **a;
	int64_t t0;
	int logfd = -1, ret = -1, clean_rc = 0;
	char *clean_reason = NULL;
	bool ok;

	memset(out, 0, sizeof(*out));
	memset(&res, 0, sizeof(res));
	out->dir = pb_xasprintf("%s/%s", b->cache_dir, id);
	meta = pb_xasprintf("%s/meta.json", out->dir);
	if (access(meta, F_OK) == 0 && from_cache(b, id, out->dir, out) == 0) {
		ret = 0;
		goto out;
	}

	if (pb_worktree_checkout(b->wt, b->repo, id))
		goto out;
	logdir = pb_state_path(b->st, "logs");
	if (pb_mkdir_p(logdir))
		goto out;
	out->log = b->variant ? pb_xasprintf("%s/build-%s-%s.log", logdir, id, b->variant->name) :
				pb_xasprintf("%s/build-%s.log", logdir, id);
	logfd = open(out->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		pb_error_errno("cannot write the build log %s", out->log);
		goto out;
	}
	step_opts(b, b->cfg->build.command, logfd, &o);
	t0 = pb_now_ns();
	if (b->variant && (clean_rc = run_clean(b, logfd, &clean_reason)) < 0)
		goto out;
	if (clean_rc > 0) {
		res.exited = true; /* reported as the build's failure below */
		res.status = 1;
	} else {
		struct pb_buildtick tick;
		int rc;

		pb_buildtick_start(&tick, b->progress, id, out->log);
		rc = pb_proc_run(&o, &res);
		pb_buildtick_stop(&tick);
		if (rc) {
			pb_error_wrap("building %.7s: ", id);
			goto out;
		}
	}
	out->seconds = (double)(pb_now_ns() - t0) / 1e9;
	b->built++;
	if (res.interrupted) {
		ret = pb_error_as(PB_EXIT_INTERRUPTED, "interrupted while building %.7s", id);
		goto out;
	}
	ok = res.exited && res.status == 0;
	if (clean_reason) {
		out->reason = pb_xasprintf("%s; see %s", clean_reason, out->log);
	} else if (!ok) {
		pb_proc_describe(&res, o.timeout_s, desc, sizeof(desc));
		char last[160];

		pb_buildtick_last_line(out->log, last, sizeof(last));
		out->reason = last[0] ? pb_xasprintf("build.command failed (%s), its last line \"%s\"; "
						     "see %s", desc, last, out->log) :
					pb_xasprintf("build.command failed (%s); see %s", desc, out->log);
	}

	/* The cache entry is assembled in place: an install's prefix gets baked into what it
	 * installs, so it must be the final path. meta.json, written last, marks it complete;
	 * leftovers of an interrupted earlier attempt go first. */
	remove_tree(out->dir);
	if (pb_mkdir_p(out->dir))
		goto out;
	if (b->cfg->build.install) {
		out->prefix = pb_xasprintf("%s/prefix", out->dir);
		if (ok) {
			struct pb_buildtick tick;
			int rc;

			pb_buildtick_start(&tick, b->progress, id, out->log);
			rc = run_install(b, out->prefix, logfd, &clean_reason);
			pb_buildtick_stop(&tick);

			if (rc < 0)
				goto out;
			if (rc > 0) {
				ok = false;
				out->reason = pb_xasprintf("%s; see %s", clean_reason, out->log);
			}
		}
	}
	if (ok && b->cfg->build.binary) {
		bool in_prefix = strncmp(b->cfg->build.binary, PREFIX_PH, strlen(PREFIX_PH)) == 0;
		char *src = in_prefix ? cached_binary(b, out->dir) :
					pb_xasprintf("%s/%s", b->wt->dir, b->cfg->build.binary);
		int rc = 0;

		out->binary = cached_binary(b, out->dir);
		if (in_prefix && !out->prefix) {
			ok = false;
			out->reason = pb_xasprintf("build.binary '%s' names a file in {prefix}, but "
						   "build.install is not configured",
						   b->cfg->build.binary);
		} else if (access(src, F_OK) != 0) {
			ok = false;
			out->reason = pb_xasprintf("build.binary '%s' was not produced by the build%s; "
						   "see %s", b->cfg->build.binary,
						   in_prefix ? " and install" : "", out->log);
		} else if (!in_prefix) {
			rc = copy_file(src, out->binary); /* a disk error, not the build's fault */
		}
		free(src);
		if (rc)
			goto out;
	}
	for (a = b->cfg->build.artifacts; ok && a && *a; a++) {
		if (copy_artifact(b->wt->dir, *a, out->dir)) {
			ok = false;
			out->reason = pb_xasprintf("build artifact '%s': %s", *a, pb_error_message());
		}
	}
	if (!ok) {
		free(out->binary);
		out->binary = NULL;
	}
	out->ok = ok;
	if (res.timed_out) {
		pb_xgrow((void **)&b->timed_out, &b->timed_out_cap, b->n_timed_out + 1, sizeof(*b->timed_out));
		b->timed_out[b->n_timed_out++] = pb_xstrdup(id);
	}
	if (write_meta(out->dir, ok, res.timed_out, out->seconds, out->reason, out->log))
		goto out;
	ret = 0;
out:
	/* A variant leaves the worktree clean for the ordinary builds that may follow. */
	if (b->variant && logfd >= 0 && clean_rc == 0 && run_clean(b, logfd, &clean_reason) < 0)
		ret = -1;
	free(clean_reason);
	if (ret != 0 && out->dir && access(meta, F_OK) != 0)
		remove_tree(out->dir);
	if (logfd >= 0)
		close(logfd);
	pb_proc_result_release(&res);
	free(meta);
	free(logdir);
	return ret;
}

int pb_builder_get_binary(struct pb_builder *b, const char *id, char **binary, char **prefix, char **error)
{
	struct pb_build bd;

	*binary = *prefix = NULL;
	if (pb_builder_get(b, id, &bd)) {
		pb_build_release(&bd);
		if (pb_error_exit_code() == PB_EXIT_INTERRUPTED)
			return -1;
		*error = pb_xstrdup(pb_error_message());
		return 0;
	}
	if (!bd.ok)
		*error = pb_xasprintf("%.7s: %s", id, bd.reason ? bd.reason : "build failed");
	else if (!bd.binary)
		*error = pb_xstrdup("build.binary is not configured: nothing to run");
	else
		*binary = pb_xstrdup(bd.binary);
	if (*binary && bd.prefix)
		*prefix = pb_xstrdup(bd.prefix);
	pb_build_release(&bd);
	return 0;
}
