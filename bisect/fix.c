/* fix.c: the layout fix: order the culprit's functions from its call graph, rebuild with it, measure how much it recovers. */
#include "bisect/fix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/driver.h"
#include "core/atomic.h"
#include "core/error.h"
#include "core/log.h"
#include "core/util.h"
#include "layout/layout.h"
#include "profile/callgrind.h"
#include "measure/repeat.h"

static const char *const arm_names[PB_FIX_ARMS] = { "parent", "culprit", "culprit+fix", "parent+fix" };

/* The local executor asks to be told of every run; the fix keeps its runs out of the cache. */
static int on_run(void *arg, const struct pb_exec_request *req, size_t first)
{
	(void)arg;
	(void)req;
	(void)first;
	return 0;
}

/* `s` with every "{order}" replaced by `path` and every "{cflags}" (the random layouts'
 * alignment, see layouts.h) by nothing (caller frees). */
static char *replace_order(const char *s, const char *path)
{
	struct pb_buf b = PB_BUF_INIT;
	const char *p, *q;

	for (;;) {
		p = strstr(s, "{order}");
		q = strstr(s, "{cflags}");
		if (!p && !q)
			break;
		if (!p || (q && q < p)) {
			pb_buf_add(&b, s, (size_t)(q - s));
			s = q + 8;
			continue;
		}
		pb_buf_add(&b, s, (size_t)(p - s));
		pb_buf_puts(&b, path);
		s = p + 7;
	}
	pb_buf_puts(&b, s);
	return pb_buf_detach(&b);
}

/* The culprit's benchmark under callgrind → its C3 order, written as build.fix.format. */
static int make_order(struct pb_driver *s, size_t ci, struct pb_fix_result *res,
		      enum pb_order_format fmt)
{
	struct pb_bisect_commit *c = &s->res->commits[ci];
	struct pb_callgrind_opts co = { 0 };
	struct pb_order_opts oo = { 0 };
	struct pb_callgraph g;
	struct pb_elf *elf = NULL;
	struct pb_buf text = PB_BUF_INIT;
	char *cmd = NULL, *fixdir = NULL;
	int ret = -1;

	pb_callgraph_init(&g);
	if (!c->binary) {
		pb_error("fix: build.binary is not configured: there is no program to order");
		goto out;
	}
	if (pb_elf_open_quiet(&elf, c->binary)) {
		pb_error_wrap("fix: the culprit's build.binary %s cannot be ordered", c->binary);
		goto out;
	}
	if (s->o->progress)
		pb_progress_detail(s->o->progress, "ordering %.7s: its benchmark under callgrind",
				   s->ids[ci]);
	if (pb_worktree_checkout(&s->wt, s->repo, s->ids[ci]))
		goto out;
	cmd = pb_config_expand(s->bench->command, &(struct pb_placeholders){ c->binary, s->wt.dir,
									       s->cfg->dir, c->prefix });
	co.shell = cmd;
	co.cwd = s->wt.dir;
	co.env_set = s->tmpl.env;
	co.timeout_s = s->bench->timeout * PB_VALGRIND_SLOWDOWN;
	co.outdir = s->st.tmp; /* callgrind's directory, made and removed there */
	co.stop = s->o->stop;
	if (pb_callgrind_run(&co, &g)) {
		pb_error_wrap("fix: the call graph of %.7s", s->ids[ci]);
		goto out;
	}
	oo.object = c->binary;
	oo.elf = elf;
	if (pb_order_c3(&g, &oo, &res->order))
		goto out;
	pb_order_write(&res->order, fmt, &text);
	fixdir = pb_state_path(&s->st, "fix");
	if (pb_mkdir_p(fixdir))
		goto out;
	res->order_file = pb_xasprintf("%s/%.12s-%016llx.%s", fixdir, s->ids[ci],
				       (unsigned long long)pb_hash64(text.data, text.len, PB_HASH64_SEED),
				       pb_order_format_name(fmt));
	if (pb_atomic_write(res->order_file, text.data, text.len))
		goto out;
	ret = 0;
out:
	free(fixdir);
	free(cmd);
	pb_buf_release(&text);
	pb_elf_free(elf);
	pb_callgraph_release(&g);
	return ret;
}

