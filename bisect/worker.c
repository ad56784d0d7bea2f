/* worker.c: `placebisect worker` on a cluster node: read a request, build or measure, write the result. */
#include "bisect/worker.h"

#include <errno.h>
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
#include "core/util.h"
#include "measure/runner.h"

static const char *kind_name(enum pb_work_kind k)
{
	return k == PB_WORK_BUILD ? "build" : "measure";
}

void pb_work_request_release(struct pb_work_request *r)
{
	free(r->repo);
	free(r->work_dir);
	free(r->config_dir);
	free(r->result);
	free(r->benchmark);
	free(r->backend);
	free(r->metric);
	free(r->cpus);
	free(r->items);
	pb_json_free(r->doc);
	memset(r, 0, sizeof(*r));
}

void pb_work_result_release(struct pb_work_result *r)
{
	free(r->node);
	free(r->job);
	free(r->error);
	pb_build_release(&r->build);
	for (size_t i = 0; i < r->n_ms; i++) {
		pb_measurement_release(&r->ms[i]);
		free(r->failures ? r->failures[i] : NULL);
	}
	free(r->ms);
	free(r->failures);
	memset(r, 0, sizeof(*r));
}

static int write_doc(struct pb_buf *doc, struct pb_jsonw *w, const char *path)
{
	int ret;

	pb_jsonw_finish(w);
	ret = pb_atomic_write(path, doc->data, doc->len);
	pb_buf_release(doc);
	return ret;
}

int pb_work_request_write(const struct pb_work_request *r, const char *path)
{
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_jsonw w;

	pb_jsonw_init(&w, &doc, false);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "schema", PB_WORK_REQUEST_SCHEMA);
	pb_jsonw_string(&w, "kind", kind_name(r->kind));
	pb_jsonw_string(&w, "repo", r->repo);
	pb_jsonw_string(&w, "work_dir", r->work_dir);
	pb_jsonw_string(&w, "config_dir", r->config_dir);
	pb_jsonw_string(&w, "result", r->result);
	pb_jsonw_bool(&w, "rebuild_failed", r->rebuild_failed);
	if (r->kind == PB_WORK_MEASURE) {
		pb_jsonw_string(&w, "benchmark", r->benchmark);
		pb_jsonw_string(&w, "backend", r->backend);
		pb_jsonw_string(&w, "metric", r->metric);
		pb_jsonw_string(&w, "cpus", r->cpus);
		pb_jsonw_int(&w, "runs", r->runs);
		pb_jsonw_int(&w, "warmups", r->warmups);
	}
	pb_jsonw_array(&w, "items");
	for (size_t i = 0; i < r->n_items; i++) {
		pb_jsonw_object(&w, NULL);
		pb_jsonw_string(&w, "commit", r->items[i].commit);
		pb_jsonw_int(&w, "runs", (int64_t)r->items[i].runs);
		pb_jsonw_end(&w);
	}
	pb_jsonw_end(&w);
	pb_jsonw_value(&w, "config", r->config);
	pb_jsonw_end(&w);
	return write_doc(&doc, &w, path);
}

static void write_build(struct pb_jsonw *w, const struct pb_build *b)
{
	pb_jsonw_object(w, "build");
	pb_jsonw_bool(w, "ok", b->ok);
	pb_jsonw_bool(w, "cached", b->cached);
	pb_jsonw_string(w, "dir", b->dir);
	pb_jsonw_string(w, "binary", b->binary);
	pb_jsonw_string(w, "prefix", b->prefix);
	pb_jsonw_string(w, "log", b->log);
	pb_jsonw_number(w, "seconds", b->seconds);
	pb_jsonw_string(w, "reason", b->reason);
	pb_jsonw_end(w);
}

