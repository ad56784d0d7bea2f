/* slurm.c: sbatch, sacct/squeue and scancel run as commands, and their outputs parsed. */
#include "bisect/slurm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/proc.h"
#include "core/util.h"

/* The Slurm commands see SLURM_CONF (which cluster) besides the usual allow-list. */
static const char *const slurm_env[] = { "SLURM_CONF", "SLURM_CLUSTERS", NULL };

bool pb_slurm_ended(enum pb_slurm_state s)
{
	return s == PB_SLURM_DONE || s == PB_SLURM_FAILED || s == PB_SLURM_GONE;
}

enum pb_slurm_state pb_slurm_state_of(const char *word)
{
	static const char *const failed[] = { "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
					      "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED",
					      "REVOKED", "SPECIAL_EXIT", NULL };
	size_t i, len;

	if (strncmp(word, "COMPLETED", 9) == 0)
		return PB_SLURM_DONE;
	if (strncmp(word, "RUNNING", 7) == 0 || strncmp(word, "COMPLETING", 10) == 0)
		return PB_SLURM_RUNNING;
	for (i = 0; failed[i]; i++) {
		len = strlen(failed[i]);
		if (strncmp(word, failed[i], len) == 0 && (word[len] == '\0' || word[len] == ' ' ||
							   word[len] == '+'))
			return PB_SLURM_FAILED;
	}
	return PB_SLURM_PENDING;
}

int pb_slurm_parse_sbatch(const char *out, char *id, size_t cap)
{
	size_t n = strspn(out, "0123456789");

	if (n == 0 || n >= cap || (out[n] && out[n] != ';' && out[n] != '\n' && out[n] != '\r'))
		return pb_error_as(PB_EXIT_ENV, "sbatch --parsable printed '%.80s', not a job id", out);
	memcpy(id, out, n);
	id[n] = '\0';
	return 0;
}

/* Copy field [p, end) into dst[cap], truncated. */
static void field(char *dst, size_t cap, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

size_t pb_slurm_parse_table(const char *out, struct pb_slurm_job *jobs, size_t n)
{
	const char *line = out, *eol, *bar1, *bar2;
	char id[32], state[32];
	size_t found = 0, i;

	for (; *line; line = *eol ? eol + 1 : eol) {
		eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line);
		bar1 = memchr(line, '|', (size_t)(eol - line));
		if (!bar1)
			continue;
		bar2 = memchr(bar1 + 1, '|', (size_t)(eol - bar1 - 1));
		field(id, sizeof(id), line, bar1);
		/* "12.batch", "12.0", "12_3": steps and array tasks are not the job itself. */
		if (id[strspn(id, "0123456789")] != '\0' || !id[0])
			continue;
		field(state, sizeof(state), bar1 + 1, bar2 ? bar2 : eol);
		for (i = 0; i < n; i++) {
			if (strcmp(jobs[i].id, id) != 0)
				continue;
			found++;
			snprintf(jobs[i].state_name, sizeof(jobs[i].state_name), "%s", state);
			jobs[i].state = pb_slurm_state_of(state);
			/* squeue prints "(null)" or nothing before a node is allocated. */
			if (bar2 && eol > bar2 + 1 && strncmp(bar2 + 1, "(null)", 6) != 0 &&
			    strncmp(bar2 + 1, "None", 4) != 0) {
				const char *end = eol;

				if (end > bar2 + 1 && end[-1] == '\r')
					end--;
				field(jobs[i].node, sizeof(jobs[i].node), bar2 + 1, end);
			}
		}
	}
	return found;
}

/*
 * Run argv (a Slurm command), with a file holding `input` as its last argument when given: made in
 * `dir` (the state directory's slurm/) as sbatch.tmp.XXXXXX, the name of a temporary file that the
 * next start removes (pb_state_lock) should a kill leave it, and removed here on every path.
 * Output captured into *res (release it in either case).
 */
static int run(const char *const *argv, const char *input, const char *dir,
	       struct pb_proc_result *res)
{
	struct pb_proc_opts o = PB_PROC_OPTS_INIT;
	char *path = NULL;
	bool interrupted = pb_proc_interrupted();
	const char **args;
	size_t k, n;
	int fd, ret;

	memset(res, 0, sizeof(*res));
	if (input) {
		path = pb_xasprintf("%s/sbatch.tmp.XXXXXX", dir);
		fd = mkstemp(path);
		if (fd < 0 || write(fd, input, strlen(input)) != (ssize_t)strlen(input)) {
			pb_error_errno("cannot write the batch script to %s", path);
			if (fd >= 0) {
				close(fd);
				unlink(path);
			}
			free(path);
			return -1;
		}
		close(fd);
	}
	for (n = 0; argv[n]; n++)
		;
	args = pb_xcalloc(n + 2, sizeof(*args));
	for (k = 0; k < n; k++)
		args[k] = argv[k];
	if (input)
		args[k++] = path;
	o.argv = args;
	o.env_pass = slurm_env;
	o.timeout_s = 120;
	/* A ^C stops the bisect, not its clean-up: scancel runs after it too. */
	if (interrupted)
		pb_proc_interrupt_clear();
	ret = pb_proc_run(&o, res);
	if (interrupted)
		pb_proc_interrupt();
	if (input)
		unlink(path);
	free(path);
	free(args);
	return ret;
}

/* The captured text with trailing white space removed (in place; "" when none). */
static const char *text_of(struct pb_buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] && strchr(" \t\r\n", b->data[b->len - 1]))
		pb_buf_truncate(b, b->len - 1);
	return b->data;
}