/* The hot set: the order's costliest functions that cover PB_LAYOUT_PROFILE_COVER of its cost. */
static int by_self(const void *a, const void *b)
{
	const struct pb_order_fn *x = *(const struct pb_order_fn *const *)a;
	const struct pb_order_fn *y = *(const struct pb_order_fn *const *)b;

	return x->self != y->self ? (x->self > y->self ? -1 : 1) : strcmp(x->name, y->name);
}

static void choose_hot(struct pb_fix_result *res)
{
	const struct pb_order_fn **v = pb_xcalloc(res->order.n + 1, sizeof(*v));
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < res->order.n; i++)
		v[i] = &res->order.fns[i];
	qsort(v, res->order.n, sizeof(*v), by_self);
	res->hot = pb_xcalloc(res->order.n + 1, sizeof(*res->hot));
	for (i = 0; i < res->order.n && (double)sum < PB_LAYOUT_PROFILE_COVER * (double)res->order.total; i++) {
		res->hot[res->n_hot++] = pb_xstrdup(v[i]->name);
		sum += v[i]->self;
	}
	free(v);
}

static int geometry(const struct pb_config *cfg, const char *backend, struct pb_l1i *g)
{
	if (cfg->layout.l1i)
		return pb_l1i_parse(g, cfg->layout.l1i, "layout.l1i");
	if (strcmp(backend, "cachegrind") == 0 && cfg->measure.cg_I1)
		return pb_l1i_parse(g, cfg->measure.cg_I1, "measure.cachegrind.I1");
	pb_l1i_host(g, NULL);
	return 0;
}

/* The hot set's footprint in each build (a build that cannot be read is left unplaced). */
static int place_arms(const struct pb_config *cfg, struct pb_fix_result *res)
{
	struct pb_layout_opts lo = { 0 };
	size_t a;

	if (geometry(cfg, res->backend, &lo.l1i))
		return -1;
	res->l1i_ways = lo.l1i.ways;
	lo.hot = (const char *const *)res->hot;
	lo.n_hot = res->n_hot;
	lo.hot_elsewhere = true;
	for (a = 0; a < PB_FIX_ARMS; a++) {
		struct pb_fix_arm *arm = &res->arm[a];
		struct pb_layout *l = NULL;

		if (!arm->binary)
			continue;
		if (pb_layout_open(&l, arm->binary, &lo, false)) {
			pb_warn("fix: cannot read the layout of the %s build: %s", arm_names[a],
				pb_error_message());
			continue;
		}
		arm->placed = true;
		arm->cache_lines = l->fp.cache_lines;
		arm->pages = l->fp.pages;
		arm->l1i_max_ways = l->fp.l1i_max_ways;
		arm->n_sets = l->fp.n_sets;
		arm->set_lines = pb_xcalloc(l->fp.n_sets + 1, sizeof(*arm->set_lines));
		memcpy(arm->set_lines, l->fp.set_lines, l->fp.n_sets * sizeof(*arm->set_lines));
		pb_layout_free(l);
	}
	return 0;
}

