/* executor.c: the executor seam's dispatch, and the local executor (one worktree, one run at a time). */
#include "bisect/executor.h"

#include <stdlib.h>
#include <string.h>

#include "bisect/executor_par.h"

#include "core/error.h"
#include "core/buf.h"
#include "core/util.h"

int pb_executor_build(struct pb_executor *ex, size_t commit, struct pb_build *out)
{
	return ex->ops->build(ex, commit, out);
}

int pb_executor_measure(struct pb_executor *ex, const struct pb_exec_request *reqs, size_t n,
			pb_exec_done_fn done, void *arg)
{
	return ex->ops->measure(ex, reqs, n, done, arg);
}

int pb_executor_build_many(struct pb_executor *ex, const size_t *commits, size_t n,
			   struct pb_build *outs)
{
	size_t k;

	if (ex->ops->build_many)
		return ex->ops->build_many(ex, commits, n, outs);
	memset(outs, 0, n * sizeof(*outs));
	for (k = 0; k < n; k++)
		if (ex->ops->build(ex, commits[k], &outs[k]))
			return -1;
	return 0;
}

const char *pb_executor_last_failure(const struct pb_executor *ex, size_t commit)
{
	return ex->ops->last_failure(ex, commit);
}

void pb_executor_free(struct pb_executor *ex)
{
	if (ex)
		ex->ops->free(ex);
}

/* ---- local ---- */

struct local {
	struct pb_executor base;
	struct pb_executor_local_in in;
	/* per commit */
	char **binaries;             /* from its build; NULL until built or when none is configured */
	char **prefixes;             /* its build's install prefix; NULL without build.install */
	struct pb_runner **runners;
	struct pb_runner_opts *ropts;
	char **commands;
	char **baselines;            /* the baseline command expanded; NULL: none */
	char **prepares, **setups;   /* the prepare and setup commands expanded; NULL: none */
	bool *warmed;
};

static int local_build(struct pb_executor *ex, size_t i, struct pb_build *out)
{
	struct local *l = (struct local *)ex;

	if (pb_builder_get(l->in.builder, l->in.ids[i], out))
		return -1;
	free(l->binaries[i]);
	l->binaries[i] = out->binary ? pb_xstrdup(out->binary) : NULL;
	free(l->prefixes[i]);
	l->prefixes[i] = out->prefix ? pb_xstrdup(out->prefix) : NULL;
	return 0;
}

/* Several at once (in->jobs > 1), each in its slot's worktree; one at a time in wt otherwise. */
static int local_build_many(struct pb_executor *ex, const size_t *commits, size_t n,
			    struct pb_build *outs)
{
	struct local *l = (struct local *)ex;
	const struct pb_par_in in = { l->in.repo, l->in.builder, l->in.state_dir, l->in.ids,
				      l->in.jobs, l->in.stop, l->in.progress };
	size_t k;
	int ret;

	if (l->in.jobs <= 1 || !l->in.state_dir) {
		memset(outs, 0, n * sizeof(*outs));
		for (k = 0; k < n; k++)
			if (local_build(ex, commits[k], &outs[k]))
				return -1;
		return 0;
	}
	ret = pb_par_build(&in, commits, n, outs);
	for (k = 0; k < n; k++) {
		free(l->binaries[commits[k]]);
		l->binaries[commits[k]] = outs[k].binary ? pb_xstrdup(outs[k].binary) : NULL;
		free(l->prefixes[commits[k]]);
		l->prefixes[commits[k]] = outs[k].prefix ? pb_xstrdup(outs[k].prefix) : NULL;
	}
	return ret;
}

/* The runner of commit i, created on first use (its options and command live as long). */
static int runner_of(struct local *l, size_t i, struct pb_measurement *m, struct pb_runner **out)
{
	struct pb_placeholders ph = { l->binaries[i], l->in.wt->dir, l->in.cfg->dir, l->prefixes[i] };

	if (!l->runners[i]) {
		l->commands[i] = pb_config_expand(l->in.command, &ph);
		l->ropts[i] = *l->in.tmpl;
		l->ropts[i].shell = l->commands[i];
		if (l->in.baseline) {
			l->baselines[i] = pb_config_expand(l->in.baseline, &ph);
			l->ropts[i].baseline = l->baselines[i];
		}
		/* prepare and setup are the benchmark's, expanded for this commit like its command. */
		if (l->in.prepare)
			l->prepares[i] = pb_config_expand(l->in.prepare, &ph);
		if (l->in.setup)
			l->setups[i] = pb_config_expand(l->in.setup, &ph);
		l->ropts[i].prepare = l->prepares[i];
		l->ropts[i].setup = l->setups[i];
		l->ropts[i].cwd = l->in.wt->dir;
		l->ropts[i].commit = l->in.ids[i];
		if (pb_runner_new(&l->runners[i], &l->ropts[i]))
			return -1;
		if (m->n_runs == 0)
			pb_runner_begin(l->runners[i], m);
	}
	*out = l->runners[i];
	return 0;
}

