/* test_atomic.c: a failed atomic write leaves the previous file byte-identical and no temp file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "core/atomic.h"
#include "core/buf.h"
#include "tests/lib/testlib.h"

static int count_entries(const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	while ((d = readdir(dp)))
		n += d->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void test_write_and_replace(void **state)
{
	char *dir = pb_test_tmpdir(), *path = pb_xasprintf("%s/r.json", dir);
	struct pb_buf b = PB_BUF_INIT;
	struct stat st;

	(void)state;
	assert_int_equal(pb_atomic_write(path, "first", 5), 0);
	assert_int_equal(pb_atomic_write(path, "second", 6), 0);
	assert_int_equal(pb_buf_read_file(&b, path), 0);
	assert_string_equal(b.data, "second");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644 & ~(mode_t)022 & 0777 ? st.st_mode & 0777 : 0);
	assert_int_equal(count_entries(dir), 1);
	pb_buf_release(&b);
	free(path);
	pb_test_rmtree(dir);
	free(dir);
}

/* A write that fails half-way (file size limit: EFBIG, as ENOSPC would) changes nothing. */
static void test_failed_write_keeps_old_file(void **state)
{
	char *dir = pb_test_tmpdir(), *path = pb_xasprintf("%s/r.json", dir);
	struct rlimit old, small = { 100, 100 };
	struct pb_buf b = PB_BUF_INIT;
	char big[4096];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(pb_atomic_write(path, "{\"old\": true}\n", 14), 0);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	setrlimit(RLIMIT_FSIZE, &small);
	assert_int_equal(pb_atomic_write(path, big, sizeof(big)), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_non_null(strstr(pb_error_message(), "cannot write "));
	assert_non_null(strstr(pb_error_message(), "r.json: File too large"));
	assert_int_equal(pb_error_exit_code(), PB_EXIT_ENV);
	assert_int_equal(pb_buf_read_file(&b, path), 0);
	assert_string_equal(b.data, "{\"old\": true}\n");
	assert_int_equal(count_entries(dir), 1); /* no temporary file left */
	pb_buf_release(&b);
	free(path);
	pb_test_rmtree(dir);
	free(dir);
}

static void test_missing_dir_and_mkdir(void **state)
{
	char *dir = pb_test_tmpdir(), *deep = pb_xasprintf("%s/a/b/c", dir);
	char *file = pb_xasprintf("%s/a/b/c/j", dir);
	struct pb_buf b = PB_BUF_INIT;

	(void)state;
	assert_int_equal(pb_atomic_write(file, "x", 1), -1);
	assert_non_null(strstr(pb_error_message(), "No such file or directory"));
	assert_int_equal(pb_mkdir_p(deep), 0);
	assert_int_equal(pb_mkdir_p(deep), 0); /* idempotent */
	assert_int_equal(pb_append_sync(file, "a\n", 2), 0);
	assert_int_equal(pb_append_sync(file, "b\n", 2), 0);
	assert_int_equal(pb_buf_read_file(&b, file), 0);
	assert_string_equal(b.data, "a\nb\n");
	pb_buf_release(&b);
	free(deep);
	free(file);
	pb_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_and_replace),
		cmocka_unit_test(test_failed_write_keeps_old_file),
		cmocka_unit_test(test_missing_dir_and_mkdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
