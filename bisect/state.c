/* state.c: the state directory: its lock (core/lock.h), atomic measurement cache, fsynced journal. */
#include "bisect/state.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/error.h"
#include "core/json.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/tmpdir.h"
#include "bisect/repo.h"

int pb_state_open(struct pb_state *st, const char *gitdir)
{
	st->dir = pb_xasprintf("%s/placebisect", gitdir);
	st->tmp = pb_xasprintf("%s/tmp", st->dir);
	st->lock_fd = -1;
	return pb_mkdir_p(st->dir);
}

void pb_state_close(struct pb_state *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* releases the flock */
	free(st->dir);
	free(st->tmp);
	st->dir = st->tmp = NULL;
	st->lock_fd = -1;
}

char *pb_state_path(const struct pb_state *st, const char *fmt, ...)
{
	struct pb_buf b = PB_BUF_INIT;
	va_list ap;

	pb_buf_printf(&b, "%s/", st->dir);
	va_start(ap, fmt);
	pb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return pb_buf_detach(&b);
}

/*
 * A temporary file of pb_atomic_write ("NAME.tmp.XXXXXX") that a killed run left behind. The
 * private worktree is the build's, not ours: its files are never looked at.
 */
static int remove_stale_temp(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	const char *name = path + ftw->base, *tmp;

	(void)sb;
	if (type == FTW_D && ftw->level == 1 && strcmp(name, "worktree") == 0)
		return FTW_SKIP_SUBTREE;
	tmp = strstr(name, ".tmp.");
	if (type == FTW_F && tmp && tmp > name && strlen(tmp) == strlen(".tmp.XXXXXX"))
		unlink(path);
	return FTW_CONTINUE;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT ? -1 : 0;
}

int pb_state_lock(struct pb_state *st)
{
	char *path = pb_state_path(st, "lock");
	int ret = -1;

	st->lock_fd = pb_lock_take(path, 0, "is bisecting this repository",
				   "wait for it to finish or stop it");
	if (st->lock_fd < 0)
		goto out;
	/* Holding the lock, no other bisect writes here: a temporary file is a killed run's, and so
	 * is what is left in tmp/ (a cachegrind run's output directory), but for the directories of
	 * running commands that take no lock (annotate, profile, measure without --rev). */
	nftw(st->dir, remove_stale_temp, 16, FTW_PHYS | FTW_ACTIONRETVAL);
	pb_tmpdir_sweep(st->tmp, true);
	ret = pb_mkdir_p(st->tmp);
out:
	free(path);
	return ret;
}

char *pb_state_tmp_of(const char *start)
{
	char *top = NULL, *gitdir = NULL, *tmp = NULL;

	if (pb_repo_discover(&top, &gitdir, start) == 0 && access(gitdir, W_OK) == 0)
		tmp = pb_xasprintf("%s/placebisect/tmp", gitdir);
	pb_error_clear();
	free(top);
	free(gitdir);
	return tmp;
}

static char *cache_file(const struct pb_state *st, const char *key, const char *commit)
{
	return pb_state_path(st, "measurements/%s/%s.json", key, commit);
}

int pb_state_cache_load(const struct pb_state *st, const char *key, const char *commit,
			struct pb_measurement *m)
{
	char *path = cache_file(st, key, commit);
	int ret;

	if (access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	ret = pb_measurement_read(m, path) ? -1 : 1;
	free(path);
	return ret;
}

int pb_state_cache_save(const struct pb_state *st, const char *key, const char *commit,
			const struct pb_measurement *m)
{
	char *dir = pb_state_path(st, "measurements/%s", key), *path = cache_file(st, key, commit);
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_jsonw w;
	int ret = -1;

	if (pb_mkdir_p(dir))
		goto out;
	pb_jsonw_init(&w, &doc, true);
	pb_measurement_write(m, &w);
	pb_jsonw_finish(&w);
	ret = pb_atomic_write(path, doc.data, doc.len);
out:
	pb_buf_release(&doc);
	free(dir);
	free(path);
	return ret;
}

void pb_state_cache_drop(const struct pb_state *st, const char *key, const char *commit)
{
	char *path = cache_file(st, key, commit);

	unlink(path);
	free(path);
}

int pb_state_cache_drop_key(const struct pb_state *st, const char *key, size_t *dropped)
{
	char *dir = pb_state_path(st, "measurements/%s", key);
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	*dropped = 0;
	if (!d) {
		free(dir);
		return 0; /* nothing cached */
	}
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".json"))
			(*dropped)++;
	closedir(d);
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		ret = pb_error_errno("cannot remove the cached measurements %s", dir);
	free(dir);
	return ret;
}

int pb_state_journal_append(const struct pb_state *st, const struct pb_buf *line)
{
	char *path = pb_state_path(st, "journal");
	struct pb_buf b = PB_BUF_INIT;
	int ret;

	pb_buf_add(&b, line->data, line->len);
	pb_buf_putc(&b, '\n');
	ret = pb_append_sync(path, b.data, b.len);
	pb_buf_release(&b);
	free(path);
	return ret;
}

int pb_state_journal_read(const struct pb_state *st, struct pb_json **events)
{
	char *path = pb_state_path(st, "journal");
	struct pb_buf raw = PB_BUF_INIT, arr = PB_BUF_INIT, good = PB_BUF_INIT;
	struct pb_json *one;
	size_t start = 0, end, lineno = 0;
	int ret = -1;

	*events = NULL;
	if (access(path, F_OK) == 0 && pb_buf_read_file(&raw, path))
		goto out;
	pb_buf_putc(&arr, '[');
	while (start < raw.len) {
		end = start;
		while (end < raw.len && raw.data[end] != '\n')
			end++;
		lineno++;
		if (pb_json_parse(&one, raw.data + start, end - start, path) != 0) {
			if (end < raw.len) {
				/* Damage in the middle is not a torn write: refuse, keep the file. */
				pb_error("%s: line %zu is not a journal record (%s); remove the file or run "
					 "with --reset", path, lineno, pb_error_message());
				goto out;
			}
			pb_warn("%s: the last line was cut short (interrupted write); dropped it", path);
			if (pb_atomic_write(path, good.data, good.len))
				goto out;
			break;
		}
		pb_json_free(one);
		if (good.len)
			pb_buf_putc(&arr, ',');
		pb_buf_add(&arr, raw.data + start, end - start);
		pb_buf_add(&good, raw.data + start, end - start);
		pb_buf_putc(&good, '\n');
		start = end + 1;
	}
	/* A last record without its newline would fuse with the next append: rewrite it whole. */
	if (raw.len && raw.data[raw.len - 1] != '\n' && pb_atomic_write(path, good.data, good.len))
		goto out;
	pb_buf_putc(&arr, ']');
	ret = pb_json_parse(events, arr.data, arr.len, path);
out:
	pb_buf_release(&raw);
	pb_buf_release(&arr);
	pb_buf_release(&good);
	free(path);
	return ret;
}

int pb_state_journal_reset(const struct pb_state *st)
{
	char *path = pb_state_path(st, "journal");
	int ret = 0;

	if (unlink(path) != 0 && errno != ENOENT)
		ret = pb_error_errno("cannot remove %s", path);
	free(path);
	return ret;
}
