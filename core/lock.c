/* lock.c: flock-based exclusive locks whose file names the holder, with a bounded wait. */
#include "core/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/util.h"

/* How often a waiting process tries again. */
#define RETRY_NS 50000000L

int pb_lock_take(const char *path, double wait_seconds, const char *doing, const char *hint)
{
	const struct timespec pause = { 0, RETRY_NS };
	int64_t deadline = pb_now_ns() + (int64_t)(wait_seconds * 1e9);
	char pid[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return pb_error_errno("cannot open the lock %s", path);
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			pb_error_errno("cannot lock %s", path);
			close(fd);
			return -1;
		}
		if (pb_now_ns() < deadline) {
			nanosleep(&pause, NULL);
			continue;
		}
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		pb_error_as(PB_EXIT_ENV, "another placebisect (pid %s) %s; %s (lock: %s)",
			    pid[0] ? pid : "?", doing, hint, path);
		close(fd);
		return -1;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, pid, strlen(pid), 0);
	return fd;
}
