/* test_proc.c: the runner: status and signals, timeouts that reach setsid grandchildren, large
 * outputs without deadlock, the environment allow-list, affinity, hooks, interruption. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "core/buf.h"
#include "core/proc.h"
#include "tests/lib/testlib.h"

static int run_sh(const char *cmd, double timeout, struct pb_proc_result *res)
{
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;

	o.shell = cmd;
	o.timeout_s = timeout;
	o.grace_s = 0.5;
	return pb_proc_run(&o, res);
}

static pid_t read_pid(const char *path)
{
	struct pb_buf b = PB_BUF_INIT;
	long v;

	assert_int_equal(pb_buf_read_file(&b, path), 0);
	v = strtol(b.data, NULL, 10);
	pb_buf_release(&b);
	return (pid_t)v;
}

static void test_status_and_signal(void **state)
{
	struct pb_proc_result r;
	char desc[64];

	(void)state;
	assert_int_equal(run_sh("echo out; echo err >&2; exit 3", 0, &r), 0);
	assert_true(r.exited);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.out.data, "out\n");
	assert_string_equal(r.err.data, "err\n");
	pb_proc_describe(&r, 0, desc, sizeof(desc));
	assert_string_equal(desc, "exit 3");
	pb_proc_result_release(&r);

	assert_int_equal(run_sh("kill -SEGV $$", 0, &r), 0);
	assert_false(r.exited);
	assert_int_equal(r.signal, SIGSEGV);
	pb_proc_describe(&r, 0, desc, sizeof(desc));
	assert_string_equal(desc, "killed by SIGSEGV");
	pb_proc_result_release(&r);
}

static void test_exec_failure(void **state)
{
	const char *argv[] = { "/nonexistent/prog", "x", NULL };
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result r;

	(void)state;
	/*
	 * valgrind runs posix_spawn's CLONE_VFORK child as a plain fork, so a failed exec or chdir
	 * becomes the child's exit 127 instead of posix_spawn's error (scripts/memcheck.sh).
	 */
	if (RUNNING_ON_VALGRIND)
		skip();
	o.argv = argv;
	assert_int_equal(pb_proc_run(&o, &r), -1);
	assert_true(r.exec_failed);
	assert_string_equal(pb_error_message(), "cannot run '/nonexistent/prog': No such file or directory");
	pb_proc_result_release(&r);

	o.argv = (const char *[]){ "true", NULL };
	o.cwd = "/nonexistent-dir";
	assert_int_equal(pb_proc_run(&o, &r), -1);
	assert_string_equal(pb_error_message(),
			    "cannot run 'true': cannot enter /nonexistent-dir: No such file or directory");
	pb_proc_result_release(&r);
}

