/* driver.c: what the command drivers share: a benchmark prepared against some commits, their builds
 * (cached) and their runs (cached, resumable), in the private worktree under the repository's lock. */
#include "bisect/driver.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"

int pb_driver_journal(struct pb_driver *s, const char *event, const char *commit, const char *k1,
		      const char *v1)
{
	struct pb_buf line = PB_BUF_INIT;
	struct pb_jsonw w;
	int ret;

	pb_jsonw_init(&w, &line, true);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "event", event);
	if (commit)
		pb_jsonw_string(&w, "commit", commit);
	if (k1)
		pb_jsonw_string(&w, k1, v1);
	pb_jsonw_end(&w);
	ret = pb_state_journal_append(&s->st, &line);
	pb_buf_release(&line);
	return ret;
}

/* Copy where the executor built and measured commit i (a cluster's node and job) into its result. */
static void note_where(struct pb_driver *s, size_t i)
{
	struct pb_bisect_commit *c = &s->res->commits[i];
	struct pb_exec_where w;
	const char *v[4];
	char **f[4] = { &c->build_node, &c->build_job, &c->measure_node, &c->measure_job };

	pb_executor_where(s->ex, i, &w);
	v[0] = w.build_node;
	v[1] = w.build_job;
	v[2] = w.measure_node;
	v[3] = w.measure_job;
	for (size_t k = 0; k < 4; k++)
		if (v[k]) {
			free(*f[k]);
			*f[k] = pb_xstrdup(v[k]);
		}
}

/* Commit i's build into res->commits[i], journaled when fresh: 0 built, 1 cannot be, -1. */
static int record_build(struct pb_driver *s, size_t i, struct pb_build *bd_)
{
	struct pb_bisect_commit *c = &s->res->commits[i];
	const struct pb_build bd = *bd_;
	int ret;

	c->build_slot = bd.slot;
	c->build_failed = !bd.ok;
	free(c->binary);
	c->binary = bd.binary ? pb_xstrdup(bd.binary) : NULL;
	free(c->dir);
	c->dir = bd.dir ? pb_xstrdup(bd.dir) : NULL;
	free(c->prefix);
	c->prefix = bd.prefix ? pb_xstrdup(bd.prefix) : NULL;
	free(c->build_reason);
	c->build_reason = bd.reason ? pb_xstrdup(bd.reason) : NULL;
	note_where(s, i);
	if (strcmp(s->ex->ops->name, "local") != 0)
		(*(bd.cached ? &s->remote_cached : &s->remote_built))++;
	ret = bd.ok ? 0 : 1;
	if (!bd.ok && (i == 0 || i == s->res->n_commits - 1)) {
		/* Without both endpoints there is nothing to bisect between. */
		ret = pb_error_as(PB_EXIT_INCONCLUSIVE, "the %s commit %.7s cannot be built: %s",
				  i ? "bad" : "good", s->ids[i], bd.reason ? bd.reason : "?");
	} else if (!bd.ok) {
		pb_note("%.7s cannot be built (%s): skipped", s->ids[i], bd.reason ? bd.reason : "?");
	}
	if (!bd.cached &&
	    pb_driver_journal(s, "build", s->ids[i], "result", bd.ok ? "ok" : "failed") && ret >= 0)
		ret = -1;
	return ret;
}

int pb_driver_build(struct pb_driver *s, size_t i)
{
	struct pb_bisect_commit *c = &s->res->commits[i];
	struct pb_build bd;
	int ret;

	if (s->o->stop && *s->o->stop)
		return pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
	if (s->o->progress)
		pb_progress_detail(s->o->progress, "building %.7s %s", s->ids[i], c->info.subject);
	if (pb_executor_build(s->ex, i, &bd)) {
		pb_build_release(&bd);
		return -1;
	}
	ret = record_build(s, i, &bd);
	pb_build_release(&bd);
	return ret;
}

int pb_driver_build_many(struct pb_driver *s, const size_t *ids, size_t n, int *rcs)
{
	struct pb_build *bds = pb_xcalloc(n ? n : 1, sizeof(*bds));
	size_t k;
	int rc, ret = 0;

	if (s->o->stop && *s->o->stop) {
		free(bds);
		return pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
	}
	rc = pb_executor_build_many(s->ex, ids, n, bds);
	/* What was built before an error or ^C is kept (cached and journaled) all the same. */
	for (k = 0; k < n; k++) {
		if (bds[k].dir) {
			rcs[k] = record_build(s, ids[k], &bds[k]);
			if (rcs[k] < 0 && ret == 0)
				ret = -1;
		}
		pb_build_release(&bds[k]);
	}
	free(bds);
	return rc ? -1 : ret;
}

static void load_cache(struct pb_driver *s, size_t i)
{
	struct pb_measurement *m = &s->res->commits[i].m;

	if (s->loaded[i])
		return;
	s->loaded[i] = true;
	if (pb_state_cache_load(&s->st, s->key, s->ids[i], m) < 0) {
		pb_warn("discarding a damaged cached measurement: %s", pb_error_message());
		pb_measurement_release(m);
		pb_measurement_init(m);
		pb_state_cache_drop(&s->st, s->key, s->ids[i]);
	}
}

