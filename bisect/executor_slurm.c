/* executor_slurm.c: the Slurm executor: builds and measurement batches as jobs running `placebisect worker`. */
#include "bisect/executor.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bisect/slurm.h"
#include "bisect/workfile.h"
#include "core/atomic.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/util.h"

/* A job this executor waits for (submitted now, or by an earlier run and found in the state). */
struct sjob {
	struct pb_slurm_job j;
	char *key;      /* build-<build hash>-<commit> or measure-<request hash> */
	char *request, *result, *output, *registry;
	char *name;     /* --job-name */
	bool exclusive;
	const char *nodelist;
	bool have_result;
};

struct slurm {
	struct pb_executor base;
	struct pb_executor_slurm_in in;
	const struct pb_config *cfg;
	char *work_dir;      /* <shared_dir>/<repository key> */
	char *jobs_dir;      /* <state>/slurm: one <key>.job (its id) per job not yet consumed */
	char *self;          /* the placebisect executable */
	char *node_file;     /* <state>/slurm/measure-node */
	char *measure_node;  /* where measurements run; NULL until the first batch ran */
	struct pb_json *config; /* the effective configuration, for the requests */
	uint64_t build_hash;
	bool no_sacct;
	/* ids of jobs submitted or adopted and not seen ended: scancelled at a stop, an error, free */
	char **live;
	size_t n_live, cap_live;
	/* per commit (owned strings) */
	char **build_node, **build_job, **meas_node, **meas_job, **failures;
};

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v && v[0] ? pb_xstrdup(v) : NULL;
}

static void live_add(struct slurm *s, const char *id)
{
	pb_xgrow((void **)&s->live, &s->cap_live, s->n_live + 1, sizeof(*s->live));
	s->live[s->n_live++] = pb_xstrdup(id);
}

static void live_drop(struct slurm *s, const char *id)
{
	for (size_t i = 0; i < s->n_live; i++)
		if (strcmp(s->live[i], id) == 0) {
			free(s->live[i]);
			s->live[i] = s->live[--s->n_live];
			return;
		}
}

/* scancel every job still live (a stop, an error, the end). */
static void cancel_live(struct slurm *s)
{
	pb_slurm_cancel((const char *const *)s->live, s->n_live);
	for (size_t i = 0; i < s->n_live; i++)
		free(s->live[i]);
	s->n_live = 0;
}

/* 'text' quoted for /bin/sh (caller frees). */
static char *sh_quote(const char *text)
{
	struct pb_buf b = PB_BUF_INIT;

	pb_buf_putc(&b, '\'');
	for (; *text; text++) {
		if (*text == '\'')
			pb_buf_puts(&b, "'\\''");
		else
			pb_buf_putc(&b, *text);
	}
	pb_buf_putc(&b, '\'');
	return pb_buf_detach(&b);
}

static void sjob_init(struct slurm *s, struct sjob *j, const char *key, const char *name)
{
	memset(j, 0, sizeof(*j));
	j->key = pb_xstrdup(key);
	j->name = pb_xstrdup(name);
	j->request = pb_xasprintf("%s/requests/%s.json", s->work_dir, key);
	j->result = pb_xasprintf("%s/results/%s.json", s->work_dir, key);
	j->output = pb_xasprintf("%s/logs/%s.job.log", s->work_dir, key);
	j->registry = pb_xasprintf("%s/%s.job", s->jobs_dir, key);
}

static void sjob_release(struct sjob *j)
{
	free(j->key);
	free(j->name);
	free(j->request);
	free(j->result);
	free(j->output);
	free(j->registry);
	memset(j, 0, sizeof(*j));
}

/* The job id an earlier run recorded for this key into j->j.id; false when none. */
static bool registry_load(struct sjob *j)
{
	struct pb_buf b = PB_BUF_INIT;
	bool ok = false;

	if (access(j->registry, F_OK) == 0 && pb_buf_read_file(&b, j->registry) == 0)
		ok = pb_slurm_parse_sbatch(b.data, j->j.id, sizeof(j->j.id)) == 0;
	pb_error_clear();
	pb_buf_release(&b);
	return ok;
}

