/* test_tmpdir.c: temporary directories named by pid; the sweep removes a dead owner's, keeps a running one's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/tmpdir.h"
#include "tests/lib/testlib.h"

/* A pid that ran and is gone (a child reaped). */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static bool exists(const char *dir, const char *name)
{
	char *p = pb_xasprintf("%s/%s", dir, name);
	struct stat st;
	bool ok = lstat(p, &st) == 0;

	free(p);
	return ok;
}

static void make(const char *dir, const char *name, bool file)
{
	char *p = pb_xasprintf("%s/%s", dir, name);

	if (file)
		pb_test_write(p, "x", 1);
	else
		assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void test_sweep(void **state)
{
	char *dir = pb_test_tmpdir(), *dead, *live, *inner;

	(void)state;
	dead = pb_xasprintf("placebisect-cg.%ld.AbC123", (long)dead_pid());
	live = pb_xasprintf("placebisect-callgrind.%ld.XyZ789", (long)getpid());
	make(dir, dead, false);
	inner = pb_xasprintf("%s/%s/cachegrind.out.1", dir, dead);
	pb_test_write(inner, "x", 1); /* not empty: removed with what is in it */
	make(dir, live, false);
	make(dir, "placebisect-cg.AbC123", false);       /* no pid: an older version's */
	make(dir, "placebisect-cg.12x.AbC123", false);   /* not a pid */
	make(dir, "placebisect-cg.1.AbC1234", false);    /* not mkdtemp's six */
	make(dir, "other", true);

	pb_tmpdir_sweep(dir, false);
	assert_false(exists(dir, dead));
	assert_true(exists(dir, live));
	assert_true(exists(dir, "placebisect-cg.AbC123"));
	assert_true(exists(dir, "placebisect-cg.12x.AbC123"));
	assert_true(exists(dir, "placebisect-cg.1.AbC1234"));
	assert_true(exists(dir, "other"));

	/* A locked state directory's tmp/: all but the running process's. */
	pb_tmpdir_sweep(dir, true);
	assert_true(exists(dir, live));
	assert_false(exists(dir, "placebisect-cg.AbC123"));
	assert_false(exists(dir, "placebisect-cg.12x.AbC123"));
	assert_false(exists(dir, "placebisect-cg.1.AbC1234"));
	assert_false(exists(dir, "other"));

	pb_test_rmtree(dir);
	free(dir);
	free(dead);
	free(live);
	free(inner);
}

static void test_new(void **state)
{
	char *dir = pb_test_tmpdir(), *under = pb_xasprintf("%s/a/b", dir), *t, *prefix, *dead;

	(void)state;
	dead = pb_xasprintf("placebisect-cg.%ld.AbC123", (long)dead_pid());
	/* `under` is made when missing; a killed run's directory there is swept first. */
	t = pb_tmpdir_new(under, "cg");
	assert_non_null(t);
	prefix = pb_xasprintf("%s/placebisect-cg.%ld.", under, (long)getpid());
	assert_int_equal(strncmp(t, prefix, strlen(prefix)), 0);
	assert_int_equal(strlen(t), strlen(prefix) + 6);
	make(under, dead, false);
	pb_tmpdir_remove(t);
	free(t);
	t = pb_tmpdir_new(under, "cg");
	assert_non_null(t);
	assert_false(exists(under, dead));
	pb_tmpdir_remove(t);
	assert_int_equal(access(t, F_OK), -1);
	pb_tmpdir_remove(NULL);
	/* Where it cannot be made: NULL, the error names it. */
	free(t);
	{
		char *blocked = pb_xasprintf("%s/file", dir);

		pb_test_write(blocked, "x", 1);
		assert_null(pb_tmpdir_new(blocked, "cg"));
		free(blocked);
	}
	pb_test_rmtree(dir);
	free(dir);
	free(under);
	free(prefix);
	free(dead);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