/* Measure the arms that were built in `want` complete blocks, the order drawn per block. */
static int measure(struct pb_driver *s, size_t pi, size_t ci, struct pb_executor *fx,
		   struct pb_fix_result *res, size_t want, struct pb_measurement *m, double **vals)
{
	/* the ordinary builds are s->ex's commits pi and ci; the fix's are fx's 0 and 1 */
	const size_t commit_of[PB_FIX_ARMS] = { pi, ci, 1, 0 };
	/* seeded by the blocks already measured: a later call continues with new orders */
	uint64_t rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)res->blocks * 0xbf58476d1ce4e5b9ULL);
	size_t order[PB_FIX_ARMS], n = 0, a, j, fails = 0;

	for (a = 0; a < PB_FIX_ARMS; a++)
		if (res->arm[a].binary)
			order[n++] = a;
	while (res->blocks < want) {
		double v[PB_FIX_ARMS];
		bool ok = true;

		pb_shuffle(order, n, &rng);
		for (j = 0; j < n; j++) {
			struct pb_exec_request req = { commit_of[order[j]], 1, &m[order[j]] };
			const struct pb_run *run;

			if (s->o->progress)
				pb_progress_detail(s->o->progress, "block %zu of %zu: %s", res->blocks + 1,
						   want, arm_names[order[j]]);
			if (pb_executor_measure(order[j] >= PB_FIX_CULPRIT_FIX ? fx : s->ex, &req, 1,
						on_run, NULL))
				return -1;
			run = &m[order[j]].runs[m[order[j]].n_runs - 1];
			v[order[j]] = run->value;
			if (!run->ok)
				ok = false;
		}
		if (!ok) {
			/* A block with a failed run is not a pair: it is measured again. */
			if (++fails > 2 * want + 5)
				return pb_error_as(PB_EXIT_INCONCLUSIVE, "fix: the benchmark failed %zu "
						   "times: too unreliable to compare", fails);
			continue;
		}
		for (a = 0; a < PB_FIX_ARMS; a++)
			vals[a][res->blocks] = v[a];
		res->blocks++;
	}
	return 0;
}

/* The culprit's build run once more into m: 0 when it gave v0 again, else -1 (unstable, exit 4). */
static int repeat_culprit(struct pb_driver *s, size_t ci, struct pb_measurement *m, double v0,
			  const char *id)
{
	struct pb_exec_request req = { ci, 1, m };
	const struct pb_run *run;
	char what[64];

	if (pb_executor_measure(s->ex, &req, 1, on_run, NULL))
		return -1;
	run = &m->runs[m->n_runs - 1];
	if (!run->ok)
		return 0; /* a failed run says nothing either way */
	snprintf(what, sizeof(what), "commit %.7s", id);
	return pb_repeat_require(s->res->backend, what, v0, run->value, "fix");
}

/* recovered = 1 - log(residual) / log(regression), and its interval from the two intervals. */
static void recovered(struct pb_fix_result *res)
{
	double t = log(res->regression.ratio), r = log(res->residual.ratio);
	double tlo = log(res->regression.ci95[0]), thi = log(res->regression.ci95[1]);
	double rlo = log(res->residual.ci95[0]), rhi = log(res->residual.ci95[1]);

	res->recovered = t > 0 ? 1 - r / t : NAN;
	res->recovered_ci95[0] = res->recovered_ci95[1] = NAN;
	if (res->exact || !(tlo > 0) || !isfinite(rlo) || !isfinite(rhi))
		return;
	res->recovered_ci95[0] = 1 - (rhi >= 0 ? rhi / tlo : rhi / thi);
	res->recovered_ci95[1] = 1 - (rlo >= 0 ? rlo / thi : rlo / tlo);
}

/* The blocked comparisons of the blocks measured so far, and the recovered share from them. */
static void compare_arms(struct pb_fix_result *res, double *const *vals, double alpha,
			 double min_effect)
{
	pb_stats_compare_paired(vals[PB_FIX_PARENT], vals[PB_FIX_CULPRIT], res->blocks, alpha,
				min_effect, &res->regression);
	pb_stats_compare_paired(vals[PB_FIX_PARENT], vals[PB_FIX_CULPRIT_FIX], res->blocks, alpha,
				min_effect, &res->residual);
	pb_stats_compare_paired(vals[PB_FIX_CULPRIT], vals[PB_FIX_CULPRIT_FIX], res->blocks, alpha,
				min_effect, &res->fix);
	if ((res->has_control = res->arm[PB_FIX_PARENT_FIX].binary != NULL))
		pb_stats_compare_paired(vals[PB_FIX_PARENT], vals[PB_FIX_PARENT_FIX], res->blocks,
					alpha, min_effect, &res->control);
	recovered(res);
}