/* Submit job j (its request file written); its id recorded atomically in the state. 0 or -1. */
static int submit(struct slurm *s, struct sjob *j)
{
	const struct pb_config *cfg = s->cfg;
	char *qs = sh_quote(s->self), *qr = sh_quote(j->request);
	char *script = pb_xasprintf("#!/bin/sh\n# placebisect: %s\nexec %s worker %s\n", j->key, qs, qr);
	struct pb_slurm_submit sub = {
		.name = j->name, .output = j->output, .script = script,
		.partition = cfg->executor.slurm.partition, .account = cfg->executor.slurm.account,
		.time_limit = cfg->executor.slurm.time_limit, .extra = cfg->executor.slurm.extra_args,
		.exclusive = j->exclusive, .nodelist = j->nodelist, .workdir = s->work_dir,
		.script_dir = s->jobs_dir,
	};
	int ret = -1;

	if (pb_slurm_sbatch(&sub, j->j.id, sizeof(j->j.id)))
		goto out;
	live_add(s, j->j.id);
	j->j.state = PB_SLURM_PENDING;
	{
		char *line = pb_xasprintf("%s\n", j->j.id);

		ret = pb_atomic_write(j->registry, line, strlen(line));
		free(line);
	}
out:
	free(script);
	free(qs);
	free(qr);
	return ret;
}

/* Sleep `seconds` in short steps, returning early when the stop flag is set. */
static void nap(const struct slurm *s, double seconds)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int64_t end = pb_now_ns() + (int64_t)(seconds * 1e9);

	while (pb_now_ns() < end && !(s->in.local.stop && *s->in.local.stop))
		nanosleep(&ts, NULL);
}

/*
 * Run jobs[0..n): those with a result already (a finished job of an earlier run) are taken as
 * they are; one an earlier run submitted that is still queued or running is waited for; the rest
 * are submitted. Then poll until each has its result file or has ended. A stop or an error
 * scancels what is live. Returns 0 (every job ended: results are checked by the caller) or -1.
 */
static int run_jobs(struct slurm *s, struct sjob *jobs, size_t n, const char *what)
{
	struct pb_slurm_job *poll = pb_xcalloc(n, sizeof(*poll));
	size_t *at = pb_xcalloc(n, sizeof(*at));
	size_t i, k, queued, running, done;
	int ret = -1;

	for (i = 0; i < n; i++) {
		jobs[i].have_result = access(jobs[i].result, F_OK) == 0;
		if (jobs[i].have_result)
			continue;
		if (registry_load(&jobs[i])) {
			/* Submitted by an interrupted run: wait for it unless it is gone. */
			struct pb_slurm_job one = jobs[i].j;

			one.state = PB_SLURM_PENDING; /* known to have existed */
			if (pb_slurm_poll(&one, 1, &s->no_sacct))
				goto out;
			if (!pb_slurm_ended(one.state) && one.state_name[0]) {
				jobs[i].j = one;
				live_add(s, one.id);
				continue;
			}
		}
		if (submit(s, &jobs[i]))
			goto out;
	}
	for (;;) {
		k = 0;
		queued = running = done = 0;
		for (i = 0; i < n; i++) {
			if (!jobs[i].have_result && access(jobs[i].result, F_OK) == 0)
				jobs[i].have_result = true;
			if (jobs[i].have_result || pb_slurm_ended(jobs[i].j.state)) {
				done++;
				continue;
			}
			poll[k] = jobs[i].j;
			at[k++] = i;
		}
		if (k == 0)
			break;
		if (s->in.local.stop && *s->in.local.stop) {
			cancel_live(s);
			pb_error_as(PB_EXIT_INTERRUPTED, "interrupted: %zu Slurm %s cancelled", k,
				    pb_plural(k, "job", "jobs"));
			goto out;
		}
		if (pb_slurm_poll(poll, k, &s->no_sacct))
			goto out;
		for (i = 0; i < k; i++) {
			jobs[at[i]].j = poll[i];
			if (poll[i].state == PB_SLURM_RUNNING)
				running++;
			else if (pb_slurm_ended(poll[i].state))
				done++;
			else
				queued++;
		}
		if (s->in.local.progress)
			pb_progress_detail(s->in.local.progress, "slurm: %s: %zu queued, %zu running, %zu done",
					   what, queued, running, done);
		if (queued + running > 0)
			nap(s, s->cfg->executor.slurm.poll_interval);
	}
	/* A job may end a moment after writing its result: it is not ours to cancel any more. */
	for (i = 0; i < n; i++)
		if (jobs[i].j.id[0])
			live_drop(s, jobs[i].j.id);
	ret = 0;
out:
	if (ret && pb_error_exit_code() != PB_EXIT_INTERRUPTED)
		cancel_live(s);
	free(poll);
	free(at);
	return ret;
}

