/* atomic.c: crash-safe file writes: temp + fsync + rename, fsynced appends, mkdir -p. */
#include "core/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
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

static char *dir_of(const char *path)
{
	char *copy = pb_xstrdup(path), *d = pb_xstrdup(dirname(copy));

	free(copy);
	return d;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* Best effort: some file systems refuse fsync on directories; the rename already happened. */
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int pb_atomic_write(const char *path, const void *data, size_t len)
{
	char *dir = dir_of(path), *tmp = pb_xasprintf("%s.tmp.XXXXXX", path);
	mode_t mask;
	int fd, ret = -1;

	fd = mkstemp(tmp);
	if (fd < 0) {
		pb_error_errno("cannot write %s (creating a temporary file in %s)", path, dir);
		goto out;
	}
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0644 & ~mask);
	if (write_all(fd, data, len) || fsync(fd)) {
		pb_error_errno("cannot write %s", path);
		goto fail;
	}
	if (close(fd)) {
		fd = -1;
		pb_error_errno("cannot write %s", path);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path)) {
		pb_error_errno("cannot replace %s", path);
		goto fail;
	}
	fsync_dir(dir);
	ret = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return ret;
}

int pb_append_sync(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	int ret = 0;

	if (fd < 0)
		return pb_error_errno("cannot open %s for appending", path);
	if (write_all(fd, data, len) || fsync(fd))
		ret = pb_error_errno("cannot append to %s", path);
	close(fd);
	return ret;
}

int pb_mkdir_p(const char *path)
{
	char *p = pb_xstrdup(path), *s;
	struct stat st;
	int ret = 0;

	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			ret = pb_error_errno("cannot create directory %s", p);
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	if (!ret && (stat(path, &st) || !S_ISDIR(st.st_mode)))
		ret = pb_error_as(PB_EXIT_ENV, "cannot create directory %s: a file is in the way", path);
	free(p);
	return ret;
}
