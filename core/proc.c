/* proc.c: fork/exec with affinity, environment allow-list, timeout, capture, and whole-tree cleanup. */
#include "core/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/util.h"

extern char **environ;

#define DEFAULT_CAPTURE (1u << 20)
#define DEFAULT_GRACE 2.0
#define MAX_CHILDREN 4096

static volatile sig_atomic_t interrupt_flag;
static volatile sig_atomic_t running_pid; /* the command pb_proc_run waits for (its group), or 0 */
static int wake_pipe[2] = { -1, -1 };
static bool subreaper; /* this process is its descendants' subreaper (set on the first run) */

void pb_proc_forked(void)
{
	if (wake_pipe[0] >= 0) {
		close(wake_pipe[0]);
		close(wake_pipe[1]);
	}
	wake_pipe[0] = wake_pipe[1] = -1;
	subreaper = false;
	running_pid = 0;
}

void pb_proc_interrupt(void)
{
	int saved = errno;

	interrupt_flag = 1;
	if (wake_pipe[1] >= 0)
		(void)!write(wake_pipe[1], "x", 1);
	errno = saved;
}

void pb_proc_kill_now(void)
{
	int saved = errno;
	pid_t pid = (pid_t)running_pid;

	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	errno = saved;
}

void pb_proc_interrupt_clear(void)
{
	interrupt_flag = 0;
}

bool pb_proc_interrupted(void)
{
	return interrupt_flag != 0;
}

void pb_proc_result_release(struct pb_proc_result *res)
{
	pb_buf_release(&res->out);
	pb_buf_release(&res->err);
}

/* ---- Environment ---- */

static const char *const allowed[] = {
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "TMPDIR", "TZ", "LANG", "LANGUAGE",
};

/* Variables that point git at a repository: inherited from a hook they would aim the build at
 * the user's repository instead of the worktree. */
static const char *const git_location[] = {
	"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
};

