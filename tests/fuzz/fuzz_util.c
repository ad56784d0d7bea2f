/* fuzz_util.c: helpers for the libFuzzer harnesses (see fuzz_util.h). */
#include "tests/fuzz/fuzz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"

int pb_fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_len)
{
	int fd = memfd_create("pb_fuzz", 0);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

void pb_fuzz_failed_with_message(void)
{
	if (!*pb_error_message())
		abort();
	pb_error_clear();
}
