/* input.c: the one place input files are opened: no hang on a FIFO, nothing but regular files. */
#include "core/input.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

static const char *kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a file";
}

int pb_input_open(const char *path, long long *size)
{
	struct stat st;
	int fd, flags;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return pb_error("cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		pb_error("cannot stat %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pb_error("%s: not a regular file (%s): give the path of a file", path, kind(st.st_mode));
		goto fail;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		pb_error("cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	if (size)
		*size = (long long)st.st_size;
	return fd;
fail:
	close(fd);
	return -1;
}