void pb_fix_init(struct pb_fix_result *res)
{
	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < PB_FIX_ARMS; i++)
		res->arm[i].median = res->arm[i].instructions = res->arm[i].i1_misses = NAN;
	res->recovered = res->instr_change = NAN;
	res->recovered_ci95[0] = res->recovered_ci95[1] = NAN;
}

int pb_fix_configured(const struct pb_config *cfg)
{
	if (cfg->build.fix_env[0])
		return 0;
	return pb_error("fix: %s has no build.fix: say how to build with an ordering file, e.g. \"fix\": "
			"{\"format\": \"gold\", \"env\": {\"CFLAGS\": \"-O2 -ffunction-sections\", "
			"\"LDFLAGS\": \"-fuse-ld=gold -Wl,--section-ordering-file,{order}\"}}",
			cfg->path ? cfg->path : "the configuration");
}

int pb_fix_measure(struct pb_driver *s, size_t pi, size_t ci, double alpha, double min_effect,
		   struct pb_fix_result *res)
{
	static const char *const instr[] = { "Ir", "instructions", NULL };
	static const char *const i1[] = { "I1mr", "L1-ICACHE-LOAD-MISSES", "L1-icache-load-misses", NULL };
	const struct pb_config *cfg = s->cfg;
	const struct pb_bisect_opts *o = s->o;
	struct pb_builder fb;
	struct pb_executor *fx = NULL;
	struct pb_layout_variant lv = { 0 };
	struct pb_measurement m[PB_FIX_ARMS];
	struct pb_buf key = PB_BUF_INIT;
	enum pb_order_format fmt;
	double *vals[PB_FIX_ARMS] = { NULL };
	char ids[2][PB_OID_HEX];
	size_t i, n_env = 0, want, cap;
	bool fb_open = false;
	int ret = -1;

	pb_fix_init(res);
	memset(&fb, 0, sizeof(fb));
	for (i = 0; i < PB_FIX_ARMS; i++)
		pb_measurement_init(&m[i]);
	memcpy(res->parent, s->ids[pi], PB_OID_HEX);
	memcpy(res->culprit, s->ids[ci], PB_OID_HEX);
	memcpy(ids[0], s->ids[pi], PB_OID_HEX);
	memcpy(ids[1], s->ids[ci], PB_OID_HEX);
	if (pb_fix_configured(cfg) ||
	    pb_order_format_parse(cfg->build.fix_format ? cfg->build.fix_format : "gold",
				  "build.fix.format", &fmt))
		goto out;
	res->format = pb_xstrdup(pb_order_format_name(fmt));
	res->benchmark = pb_xstrdup(s->res->benchmark);
	res->backend = pb_xstrdup(s->res->backend);
	res->metric = pb_xstrdup(s->res->metric);
	res->exact = strcmp(res->backend, "cachegrind") == 0;
	res->instr_tolerance = res->exact ? 0.001 : 0.005;
	res->arm[PB_FIX_PARENT].binary = s->res->commits[pi].binary ? pb_xstrdup(s->res->commits[pi].binary) : NULL;
	res->arm[PB_FIX_CULPRIT].binary = s->res->commits[ci].binary ? pb_xstrdup(s->res->commits[ci].binary) : NULL;
	if (make_order(s, ci, res, fmt))
		goto out;
	choose_hot(res);