/* The result of job j, which ended; an error naming the job and its output when it left none. */
static int read_result(struct slurm *s, struct sjob *j, struct pb_work_result *r)
{
	(void)s;
	if (access(j->result, F_OK) != 0) {
		memset(r, 0, sizeof(*r));
		return pb_error_as(PB_EXIT_ENV, "Slurm job %s (%s) ended %s without a result; see its "
				   "output %s", j->j.id, j->name,
				   j->j.state_name[0] ? j->j.state_name : "(state unknown)", j->output);
	}
	if (pb_work_result_read(r, j->result))
		return -1;
	/* A failed job's result is not kept: the same request after a fix submits it again. */
	if (r->error) {
		unlink(j->result);
		unlink(j->registry);
	}
	if (r->error)
		return pb_error_as((enum pb_exit)r->error_code, "Slurm job %s (%s) on %s: %s",
				   r->job && r->job[0] ? r->job : j->j.id, j->name,
				   r->node ? r->node : "?", r->error);
	return 0;
}

/* A request with what every request of this executor carries. */
static void request_init(struct slurm *s, struct pb_work_request *rq, enum pb_work_kind kind,
			 const struct sjob *j)
{
	memset(rq, 0, sizeof(*rq));
	rq->kind = kind;
	rq->repo = (char *)pb_repo_gitdir(s->in.local.repo);
	rq->work_dir = s->work_dir;
	rq->config_dir = s->cfg->dir;
	rq->config = s->config;
	rq->result = j->result;
	rq->rebuild_failed = s->in.rebuild_failed;
}

static int slurm_build_many(struct pb_executor *ex, const size_t *commits, size_t n,
			    struct pb_build *outs)
{
	struct slurm *s = (struct slurm *)ex;
	struct sjob *jobs = pb_xcalloc(n ? n : 1, sizeof(*jobs));
	bool *reuse = pb_xcalloc(n ? n : 1, sizeof(*reuse));
	struct pb_work_result r;
	struct sjob *todo;
	size_t i, m = 0;
	int ret = -1;

