/* runner_run.c: one run of the benchmark as a process: spawned pinned, with a timeout and the
 * counters or valgrind attached, its output captured, its outcome recorded in the measurement. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/tmpdir.h"
#include "core/util.h"
#include "measure/contention.h"
#include "measure/runner_impl.h"
#include "measure/vgout.h"

static void add_failure(struct pb_runner *r, const char *reason)
{
	size_t i;

	for (i = 0; i < r->n_fail; i++)
		if (strcmp(r->fail[i].reason, reason) == 0) {
			r->fail[i].count++;
			return;
		}
	pb_xgrow((void **)&r->fail, &r->cap_fail, r->n_fail + 1, sizeof(*r->fail));
	r->fail[r->n_fail].reason = pb_xstrdup(reason);
	r->fail[r->n_fail].count = 1;
	r->fail[r->n_fail].first_run = r->n_recorded;
	r->n_fail++;
}


static void warn_unavailable(struct pb_runner *r, struct pb_measurement *m)
{
	size_t i;
	const char *why;
	char *msg;

	if (!r->counters)
		return;
	for (i = 0; i < r->n_vals; i++) {
		why = pb_counters_reason(r->counters, i);
		if (why && !r->warned[i]) {
			r->warned[i] = true;
			msg = pb_xasprintf("event %s: %s", pb_counters_name(r->counters, i), why);
			pb_warn("%s", msg);
			pb_measurement_add_warning(m, msg);
			free(msg);
		}
		why = pb_counters_note(r->counters, i);
		if (why && !r->noted[i]) {
			r->noted[i] = true;
			msg = pb_xasprintf("event %s: %s", pb_counters_name(r->counters, i), why);
			pb_warn("%s", msg);
			pb_measurement_add_warning(m, msg);
			free(msg);
		}
	}
}

/* Append ": <the last non-empty line of err>" (shortened) to why: what the benchmark said as it failed. */
static void last_line(const struct pb_buf *err, struct pb_buf *why)
{
	size_t end = err->len, start;

	while (end > 0 && (err->data[end - 1] == '\n' || err->data[end - 1] == '\r' ||
			   err->data[end - 1] == ' '))
		end--;
	if (end == 0)
		return;
	start = end;
	while (start > 0 && err->data[start - 1] != '\n')
		start--;
	if (end - start > 160)
		start = end - 160;
	pb_buf_printf(why, ": %.*s", (int)(end - start), err->data + start);
}

/* Up to the last two non-empty lines of b (at most 240 bytes, newlines as " | "), quoted. */
static void tail_of(const struct pb_buf *b, const char *name, bool truncated, struct pb_buf *out)
{
	size_t end = b->len, start, lines = 0, i;

	while (end > 0 && (b->data[end - 1] == '\n' || b->data[end - 1] == '\r' || b->data[end - 1] == ' '))
		end--;
	if (end == 0) {
		pb_buf_printf(out, "; %s: nothing", name);
		return;
	}
	start = end;
	while (start > 0 && (b->data[start - 1] != '\n' || ++lines < 2))
		start--;
	if (end - start > 240)
		start = end - 240;
	pb_buf_printf(out, "; %s%s ends: \"", name, truncated ? " (cut at the capture limit)" : "");
	for (i = start; i < end; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c == '\n')
			pb_buf_puts(out, " | ");
		else if (c == '"' || c == '\\')
			pb_buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			pb_buf_putc(out, '?');
		else
			pb_buf_putc(out, (char)c);
	}
	pb_buf_putc(out, '"');
}

/* A failed run for a message: why, then the tails of its stdout and stderr. Caller frees. */
static char *describe_failure(const char *why, const struct pb_proc_result *res)
{
	struct pb_buf b = PB_BUF_INIT;

	pb_buf_puts(&b, why);
	tail_of(&res->out, "stdout", res->out_truncated, &b);
	tail_of(&res->err, "stderr", res->err_truncated, &b);
	return pb_buf_detach(&b);
}

static double lowest_ratio(const struct pb_counter *c, size_t n)
{
	double lo = 1.0;
	size_t i;

	for (i = 0; i < n; i++)
		if (!isnan(c[i].value) && c[i].running_ratio < lo)
			lo = c[i].running_ratio;
	return lo;
}

/* The child is stopped before exec: the counters attach, then the caller's hook. */
static int before_exec(pid_t pid, void *arg)
{
	struct pb_runner *r = arg;

	if (r->backend == BK_PERF && pb_counters_attach(pid, r->counters))
		return -1;
	return r->o->before_exec ? r->o->before_exec(pid, r->o->hook_arg) : 0;
}