/* One recorded run of request `req` (warm-ups first, once per commit). */
static int local_run(struct local *l, const struct pb_exec_request *req)
{
	struct pb_measurement *m = req->m;
	size_t i = req->commit;
	struct pb_runner *r;
	long k;

	if (l->in.stop && *l->in.stop)
		return pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
	if (runner_of(l, i, m, &r) || pb_worktree_checkout(l->in.wt, l->in.repo, l->in.ids[i]))
		return -1;
	if (!l->warmed[i]) {
		for (k = 0; k < pb_runner_warmups(r); k++)
			if (pb_runner_run(r, m, false))
				return -1;
		l->warmed[i] = true;
	}
	if (l->in.progress)
		pb_progress_detail(l->in.progress, "measuring %.7s: run %zu of this commit, %zu %s "
				   "done in all", l->in.ids[i], m->n_runs + 1,
				   l->in.runs_done ? *l->in.runs_done : 0,
				   pb_plural(l->in.runs_done ? *l->in.runs_done : 0, "run", "runs"));
	if (pb_runner_run(r, m, true))
		return -1;
	/* Cachegrind's per-function costs choose the hot set of the attribution. */
	pb_runner_keep_functions(r, m);
	return 0;
}

static int local_measure(struct pb_executor *ex, const struct pb_exec_request *reqs, size_t n,
			 pb_exec_done_fn done, void *arg)
{
	struct local *l = (struct local *)ex;
	size_t q, k, first;
	int rc;

	for (q = 0; q < n; q++)
		for (k = 0; k < reqs[q].runs; k++) {
			first = reqs[q].m->n_runs;
			if (local_run(l, &reqs[q]))
				return -1;
			rc = done(arg, &reqs[q], first);
			if (rc < 0)
				return -1;
			if (rc > 0)
				return 0;
		}
	return 0;
}

static const char *local_last_failure(const struct pb_executor *ex, size_t commit)
{
	const struct local *l = (const struct local *)ex;

	return commit < l->in.n && l->runners[commit] ? pb_runner_last_failure(l->runners[commit]) : NULL;
}

static void local_free(struct pb_executor *ex)
{
	struct local *l = (struct local *)ex;
	size_t i;

	for (i = 0; i < l->in.n; i++) {
		pb_runner_free(l->runners[i]);
		free(l->commands[i]);
		free(l->baselines[i]);
		free(l->prepares[i]);
		free(l->setups[i]);
		free(l->binaries[i]);
		free(l->prefixes[i]);
	}
	free(l->binaries);
	free(l->prefixes);
	free(l->runners);
	free(l->ropts);
	free(l->commands);
	free(l->baselines);
	free(l->prepares);
	free(l->setups);
	free(l->warmed);
	free(l);
}

static const struct pb_executor_ops local_ops = {
	.name = "local",
	.build = local_build,
	.build_many = local_build_many,
	.measure = local_measure,
	.last_failure = local_last_failure,
	.free = local_free,
};

int pb_executor_local_new(struct pb_executor **out, const struct pb_executor_local_in *in)
{
	struct local *l = pb_xcalloc(1, sizeof(*l));

	l->base.ops = &local_ops;
	l->in = *in;
	l->binaries = pb_xcalloc(in->n, sizeof(*l->binaries));
	l->prefixes = pb_xcalloc(in->n, sizeof(*l->prefixes));
	l->runners = pb_xcalloc(in->n, sizeof(*l->runners));
	l->ropts = pb_xcalloc(in->n, sizeof(*l->ropts));
	l->commands = pb_xcalloc(in->n, sizeof(*l->commands));
	l->baselines = pb_xcalloc(in->n, sizeof(*l->baselines));
	l->prepares = pb_xcalloc(in->n, sizeof(*l->prepares));
	l->setups = pb_xcalloc(in->n, sizeof(*l->setups));
	l->warmed = pb_xcalloc(in->n, sizeof(*l->warmed));
	*out = &l->base;
	return 0;
}