	/* The fix's builder: build.env plus build.fix.env with {order}; its cache keyed by both. */
	for (i = 0; cfg->build.fix_env[i]; i++)
		n_env++;
	res->recipe = pb_xcalloc(n_env + 1, sizeof(*res->recipe));
	pb_buf_printf(&key, "%s\n", res->order_file);
	for (i = 0; i < n_env; i++) {
		res->recipe[i] = replace_order(cfg->build.fix_env[i], res->order_file);
		pb_buf_printf(&key, "%s\n", res->recipe[i]);
	}
	lv.name = pb_xasprintf("fix-%016llx", (unsigned long long)pb_hash64(key.data, key.len,
									    PB_HASH64_SEED));
	lv.env = res->recipe;
	if (pb_builder_init_variant(&fb, s->repo, &s->wt, &s->st, cfg, &lv))
		goto out;
	fb_open = true;
	fb.rebuild_failed = o->rebuild_failed;
	fb.progress = o->progress;
	{
		struct pb_executor_local_in in = {
			.repo = s->repo, .wt = &s->wt, .builder = &fb, .cfg = cfg,
			.command = s->bench->command, .baseline = s->bench->baseline, .tmpl = &s->tmpl,
			.ids = (const char (*)[PB_OID_HEX])ids, .n = 2, .stop = o->stop,
			.progress = o->progress, .runs_done = &s->res->runs_measured,
		};

		if (pb_executor_local_new(&fx, &in))
			goto out;
	}
	for (i = PB_FIX_CULPRIT_FIX; i < PB_FIX_ARMS; i++) {
		size_t commit = i == PB_FIX_CULPRIT_FIX ? 1 : 0;
		struct pb_build bd;

		if (o->progress)
			pb_progress_detail(o->progress, "building %.7s with the ordering", ids[commit]);
		if (pb_executor_build(fx, commit, &bd)) {
			pb_build_release(&bd);
			goto out;
		}
		if (bd.ok && bd.binary)
			res->arm[i].binary = pb_xstrdup(bd.binary);
		else
			res->arm[i].error = pb_xstrdup(bd.reason ? bd.reason : "build.binary is not "
							"configured: nothing to run");
		pb_build_release(&bd);
	}
	if (res->arm[PB_FIX_CULPRIT_FIX].error) {
		pb_error_as(PB_EXIT_INCONCLUSIVE, "fix: %.7s built with build.fix failed: %s", ids[1],
			    res->arm[PB_FIX_CULPRIT_FIX].error);
		goto out;
	}
	if (res->arm[PB_FIX_PARENT_FIX].error)
		pb_warn("fix: the parent built with build.fix failed (no control): %s",
			res->arm[PB_FIX_PARENT_FIX].error);

	want = res->exact ? 1 : (size_t)(s->tmpl.runs > 5 ? s->tmpl.runs : 5);
	cap = res->exact ? 1 : (size_t)(o->max_runs > 0 ? o->max_runs : cfg->stats.max_runs);
	if (cap < want)
		cap = want;
	for (i = 0; i < PB_FIX_ARMS; i++)
		vals[i] = pb_xcalloc(cap + 1, sizeof(double));
	/* Sequential: the first `runs` blocks, then one more at a time while the recovered share's CI
	 * is wider than ±PB_FIX_CI_HALF (or cannot be computed), up to max_runs blocks. */
	for (;;) {
		if (measure(s, pi, ci, fx, res, want, m, vals))
			goto out;
		compare_arms(res, vals, alpha, min_effect);
		if (res->exact || want >= cap || !(res->regression.ratio > 1) ||
		    (isfinite(res->recovered_ci95[0]) &&
		     res->recovered_ci95[1] - res->recovered_ci95[0] <= 2 * PB_FIX_CI_HALF))
			break;
		want++;
	}
	/* A deterministic metric, one block: the culprit runs once more (the command's one extra
	 * run, measure/repeat.h); two different values cannot say what a fix recovered. */
	if (res->exact && res->blocks &&
	    repeat_culprit(s, ci, &m[PB_FIX_CULPRIT], vals[PB_FIX_CULPRIT][0], ids[1]))
		goto out;
	for (i = 0; i < PB_FIX_ARMS; i++) {
		if (!res->arm[i].binary)
			continue;
		pb_measurement_finish(&m[i]);
		res->arm[i].median = pb_stats_median(vals[i], res->blocks);
		res->arm[i].instructions = pb_measurement_counter_any(&m[i], instr);
		res->arm[i].i1_misses = pb_measurement_counter_any(&m[i], i1);
	}
	if (res->arm[PB_FIX_CULPRIT].instructions > 0 &&
	    isfinite(res->arm[PB_FIX_CULPRIT_FIX].instructions)) {
		res->instr_change = res->arm[PB_FIX_CULPRIT_FIX].instructions /
				    res->arm[PB_FIX_CULPRIT].instructions - 1;
		res->code_changed = fabs(res->instr_change) > res->instr_tolerance;
	}
	if (place_arms(cfg, res))
		goto out;
	ret = 0;
out:
	for (i = 0; i < PB_FIX_ARMS; i++) {
		free(vals[i]);
		pb_measurement_release(&m[i]);
	}
	pb_executor_free(fx);
	if (fb_open)
		pb_builder_release(&fb);
	free(lv.name);
	pb_buf_release(&key);
	return ret;
}

