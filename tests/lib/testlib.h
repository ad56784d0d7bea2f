/* testlib.h: helpers for the unit tests: temporary directories, files, compiling fixtures. */
#ifndef PB_TESTLIB_H
#define PB_TESTLIB_H

#include <stddef.h>

/* A fresh temporary directory (removed by pb_test_rmtree). Caller frees the path. */
char *pb_test_tmpdir(void);
/* rm -rf path. */
void pb_test_rmtree(const char *path);
/* Write a file (aborts the test program on failure). */
void pb_test_write(const char *path, const char *data, size_t len);
/* Run a shell command; returns its exit status (or -1). */
int pb_test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
