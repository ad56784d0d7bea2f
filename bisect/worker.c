/* worker.c: `placebisect worker` on a cluster node: read a request, build or measure, write the result. */
#include "bisect/worker.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/executor.h"
#include "bisect/state.h"
#include "bisect/worktree.h"
#include "core/atomic.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "measure/runner.h"

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Where this job runs: the node's name and the job id from Slurm's environment. */
static void where(struct pb_work_result *res)
{
	const char *node = getenv("SLURMD_NODENAME"), *job = getenv("SLURM_JOB_ID");
	char host[256];

	if (!node && gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		node = host;
	}
	res->node = pb_xstrdup(node ? node : "");
	res->job = pb_xstrdup(job ? job : "");
}

/* Every run is kept: the driver hands them to the search. */
static int keep_all(void *arg, const struct pb_exec_request *req, size_t first)
{
	(void)arg;
	(void)req;
	(void)first;
	return 0;
}

struct work {
	struct pb_work_request rq;
	struct pb_work_result res;
	struct pb_config cfg;
	struct pb_repo *repo;
	struct pb_state st;
	struct pb_worktree wt;
	struct pb_builder builder;
	char *scratch; /* <work_dir>/work/<job>: this job's worktree and temporary files */
};

static int do_build(struct work *k)
{
	k->builder.rebuild_failed = k->rq.rebuild_failed;
	return pb_builder_get(&k->builder, k->rq.items[0].commit, &k->res.build);
}

static int do_measure(struct work *k, volatile sig_atomic_t *stop)
{
	const struct pb_bench *bench = pb_config_bench(&k->cfg, k->rq.benchmark);
	char (*ids)[PB_OID_HEX] = NULL;
	struct pb_exec_request *reqs = NULL;
	struct pb_executor *ex = NULL;
	struct pb_runner_opts tmpl;
	struct pb_build bd;
	size_t i, n = k->rq.n_items;
	int ret = -1;

	if (!bench)
		return -1;
	pb_runner_opts_from_config(&tmpl, &k->cfg, bench);
	if (k->rq.backend)
		tmpl.backend = k->rq.backend;
	if (k->rq.metric)
		tmpl.metric = k->rq.metric;
	if (k->rq.cpus)
		tmpl.cpus = k->rq.cpus;
	if (k->rq.runs > 0)
		tmpl.runs = k->rq.runs;
	if (k->rq.warmups >= 0)
		tmpl.warmups = k->rq.warmups;
	tmpl.stop = stop;
	tmpl.tmp_dir = k->st.tmp;
	ids = pb_xcalloc(n, sizeof(*ids));
	for (i = 0; i < n; i++)
		memcpy(ids[i], k->rq.items[i].commit, PB_OID_HEX);
	{
		struct pb_executor_local_in in = {
			.repo = k->repo, .wt = &k->wt, .builder = &k->builder, .cfg = &k->cfg,
			.command = bench->command, .baseline = bench->baseline,
			.prepare = bench->prepare, .setup = bench->setup, .tmpl = &tmpl,
			.ids = (const char (*)[PB_OID_HEX])ids, .n = n, .stop = stop,
		};

		if (pb_executor_local_new(&ex, &in))
			goto out;
	}
	k->res.n_ms = n;
	k->res.ms = pb_xcalloc(n, sizeof(*k->res.ms));
	k->res.failures = pb_xcalloc(n, sizeof(*k->res.failures));
	reqs = pb_xcalloc(n, sizeof(*reqs));
	for (i = 0; i < n; i++) {
		pb_measurement_init(&k->res.ms[i]);
		reqs[i] = (struct pb_exec_request){ i, k->rq.items[i].runs, &k->res.ms[i] };
		/* The build job put it in the shared cache: this takes it from there. */
		if (pb_executor_build(ex, i, &bd)) {
			pb_build_release(&bd);
			goto out;
		}
		if (!bd.ok) {
			pb_error_as(PB_EXIT_ENV, "%.7s has no usable build in %s: %s", ids[i],
				    k->builder.cache_dir, bd.reason ? bd.reason : "?");
			pb_build_release(&bd);
			goto out;
		}
		pb_build_release(&bd);
	}
	if (pb_executor_measure(ex, reqs, n, keep_all, NULL))
		goto out;
	for (i = 0; i < n; i++) {
		const char *f = pb_executor_last_failure(ex, i);

		k->res.failures[i] = f ? pb_xstrdup(f) : NULL;
	}
	ret = 0;
out:
	pb_executor_free(ex);
	free(reqs);
	free(ids);
	return ret;
}

int pb_worker_run(const char *path, volatile sig_atomic_t *stop)
{
	struct work k;
	int ret = -1;

	memset(&k, 0, sizeof(k));
	pb_config_init(&k.cfg);
	if (pb_work_request_read(&k.rq, path))
		goto out_noresult;
	k.res.kind = k.rq.kind;
	where(&k.res);
	if (pb_config_load_json(&k.cfg, k.rq.config, path))
		goto out;
	if (k.rq.config_dir) {
		free(k.cfg.dir);
		k.cfg.dir = pb_xstrdup(k.rq.config_dir);
	}
	k.scratch = pb_xasprintf("%s/work/%s-%ld", k.rq.work_dir, k.res.job[0] ? k.res.job : "nojob",
				 (long)getpid());
	k.st.lock_fd = -1;
	k.st.dir = pb_xstrdup(k.rq.work_dir);
	k.st.tmp = pb_xasprintf("%s/tmp", k.scratch);
	if (pb_mkdir_p(k.st.tmp) || pb_repo_open(&k.repo, k.rq.repo) ||
	    pb_worktree_open(&k.wt, k.scratch) ||
	    pb_builder_init(&k.builder, k.repo, &k.wt, &k.st, &k.cfg))
		goto out;
	ret = k.rq.kind == PB_WORK_BUILD ? do_build(&k) : do_measure(&k, stop);
out:
	if (ret) {
		k.res.error = pb_xstrdup(pb_error_message());
		k.res.error_code = pb_error_exit_code();
	}
	if (k.rq.result && pb_work_result_write(&k.res, k.rq.result))
		ret = -1;
	else if (ret)
		pb_error_as(k.res.error_code, "%s", k.res.error); /* the work's error, not the write's */
	pb_builder_release(&k.builder);
	pb_worktree_release(&k.wt);
	pb_repo_free(k.repo);
	/* The worktree was this job's alone; the build cache keeps what the build produced. */
	if (k.scratch)
		nftw(k.scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(k.scratch);
	free(k.st.dir);
	free(k.st.tmp);
out_noresult:
	pb_work_result_release(&k.res);
	pb_work_request_release(&k.rq);
	pb_config_release(&k.cfg);
	return ret;
}