int pb_work_result_write(const struct pb_work_result *r, const char *path)
{
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_jsonw w;

	pb_jsonw_init(&w, &doc, false);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "schema", PB_WORK_RESULT_SCHEMA);
	pb_jsonw_string(&w, "kind", kind_name(r->kind));
	pb_jsonw_string(&w, "node", r->node);
	pb_jsonw_string(&w, "job", r->job);
	if (r->error) {
		pb_jsonw_string(&w, "error", r->error);
		pb_jsonw_int(&w, "error_code", r->error_code);
	}
	if (r->kind == PB_WORK_BUILD && !r->error)
		write_build(&w, &r->build);
	if (r->kind == PB_WORK_MEASURE && !r->error) {
		pb_jsonw_array(&w, "measurements");
		for (size_t i = 0; i < r->n_ms; i++) {
			pb_jsonw_object(&w, NULL);
			pb_jsonw_string(&w, "last_failure", r->failures[i]);
			pb_measurement_write_key(&r->ms[i], &w, "measurement");
			pb_jsonw_end(&w);
		}
		pb_jsonw_end(&w);
	}
	pb_jsonw_end(&w);
	return write_doc(&doc, &w, path);
}

/* A required string member, copied; an error naming the file and key when missing. */
static int req_string(const struct pb_json *doc, const char *key, const char *path, char **out)
{
	const char *s = pb_json_string(pb_json_get(doc, key), NULL);

	if (!s)
		return pb_error_as(PB_EXIT_USAGE, "%s: '%s' is missing or not a string", path, key);
	*out = pb_xstrdup(s);
	return 0;
}

static char *opt_string(const struct pb_json *doc, const char *key)
{
	const char *s = pb_json_string(pb_json_get(doc, key), NULL);

	return s ? pb_xstrdup(s) : NULL;
}

static int read_kind(const struct pb_json *doc, const char *schema, const char *path,
		     enum pb_work_kind *kind)
{
	const char *s = pb_json_string(pb_json_get(doc, "schema"), NULL);
	const char *k = pb_json_string(pb_json_get(doc, "kind"), NULL);

	if (!s || strcmp(s, schema) != 0)
		return pb_error_as(PB_EXIT_USAGE, "%s: not a %s file (schema '%s')", path, schema,
				   s ? s : "none");
	if (!k || (strcmp(k, "build") != 0 && strcmp(k, "measure") != 0))
		return pb_error_as(PB_EXIT_USAGE, "%s: 'kind' is '%s', expected build or measure", path,
				   k ? k : "missing");
	*kind = strcmp(k, "build") == 0 ? PB_WORK_BUILD : PB_WORK_MEASURE;
	return 0;
}

int pb_work_request_read(struct pb_work_request *r, const char *path)
{
	const struct pb_json *items, *it;
	const char *c;
	size_t i;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (pb_json_parse_file(&r->doc, path) || read_kind(r->doc, PB_WORK_REQUEST_SCHEMA, path, &r->kind) ||
	    req_string(r->doc, "repo", path, &r->repo) ||
	    req_string(r->doc, "work_dir", path, &r->work_dir) ||
	    req_string(r->doc, "result", path, &r->result))
		goto out;
	r->config_dir = opt_string(r->doc, "config_dir");
	r->rebuild_failed = pb_json_bool(pb_json_get(r->doc, "rebuild_failed"), false);
	r->config = pb_json_get(r->doc, "config");
	if (pb_json_type(r->config) != PB_JSON_OBJECT) {
		pb_error_as(PB_EXIT_USAGE, "%s: 'config' is missing or not an object", path);
		goto out;
	}
	if (r->kind == PB_WORK_MEASURE) {
		if (req_string(r->doc, "benchmark", path, &r->benchmark))
			goto out;
		r->backend = opt_string(r->doc, "backend");
		r->metric = opt_string(r->doc, "metric");
		r->cpus = opt_string(r->doc, "cpus");
		r->runs = (long)pb_json_number(pb_json_get(r->doc, "runs"), 0);
		r->warmups = (long)pb_json_number(pb_json_get(r->doc, "warmups"), -1);
	}
	items = pb_json_get(r->doc, "items");
	if (pb_json_type(items) != PB_JSON_ARRAY || pb_json_size(items) == 0) {
		pb_error_as(PB_EXIT_USAGE, "%s: 'items' is missing or empty", path);
		goto out;
	}
	r->items = pb_xcalloc(pb_json_size(items), sizeof(*r->items));
	for (i = 0, it = pb_json_child(items); it; it = pb_json_next(it), i++) {
		c = pb_json_string(pb_json_get(it, "commit"), NULL);
		if (!c || strlen(c) != PB_OID_HEX - 1 || c[strspn(c, "0123456789abcdef")]) {
			pb_error_as(PB_EXIT_USAGE, "%s: items[%zu].commit is not a full commit id", path, i);
			goto out;
		}
		memcpy(r->items[i].commit, c, PB_OID_HEX);
		r->items[i].runs = (size_t)pb_json_number(pb_json_get(it, "runs"), 0);
	}
	r->n_items = i;
	ret = 0;
out:
	if (ret)
		pb_work_request_release(r);
	return ret;
}