int pb_slurm_sbatch(const struct pb_slurm_submit *s, char *id, size_t cap)
{
	const char *argv[32];
	char *opts[8] = { 0 };
	struct pb_proc_result res;
	size_t k = 0, o = 0;
	int ret = -1;

	argv[k++] = "sbatch";
	argv[k++] = "--parsable";
	opts[o] = pb_xasprintf("--job-name=%s", s->name);
	argv[k++] = opts[o++];
	opts[o] = pb_xasprintf("--output=%s", s->output);
	argv[k++] = opts[o++];
	if (s->workdir) {
		opts[o] = pb_xasprintf("--chdir=%s", s->workdir);
		argv[k++] = opts[o++];
	}
	if (s->partition) {
		opts[o] = pb_xasprintf("--partition=%s", s->partition);
		argv[k++] = opts[o++];
	}
	if (s->account) {
		opts[o] = pb_xasprintf("--account=%s", s->account);
		argv[k++] = opts[o++];
	}
	if (s->time_limit) {
		opts[o] = pb_xasprintf("--time=%s", s->time_limit);
		argv[k++] = opts[o++];
	}
	if (s->nodelist) {
		opts[o] = pb_xasprintf("--nodelist=%s", s->nodelist);
		argv[k++] = opts[o++];
	}
	if (s->exclusive)
		argv[k++] = "--exclusive";
	for (size_t i = 0; s->extra && s->extra[i]; i++) {
		if (k >= PB_ARRAY_SIZE(argv) - 3) {
			pb_error_as(PB_EXIT_USAGE, "executor.slurm.extra_args: at most %zu arguments",
				    PB_ARRAY_SIZE(argv) - 12);
			goto out;
		}
		argv[k++] = s->extra[i];
	}
	argv[k] = NULL;
	if (run(argv, s->script, s->script_dir, &res)) {
		pb_error_as(PB_EXIT_ENV, "cannot run sbatch: %s (is Slurm installed? "
			    "scripts/install-deps.sh --with-slurm)", pb_error_message());
		goto out_res;
	}
	if (!res.exited || res.status != 0) {
		const char *msg = text_of(&res.err);

		pb_error_as(PB_EXIT_ENV, "sbatch refused the job %s: %s", s->name,
			    msg[0] ? msg : "no message");
		goto out_res;
	}
	ret = pb_slurm_parse_sbatch(text_of(&res.out), id, cap);
out_res:
	pb_proc_result_release(&res);
out:
	for (o = 0; o < PB_ARRAY_SIZE(opts); o++)
		free(opts[o]);
	return ret;
}

/* The ids joined by commas (caller frees). */
static char *id_list(const struct pb_slurm_job *jobs, size_t n)
{
	struct pb_buf b = PB_BUF_INIT;

	for (size_t i = 0; i < n; i++)
		pb_buf_printf(&b, "%s%s", i ? "," : "", jobs[i].id);
	return pb_buf_detach(&b);
}

int pb_slurm_poll(struct pb_slurm_job *jobs, size_t n, bool *no_sacct)
{
	struct pb_proc_result res;
	char *ids, *jarg;
	bool *seen = pb_xcalloc(n ? n : 1, sizeof(*seen));
	int ret = -1;

	if (n == 0) {
		free(seen);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		seen[i] = jobs[i].state != PB_SLURM_UNKNOWN;
	ids = id_list(jobs, n);
	jarg = pb_xasprintf("--jobs=%s", ids);
	if (!*no_sacct) {
		const char *argv[] = { "sacct", "-n", "-P", "-X", "-o", "JobID,State,NodeList", jarg, NULL };

		if (run(argv, NULL, NULL, &res) == 0 && res.exited && res.status == 0) {
			pb_slurm_parse_table(text_of(&res.out), jobs, n);
			ret = 0;
		} else {
			/* "Slurm accounting storage is disabled": no slurmdbd; squeue from now on. */
			*no_sacct = true;
		}
		pb_proc_result_release(&res);
		pb_error_clear();
	}
	if (ret != 0) {
		const char *argv[] = { "squeue", "-h", "-t", "all", "-o", "%i|%T|%N", jarg, NULL };
		size_t found;

		for (size_t i = 0; i < n; i++)
			if (!pb_slurm_ended(jobs[i].state))
				jobs[i].state_name[0] = '\0';
		if (run(argv, NULL, NULL, &res) == 0 && res.exited) {
			found = pb_slurm_parse_table(text_of(&res.out), jobs, n);
			/* squeue fails ("Invalid job id") when none of the ids is known any more. */
			if (res.status == 0 || found == 0)
				ret = 0;
			for (size_t i = 0; i < n; i++)
				if (!jobs[i].state_name[0] && seen[i] && !pb_slurm_ended(jobs[i].state))
					jobs[i].state = PB_SLURM_GONE;
		}
		if (ret)
			pb_error_as(PB_EXIT_ENV, "neither sacct nor squeue can tell the state of jobs %s",
				    ids);
		pb_proc_result_release(&res);
	}
	free(seen);
	free(jarg);
	free(ids);
	return ret;
}

size_t pb_slurm_cancel(const char *const *ids, size_t n)
{
	const char **argv = pb_xcalloc(n + 3, sizeof(*argv));
	struct pb_proc_result res;
	size_t k = 0;

	argv[k++] = "scancel";
	for (size_t i = 0; i < n; i++)
		if (ids[i] && ids[i][0])
			argv[k++] = ids[i];
	argv[k] = NULL;
	if (k > 1) {
		if (run(argv, NULL, NULL, &res))
			pb_error_clear();
		pb_proc_result_release(&res);
	}
	free(argv);
	return k - 1;
}