/* A grandchild that left the process group (setsid) must die with the timeout too. */
static void test_timeout_kills_setsid_grandchild(void **state)
{
	char *dir = pb_test_tmpdir(), *cmd, *pidfile;
	struct pb_proc_result r;
	pid_t gc;

	(void)state;
	pidfile = pb_xasprintf("%s/gc.pid", dir);
	cmd = pb_xasprintf("setsid sh -c 'echo $$ > %s.tmp && mv %s.tmp %s; exec sleep 1000' & "
			   "while [ ! -s %s ]; do sleep 0.01; done; sleep 1000", pidfile, pidfile,
			   pidfile, pidfile);
	assert_int_equal(run_sh(cmd, 0.5, &r), 0);
	assert_true(r.timed_out);
	assert_false(r.exited);
	assert_int_equal(r.signal, SIGTERM);
	gc = read_pid(pidfile);
	assert_true(gc > 1);
	assert_int_equal(kill(gc, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_true(r.orphans_killed >= 1);
	pb_proc_result_release(&r);
	free(cmd);
	free(pidfile);
	pb_test_rmtree(dir);
	free(dir);
}

/* A daemon left behind by a command that exited holds its stdout: it is killed, not waited for. */
static void test_orphan_after_exit(void **state)
{
	char *dir = pb_test_tmpdir(), *cmd, *pidfile;
	struct pb_proc_result r;
	pid_t gc;

	(void)state;
	pidfile = pb_xasprintf("%s/d.pid", dir);
	cmd = pb_xasprintf("setsid sh -c 'echo $$ > %s.tmp && mv %s.tmp %s; exec sleep 1000' & "
			   "while [ ! -s %s ]; do sleep 0.01; done; echo done", pidfile, pidfile, pidfile,
			   pidfile);
	assert_int_equal(run_sh(cmd, 30, &r), 0);
	assert_false(r.timed_out);
	assert_true(r.exited);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out.data, "done\n");
	assert_int_equal(r.orphans_killed, 1);
	gc = read_pid(pidfile);
	assert_int_equal(kill(gc, 0), -1);
	pb_proc_result_release(&r);
	free(cmd);
	free(pidfile);
	pb_test_rmtree(dir);
	free(dir);
}

static void test_large_output_no_deadlock(void **state)
{
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result r;

	(void)state;
	/* 100 MB on each stream, written alternately so a reader of one stream only would block. */
	o.shell = "for i in 1 2 3 4 5 6 7 8 9 10; do head -c 10000000 /dev/zero; "
		  "head -c 10000000 /dev/zero >&2; done";
	o.capture_max = 1 << 20;
	o.timeout_s = 120;
	assert_int_equal(pb_proc_run(&o, &r), 0);
	assert_true(r.exited);
	assert_int_equal(r.status, 0);
	assert_false(r.timed_out);
	assert_int_equal(r.out.len, 1 << 20);
	assert_int_equal(r.err.len, 1 << 20);
	assert_true(r.out_truncated);
	assert_true(r.err_truncated);
	pb_proc_result_release(&r);
}

static void test_environment(void **state)
{
	const char *pass[] = { "PB_PASSED", NULL };
	const char *set[] = { "PB_SET=1", "PATH=/usr/bin:/bin", "PB_SET=2", NULL };
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result r;

	(void)state;
	setenv("PB_SECRET", "no", 1);
	setenv("PB_PASSED", "yes", 1);
	setenv("GIT_DIR", "/user/repo/.git", 1);
	setenv("GIT_INDEX_FILE", "/user/repo/.git/index", 1);
	setenv("LC_TIME", "C", 1);
	o.argv = (const char *[]){ "env", NULL };
	o.env_pass = pass;
	o.env_set = set;
	assert_int_equal(pb_proc_run(&o, &r), 0);
	assert_null(strstr(r.out.data, "PB_SECRET"));
	assert_null(strstr(r.out.data, "GIT_DIR"));
	assert_null(strstr(r.out.data, "GIT_INDEX_FILE"));
	assert_non_null(strstr(r.out.data, "PB_PASSED=yes\n"));
	assert_non_null(strstr(r.out.data, "LC_TIME=C\n"));
	assert_non_null(strstr(r.out.data, "PB_SET=2\n"));
	assert_null(strstr(r.out.data, "PB_SET=1\n"));
	assert_non_null(strstr(r.out.data, "PATH=/usr/bin:/bin\n"));
	assert_null(strstr(strstr(r.out.data, "PATH=/usr/bin:/bin\n") + 1, "\nPATH="));
	pb_proc_result_release(&r);
	unsetenv("GIT_DIR");
	unsetenv("GIT_INDEX_FILE");
}

static void test_cwd_and_affinity(void **state)
{
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result r;
	cpu_set_t set;

	(void)state;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	o.shell = "pwd; grep Cpus_allowed_list /proc/self/status";
	o.cwd = "/usr";
	o.cpus = &set;
	assert_int_equal(pb_proc_run(&o, &r), 0);
	assert_string_equal(r.out.data, "/usr\nCpus_allowed_list:\t0\n");
	pb_proc_result_release(&r);
}

static int hook_pid;
static int hook_ok(pid_t pid, void *arg)
{
	hook_pid = pid;
	(void)arg;
	return 0;
}

static int hook_fail(pid_t pid, void *arg)
{
	(void)pid;
	(void)arg;
	return pb_error("counters: cycles: not supported");
}

static void test_hook_and_rusage(void **state)
{
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result r;

	(void)state;
	o.shell = "echo $$; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done";
	o.before_exec = hook_ok;
	assert_int_equal(pb_proc_run(&o, &r), 0);
	/* The hook saw the very process that became the shell. */
	assert_int_equal(strtol(r.out.data, NULL, 10), hook_pid);
	assert_true(r.user_ns + r.sys_ns > 0);
	assert_true(r.maxrss_kb > 0);
	assert_true(r.wall_ns > 0);
	pb_proc_result_release(&r);

	o.before_exec = hook_fail;
	assert_int_equal(pb_proc_run(&o, &r), -1);
	assert_string_equal(pb_error_message(), "counters: cycles: not supported");
	pb_proc_result_release(&r);
}

static void on_alarm(int sig)
{
	(void)sig;
	pb_proc_interrupt();
}

static void test_interrupt(void **state)
{
	struct itimerval it = { { 0, 0 }, { 0, 200000 } };
	struct pb_proc_result r;

	(void)state;
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &it, NULL);
	assert_int_equal(run_sh("sleep 1000", 0, &r), 0);
	assert_true(r.interrupted);
	assert_false(r.exited);
	pb_proc_result_release(&r);
	/* Sticky until cleared: nothing new starts after an interrupt. */
	assert_int_equal(run_sh("true", 0, &r), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_INTERRUPTED);
	pb_proc_result_release(&r);
	pb_proc_interrupt_clear();
	assert_int_equal(run_sh("true", 0, &r), 0);
	pb_proc_result_release(&r);
}

