/* tmpdir.c: a run's private temporary directories, named by their owner's pid, and the sweep that removes those whose owner is gone. */
#include "core/tmpdir.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

#define PREFIX "placebisect-"

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void pb_tmpdir_remove(const char *dir)
{
	if (dir)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The owner's pid in "placebisect-TAG.PID.XXXXXX"; 0 when the name is not of that form. */
static pid_t owner_of(const char *name)
{
	const char *last, *dot;
	int64_t pid;
	char digits[24];
	size_t n;

	if (strncmp(name, PREFIX, strlen(PREFIX)) != 0)
		return 0;
	last = strrchr(name, '.');
	if (!last || strlen(last + 1) != 6)
		return 0;
	for (dot = last - 1; dot > name && *dot != '.'; dot--)
		;
	n = (size_t)(last - dot - 1);
	if (*dot != '.' || n == 0 || n >= sizeof(digits))
		return 0;
	memcpy(digits, dot + 1, n);
	digits[n] = '\0';
	if (pb_parse_i64(digits, 1, INT32_MAX, &pid))
		return 0;
	return (pid_t)pid;
}

static bool running(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

void pb_tmpdir_sweep(const char *dir, bool all)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	pid_t pid;
	char *path;

	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		pid = owner_of(de->d_name);
		if (!all && !pid)
			continue;
		path = pb_xasprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0) {
			if (pid && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
				if (!running(pid))
					pb_tmpdir_remove(path);
			} else if (all) {
				pb_tmpdir_remove(path);
			}
		}
		free(path);
	}
	if (d)
		closedir(d);
}

char *pb_tmpdir_new(const char *under, const char *tag)
{
	const char *env = getenv("TMPDIR");
	const char *base = under ? under : env && *env ? env : "/tmp";
	char *dir;

	if (under && pb_mkdir_p(under))
		return NULL;
	pb_tmpdir_sweep(base, false);
	dir = pb_xasprintf("%s/" PREFIX "%s.%ld.XXXXXX", base, tag, (long)getpid());
	if (!mkdtemp(dir)) {
		pb_error_errno("cannot create a temporary directory %s", dir);
		free(dir);
		return NULL;
	}
	return dir;
}