void pb_fix_release(struct pb_fix_result *res)
{
	size_t i;

	free(res->benchmark);
	free(res->backend);
	free(res->metric);
	free(res->format);
	free(res->order_file);
	for (i = 0; res->recipe && res->recipe[i]; i++)
		free(res->recipe[i]);
	free(res->recipe);
	for (i = 0; i < res->n_hot; i++)
		free(res->hot[i]);
	free(res->hot);
	pb_order_release(&res->order);
	for (i = 0; i < PB_FIX_ARMS; i++) {
		free(res->arm[i].binary);
		free(res->arm[i].error);
		free(res->arm[i].set_lines);
	}
	memset(res, 0, sizeof(*res));
}

static void write_cmp(struct pb_jsonw *w, const char *key, const struct pb_comparison *c, bool exact)
{
	pb_jsonw_object(w, key);
	pb_jsonw_number(w, "ratio", c->ratio);
	if (exact) {
		pb_jsonw_null(w, "ci95");
		pb_jsonw_null(w, "p_value");
	} else {
		pb_jsonw_array(w, "ci95");
		pb_jsonw_number(w, NULL, c->ci95[0]);
		pb_jsonw_number(w, NULL, c->ci95[1]);
		pb_jsonw_end(w);
		pb_jsonw_number(w, "p_value", c->p_value);
	}
	pb_jsonw_string(w, "verdict", pb_verdict_name(c->verdict));
	pb_jsonw_end(w);
}