static bool name_is(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static bool in_list(const char *entry, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (name_is(entry, names[i]))
			return true;
	return false;
}

static bool passes(const char *entry, const char *const *extra)
{
	if (in_list(entry, git_location, PB_ARRAY_SIZE(git_location)))
		return false;
	if (strncmp(entry, "LC_", 3) == 0 || in_list(entry, allowed, PB_ARRAY_SIZE(allowed)))
		return true;
	for (; extra && *extra; extra++)
		if (name_is(entry, *extra))
			return true;
	return false;
}

/* The child's environment; an array of pointers into environ and opts (only the array is owned). */
static char **build_env(const struct pb_proc_opts *o)
{
	size_t n = 0, i, k;
	char **env, **e;
	const char *const *s;

	for (e = environ; *e; e++)
		n++;
	for (s = o->env_set; s && *s; s++)
		n++;
	env = pb_xcalloc(n + 1, sizeof(*env));
	n = 0;
	for (e = environ; *e; e++) {
		if (!passes(*e, o->env_pass))
			continue;
		/* env_set wins over an inherited value of the same name. */
		for (s = o->env_set; s && *s; s++) {
			k = strcspn(*s, "=");
			if (strncmp(*e, *s, k + 1) == 0)
				break;
		}
		if (!(s && *s))
			env[n++] = *e;
	}
	for (s = o->env_set; s && *s; s++) {
		/* A later duplicate in env_set replaces an earlier one. */
		k = strcspn(*s, "=");
		for (i = 0; i < n; i++)
			if (strncmp(env[i], *s, k + 1) == 0)
				break;
		env[i] = (char *)*s;
		if (i == n)
			n++;
	}
	env[n] = NULL;
	return env;
}

/* ---- Descendants ---- */

/* Append the pids in /proc/self/task/TID/children to out; returns the new count. */
/* A small /proc file into buf (NUL-terminated, cut at size - 1): its length, or <= 0. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	len = read(fd, buf, size - 1);
	close(fd);
	buf[len > 0 ? len : 0] = '\0';
	return len;
}

static size_t read_children(pid_t tid, pid_t *out, size_t n, size_t max)
{
	char path[64], buf[4096], *p, *end;
	long v;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)tid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return n;
	for (p = buf; n < max; p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		out[n++] = (pid_t)v;
	}
	return n;
}

/*
 * Our children, from /proc. A child belongs to the thread that forked it, and orphans are given
 * to the thread group's leader: this thread and the leader cover what pb_proc_run() creates
 * and what it inherits as subreaper (one file to read in the single-threaded CLI).
 */
static size_t list_children(pid_t *out, size_t max)
{
	pid_t self = (pid_t)syscall(SYS_gettid), leader = getpid();
	size_t n = read_children(leader, out, 0, max);

	return self != leader ? read_children(self, out, n, max) : n;
}

static bool contains(const pid_t *set, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

/* Has `pid` already exited (a zombie, waiting to be reaped)? */
static bool is_zombie(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	/* "PID (COMM) STATE ...": COMM may hold spaces and parentheses; the last ')' ends it. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

/*
 * Kill and reap every child of ours that was not there before the run (`before`), then their
 * children, which re-parent to us as each one dies. Returns how many were killed: a child that
 * had already exited (a zombie re-parented to us when its parent was killed) is reaped, not
 * counted.
 */
static int sweep(const pid_t *before, size_t nbefore)
{
	pid_t *now = pb_xmalloc(MAX_CHILDREN * sizeof(*now));
	size_t n, i;
	int killed = 0, rounds, found;

	for (rounds = 0; rounds < 10000; rounds++) {
		n = list_children(now, MAX_CHILDREN);
		found = 0;
		for (i = 0; i < n; i++) {
			if (contains(before, nbefore, now[i]))
				continue;
			found = 1;
			if (!is_zombie(now[i])) {
				/* A setsid grandchild leads its own group: take the group with it. */
				kill(-now[i], SIGKILL);
				kill(now[i], SIGKILL);
				killed++;
			}
			while (waitpid(now[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
		if (!found)
			break;
	}
	free(now);
	return killed;
}

#define CLOSE(fd) do { if ((fd) >= 0) { close(fd); (fd) = -1; } } while (0)

/* ---- Finding the program ---- */

/*
 * argv[0] resolved through PATH as execvp would, in the parent and remembered: a child that
 * searched PATH itself would pay a failed execve per directory on every run. Returns the path to
 * execute (argv[0] itself when it has a slash, or when nothing is found: execve then reports it).
 */
static const char *resolve(const char *name)
{
	static char last_name[256], last_path[4096];
	static uint64_t last_env;
	const char *path = getenv("PATH"), *p, *end;
	uint64_t env;
	int n;

	if (strchr(name, '/') || strlen(name) >= sizeof(last_name))
		return name;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	env = pb_hash64(path, strlen(path), PB_HASH64_SEED);
	if (env == last_env && strcmp(name, last_name) == 0)
		return last_path;
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		n = snprintf(last_path, sizeof(last_path), "%.*s%s%s", (int)(end - p), p,
			     end > p ? "/" : "", name);
		if (n > 0 && (size_t)n < sizeof(last_path) && access(last_path, X_OK) == 0) {
			snprintf(last_name, sizeof(last_name), "%s", name);
			last_env = env;
			return last_path;
		}
		if (!*end)
			return name;
	}
}

/* ---- The guardian: the running command dies with us, however we die ---- */

/*
 * A SIGKILL of placebisect cannot be caught, and the command runs in a process group of its own
 * (so a timeout can kill its whole tree): without help it would run on, re-parented to init.
 * PR_SET_PDEATHSIG cannot be set through posix_spawn and reaches only the direct child, not the
 * benchmark a shell or valgrind started. So one small process, forked before the first command,
 * is told the group of each command as it starts and ends; when its socket to us closes (we
 * exited, or were killed), it SIGKILLs the groups still registered, then exits. A command's
 * descendants that leave its group (setsid) are not reached; those that stay, are.
 */
#define GUARD_MAX 64
static int guard_fd = -1;

static void guardian(int fd) __attribute__((noreturn));
static void guardian(int fd)
{
	static const int ignore[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE };
	pid_t groups[GUARD_MAX];
	size_t n = 0, i;
	int32_t msg;
	ssize_t r;
	sigset_t none;
	int null = open("/dev/null", O_RDWR);

	/* A ^C reaches our whole process group: the guardian must outlive us to do its work. */
	for (i = 0; i < PB_ARRAY_SIZE(ignore); i++)
		signal(ignore[i], SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Hold nothing of ours: not the caller's stdout (a `$(placebisect ...)` would wait for it),
	 * not the lock, not a directory. */
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	if (fd < 3) {
		int moved = fcntl(fd, F_DUPFD, 3);

		fd = moved;
	}
	if (fd > 3)
		syscall(SYS_close_range, 3, (unsigned)fd - 1, 0);
	syscall(SYS_close_range, (unsigned)fd + 1, ~0U, 0);
	(void)!chdir("/");
	for (;;) {
		r = read(fd, &msg, sizeof(msg));
		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof(msg))
			break; /* EOF: placebisect is gone */
		if (msg > 0 && n < GUARD_MAX) {
			groups[n++] = msg;
		} else if (msg < 0) {
			for (i = 0; i < n; i++)
				if (groups[i] == -msg) {
					groups[i] = groups[--n];
					break;
				}
		}
	}
	for (i = 0; i < n; i++)
		kill(-groups[i], SIGKILL);
	_exit(0);
}

/* Start the guardian once; without it (fork failed) commands still run, unguarded. */
static void guard_start(void)
{
	static bool tried;
	int sv[2];
	pid_t pid;

	if (tried)
		return;
	tried = true;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		guardian(sv[1]);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return;
	}
	guard_fd = sv[0];
}

/* Tell the guardian a command's group started (+pgid) or ended (-pgid). */
static void guard_tell(int32_t msg)
{
	if (guard_fd >= 0)
		(void)!send(guard_fd, &msg, sizeof(msg), MSG_NOSIGNAL);
}

/* ---- Running ---- */

enum child_stage { STAGE_CHDIR = 1, STAGE_AFFINITY, STAGE_EXEC };

struct child_error {
	int stage;
	int err;
};

static void child_fail(int fd, int stage)
{
	struct child_error ce = { stage, errno };

	(void)!write(fd, &ce, sizeof(ce));
	_exit(127);
}

/* Signals a caller of ours may ignore (SIGPIPE in the CLI), which exec would leave ignored. */
static const int reset_signals[] = {
	SIGPIPE, SIGXFSZ, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU,
	SIGUSR1, SIGUSR2, SIGALRM,
};

/* In the child between fork and exec: only async-signal-safe calls. */
static void child(const struct pb_proc_opts *o, const char *prog, char *const *argv, char **envp,
		  int devnull, int out_w, int err_w, int go_r, int report_w, pid_t parent)
{
	sigset_t all;
	char c;
	int sig;

	/* Die with placebisect (the guardian covers the rest of the group); it may already be gone. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setpgid(0, 0);
	/* exec resets caught signals by itself; only ignored ones would stay ignored. */
	for (sig = 0; sig < (int)PB_ARRAY_SIZE(reset_signals); sig++)
		signal(reset_signals[sig], SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	dup2(devnull, 0);
	dup2(o->stdout_fd >= 0 ? o->stdout_fd : out_w, 1);
	if (o->merge_stderr)
		dup2(1, 2);
	else
		dup2(o->stderr_fd >= 0 ? o->stderr_fd : err_w, 2);
	/* Nothing else of ours leaks into the command. */
	syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);

	/* With a hook, wait for the parent (perf_event counters attach now); EOF: it gave up. */
	while (go_r >= 0 && read(go_r, &c, 1) < 0 && errno == EINTR)
		;
	if (o->cwd && chdir(o->cwd))
		child_fail(report_w, STAGE_CHDIR);
	if (o->cpus && sched_setaffinity(0, sizeof(*o->cpus), o->cpus))
		child_fail(report_w, STAGE_AFFINITY);
	execve(prog, argv, envp);
	child_fail(report_w, STAGE_EXEC);
}

static const char *describe_cmd(const struct pb_proc_opts *o)
{
	return o->shell ? o->shell : o->argv[0];
}

/*
 * Without a before_exec hook there is nothing to do between fork and exec that posix_spawn
 * cannot, and posix_spawn (CLONE_VFORK) does not copy our page tables: for a process as large as
 * ours that is most of the cost of a short run. The child inherits the CPU affinity of the
 * calling thread, so we pin ourselves around the spawn and the child is pinned from its first
 * instruction. Returns 0 with *pid, or -1 (error recorded, res->exec_failed for a missing program).
 */
static int spawn(const struct pb_proc_opts *o, const char *prog, char *const *argv, char **envp,
		 int devnull, int out_w, int err_w, pid_t *pid, struct pb_proc_result *res)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t def, none;
	cpu_set_t saved;
	size_t i;
	int rc, pinned = 0;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, devnull, 0);
	posix_spawn_file_actions_adddup2(&fa, o->stdout_fd >= 0 ? o->stdout_fd : out_w, 1);
	posix_spawn_file_actions_adddup2(&fa, o->merge_stderr ? 1 : o->stderr_fd >= 0 ? o->stderr_fd : err_w, 2);
	if (o->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	sigemptyset(&def);
	for (i = 0; i < PB_ARRAY_SIZE(reset_signals); i++)
		sigaddset(&def, reset_signals[i]);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	if (o->cpus) {
		if (sched_getaffinity(0, sizeof(saved), &saved) || sched_setaffinity(0, sizeof(*o->cpus), o->cpus)) {
			rc = errno;
			goto out;
		}
		pinned = 1;
	}
	rc = posix_spawn(pid, prog, &fa, &at, argv, envp);
	if (pinned)
		sched_setaffinity(0, sizeof(saved), &saved);
out:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc == 0)
		return 0;
	errno = rc;
	res->exec_failed = true;
	res->exited = true;
	res->status = 127;
	if (o->cpus && !pinned)
		return pb_error_errno("cannot run '%s': cannot pin it to the requested CPUs", describe_cmd(o));
	if (o->cwd && access(o->cwd, X_OK) != 0)
		return pb_error_errno("cannot run '%s': cannot enter %s", describe_cmd(o), o->cwd);
	return pb_error_errno("cannot run '%s'", describe_cmd(o));
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void capture(int *fd, struct pb_buf *b, bool *trunc, size_t cap)
{
	char chunk[65536];
	ssize_t n = read(*fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (b->len < cap) {
		size_t keep = (size_t)n < cap - b->len ? (size_t)n : cap - b->len;

		pb_buf_add(b, chunk, keep);
		if (keep < (size_t)n)
			*trunc = true;
	} else {
		*trunc = true;
	}
}

static void wake_pipe_open(void)
{
	if (wake_pipe[0] >= 0)
		return;
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK))
		wake_pipe[0] = wake_pipe[1] = -1;
}

int pb_proc_run(const struct pb_proc_opts *o, struct pb_proc_result *res)
{
	const char *sh_argv[] = { "/bin/sh", "-c", o->shell, NULL };
	char *const *argv = o->shell ? (char *const *)sh_argv : (char *const *)o->argv;
	pid_t *before = pb_xmalloc(MAX_CHILDREN * sizeof(*before)), pid = -1, parent, group = -1;
	size_t nbefore, cap = o->capture_max ? o->capture_max : DEFAULT_CAPTURE;
	double grace = o->grace_s > 0 ? o->grace_s : DEFAULT_GRACE;
	int out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 }, go_p[2] = { -1, -1 }, rep_p[2] = { -1, -1 };
	int devnull = -1, pidfd = -1, ret = -1, status = 0, pers = 0, rc;
	int64_t start, deadline = 0, kill_at = 0, now;
	struct child_error ce;
	struct rusage ru;
	char **envp = NULL;
	const char *prog;
	bool exited = false, term_sent = false;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	pb_buf_init(&res->out);
	pb_buf_init(&res->err);
	if ((o->shell != NULL) == (o->argv != NULL && o->argv[0] != NULL)) {
		free(before);
		return pb_error("internal: a command needs exactly one of argv and shell");
	}
	if (interrupt_flag) {
		free(before);
		return pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
	}
	if (!subreaper) {
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		subreaper = true;
	}
	wake_pipe_open();
	guard_start(); /* before the list: the guardian is not one of the command's processes */
	nbefore = list_children(before, MAX_CHILDREN);

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || (o->before_exec && (pipe2(go_p, O_CLOEXEC) || pipe2(rep_p, O_CLOEXEC))) ||
	    (o->stdout_fd < 0 && pipe2(out_p, O_CLOEXEC)) ||
	    (o->stderr_fd < 0 && !o->merge_stderr && pipe2(err_p, O_CLOEXEC))) {
		pb_error_errno("cannot set up pipes to run '%s'", describe_cmd(o));
		goto out;
	}
	envp = build_env(o);
	prog = resolve(argv[0]);
	/* The child inherits our personality: ASLR off for it alone, ours restored at once. */
	if (o->no_aslr && ((pers = personality(0xffffffff)) == -1 ||
			   personality((unsigned long)pers | ADDR_NO_RANDOMIZE) == -1)) {
		pb_error_errno("cannot run '%s' with ASLR off (personality ADDR_NO_RANDOMIZE)",
			       describe_cmd(o));
		goto out;
	}

	if (!o->before_exec) {
		rc = spawn(o, prog, argv, envp, devnull, out_p[1], err_p[1], &pid, res);
		if (o->no_aslr)
			personality((unsigned long)pers);
		if (rc) {
			pid = -1;
			goto out;
		}
		guard_tell(pid);
		group = pid;
		start = pb_now_ns();
		CLOSE(out_p[1]);
		CLOSE(err_p[1]);
		CLOSE(devnull);
		goto running;
	}
	parent = getpid();
	pid = fork();
	if (pid != 0 && o->no_aslr)
		personality((unsigned long)pers);
	if (pid < 0) {
		pb_error_errno("cannot fork to run '%s'", describe_cmd(o));
		goto out;
	}
	if (pid == 0)
		child(o, prog, argv, envp, devnull, out_p[1], err_p[1], go_p[0], rep_p[1], parent);
	guard_tell(pid);
	group = pid;

	setpgid(pid, pid);
	CLOSE(out_p[1]);
	CLOSE(err_p[1]);
	CLOSE(go_p[0]);
	CLOSE(rep_p[1]);
	CLOSE(devnull);

	start = pb_now_ns();
	if (o->before_exec && o->before_exec(pid, o->hook_arg)) {
		/* The error is the hook's; the child sees EOF on the go pipe and exits. */
		CLOSE(go_p[1]);
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		pid = -1;
		goto out;
	}
	if (go_p[1] >= 0) {
		start = pb_now_ns();
		(void)!write(go_p[1], "g", 1);
		CLOSE(go_p[1]);
	}

	/* The report pipe closes on a successful exec (CLOEXEC) or carries why it failed. */
	while ((n = read(rep_p[0], &ce, sizeof(ce))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(ce)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		pid = -1;
		errno = ce.err;
		res->exec_failed = true;
		res->exited = true;
		res->status = 127;
		if (ce.stage == STAGE_CHDIR)
			pb_error_errno("cannot run '%s': cannot enter %s", describe_cmd(o), o->cwd);
		else if (ce.stage == STAGE_AFFINITY)
			pb_error_errno("cannot run '%s': cannot pin it to the requested CPUs", describe_cmd(o));
		else
			pb_error_errno("cannot run '%s'", describe_cmd(o));
		goto out;
	}

running:
	running_pid = pid;
	pidfd = pidfd_open_(pid);
	if (o->timeout_s > 0)
		deadline = start + (int64_t)(o->timeout_s * 1e9);

	while (!exited || out_p[0] >= 0 || err_p[0] >= 0) {
		struct pollfd pfd[4];
		int np = 0, idx_out = -1, idx_err = -1, idx_pid = -1, idx_wake = -1, wait_ms = -1;

		if (out_p[0] >= 0) {
			pfd[np] = (struct pollfd){ out_p[0], POLLIN, 0 };
			idx_out = np++;
		}
		if (err_p[0] >= 0) {
			pfd[np] = (struct pollfd){ err_p[0], POLLIN, 0 };
			idx_err = np++;
		}
		if (!exited && pidfd >= 0) {
			pfd[np] = (struct pollfd){ pidfd, POLLIN, 0 };
			idx_pid = np++;
		}
		if (!exited && wake_pipe[0] >= 0) {
			pfd[np] = (struct pollfd){ wake_pipe[0], POLLIN, 0 };
			idx_wake = np++;
		}
		now = pb_now_ns();
		if (!exited) {
			int64_t until = kill_at ? kill_at : deadline;

			if (until)
				wait_ms = until > now ? (int)((until - now) / 1000000 + 1) : 0;
			if (pidfd < 0 && (wait_ms < 0 || wait_ms > 5))
				wait_ms = 5; /* no pidfd: poll for the exit */
		} else {
			/* Writers are all dead; anything still open was handed elsewhere. */
			if (!kill_at)
				kill_at = now + (int64_t)(grace * 1e9);
			wait_ms = kill_at > now ? (int)((kill_at - now) / 1000000 + 1) : 0;
		}
		if (poll(pfd, (nfds_t)np, wait_ms) < 0 && errno != EINTR) {
			pb_error_errno("poll");
			break;
		}
		if (idx_out >= 0 && pfd[idx_out].revents)
			capture(&out_p[0], &res->out, &res->out_truncated, cap);
		if (idx_err >= 0 && pfd[idx_err].revents)
			capture(&err_p[0], &res->err, &res->err_truncated, cap);
		if (idx_wake >= 0 && pfd[idx_wake].revents) {
			char drain[64];

			while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
				;
		}
		now = pb_now_ns();
		if (exited) {
			if (now >= kill_at) {
				CLOSE(out_p[0]);
				CLOSE(err_p[0]);
			}
			continue;
		}
		if ((idx_pid >= 0 && pfd[idx_pid].revents) || pidfd < 0) {
			pid_t w = wait4(pid, &status, pidfd < 0 ? WNOHANG : 0, &ru);

			if (w == pid) {
				exited = true;
				res->wall_ns = now - start;
				res->orphans_killed = sweep(before, nbefore);
				kill_at = 0;
				continue;
			}
		}
		if (interrupt_flag && !res->interrupted) {
			res->interrupted = true;
			kill(-pid, SIGTERM);
			term_sent = true;
			kill_at = now + (int64_t)(grace * 1e9);
		} else if (deadline && now >= deadline && !term_sent) {
			res->timed_out = true;
			kill(-pid, SIGTERM);
			term_sent = true;
			kill_at = now + (int64_t)(grace * 1e9);
		} else if (kill_at && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill_at = 0;
			deadline = 0;
		}
	}
	if (!exited)
		goto out; /* poll failed: error recorded; the tree is killed below */
	running_pid = 0;
	pid = -1;
	if (WIFEXITED(status)) {
		res->exited = true;
		res->status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
	}
	res->user_ns = (int64_t)ru.ru_utime.tv_sec * 1000000000 + ru.ru_utime.tv_usec * 1000;
	res->sys_ns = (int64_t)ru.ru_stime.tv_sec * 1000000000 + ru.ru_stime.tv_usec * 1000;
	res->maxrss_kb = ru.ru_maxrss;
	ret = 0;
out:
	running_pid = 0;
	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (group > 0)
		guard_tell(-group); /* its tree is reaped: nothing of that group is left to kill */
	CLOSE(out_p[0]);
	CLOSE(out_p[1]);
	CLOSE(err_p[0]);
	CLOSE(err_p[1]);
	CLOSE(go_p[0]);
	CLOSE(go_p[1]);
	CLOSE(rep_p[0]);
	CLOSE(rep_p[1]);
	CLOSE(devnull);
	CLOSE(pidfd);
	free(envp);
	free(before);
	return ret;
}

void pb_proc_describe(const struct pb_proc_result *res, double timeout_s, char *out, size_t size)
{
	if (res->interrupted)
		snprintf(out, size, "interrupted");
	else if (res->timed_out)
		snprintf(out, size, "timed out after %g s", timeout_s);
	else if (res->exec_failed)
		snprintf(out, size, "could not be started");
	else if (res->exited)
		snprintf(out, size, "exit %d", res->status);
	else
		snprintf(out, size, "killed by SIG%s", sigabbrev_np(res->signal) ? sigabbrev_np(res->signal) : "?");
}