int pb_driver_flush(struct pb_driver *s)
{
	int ret = 0;

	for (size_t i = 0; s->dirty && i < s->res->n_commits; i++)
		if (s->dirty[i]) {
			if (pb_state_cache_save(&s->st, s->key, s->ids[i], &s->res->commits[i].m))
				ret = -1;
			s->dirty[i] = false;
		}
	s->unsaved = 0;
	return ret;
}

/* A run of commit i happened (runs m->runs[first..] appended): keep it in the measurement cache,
 * now, or (s->save_every) once that many runs are unsaved. */
static int on_run(void *arg, const struct pb_exec_request *req, size_t first)
{
	struct pb_driver *s = arg;

	(void)first;
	s->res->runs_measured++;
	if (!s->save_every)
		return pb_state_cache_save(&s->st, s->key, s->ids[req->commit], req->m);
	if (!s->dirty)
		s->dirty = pb_xcalloc(s->res->n_commits, sizeof(*s->dirty));
	s->dirty[req->commit] = true;
	if (++s->unsaved >= s->save_every)
		return pb_driver_flush(s);
	return 0;
}

int pb_driver_sample_many(struct pb_driver *s, const size_t *ids, size_t n, double *values, int *rcs)
{
	struct pb_exec_request *reqs = pb_xcalloc(n ? n : 1, sizeof(*reqs));
	size_t *want = pb_xcalloc(s->res->n_commits, sizeof(*want)), k, nr = 0, i;
	const size_t save_every = s->save_every;
	int rc, ret = -1;

	/* Cached runs not handed out yet come first, as for single values; the rest is one batch, in
	 * the order asked. */
	for (k = 0; k < n; k++) {
		i = ids[k];
		load_cache(s, i);
		if (s->cursor[i] + want[i] >= s->res->commits[i].m.n_runs)
			reqs[nr++] = (struct pb_exec_request){ i, 1, &s->res->commits[i].m };
		want[i]++;
	}
	/*
	 * Each commit's runs are saved to the measurement cache once, after the batch (also when it
	 * was interrupted: what was measured is kept), not after every run: a save rewrites the
	 * commit's whole file with two fsyncs, which cost more than a short run. A SIGKILL loses at
	 * most this batch's runs; the resumed search measures them again.
	 */
	s->save_every = SIZE_MAX;
	rc = nr ? pb_executor_measure(s->ex, reqs, nr, on_run, s) : 0;
	s->save_every = save_every;
	if (pb_driver_flush(s))
		rc = -1;
	if (rc)
		goto out;
	for (k = 0; k < nr; k++)
		note_where(s, reqs[k].commit);
	for (k = 0; k < n; k++) {
		const struct pb_run *run = &s->res->commits[ids[k]].m.runs[s->cursor[ids[k]]++];

		rcs[k] = run->ok ? 0 : 1;
		values[k] = run->ok ? run->value : 0;
	}
	ret = 0;
out:
	free(reqs);
	free(want);
	return ret;
}

int pb_driver_sample(struct pb_driver *s, size_t i, double *value)
{
	struct pb_measurement *m = &s->res->commits[i].m;
	struct pb_exec_request req = { i, 1, m };
	const struct pb_run *run;

	load_cache(s, i);
	if (s->cursor[i] >= m->n_runs) {
		if (pb_executor_measure(s->ex, &req, 1, on_run, s))
			return -1;
		note_where(s, i);
	}
	run = &m->runs[s->cursor[i]++];
	if (!run->ok)
		return 1;
	*value = run->value;
	return 0;
}

static char *cache_key(const struct pb_driver *s, const char *backend)
{
	struct pb_buf b = PB_BUF_INIT;
	struct pb_bench bench;
	const char *p;

	/* bench-backend-metric-confighash, with anything unsafe in a file name replaced */
	for (p = s->bench->name; *p; p++)
		pb_buf_putc(&b, isalnum((unsigned char)*p) || *p == '-' || *p == '.' ? *p : '_');
	pb_buf_printf(&b, "-%s-", backend);
	for (p = s->tmpl.metric; *p; p++)
		pb_buf_putc(&b, isalnum((unsigned char)*p) || *p == '-' || *p == '.' ? *p : '_');
	/* --warmups changes what a recorded run measures: hashed as if configured; --runs does not. */
	bench = *s->bench;
	if (s->o && s->o->warmups_set)
		bench.warmups = s->o->warmups;
	pb_buf_printf(&b, "-%016llx", (unsigned long long)pb_config_bench_hash(s->cfg, &bench));
	return pb_buf_detach(&b);
}

/*
 * What a bisect, a check and a layout verify share: the benchmark, the runner's options (config,
 * then the command line), the backend (resolved now, so that a bad metric or an unusable backend
 * fails before anything is built), the cache key, and the per-commit arrays for `n` commits.
 */
