/* testlib.c: temporary directories, files and shell helpers for unit tests. */
#include "tests/lib/testlib.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/buf.h"

char *pb_test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = pb_xasprintf("%s/pbtest.XXXXXX", base && *base ? base : "/tmp");

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		abort();
	}
	return tmpl;
}

int pb_test_sh(const char *fmt, ...)
{
	struct pb_buf cmd = PB_BUF_INIT;
	va_list ap;
	int st;

	va_start(ap, fmt);
	pb_buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	st = system(cmd.data);
	pb_buf_release(&cmd);
	return st < 0 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

void pb_test_rmtree(const char *path)
{
	if (path && strncmp(path, "/tmp/", 5) == 0)
		pb_test_sh("rm -rf '%s'", path);
}

void pb_test_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		abort();
	}
}
