/* executor_par.c: the local executor's parallel builds: one forked child per running build, each in
 * the private worktree of its job slot, results back over a pipe as JSON. */
#include "bisect/executor_par.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bisect/worktree.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/proc.h"
#include "core/util.h"

#define PAR_MAX_JOBS 64

/* In a child: a signal stops the build it runs (its tree killed after the grace), nothing more. */
static void child_on_signal(int sig)
{
	(void)sig;
	pb_proc_interrupt();
}

static void write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* The child: build `id` in slot `slot`, write the outcome to fd as one JSON object, exit. */
static void child_main(const struct pb_par_in *in, size_t slot, const char *id, int fd, pid_t parent)
	__attribute__((noreturn));
static void child_main(const struct pb_par_in *in, size_t slot, const char *id, int fd, pid_t parent)
{
	struct pb_repo *repo = NULL;
	struct pb_worktree wt;
	struct pb_builder b;
	struct pb_build bd;
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_jsonw w;
	size_t timed_before = in->builder->n_timed_out;
	int rc = -1;

	/* Die with placebisect: its guardian then kills the build's process group. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	signal(SIGINT, child_on_signal);
	signal(SIGTERM, child_on_signal);
	pb_proc_forked();
	memset(&bd, 0, sizeof(bd));
	memset(&wt, 0, sizeof(wt));
	/* libgit2's state is not shared with the parent: the repository is opened anew. */
	if (pb_repo_open(&repo, pb_repo_gitdir(in->repo)) == 0 &&
	    pb_worktree_open_slot(&wt, in->state_dir, slot) == 0) {
		b = *in->builder; /* a copy: what it changes stays in this process */
		b.repo = repo;
		b.wt = &wt;
		b.progress = NULL; /* the parent draws the progress */
		rc = pb_builder_get(&b, id, &bd);
		if (b.n_timed_out > timed_before)
			timed_before = (size_t)-1;
	}
	pb_jsonw_init(&w, &doc, true);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_int(&w, "rc", rc);
	if (rc < 0) {
		pb_jsonw_string(&w, "error", pb_error_message());
		pb_jsonw_int(&w, "code", pb_error_exit_code());
	}
	pb_jsonw_bool(&w, "ok", bd.ok);
	pb_jsonw_bool(&w, "cached", bd.cached);
	pb_jsonw_bool(&w, "timed_out", timed_before == (size_t)-1);
	pb_jsonw_string(&w, "dir", bd.dir);
	pb_jsonw_string(&w, "binary", bd.binary);
	pb_jsonw_string(&w, "prefix", bd.prefix);
	pb_jsonw_string(&w, "log", bd.log);
	pb_jsonw_number(&w, "seconds", bd.seconds);
	pb_jsonw_string(&w, "reason", bd.reason);
	pb_jsonw_end(&w);
	pb_jsonw_finish(&w);
	write_all(fd, doc.data, doc.len);
	close(fd);
	/* No exit handlers, no stdio flush: the parent's buffers are the parent's. */
	_exit(0);
}

struct slot {
	pid_t pid;    /* 0: free */
	int fd;
	size_t k;     /* the commit's position in the call */
	struct pb_buf out;
};

static char *dup_or_null(const struct pb_json *v)
{
	const char *s = pb_json_string(v, NULL);

	return s ? pb_xstrdup(s) : NULL;
}

/* A child's report into *out; the builder's counters follow. Returns its rc (0, or -1 with the
 * error recorded), or -1 when it ended without one. */