void pb_driver_init(struct pb_driver *s, struct pb_repo *repo, const struct pb_config *cfg,
		    const struct pb_bisect_opts *o, struct pb_bisect_result *res)
{
	memset(s, 0, sizeof(*s));
	s->repo = repo;
	s->cfg = cfg;
	s->o = o;
	s->res = res;
	s->st.lock_fd = -1;
}

int pb_driver_prepare(struct pb_driver *s, const char *bench, const char *backend,
		      const char *metric, const char *cpus, volatile sig_atomic_t *stop, size_t n)
{
	struct pb_bisect_result *res = s->res;
	struct pb_runner *probe = NULL;

	s->bench = pb_config_bench(s->cfg, bench);
	if (!s->bench)
		return -1;
	pb_runner_opts_from_config(&s->tmpl, s->cfg, s->bench);
	if (backend)
		s->tmpl.backend = backend;
	if (metric)
		s->tmpl.metric = metric;
	if (cpus)
		s->tmpl.cpus = cpus;
	if (s->o && s->o->runs > 0)
		s->tmpl.runs = s->o->runs;
	if (s->o && s->o->warmups_set)
		s->tmpl.warmups = s->o->warmups;
	s->tmpl.stop = stop;
	if (pb_runner_new(&probe, &s->tmpl))
		return -1;
	res->backend = pb_xstrdup(pb_runner_backend(probe));
	res->metric = pb_xstrdup(pb_runner_metric(probe));
	/* What the backend forced (and said so once): the commits' runners start from it. */
	s->tmpl.metric = res->metric;
	s->tmpl.runs = pb_runner_runs(probe);
	s->tmpl.warmups = pb_runner_warmups(probe);
	res->benchmark = pb_xstrdup(s->bench->name);
	s->key = cache_key(s, res->backend);
	pb_runner_free(probe);

	res->n_commits = n;
	res->commits = pb_xcalloc(n, sizeof(*res->commits));
	s->ids = pb_xcalloc(n, sizeof(*s->ids));
	s->cursor = pb_xcalloc(n, sizeof(*s->cursor));
	s->loaded = pb_xcalloc(n, sizeof(*s->loaded));
	for (size_t i = 0; i < n; i++)
		pb_measurement_init(&res->commits[i].m);
	return 0;
}

/* The state directory, its lock, the worktree, the builder and the executor. */
int pb_driver_open_state(struct pb_driver *s)
{
	struct pb_executor_local_in in = {
		.repo = s->repo, .wt = &s->wt, .builder = &s->builder, .cfg = s->cfg,
		.command = s->bench->command, .baseline = s->bench->baseline,
		.prepare = s->bench->prepare, .setup = s->bench->setup, .tmpl = &s->tmpl,
		.ids = (const char (*)[PB_OID_HEX])s->ids, .n = s->res->n_commits,
		.stop = s->o->stop, .progress = s->o->progress, .runs_done = &s->res->runs_measured,
	};

	/* executor.kind and jobs: --jobs wins over the config. */
	s->jobs = s->o && s->o->jobs ? s->o->jobs : (size_t)s->cfg->executor.jobs;
	if (s->jobs < 1)
		s->jobs = 1;

	if (pb_state_open(&s->st, pb_repo_gitdir(s->repo)) || pb_state_lock(&s->st) ||
	    pb_worktree_open(&s->wt, s->st.dir) ||
	    pb_builder_init(&s->builder, s->repo, &s->wt, &s->st, s->cfg))
		return -1;
	/* The commits' runners are made from tmpl later: their temporary directories go under the
	 * state directory, which the next start empties. */
	s->tmpl.tmp_dir = s->st.tmp;
	s->builder.rebuild_failed = s->o && s->o->rebuild_failed;
	s->builder.progress = s->o ? s->o->progress : NULL;
	in.jobs = s->jobs;
	in.state_dir = s->st.dir;
	/* executor.kind "slurm": builds and runs are jobs on a cluster (issue #20). */
	if (strcmp(s->cfg->executor.kind, "slurm") == 0) {
		struct pb_executor_slurm_in sin = {
			.local = in, .state_dir = s->st.dir, .benchmark = s->bench->name,
			.backend = s->res->backend, .metric = s->res->metric, .cpus = s->tmpl.cpus,
			.runs = s->tmpl.runs, .warmups = s->tmpl.warmups,
			.rebuild_failed = s->builder.rebuild_failed,
		};

		return pb_executor_slurm_new(&s->ex, &sin);
	}
	return pb_executor_local_new(&s->ex, &in);
}

void pb_driver_release(struct pb_driver *s)
{
	/* What was measured is kept, whatever ended the command (^C, an error). */
	if (s->dirty && s->res)
		pb_driver_flush(s);
	free(s->dirty);
	pb_executor_free(s->ex);
	free(s->cursor);
	free(s->loaded);
	free(s->ids);
	free(s->key);
	pb_builder_release(&s->builder);
	pb_worktree_release(&s->wt);
	pb_state_close(&s->st);
}