void pb_fix_write_json(const struct pb_fix_result *res, const char *key, struct pb_jsonw *w)
{
	size_t i, k;

	pb_jsonw_object(w, key);
	if (!key)
		pb_jsonw_string(w, "schema", PB_FIX_SCHEMA);
	pb_jsonw_string(w, "parent", res->parent);
	pb_jsonw_string(w, "culprit", res->culprit);
	pb_jsonw_string(w, "benchmark", res->benchmark);
	pb_jsonw_string(w, "metric", res->metric);
	pb_jsonw_string(w, "backend", res->backend);
	pb_jsonw_object(w, "order");
	pb_jsonw_string(w, "source", "callgrind");
	pb_jsonw_string(w, "algorithm", "c3");
	pb_jsonw_string(w, "format", res->format);
	pb_jsonw_string(w, "file", res->order_file);
	pb_jsonw_int(w, "clusters", (int64_t)res->order.n_clusters);
	pb_jsonw_array(w, "functions");
	for (i = 0; i < res->order.n; i++)
		pb_jsonw_string(w, NULL, res->order.fns[i].name);
	pb_jsonw_end(w);
	pb_jsonw_end(w);
	pb_jsonw_array(w, "recipe");
	for (i = 0; res->recipe && res->recipe[i]; i++)
		pb_jsonw_string(w, NULL, res->recipe[i]);
	pb_jsonw_end(w);
	pb_jsonw_array(w, "hot");
	for (i = 0; i < res->n_hot; i++)
		pb_jsonw_string(w, NULL, res->hot[i]);
	pb_jsonw_end(w);
	pb_jsonw_int(w, "l1i_ways", res->l1i_ways);
	pb_jsonw_int(w, "blocks", (int64_t)res->blocks);
	pb_jsonw_bool(w, "exact", res->exact);
	pb_jsonw_object(w, "builds");
	for (i = 0; i < PB_FIX_ARMS; i++) {
		const struct pb_fix_arm *a = &res->arm[i];

		pb_jsonw_object(w, arm_names[i]);
		pb_jsonw_string(w, "binary", a->binary);
		if (a->error)
			pb_jsonw_string(w, "error", a->error);
		pb_jsonw_number(w, "median", a->median);
		pb_jsonw_number(w, "instructions", a->instructions);
		pb_jsonw_number(w, "i1_misses", a->i1_misses);
		if (a->placed) {
			pb_jsonw_object(w, "footprint");
			pb_jsonw_int(w, "cache_lines", (int64_t)a->cache_lines);
			pb_jsonw_int(w, "pages", (int64_t)a->pages);
			pb_jsonw_int(w, "l1i_max_ways", a->l1i_max_ways);
			pb_jsonw_array(w, "set_lines");
			for (k = 0; k < a->n_sets; k++)
				pb_jsonw_int(w, NULL, a->set_lines[k]);
			pb_jsonw_end(w);
			pb_jsonw_end(w);
		}
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	write_cmp(w, "regression", &res->regression, res->exact);
	write_cmp(w, "residual", &res->residual, res->exact);
	write_cmp(w, "fix_effect", &res->fix, res->exact);
	if (res->has_control)
		write_cmp(w, "control", &res->control, res->exact);
	pb_jsonw_object(w, "recovered");
	pb_jsonw_number(w, "value", res->recovered);
	if (res->exact || !isfinite(res->recovered_ci95[0])) {
		pb_jsonw_null(w, "ci95");
	} else {
		pb_jsonw_array(w, "ci95");
		pb_jsonw_number(w, NULL, res->recovered_ci95[0]);
		pb_jsonw_number(w, NULL, res->recovered_ci95[1]);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_object(w, "instructions");
	pb_jsonw_number(w, "change", res->instr_change);
	pb_jsonw_number(w, "tolerance", res->instr_tolerance);
	pb_jsonw_bool(w, "code_changed", res->code_changed);
	pb_jsonw_end(w);
	{
		char *s = pb_fix_sentence(res);

		pb_jsonw_string(w, "summary", s);
		free(s);
	}
	pb_jsonw_end(w);
}

char *pb_fix_sentence(const struct pb_fix_result *res)
{
	struct pb_buf b = PB_BUF_INIT;

	if (!isfinite(res->recovered)) {
		pb_buf_printf(&b, "no regression to recover: the culprit is %+.1f%% against the parent, "
			      "the culprit with the layout fix %+.1f%%", (res->regression.ratio - 1) * 100,
			      (res->residual.ratio - 1) * 100);
	} else {
		pb_buf_printf(&b, "the layout fix recovers %.1f%%", res->recovered * 100);
		if (res->exact)
			pb_buf_puts(&b, " (exact: deterministic metric)");
		else if (isfinite(res->recovered_ci95[0]))
			pb_buf_printf(&b, " (95%% CI %.1f%% to %.1f%%)", res->recovered_ci95[0] * 100,
				      res->recovered_ci95[1] * 100);
		pb_buf_printf(&b, " of the regression (%s %+.1f%% → %+.1f%% against the parent)",
			      res->metric, (res->regression.ratio - 1) * 100,
			      (res->residual.ratio - 1) * 100);
	}
	if (res->code_changed)
		pb_buf_printf(&b, "; but it changed the instruction count by %+.2f%%, beyond the %.1f%% "
			      "that counts as the same work: it changed code, not only placement",
			      res->instr_change * 100, res->instr_tolerance * 100);
	return pb_buf_detach(&b);
}