/*
 * An untimed command of the benchmark (`what`: "setup" or "prepare") run like it: same shell, cwd,
 * environment and timeout, not pinned, no counters. Returns 0 when it succeeded, 1 when it failed
 * (*why: "benchmarks.NAME.prepare `CMD` failed: exit 1: <last line>", *tail: with its output's
 * tails; both allocated; *status its exit status or 128 + signal), -1 when it could not be started or we were stopped (error recorded).
 */
static int untimed(struct pb_runner *r, const char *what, const char *cmd, char **why, char **tail,
		   int *status)
{
	struct pb_proc_opts po = PB_PROC_OPTS_INIT;
	struct pb_proc_result res = { .out = PB_BUF_INIT, .err = PB_BUF_INIT };
	struct pb_buf b = PB_BUF_INIT;
	char desc[128];
	int ret = -1;

	po.shell = cmd;
	po.cwd = r->o->cwd;
	po.env_set = r->env;
	po.timeout_s = r->timeout;
	po.capture_max = 64 * 1024;
	if (pb_proc_run(&po, &res))
		goto out;
	if (r->o->stop && *r->o->stop) {
		pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
		goto out;
	}
	ret = 0;
	if (res.exited && res.status == 0 && !res.timed_out)
		goto out;
	pb_proc_describe(&res, r->timeout, desc, sizeof(desc));
	if (r->o->name)
		pb_buf_printf(&b, "benchmarks.%s.%s `%s` failed: %s", r->o->name, what, cmd, desc);
	else
		pb_buf_printf(&b, "the %s command `%s` failed: %s", what, cmd, desc);
	last_line(res.err.len ? &res.err : &res.out, &b);
	*why = pb_xstrdup(b.data);
	*tail = describe_failure(b.data, &res);
	*status = res.exited ? res.status : 128 + res.signal;
	ret = 1;
out:
	pb_buf_release(&b);
	pb_proc_result_release(&res);
	return ret;
}

/* A recorded run that did not happen because its setup or prepare command failed (`status`: that
 * command's, recorded as the run's exit). */
static void add_untimed_failure(struct pb_runner *r, struct pb_measurement *m, const char *why,
				const char *tail, int status)
{
	struct pb_run run;

	r->n_recorded++;
	memset(&run, 0, sizeof(run));
	run.exit = status;
	run.ok = false;
	run.value = NAN;
	add_failure(r, why);
	free(r->last_fail);
	r->last_fail = pb_xstrdup(tail);
	pb_measurement_add_run(m, &run);
}

/*
 * setup (once per runner) and prepare (before every run): 0 when both are fine or absent, 1 when
 * one failed (a recorded run is then added as failed), -1 on an error.
 */
static int before_run(struct pb_runner *r, struct pb_measurement *m, bool record)
{
	char *why = NULL, *tail = NULL;
	int rc, status = 0;

	if (r->o->setup && !r->setup_done) {
		if (untimed(r, "setup", r->o->setup, &r->setup_failed, &r->setup_tail,
			    &r->setup_status) < 0)
			return -1;
		r->setup_done = true;
	}
	if (r->setup_failed) {
		if (record)
			add_untimed_failure(r, m, r->setup_failed, r->setup_tail, r->setup_status);
		return 1;
	}
	if (!r->o->prepare)
		return 0;
	rc = untimed(r, "prepare", r->o->prepare, &why, &tail, &status);
	if (rc > 0 && record)
		add_untimed_failure(r, m, why, tail, status);
	free(why);
	free(tail);
	return rc;
}