	memset(outs, 0, n * sizeof(*outs));
	todo = pb_xcalloc(n ? n : 1, sizeof(*todo));
	for (i = 0; i < n; i++) {
		const char *id = s->in.local.ids[commits[i]];
		char *key = pb_xasprintf("build-%016llx-%s", (unsigned long long)s->build_hash, id);
		char *name = pb_xasprintf("pb-build-%.7s", id);

		sjob_init(s, &jobs[i], key, name);
		free(key);
		free(name);
		/* A build an earlier run finished is taken unless it failed and --rebuild-failed is
		 * given, or its binary is gone from the cache. */
		if (access(jobs[i].result, F_OK) == 0 && pb_work_result_read(&r, jobs[i].result) == 0) {
			reuse[i] = !r.error && (r.build.ok ? !r.build.binary ||
							      access(r.build.binary, F_OK) == 0 :
							      !s->in.rebuild_failed);
			pb_work_result_release(&r);
		}
		pb_error_clear();
		if (reuse[i])
			continue;
		unlink(jobs[i].result);
		{
			struct pb_work_request rq;
			struct pb_work_item item = { .runs = 0 };

			memcpy(item.commit, id, PB_OID_HEX);
			request_init(s, &rq, PB_WORK_BUILD, &jobs[i]);
			rq.items = &item;
			rq.n_items = 1;
			if (pb_work_request_write(&rq, jobs[i].request))
				goto out;
		}
		todo[m++] = jobs[i];
	}
	if (m && run_jobs(s, todo, m, "builds"))
		goto out;
	for (i = 0, m = 0; i < n; i++) {
		if (!reuse[i])
			jobs[i] = todo[m++];
		if (read_result(s, &jobs[i], &r))
			goto out;
		outs[i] = r.build;
		memset(&r.build, 0, sizeof(r.build));
		if (reuse[i])
			outs[i].cached = true;
		set_str(&s->build_node[commits[i]], r.node);
		set_str(&s->build_job[commits[i]], r.job);
		pb_work_result_release(&r);
		unlink(jobs[i].registry);
	}
	ret = 0;
out:
	for (i = 0; i < n; i++)
		sjob_release(&jobs[i]);
	free(jobs);
	free(todo);
	free(reuse);
	return ret;
}

static int slurm_build(struct pb_executor *ex, size_t commit, struct pb_build *out)
{
	return slurm_build_many(ex, &commit, 1, out);
}

/* Move src's descriptive fields into dst when dst has none yet (its first runs). */
static void adopt(struct pb_measurement *dst, struct pb_measurement *src)
{
#define SWAP(f)                                                                                  \
	do {                                                                                     \
		__typeof__(dst->f) t_ = dst->f;                                                  \
		dst->f = src->f;                                                                 \
		src->f = t_;                                                                     \
	} while (0)
	if (!dst->backend) {
		SWAP(benchmark);
		SWAP(command);
		SWAP(commit);
		SWAP(backend);
		SWAP(metric);
		SWAP(unit);
		SWAP(system);
		SWAP(warnings);
		SWAP(baseline_command);
		SWAP(baseline_value);
		SWAP(baseline_counters);
		SWAP(n_baseline_counters);
	}
	/* Cachegrind's per-function costs: the latest batch's. */
	if (src->n_functions) {
		SWAP(functions);
		SWAP(n_functions);
	}
#undef SWAP
}