static int take_report(const struct pb_par_in *in, struct slot *s, size_t slot, int status,
		       const char *id, struct pb_build *out)
{
	struct pb_json *doc = NULL;
	int rc;

	if (s->out.len == 0 || pb_json_parse(&doc, s->out.data, s->out.len, "a build report")) {
		pb_error_clear();
		if (WIFSIGNALED(status))
			return pb_error("the build of %.7s in job slot %zu ended without a result (killed "
					"by signal %d)", id, slot, WTERMSIG(status));
		return pb_error("the build of %.7s in job slot %zu ended without a result (exit %d)",
				id, slot, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	rc = (int)pb_json_number(pb_json_get(doc, "rc"), -1);
	if (rc < 0) {
		pb_error_as((enum pb_exit)pb_json_number(pb_json_get(doc, "code"), 1), "%s",
			    pb_json_string(pb_json_get(doc, "error"), "the build failed"));
	} else {
		out->ok = pb_json_bool(pb_json_get(doc, "ok"), false);
		out->cached = pb_json_bool(pb_json_get(doc, "cached"), false);
		out->dir = dup_or_null(pb_json_get(doc, "dir"));
		out->binary = dup_or_null(pb_json_get(doc, "binary"));
		out->prefix = dup_or_null(pb_json_get(doc, "prefix"));
		out->log = dup_or_null(pb_json_get(doc, "log"));
		out->seconds = pb_json_number(pb_json_get(doc, "seconds"), 0);
		out->reason = dup_or_null(pb_json_get(doc, "reason"));
		if (out->cached) {
			in->builder->cached++;
		} else {
			in->builder->built++;
			out->slot = (int)slot;
		}
		if (pb_json_bool(pb_json_get(doc, "timed_out"), false)) {
			struct pb_builder *b = in->builder;

			pb_xgrow((void **)&b->timed_out, &b->timed_out_cap, b->n_timed_out + 1,
				 sizeof(*b->timed_out));
			b->timed_out[b->n_timed_out++] = pb_xstrdup(id);
		}
	}
	pb_json_free(doc);
	return rc < 0 ? -1 : 0;
}

static void draw(const struct pb_par_in *in, size_t n, size_t running, size_t done)
{
	if (in->progress)
		pb_progress_tick(in->progress, "building %zu %s at once (%zu running, %zu done)", n,
				 pb_plural(n, "commit", "commits"), running, done);
}

int pb_par_build(const struct pb_par_in *in, const size_t *commits, size_t n, struct pb_build *outs)
{
	size_t jobs = in->jobs < 1 ? 1 : in->jobs > PAR_MAX_JOBS ? PAR_MAX_JOBS : in->jobs;
	struct slot *slots = pb_xcalloc(jobs, sizeof(*slots));
	size_t next = 0, running = 0, done = 0, j;
	bool stopping = false, failed = false, interrupted = false;
	enum pb_exit code = PB_EXIT_OK;
	char *first_error = NULL;
	pid_t parent = getpid();
	int ret = -1;

	memset(outs, 0, n * sizeof(*outs));
	for (;;) {
		/* Start builds in the free slots, unless stopping. */
		while (!stopping && next < n && running < jobs && !(in->stop && *in->stop)) {
			int p[2];
			pid_t pid;

			for (j = 0; slots[j].pid; j++)
				;
			if (pipe2(p, O_CLOEXEC)) {
				first_error = pb_xasprintf("cannot make a pipe for a build: %s", strerror(errno));
				stopping = failed = true;
				break;
			}
			pid = fork();
			if (pid == 0) {
				close(p[0]);
				child_main(in, j + 1, in->ids[commits[next]], p[1], parent);
			}
			close(p[1]);
			if (pid < 0) {
				close(p[0]);
				first_error = pb_xasprintf("cannot fork a build: %s", strerror(errno));
				stopping = failed = true;
				break;
			}
			slots[j] = (struct slot){ pid, p[0], next++, PB_BUF_INIT };
			running++;
			draw(in, n, running, done);
		}
		if (in->stop && *in->stop && !stopping) {
			/* ^C (or SIGTERM) reached us, perhaps not them: stop every running build. */
			stopping = interrupted = true;
			for (j = 0; j < jobs; j++)
				if (slots[j].pid)
					kill(slots[j].pid, SIGTERM);
		}
		if (running == 0)
			break;

		struct pollfd pfd[PAR_MAX_JOBS];
		size_t at[PAR_MAX_JOBS], np = 0;

		for (j = 0; j < jobs; j++)
			if (slots[j].pid) {
				pfd[np] = (struct pollfd){ slots[j].fd, POLLIN, 0 };
				at[np++] = j;
			}
		if (poll(pfd, (nfds_t)np, 1000) < 0 && errno != EINTR) {
			first_error = first_error ? first_error : pb_xasprintf("poll: %s", strerror(errno));
			failed = stopping = true;
		}
		for (size_t q = 0; q < np; q++) {
			struct slot *s = &slots[at[q]];
			char chunk[4096];
			ssize_t r;
			int status = 0;

			if (!pfd[q].revents)
				continue;
			r = read(s->fd, chunk, sizeof(chunk));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r > 0) {
				pb_buf_add(&s->out, chunk, (size_t)r);
				continue;
			}
			/* EOF: the child wrote its report, or died. */
			close(s->fd);
			while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
				;
			if (take_report(in, s, at[q] + 1, status, in->ids[commits[s->k]], &outs[s->k])) {
				if (pb_error_exit_code() == PB_EXIT_INTERRUPTED)
					interrupted = true;
				else if (!first_error) {
					first_error = pb_xstrdup(pb_error_message());
					code = pb_error_exit_code();
				}
				failed = stopping = true;
				pb_error_clear();
			}
			pb_buf_release(&s->out);
			s->pid = 0;
			running--;
			done++;
			draw(in, n, running, done);
		}
	}
	if (interrupted || (in->stop && *in->stop && done < n))
		pb_error_as(PB_EXIT_INTERRUPTED, "interrupted while building %zu %s at once", n,
			    pb_plural(n, "commit", "commits"));
	else if (failed)
		pb_error_as(code == PB_EXIT_OK ? PB_EXIT_ENV : code, "%s", first_error ? first_error : "a build failed");
	else
		ret = 0;
	free(first_error);
	free(slots);
	return ret;
}