/* no_aslr: the command runs with ADDR_NO_RANDOMIZE (0x0040000 in /proc/self/personality), ours stays. */
static void test_no_aslr(void **state)
{
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	struct pb_proc_result r;
	char before[64] = "", *p;
	FILE *f = fopen("/proc/self/personality", "r");

	(void)state;
	if (!f || !fgets(before, sizeof(before), f))
		skip();
	fclose(f);
	o.argv = (const char *[]){ "cat", "/proc/self/personality", NULL };
	o.no_aslr = true;
	if (pb_proc_run(&o, &r)) {
		pb_error_clear();
		skip(); /* personality() refused (a seccomp filter) */
	}
	p = r.out.data;
	assert_true(strtoul(p, NULL, 16) & 0x0040000);
	pb_proc_result_release(&r);
	o.no_aslr = false;
	o.shell = NULL;
	assert_int_equal(pb_proc_run(&o, &r), 0);
	assert_false(strtoul(r.out.data, NULL, 16) & 0x0040000);
	pb_proc_result_release(&r);
	/* with a hook: the fork path */
	o.no_aslr = true;
	o.before_exec = hook_ok;
	assert_int_equal(pb_proc_run(&o, &r), 0);
	assert_true(strtoul(r.out.data, NULL, 16) & 0x0040000);
	pb_proc_result_release(&r);
	f = fopen("/proc/self/personality", "r");
	assert_non_null(f);
	assert_non_null(fgets(before + 32, 32, f));
	fclose(f);
	assert_string_equal(before, before + 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_and_signal),
		cmocka_unit_test(test_exec_failure),
		cmocka_unit_test(test_timeout_kills_setsid_grandchild),
		cmocka_unit_test(test_orphan_after_exit),
		cmocka_unit_test(test_large_output_no_deadlock),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_cwd_and_affinity),
		cmocka_unit_test(test_hook_and_rusage),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_no_aslr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