int pb_runner_run(struct pb_runner *r, struct pb_measurement *m, bool record)
{
	struct pb_proc_opts po = PB_PROC_OPTS_INIT;
	struct pb_proc_result res = { .out = PB_BUF_INIT, .err = PB_BUF_INIT };
	struct pb_buf why = PB_BUF_INIT;
	struct pb_cg_result cg;
	struct pb_run run;
	char **cg_argv = NULL, *cg_dir = NULL, desc[128];
	double value = NAN;
	bool ok;
	struct pb_cpu_snapshot snap[2];
	int rc, ret = -1;

	memset(&cg, 0, sizeof(cg));
	if (r->o->stop && *r->o->stop)
		return pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
	rc = before_run(r, m, record);
	if (rc)
		return rc < 0 ? -1 : 0;
	po.cwd = r->o->cwd;
	po.env_set = r->env;
	po.cpus = r->pinned ? &r->cpus : NULL;
	po.timeout_s = r->timeout;
	po.no_aslr = r->o->no_aslr;
	/* Both streams are captured (a little of them, unless stdout is the metric) to say why a run
	 * failed: pyperf, for one, writes its errors to stdout. */
	po.capture_max = r->metric == MK_STDOUT ? 0 : 64 * 1024;
	if (r->backend == BK_CACHEGRIND) {
		if (record && r->o->baseline && !r->have_base && pb_runner_baseline(r, m))
			goto out;
		cg_dir = pb_tmpdir_new(r->o->tmp_dir, "cg");
		if (!cg_dir)
			goto out;
		cg_argv = pb_cachegrind_argv(&r->geo, cg_dir, r->o->argv, r->o->shell);
		po.argv = (const char *const *)cg_argv;
	} else if (r->o->argv) {
		po.argv = r->o->argv;
	} else {
		po.shell = r->o->shell;
	}
	if (r->backend == BK_PERF || r->o->before_exec) {
		po.before_exec = before_exec;
		po.hook_arg = r;
	}
	if (r->harness_path && unlink(r->harness_path) != 0 && errno != ENOENT) {
		pb_error_errno("cannot remove the previous run's parse.file %s", r->harness_path);
		goto out;
	}
	pb_contention_snapshot(&snap[0]);
	rc = pb_proc_run(&po, &res);
	pb_contention_snapshot(&snap[1]);
	if (rc) {
		if (res.exec_failed) {
			/* The command as given cannot start: an input error, not the machine's. */
			char *msg = pb_xstrdup(pb_error_message());

			pb_error_as(PB_EXIT_USAGE, "%s", msg);
			free(msg);
		}
		goto out;
	}
	if (r->o->stop && *r->o->stop) {
		pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
		goto out;
	}
	if (res.orphans_killed && !r->warned_orphans) {
		/* A daemon would run on into the next runs and skew them: killed, and said once. */
		char *msg = pb_xasprintf("the benchmark left %d process%s running after it exited (a "
					 "daemon?); killed, as after every run", res.orphans_killed,
					 res.orphans_killed == 1 ? "" : "es");

		r->warned_orphans = true;
		pb_warn("%s", msg);
		pb_measurement_add_warning(m, msg);
		free(msg);
	}
	if (r->backend == BK_PERF) {
		if (pb_counters_collect(r->counters, r->vals))
			goto out;
		warn_unavailable(r, m);
	}
	if (!record) {
		ret = 0;
		goto out;
	}
	r->n_recorded++;
	ok = res.exited && res.status == 0 && !res.timed_out;
	if (!ok) {
		pb_proc_describe(&res, r->timeout, desc, sizeof(desc));
		pb_buf_puts(&why, desc);
		last_line(&res.err, &why);
	}
	if (ok && r->backend == BK_CACHEGRIND) {
		if (pb_cachegrind_collect(cg_dir, &cg)) {
			pb_buf_puts(&why, pb_error_message());
			pb_error_clear();
			ok = false;
		} else {
			pb_cachegrind_counters(&cg, r->vals);
			if (r->have_base)
				pb_runner_subtract_baseline(r, m);
			else if (!r->startup_checked)
				pb_runner_check_startup(r, m, &cg);
		}
	}
	if (ok)
		ok = pb_runner_value(r, &res, &value, &why) == 0;
	if (ok && r->metric == MK_HARNESS && strcmp(m->unit ? m->unit : "", r->harness_unit) != 0) {
		free(m->unit);
		m->unit = pb_xstrdup(r->harness_unit);
	}
	memset(&run, 0, sizeof(run));
	run.wall_ns = res.wall_ns;
	run.user_ns = res.user_ns;
	run.sys_ns = res.sys_ns;
	run.maxrss_kb = res.maxrss_kb;
	run.exit = res.exited ? res.status : 128 + res.signal;
	run.timed_out = res.timed_out;
	run.ok = ok;
	run.value = ok ? value : NAN;
	/* A cachegrind run without its output file has no counters at all. */
	if (r->backend == BK_PERF || (r->backend == BK_CACHEGRIND && cg.files > 0)) {
		run.counters = r->vals;
		run.n_counters = r->n_vals;
	}
	run.running_ratio = lowest_ratio(run.counters, run.n_counters);
	pb_contention_fill(&run, &snap[0], &snap[1]);
	if (!ok) {
		add_failure(r, why.data);
		free(r->last_fail);
		r->last_fail = describe_failure(why.data, &res);
	}
	pb_measurement_add_run(m, &run);
	if (ok && r->backend == BK_CACHEGRIND) {
		pb_cg_result_release(&r->cg_last);
		r->cg_last = cg;
		memset(&cg, 0, sizeof(cg));
	}
	ret = 0;
out:
	if (cg_dir)
		pb_tmpdir_remove(cg_dir);
	free(cg_dir);
	pb_cachegrind_argv_free(cg_argv);
	pb_cg_result_release(&cg);
	pb_buf_release(&why);
	pb_proc_result_release(&res);
	return ret;
}
