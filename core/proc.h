/* proc.h: run a build or benchmark command: pinned, time-limited, captured, whole process tree reaped. */
#ifndef PB_CORE_PROC_H
#define PB_CORE_PROC_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"

/*
 * Called in the parent after fork, while the child waits before exec: the place to attach
 * perf_event counters to `pid` (with enable_on_exec they start counting at exec). Return 0 to let
 * the child exec, -1 (with pb_error recorded) to abort the run: the child is killed and
 * pb_proc_run() fails with that error.
 */
typedef int (*pb_proc_hook_fn)(pid_t pid, void *arg);

struct pb_proc_opts {
	const char *const *argv; /* program and arguments (argv[0] searched in PATH), or ... */
	const char *shell;       /* ... a command string run as /bin/sh -c (exactly one of the two) */
	const char *cwd;         /* NULL: inherit */

	/*
	 * Environment: the child sees only the allow-listed variables of ours (PATH HOME USER LOGNAME
	 * SHELL TERM TMPDIR TZ LANG LANGUAGE LC_*), plus `env_pass` names, plus `env_set` ("K=V"
	 * entries, which win). Git's location variables (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE, ...)
	 * are always removed: set by a hook they would point the build at the user's repository.
	 */
	const char *const *env_pass; /* NULL-terminated, may be NULL */
	const char *const *env_set;  /* NULL-terminated, may be NULL */

	const cpu_set_t *cpus; /* NULL: inherit affinity */

	double timeout_s; /* 0: none. On expiry: SIGTERM to the tree, grace_s, then SIGKILL */
	double grace_s;   /* 0: 2 s */

	/*
	 * Output: each stream goes to the given fd when >= 0, else is captured into the result up
	 * to capture_max bytes (0: 1 MiB); the rest is read and dropped and the stream marked
	 * truncated, so a chatty child never blocks. merge_stderr sends stderr where stdout goes.
	 */
	int stdout_fd;
	int stderr_fd;
	bool merge_stderr;
	size_t capture_max;

	pb_proc_hook_fn before_exec;
	void *hook_arg;

	bool no_aslr; /* run the command with ADDR_NO_RANDOMIZE (setarch -R): fixed stack, mmap, PIE bases */
};

/* Defaults: no redirection (capture both), no timeout. Set argv or shell after this. */
#define PB_PROC_OPTS_INIT { .stdout_fd = -1, .stderr_fd = -1 }

struct pb_proc_result {
	bool exited;     /* exited normally: see status */
	int status;      /* exit status when exited */
	int signal;      /* terminating signal when !exited */
	bool timed_out;  /* killed because timeout_s passed */
	bool interrupted; /* killed because pb_proc_interrupt() was called */
	bool exec_failed; /* the program could not be started (status 127); see pb_error */
	int orphans_killed; /* descendants killed after the main process ended */
	struct pb_buf out, err;
	bool out_truncated, err_truncated;
	int64_t wall_ns; /* from exec to exit, CLOCK_MONOTONIC */
	int64_t user_ns, sys_ns; /* rusage of the main process and its waited-for descendants */
	long maxrss_kb;
};

/*
 * Run the command and wait for it (and its tree) to end. Returns 0 when the command ran, whatever
 * its exit status (see *res); -1 when it could not be started or waited for, with pb_error naming
 * the command (res->exec_failed set for a missing program). Release res with
 * pb_proc_result_release() in either case.
 *
 * Descendants still alive when the command's main process exits (daemons, a grandchild that called
 * setsid) are killed and counted in res->orphans_killed: they would hold the output pipes open and
 * run on into the next measurement. To find them the calling process becomes a child subreaper
 * (prctl), so such grandchildren are re-parented to it. Not thread-safe against other fork()s.
 */
int pb_proc_run(const struct pb_proc_opts *opts, struct pb_proc_result *res);

void pb_proc_result_release(struct pb_proc_result *res);

/* A short description for messages: "exit 2", "killed by SIGSEGV", "timed out after 60 s". */
void pb_proc_describe(const struct pb_proc_result *res, double timeout_s, char *out, size_t size);

/*
 * Ask a running pb_proc_run() (from a signal handler: async-signal-safe) to stop the command:
 * its tree is killed as on a timeout and pb_proc_run() returns 0 with res->interrupted set. Used for
 * SIGINT. Sticky: later runs are refused until pb_proc_interrupt_clear().
 */
void pb_proc_interrupt(void);
/*
 * Kill the running command's process group at once (SIGKILL; async-signal-safe), for a second
 * SIGINT that ends the program without waiting for pb_proc_interrupt()'s grace period. Its setsid
 * grandchildren are not reached (the exiting program can no longer reap them).
 */
void pb_proc_kill_now(void);
void pb_proc_interrupt_clear(void);
/*
 * In a child made by fork() that will run commands itself (the local executor's parallel builds):
 * a wake-up pipe of its own (the parent's is shared after fork: one process could drain the
 * other's wake-up) and subreaper status of its own, asked for on its first run.
 */
void pb_proc_forked(void);
/* True once pb_proc_interrupt() was called (and not cleared). */
bool pb_proc_interrupted(void);

#endif