int pb_work_result_read(struct pb_work_result *r, const char *path)
{
	struct pb_json *doc = NULL;
	const struct pb_json *b, *ms, *it;
	char name[64];
	size_t i;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (pb_json_parse_file(&doc, path) || read_kind(doc, PB_WORK_RESULT_SCHEMA, path, &r->kind))
		goto out;
	r->node = opt_string(doc, "node");
	r->job = opt_string(doc, "job");
	r->error = opt_string(doc, "error");
	r->error_code = (int)pb_json_number(pb_json_get(doc, "error_code"), PB_EXIT_ENV);
	if (r->error) {
		ret = 0;
		goto out;
	}
	if (r->kind == PB_WORK_BUILD) {
		b = pb_json_get(doc, "build");
		if (pb_json_type(b) != PB_JSON_OBJECT || !pb_json_get(b, "ok")) {
			pb_error_as(PB_EXIT_USAGE, "%s: 'build' is missing or has no 'ok'", path);
			goto out;
		}
		r->build.ok = pb_json_bool(pb_json_get(b, "ok"), false);
		r->build.cached = pb_json_bool(pb_json_get(b, "cached"), false);
		r->build.dir = opt_string(b, "dir");
		r->build.binary = opt_string(b, "binary");
		r->build.prefix = opt_string(b, "prefix");
		r->build.log = opt_string(b, "log");
		r->build.reason = opt_string(b, "reason");
		r->build.seconds = pb_json_number(pb_json_get(b, "seconds"), 0);
		ret = 0;
		goto out;
	}
	ms = pb_json_get(doc, "measurements");
	if (pb_json_type(ms) != PB_JSON_ARRAY) {
		pb_error_as(PB_EXIT_USAGE, "%s: 'measurements' is missing or not an array", path);
		goto out;
	}
	r->ms = pb_xcalloc(pb_json_size(ms) + 1, sizeof(*r->ms));
	r->failures = pb_xcalloc(pb_json_size(ms) + 1, sizeof(*r->failures));
	for (i = 0, it = pb_json_child(ms); it; it = pb_json_next(it), i++) {
		snprintf(name, sizeof(name), "measurements[%zu]", i);
		pb_measurement_init(&r->ms[i]);
		r->n_ms = i + 1;
		r->failures[i] = opt_string(it, "last_failure");
		if (pb_measurement_from_json(&r->ms[i], pb_json_get(it, "measurement"), name)) {
			pb_measurement_init(&r->ms[i]);
			pb_error_wrap("%s: ", path);
			goto out;
		}
	}
	ret = 0;
out:
	pb_json_free(doc);
	if (ret)
		pb_work_result_release(r);
	return ret;
}

/* ---- the worker ---- */

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