static int slurm_measure(struct pb_executor *ex, const struct pb_exec_request *reqs, size_t n,
			 pb_exec_done_fn done, void *arg)
{
	struct slurm *s = (struct slurm *)ex;
	struct pb_work_request rq;
	struct pb_work_result r;
	struct pb_buf canon = PB_BUF_INIT;
	struct sjob job;
	char *key, *name;
	size_t q, k;
	int ret = -1, rc;

	memset(&r, 0, sizeof(r));
	/* The request's key: the same batch asked again after an interruption (same commits, runs,
	 * and runs already held) finds the job the interrupted run submitted, or its result. */
	pb_buf_printf(&canon, "%s|%s|%s|%s|%ld|%ld|%016llx", s->in.benchmark, s->in.backend,
		      s->in.metric, s->in.cpus ? s->in.cpus : "", s->in.runs, s->in.warmups,
		      (unsigned long long)s->build_hash);
	for (q = 0; q < n; q++)
		pb_buf_printf(&canon, "|%s:%zu:%zu", s->in.local.ids[reqs[q].commit], reqs[q].runs,
			      reqs[q].m->n_runs);
	key = pb_xasprintf("measure-%016llx",
			   (unsigned long long)pb_hash64(canon.data, canon.len, PB_HASH64_SEED));
	name = pb_xasprintf("pb-measure-%.7s%s", s->in.local.ids[reqs[0].commit], n > 1 ? "-etc" : "");
	sjob_init(s, &job, key, name);
	free(key);
	free(name);
	job.exclusive = true;
	job.nodelist = s->measure_node;

	request_init(s, &rq, PB_WORK_MEASURE, &job);
	rq.benchmark = (char *)s->in.benchmark;
	rq.backend = (char *)s->in.backend;
	rq.metric = (char *)s->in.metric;
	rq.cpus = (char *)s->in.cpus;
	rq.runs = s->in.runs;
	rq.warmups = s->in.warmups;
	rq.n_items = n;
	rq.items = pb_xcalloc(n, sizeof(*rq.items));
	for (q = 0; q < n; q++) {
		memcpy(rq.items[q].commit, s->in.local.ids[reqs[q].commit], PB_OID_HEX);
		rq.items[q].runs = reqs[q].runs;
	}
	/* A result an interrupted run left is taken, unless its job failed (then it is run again). */
	if (access(job.result, F_OK) == 0) {
		if (pb_work_result_read(&r, job.result) != 0 || r.error)
			unlink(job.result);
		pb_work_result_release(&r);
		pb_error_clear();
	}
	rc = access(job.result, F_OK) == 0 ? 0 : pb_work_request_write(&rq, job.request);
	free(rq.items);
	if (rc || run_jobs(s, &job, 1, "measurement") || read_result(s, &job, &r))
		goto out;
	if (r.n_ms != n) {
		pb_error_as(PB_EXIT_ENV, "%s: %zu measurements for a batch of %zu commits", job.result,
			    r.n_ms, n);
		goto out;
	}
	if (!s->measure_node && r.node && r.node[0]) {
		/* Every later batch runs on this node: comparisons stay on one machine. */
		s->measure_node = pb_xstrdup(r.node);
		if (pb_atomic_write(s->node_file, r.node, strlen(r.node)))
			goto out;
	}
	for (q = 0; q < n; q++) {
		set_str(&s->meas_node[reqs[q].commit], r.node);
		set_str(&s->meas_job[reqs[q].commit], r.job);
		set_str(&s->failures[reqs[q].commit], r.failures[q]);
	}
	/* The runs are the caller's from here (its cache): the result is consumed. */
	unlink(job.result);
	unlink(job.registry);
	unlink(job.request);
	for (q = 0; q < n; q++) {
		struct pb_measurement *src = &r.ms[q];

		adopt(reqs[q].m, src);
		for (k = 0; k < src->n_runs; k++) {
			size_t first = reqs[q].m->n_runs;

			pb_measurement_add_run(reqs[q].m, &src->runs[k]);
			rc = done(arg, &reqs[q], first);
			if (rc < 0)
				goto out;
			if (rc > 0) {
				ret = 0;
				goto out;
			}
		}
	}
	ret = 0;
out:
	pb_work_result_release(&r);
	sjob_release(&job);
	pb_buf_release(&canon);
	return ret;
}

static const char *slurm_last_failure(const struct pb_executor *ex, size_t commit)
{
	const struct slurm *s = (const struct slurm *)ex;

	return commit < s->in.local.n ? s->failures[commit] : NULL;
}

static void slurm_where(const struct pb_executor *ex, size_t commit, struct pb_exec_where *out)
{
	const struct slurm *s = (const struct slurm *)ex;

	if (commit >= s->in.local.n)
		return;
	out->build_node = s->build_node[commit];
	out->build_job = s->build_job[commit];
	out->measure_node = s->meas_node[commit];
	out->measure_job = s->meas_job[commit];
}

static void slurm_free(struct pb_executor *ex)
{
	struct slurm *s = (struct slurm *)ex;

	cancel_live(s);
	for (size_t i = 0; i < s->in.local.n; i++) {
		free(s->build_node[i]);
		free(s->build_job[i]);
		free(s->meas_node[i]);
		free(s->meas_job[i]);
		free(s->failures[i]);
	}
	free(s->build_node);
	free(s->build_job);
	free(s->meas_node);
	free(s->meas_job);
	free(s->failures);
	free(s->live);
	free(s->work_dir);
	free(s->jobs_dir);
	free(s->self);
	free(s->node_file);
	free(s->measure_node);
	pb_json_free(s->config);
	free(s);
}

static const struct pb_executor_ops slurm_ops = {
	.name = "slurm", .build = slurm_build, .build_many = slurm_build_many,
	.measure = slurm_measure, .last_failure = slurm_last_failure, .free = slurm_free,
	.where = slurm_where,
};

/* The path of the running executable (caller frees); NULL when /proc does not say. */
static char *self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return pb_xstrdup(buf);
}

int pb_executor_slurm_new(struct pb_executor **out, const struct pb_executor_slurm_in *in)
{
	const struct pb_config *cfg = in->local.cfg;
	const char *shared = cfg->executor.slurm.shared_dir;
	const char *gitdir = pb_repo_gitdir(in->local.repo);
	struct pb_buf text = PB_BUF_INIT, node = PB_BUF_INIT;
	struct pb_jsonw w;
	struct slurm *s;
	size_t n = in->local.n;
	int ret = -1;

	*out = NULL;
	if (!shared || !shared[0])
		return pb_error("%s: executor.kind is \"slurm\" but executor.slurm.shared_dir is not set "
				"(a directory every node sees at the same path: the build cache, worktrees "
				"and the jobs' files go there)", cfg->path ? cfg->path : "the configuration");
	s = pb_xcalloc(1, sizeof(*s));
	s->base.ops = &slurm_ops;
	s->in = *in;
	s->cfg = cfg;
	s->build_hash = pb_config_build_hash(cfg);
	/* One directory per repository: two bisects of two projects share the cluster, not files. */
	if (shared[0] == '/')
		s->work_dir = pb_xasprintf("%s/%016llx", shared,
					   (unsigned long long)pb_hash64(gitdir, strlen(gitdir), PB_HASH64_SEED));
	else
		s->work_dir = pb_xasprintf("%s/%s/%016llx", cfg->dir ? cfg->dir : ".", shared,
					   (unsigned long long)pb_hash64(gitdir, strlen(gitdir), PB_HASH64_SEED));
	s->jobs_dir = pb_xasprintf("%s/slurm", in->state_dir);
	s->node_file = pb_xasprintf("%s/measure-node", s->jobs_dir);
	s->self = in->self ? pb_xstrdup(in->self) : self_exe();
	s->build_node = pb_xcalloc(n ? n : 1, sizeof(char *));
	s->build_job = pb_xcalloc(n ? n : 1, sizeof(char *));
	s->meas_node = pb_xcalloc(n ? n : 1, sizeof(char *));
	s->meas_job = pb_xcalloc(n ? n : 1, sizeof(char *));
	s->failures = pb_xcalloc(n ? n : 1, sizeof(char *));
	*out = &s->base;
	if (!s->self) {
		pb_error_as(PB_EXIT_ENV, "cannot tell where the placebisect executable is (/proc/self/exe) "
			    "for the Slurm jobs to run");
		goto out;
	}
	{
		const char *subs[] = { "requests", "results", "logs", "work" };

		for (size_t i = 0; i < PB_ARRAY_SIZE(subs); i++) {
			char *d = pb_xasprintf("%s/%s", s->work_dir, subs[i]);
			int rc = pb_mkdir_p(d);

			free(d);
			if (rc) {
				pb_error_wrap("executor.slurm.shared_dir: ");
				goto out;
			}
		}
	}
	if (pb_mkdir_p(s->jobs_dir))
		goto out;
	/* A resumed bisect measures on the node the interrupted one used. */
	if (access(s->node_file, F_OK) == 0 && pb_buf_read_file(&node, s->node_file) == 0 && node.len)
		s->measure_node = pb_xstrdup(node.data);
	pb_error_clear();
	pb_jsonw_init(&w, &text, true);
	pb_config_write_json(cfg, &w);
	pb_jsonw_finish(&w);
	if (pb_json_parse(&s->config, text.data, text.len, "the effective configuration"))
		goto out;
	ret = 0;
out:
	pb_buf_release(&text);
	pb_buf_release(&node);
	return ret;
}
