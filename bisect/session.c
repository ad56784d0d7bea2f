/* session.c: the bisect driver: resolves, builds (cached), measures (cached, resumable), searches. */
#include "bisect/session.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/build.h"
#include "bisect/state.h"
#include "bisect/worktree.h"
#include "core/error.h"
#include "core/log.h"
#include "measure/runner.h"

struct sess {
	struct pb_repo *repo;
	const struct pb_config *cfg;
	const struct pb_bisect_opts *o;
	const struct pb_bench *bench;
	struct pb_state st;
	struct pb_worktree wt;
	struct pb_builder builder;
	struct pb_runner_opts tmpl;  /* options every commit's runner starts from */
	char *key;                   /* measurement cache key */
	struct pb_bisect_result *res;
	char (*ids)[PB_OID_HEX];
	/* per commit */
	struct pb_runner **runners;
	struct pb_runner_opts *ropts;
	char **commands;
	size_t *cursor;              /* runs of commits[i].m already handed to the search */
	bool *loaded;
	bool *warmed;
};

static const char *status_name(enum pb_search_status st);

/* ---- Callbacks of the search ---- */

static int journal(struct sess *s, const char *event, const char *commit, const char *k1,
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

static int cb_build(void *arg, size_t i)
{
	struct sess *s = arg;
	struct pb_bisect_commit *c = &s->res->commits[i];
	struct pb_build bd;
	int ret;

	if (s->o->stop && *s->o->stop)
		return pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
	if (s->o->progress)
		pb_progress_detail(s->o->progress, "building %.7s %s", s->ids[i], c->info.subject);
	if (pb_builder_get(&s->builder, s->ids[i], &bd)) {
		pb_build_release(&bd);
		return -1;
	}
	c->build_failed = !bd.ok;
	free(c->binary);
	c->binary = bd.binary ? pb_xstrdup(bd.binary) : NULL;
	free(c->build_reason);
	c->build_reason = bd.reason ? pb_xstrdup(bd.reason) : NULL;
	ret = bd.ok ? 0 : 1;
	if (!bd.ok && (i == 0 || i == s->res->n_commits - 1)) {
		/* Without both endpoints there is nothing to bisect between. */
		ret = pb_error_as(PB_EXIT_INCONCLUSIVE, "the %s commit %.7s cannot be built: %s",
				  i ? "bad" : "good", s->ids[i], bd.reason ? bd.reason : "?");
	} else if (!bd.ok) {
		pb_note("%.7s cannot be built (%s): skipped", s->ids[i], bd.reason ? bd.reason : "?");
	}
	if (!bd.cached && journal(s, "build", s->ids[i], "result", bd.ok ? "ok" : "failed") && ret >= 0)
		ret = -1;
	pb_build_release(&bd);
	return ret;
}

/* The runner of commit i, created on first use (its options and command live as long). */
static int runner_of(struct sess *s, size_t i, struct pb_runner **out)
{
	struct pb_bisect_commit *c = &s->res->commits[i];
	struct pb_placeholders ph = { c->binary, s->wt.dir, s->cfg->dir };

	if (!s->runners[i]) {
		s->commands[i] = pb_config_expand(s->bench->command, &ph);
		s->ropts[i] = s->tmpl;
		s->ropts[i].shell = s->commands[i];
		s->ropts[i].cwd = s->wt.dir;
		s->ropts[i].commit = s->ids[i];
		if (pb_runner_new(&s->runners[i], &s->ropts[i]))
			return -1;
		if (c->m.n_runs == 0)
			pb_runner_begin(s->runners[i], &c->m);
	}
	*out = s->runners[i];
	return 0;
}

static void load_cache(struct sess *s, size_t i)
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

static int cb_sample(void *arg, size_t i, double *value)
{
	struct sess *s = arg;
	struct pb_measurement *m = &s->res->commits[i].m;
	struct pb_runner *r;
	const struct pb_run *run;
	long k;

	load_cache(s, i);
	if (s->cursor[i] >= m->n_runs) {
		if (s->o->stop && *s->o->stop)
			return pb_error_as(PB_EXIT_INTERRUPTED, "interrupted");
		if (runner_of(s, i, &r) || pb_worktree_checkout(&s->wt, s->repo, s->ids[i]))
			return -1;
		if (!s->warmed[i]) {
			for (k = 0; k < pb_runner_warmups(r); k++)
				if (pb_runner_run(r, m, false))
					return -1;
			s->warmed[i] = true;
		}
		if (s->o->progress)
			pb_progress_detail(s->o->progress, "measuring %.7s: run %zu", s->ids[i],
					   m->n_runs + 1);
		if (pb_runner_run(r, m, true))
			return -1;
		/* Cachegrind's per-function costs choose the hot set of the attribution. */
		pb_runner_keep_functions(r, m);
		if (pb_state_cache_save(&s->st, s->key, s->ids[i], m))
			return -1;
		s->res->runs_measured++;
	}
	run = &m->runs[s->cursor[i]++];
	if (!run->ok)
		return 1;
	*value = run->value;
	return 0;
}

static void cb_step(void *arg, size_t i, int k, int total, const char *what)
{
	struct sess *s = arg;

	if (s->o->progress)
		pb_progress_step(s->o->progress, k, total, "%s (%.7s %s)", what, s->ids[i],
				 s->res->commits[i].info.subject);
}

/* ---- Setting up ---- */

static char *cache_key(const struct sess *s, const char *backend)
{
	struct pb_buf b = PB_BUF_INIT;
	const char *p;

	/* bench-backend-metric-confighash, with anything unsafe in a file name replaced */
	for (p = s->bench->name; *p; p++)
		pb_buf_putc(&b, isalnum((unsigned char)*p) || *p == '-' || *p == '.' ? *p : '_');
	pb_buf_printf(&b, "-%s-", backend);
	for (p = s->tmpl.metric; *p; p++)
		pb_buf_putc(&b, isalnum((unsigned char)*p) || *p == '-' || *p == '.' ? *p : '_');
	pb_buf_printf(&b, "-%016llx", (unsigned long long)pb_config_bench_hash(s->cfg, s->bench));
	return pb_buf_detach(&b);
}

/* Is this the bisect the journal was last started for? Then we are resuming it. */
static int open_journal(struct sess *s)
{
	struct pb_json *events = NULL, *e, *last = NULL;
	int ret = 0;

	if (s->o->reset && pb_state_journal_reset(&s->st))
		return -1;
	if (pb_state_journal_read(&s->st, &events))
		return -1;
	for (e = pb_json_child(events); e; e = pb_json_next(e))
		if (strcmp(pb_json_string(pb_json_get(e, "event"), ""), "start") == 0)
			last = e;
	if (last && strcmp(pb_json_string(pb_json_get(last, "good"), ""), s->res->good) == 0 &&
	    strcmp(pb_json_string(pb_json_get(last, "bad"), ""), s->res->bad) == 0 &&
	    strcmp(pb_json_string(pb_json_get(last, "key"), ""), s->key) == 0) {
		s->res->resumed = true;
	} else {
		struct pb_buf line = PB_BUF_INIT;
		struct pb_jsonw w;

		pb_jsonw_init(&w, &line, true);
		pb_jsonw_object(&w, NULL);
		pb_jsonw_string(&w, "event", "start");
		pb_jsonw_string(&w, "good", s->res->good);
		pb_jsonw_string(&w, "bad", s->res->bad);
		pb_jsonw_string(&w, "benchmark", s->bench->name);
		pb_jsonw_string(&w, "key", s->key);
		pb_jsonw_end(&w);
		ret = pb_state_journal_append(&s->st, &line);
		pb_buf_release(&line);
	}
	pb_json_free(events);
	return ret;
}

/*
 * What a bisect and a check share: the benchmark, the runner's options (config, then the command
 * line), the backend (resolved now, so that a bad metric or an unusable backend fails before
 * anything is built), the cache key, and the per-commit arrays for `n` commits.
 */
static int prepare(struct sess *s, const char *bench, const char *backend, const char *metric,
		   const char *cpus, volatile sig_atomic_t *stop, size_t n)
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
	s->runners = pb_xcalloc(n, sizeof(*s->runners));
	s->ropts = pb_xcalloc(n, sizeof(*s->ropts));
	s->commands = pb_xcalloc(n, sizeof(*s->commands));
	s->cursor = pb_xcalloc(n, sizeof(*s->cursor));
	s->loaded = pb_xcalloc(n, sizeof(*s->loaded));
	s->warmed = pb_xcalloc(n, sizeof(*s->warmed));
	for (size_t i = 0; i < n; i++)
		pb_measurement_init(&res->commits[i].m);
	return 0;
}

/* The state directory, its lock, the worktree and the builder. */
static int open_state(struct sess *s)
{
	return pb_state_open(&s->st, pb_repo_gitdir(s->repo)) || pb_state_lock(&s->st) ||
	       pb_worktree_open(&s->wt, s->st.dir) ||
	       pb_builder_init(&s->builder, s->repo, &s->wt, &s->st, s->cfg) ? -1 : 0;
}

static int setup(struct sess *s)
{
	struct pb_bisect_result *res = s->res;
	char (*ids)[PB_OID_HEX] = NULL, good[PB_OID_HEX], bad[PB_OID_HEX];
	size_t n, i;

	if (!pb_config_bench(s->cfg, s->o->bench))
		return -1;
	if (pb_repo_resolve(s->repo, s->o->good, good) || pb_repo_resolve(s->repo, s->o->bad, bad) ||
	    pb_repo_first_parent_range(s->repo, good, bad, &ids, &n))
		return -1;
	if (prepare(s, s->o->bench, s->o->backend, s->o->metric, s->o->cpus, s->o->stop, n + 1)) {
		free(ids);
		return -1;
	}
	memcpy(res->good, good, PB_OID_HEX);
	memcpy(res->bad, bad, PB_OID_HEX);
	/* Commits 0 (good) .. n (bad). */
	memcpy(s->ids[0], good, PB_OID_HEX);
	memcpy(s->ids + 1, ids, n * sizeof(*ids));
	free(ids);
	for (i = 0; i <= n; i++)
		if (pb_repo_commit_info(s->repo, s->ids[i], &res->commits[i].info))
			return -1;
	if (open_state(s) || open_journal(s))
		return -1;
	pb_repo_check_special(s->repo, res->bad);
	if (res->resumed)
		pb_note("resuming the bisect of %.7s..%.7s (cached builds and measurements are reused)",
			res->good, res->bad);
	return 0;
}

static void sess_release(struct sess *s)
{
	size_t i;

	for (i = 0; s->runners && i < s->res->n_commits; i++) {
		pb_runner_free(s->runners[i]);
		free(s->commands[i]);
	}
	free(s->runners);
	free(s->ropts);
	free(s->commands);
	free(s->cursor);
	free(s->loaded);
	free(s->warmed);
	free(s->ids);
	free(s->key);
	pb_builder_release(&s->builder);
	pb_worktree_release(&s->wt);
	pb_state_close(&s->st);
}

/* The first culprit against its parent: code or placement? */
static int attribute(struct sess *s)
{
	struct pb_bisect_result *res = s->res;
	const struct pb_culprit *cu = &res->search.culprits[0];
	struct pb_attribute_in in = {
		.parent = &res->commits[cu->index - 1],
		.culprit = &res->commits[cu->index],
		.backend = res->backend,
		.metric = res->metric,
		.effect_ratio = cu->effect.ratio,
		.tmpl = &s->tmpl,
		.command = s->bench->command,
		.worktree = s->wt.dir,
	};

	/* A sampled profile of the culprit runs in its checkout. */
	if (pb_worktree_checkout(&s->wt, s->repo, s->ids[cu->index]))
		return -1;
	if (s->o->progress)
		pb_progress_detail(s->o->progress, "explaining %.7s: layout and counters against its "
				   "parent", s->ids[cu->index]);
	pb_attribute(&in, s->cfg, &res->attribution);
	return 0;
}

/*
 * A culprit whose every function has the same code at the same address as in its parent's build
 * (the layout diff, with code checks) cannot be what moved the metric: the steps were misled.
 * Then the result is unconfirmed, with the numbers.
 */
static void check_identical(struct pb_bisect_result *res)
{
	const struct pb_json *d = res->attribution.layout;
	struct pb_search_result *sr = &res->search;
	double matched;

	if (!d || !pb_json_bool(pb_json_get(d, "code_checks"), false))
		return;
	matched = pb_json_number(pb_json_path(d, "summary.matched"), 0);
	if (matched > 0 && pb_json_number(pb_json_path(d, "summary.moved"), 1) == 0 &&
	    pb_json_number(pb_json_path(d, "summary.code_changed"), 1) == 0 &&
	    pb_json_number(pb_json_path(d, "summary.added"), 1) == 0 &&
	    pb_json_number(pb_json_path(d, "summary.removed"), 1) == 0) {
		sr->status = PB_SEARCH_UNCONFIRMED;
		sr->confirmed = false;
		snprintf(sr->why, sizeof(sr->why),
			 "the culprit's build has the same code at the same addresses as its parent's "
			 "(%.0f functions, none moved or changed): its binary cannot explain the change",
			 matched);
	}
}

/* --verify-placement: the culprit and its parent rebuilt with each layout variant. */
static int verify_placement(struct sess *s, double alpha, double min_effect)
{
	struct pb_bisect_result *res = s->res;
	const struct pb_search_result *sr = &res->search;
	size_t ci = sr->culprits[0].index;
	struct pb_verify_in in = {
		.repo = s->repo, .wt = &s->wt, .st = &s->st, .cfg = s->cfg, .tmpl = &s->tmpl,
		.command = s->bench->command, .parent = s->ids[ci - 1], .culprit = s->ids[ci],
		.base_parent = sr->values[ci - 1], .n_parent = sr->n_values[ci - 1],
		.base_culprit = sr->values[ci], .n_culprit = sr->n_values[ci],
		.alpha = alpha, .min_effect = min_effect, .progress = s->o->progress,
	};
	char *sentence;

	if (pb_placement_check_run(&in, &res->placement))
		return -1;
	sentence = pb_placement_check_sentence(&res->placement);
	pb_attr_add_check(&res->attribution.verdict, res->placement.confirmed, sentence);
	free(sentence);
	return 0;
}

/* A merge among the culprits and candidates: name what it brought in, where to look next. */
static int merges(struct pb_repo *repo, struct pb_bisect_result *res)
{
	const struct pb_search_result *sr = &res->search;
	struct pb_bisect_commit *c;
	size_t i;

	for (i = 0; i < sr->n_culprits + sr->n_candidates; i++) {
		c = &res->commits[i < sr->n_culprits ? sr->culprits[i].index :
						       sr->candidates[i - sr->n_culprits]];
		if (!c->merged_range &&
		    pb_repo_merged(repo, &c->info, &c->merged_range, &c->merged_commits))
			return -1;
	}
	return 0;
}

int pb_bisect_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		  struct pb_bisect_result *res)
{
	struct sess s;
	struct pb_search_opts so;
	const struct pb_search_ops ops = { cb_build, cb_sample, cb_step };
	size_t i;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	s.repo = repo;
	s.cfg = cfg;
	s.o = o;
	s.res = res;
	s.st.lock_fd = -1;
	if (setup(&s))
		goto out;

	so.alpha = o->alpha >= 0 ? o->alpha : cfg->stats.alpha;
	so.min_effect = o->min_effect >= 0 ? o->min_effect : cfg->stats.min_effect;
	so.max_runs = (size_t)(o->max_runs > 0 ? o->max_runs : cfg->stats.max_runs);
	so.exact = strcmp(res->backend, "cachegrind") == 0;
	so.runs = so.exact ? 1 : (size_t)s.bench->runs;
	if (so.max_runs < so.runs)
		so.max_runs = so.runs;
	so.explained_min = 0.8;
	so.max_culprits = 4;
	if (pb_search_run(res->n_commits - 1, &so, &ops, &s, &res->search) ||
	    merges(repo, res))
		goto out;
	res->builds = s.builder.built;
	res->builds_cached = s.builder.cached;
	for (i = 0; i < res->n_commits; i++)
		if (res->commits[i].m.n_runs)
			pb_measurement_finish(&res->commits[i].m);
	if (res->search.status == PB_SEARCH_FOUND && res->search.n_culprits) {
		if (attribute(&s))
			goto out;
		check_identical(res);
		if (res->search.status == PB_SEARCH_FOUND && o->verify_placement && verify_placement(&s, so.alpha, so.min_effect))
			goto out;
	}
	ret = journal(&s, "done", NULL, "status", status_name(res->search.status));
out:
	if (o->progress)
		pb_progress_done(o->progress);
	sess_release(&s);
	return ret;
}

void pb_bisect_result_release(struct pb_bisect_result *res)
{
	size_t i;

	for (i = 0; i < res->n_commits; i++) {
		pb_commit_info_release(&res->commits[i].info);
		pb_measurement_release(&res->commits[i].m);
		free(res->commits[i].binary);
		free(res->commits[i].build_reason);
		free(res->commits[i].merged_range);
	}
	free(res->commits);
	free(res->benchmark);
	free(res->metric);
	free(res->backend);
	pb_search_result_release(&res->search);
	pb_attribution_release(&res->attribution);
	pb_placement_check_release(&res->placement);
	memset(res, 0, sizeof(*res));
}

int pb_bisect_exit_code(const struct pb_bisect_result *res)
{
	return res->search.status == PB_SEARCH_FOUND ? PB_EXIT_OK : PB_EXIT_INCONCLUSIVE;
}

/* ---- The result file ---- */

static const char *status_name(enum pb_search_status st)
{
	return st == PB_SEARCH_FOUND ? "found" : st == PB_SEARCH_NOT_REPRODUCED ? "not-reproduced" :
	       st == PB_SEARCH_UNCONFIRMED ? "unconfirmed" : "only-skipped";
}

static double median_of(const struct pb_search_result *sr, size_t i)
{
	return sr->n_values[i] ? pb_stats_median(sr->values[i], sr->n_values[i]) : NAN;
}

/* merge{parents[], merged_range, merged_commits}, for a merge whose range was looked up. */
static void write_merge(struct pb_jsonw *w, const struct pb_bisect_commit *c)
{
	size_t i;

	if (!c->merged_range)
		return;
	pb_jsonw_object(w, "merge");
	pb_jsonw_array(w, "parents");
	for (i = 0; i < c->info.n_parents; i++)
		pb_jsonw_string(w, NULL, c->info.parents[i]);
	pb_jsonw_end(w);
	pb_jsonw_string(w, "merged_range", c->merged_range);
	pb_jsonw_int(w, "merged_commits", (int64_t)c->merged_commits);
	pb_jsonw_end(w);
}

static void write_commit(struct pb_jsonw *w, const char *key, const struct pb_bisect_commit *c)
{
	size_t i;

	pb_jsonw_object(w, key);
	pb_jsonw_string(w, "commit", c->info.id);
	pb_jsonw_string(w, "parent", c->info.parent);
	pb_jsonw_string(w, "subject", c->info.subject);
	pb_jsonw_string(w, "author", c->info.author);
	pb_jsonw_string(w, "date", c->info.date);
	pb_jsonw_array(w, "files");
	for (i = 0; i < c->info.n_files; i++)
		pb_jsonw_string(w, NULL, c->info.files[i]);
	pb_jsonw_end(w);
	pb_jsonw_int(w, "insertions", c->info.insertions);
	pb_jsonw_int(w, "deletions", c->info.deletions);
	write_merge(w, c);
	pb_jsonw_end(w);
}

static void write_effect(struct pb_jsonw *w, const char *key, const struct pb_comparison *cmp,
			 double a_median, double b_median)
{
	pb_jsonw_object(w, key);
	pb_jsonw_number(w, "good_median", a_median);
	pb_jsonw_number(w, "bad_median", b_median);
	pb_jsonw_number(w, "ratio", cmp->ratio);
	pb_jsonw_array(w, "ci95");
	pb_jsonw_number(w, NULL, cmp->ci95[0]);
	pb_jsonw_number(w, NULL, cmp->ci95[1]);
	pb_jsonw_end(w);
	pb_jsonw_number(w, "p_value", cmp->p_value);
	pb_jsonw_string(w, "verdict", pb_verdict_name(cmp->verdict));
	pb_jsonw_end(w);
}

/* A paired comparison on fresh blocks: ratio, CI, p (none when exact), verdict, blocks. */
static void write_fresh(struct pb_jsonw *w, const char *key, const struct pb_comparison *cmp,
			size_t blocks)
{
	bool exact = cmp->ci95[0] == cmp->ci95[1];

	pb_jsonw_object(w, key);
	pb_jsonw_number(w, "ratio", cmp->ratio);
	pb_jsonw_bool(w, "exact", exact);
	if (!exact) {
		pb_jsonw_array(w, "ci95");
		pb_jsonw_number(w, NULL, cmp->ci95[0]);
		pb_jsonw_number(w, NULL, cmp->ci95[1]);
		pb_jsonw_end(w);
		pb_jsonw_number(w, "p_value", cmp->p_value);
	}
	pb_jsonw_string(w, "verdict", pb_verdict_name(cmp->verdict));
	pb_jsonw_int(w, "blocks", (int64_t)blocks);
	pb_jsonw_end(w);
}

/* confirmation{confirmed, culprit{…}, endpoints{…}, explained_fraction{value, ci95}, why}: the
 * checks made on fresh interleaved runs after the search. */
static void write_confirmation(struct pb_jsonw *w, const struct pb_bisect_result *res)
{
	const struct pb_search_result *sr = &res->search;
	const struct pb_culprit *cu = sr->n_culprits ? &sr->culprits[0] : NULL;

	pb_jsonw_object(w, "confirmation");
	pb_jsonw_bool(w, "confirmed", sr->confirmed);
	if (cu) {
		pb_jsonw_string(w, "commit", res->commits[cu->index].info.id);
		write_fresh(w, "culprit", &cu->effect, cu->blocks);
	}
	if (sr->confirm_blocks)
		write_fresh(w, "endpoints", &sr->confirm_endpoints, sr->confirm_blocks);
	if (cu && isfinite(cu->explained_fraction)) {
		pb_jsonw_object(w, "explained_fraction");
		pb_jsonw_number(w, "value", cu->explained_fraction);
		pb_jsonw_array(w, "ci95");
		pb_jsonw_number(w, NULL, cu->explained_ci95[0]);
		pb_jsonw_number(w, NULL, cu->explained_ci95[1]);
		pb_jsonw_end(w);
		pb_jsonw_end(w);
	}
	pb_jsonw_int(w, "restarts", sr->restarts);
	if (sr->why[0])
		pb_jsonw_string(w, "why", sr->why);
	pb_jsonw_end(w);
}

static void write_counters(struct pb_jsonw *w, const char *key, const struct pb_measurement *m)
{
	size_t k;

	pb_jsonw_object(w, key);
	for (k = 0; m->n_runs && k < m->runs[0].n_counters; k++)
		pb_jsonw_number(w, m->runs[0].counters[k].name,
				pb_measurement_counter(m, m->runs[0].counters[k].name));
	pb_jsonw_end(w);
}

static void write_samples(struct pb_jsonw *w, const char *key, const struct pb_search_result *sr,
			  size_t i)
{
	size_t k;

	pb_jsonw_array(w, key);
	for (k = 0; k < sr->n_values[i]; k++)
		pb_jsonw_number(w, NULL, sr->values[i][k]);
	pb_jsonw_end(w);
}

/* The 95% CI of the median of commit i's values (for the report's timeline). */
static void write_ci(struct pb_jsonw *w, const struct pb_search_result *sr, size_t i)
{
	struct pb_summary s;

	if (!sr->n_values[i])
		return;
	pb_stats_summary(sr->values[i], sr->n_values[i], &s);
	pb_jsonw_array(w, "ci95");
	pb_jsonw_number(w, NULL, s.ci95[0]);
	pb_jsonw_number(w, NULL, s.ci95[1]);
	pb_jsonw_end(w);
}

void pb_bisect_write_json(const struct pb_bisect_result *res, struct pb_jsonw *w)
{
	const struct pb_search_result *sr = &res->search;
	size_t n = res->n_commits - 1, i;

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_BISECT_SCHEMA);
	pb_jsonw_string(w, "good", res->good);
	pb_jsonw_string(w, "bad", res->bad);
	pb_jsonw_string(w, "benchmark", res->benchmark);
	pb_jsonw_string(w, "metric", res->metric);
	pb_jsonw_string(w, "backend", res->backend);
	pb_jsonw_string(w, "status", status_name(sr->status));
	write_effect(w, "endpoints", &sr->endpoints, median_of(sr, 0), median_of(sr, n));
	if (sr->status == PB_SEARCH_FOUND && sr->n_culprits) {
		const struct pb_culprit *cu = &sr->culprits[0];

		write_commit(w, "culprit", &res->commits[cu->index]);
		write_effect(w, "effect", &cu->effect, median_of(sr, cu->index - 1),
			     median_of(sr, cu->index));
		pb_jsonw_number(w, "explained_fraction", cu->explained_fraction);
		pb_jsonw_array(w, "explained_fraction_ci95");
		pb_jsonw_number(w, NULL, cu->explained_ci95[0]);
		pb_jsonw_number(w, NULL, cu->explained_ci95[1]);
		pb_jsonw_end(w);
		pb_jsonw_array(w, "culprits");
		for (i = 0; i < sr->n_culprits; i++) {
			const struct pb_culprit *c = &sr->culprits[i];

			pb_jsonw_object(w, NULL);
			pb_jsonw_string(w, "commit", res->commits[c->index].info.id);
			pb_jsonw_string(w, "subject", res->commits[c->index].info.subject);
			write_effect(w, "effect", &c->effect, median_of(sr, c->index - 1),
				     median_of(sr, c->index));
			pb_jsonw_number(w, "explained_fraction", c->explained_fraction);
			write_merge(w, &res->commits[c->index]);
			pb_jsonw_end(w);
		}
		pb_jsonw_end(w);
		pb_jsonw_object(w, "counters");
		write_counters(w, "parent", &res->commits[cu->index - 1].m);
		write_counters(w, "culprit", &res->commits[cu->index].m);
		pb_jsonw_end(w);
		pb_jsonw_object(w, "binaries");
		pb_jsonw_string(w, "good", res->commits[0].binary);
		pb_jsonw_string(w, "bad", res->commits[n].binary);
		pb_jsonw_string(w, "parent", res->commits[cu->index - 1].binary);
		pb_jsonw_string(w, "culprit", res->commits[cu->index].binary);
		pb_jsonw_end(w);
		pb_attribution_write_json(&res->attribution, w);
		pb_placement_check_write_json(&res->placement, w);
		if (res->commits[cu->index].m.system)
			pb_jsonw_value(w, "system", res->commits[cu->index].m.system);
	}
	if (sr->status == PB_SEARCH_FOUND || sr->status == PB_SEARCH_UNCONFIRMED)
		write_confirmation(w, res);
	if (sr->status == PB_SEARCH_UNCONFIRMED) {
		/* What the steps named, not confirmed: candidates, with what fresh runs said. */
		pb_jsonw_array(w, "candidates");
		for (i = 0; i < sr->n_culprits; i++)
			write_commit(w, NULL, &res->commits[sr->culprits[i].index]);
		pb_jsonw_end(w);
	}
	if (sr->status == PB_SEARCH_ONLY_SKIPPED) {
		pb_jsonw_array(w, "candidates");
		for (i = 0; i < sr->n_candidates; i++)
			write_commit(w, NULL, &res->commits[sr->candidates[i]]);
		pb_jsonw_end(w);
	}
	pb_jsonw_array(w, "steps");
	for (i = 0; i < sr->n_steps; i++) {
		const struct pb_search_step *st = &sr->steps[i];
		const struct pb_bisect_commit *c = &res->commits[st->index];

		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "commit", c->info.id);
		pb_jsonw_int(w, "index", (int64_t)st->index); /* 0 good ... commits bad */
		pb_jsonw_string(w, "subject", c->info.subject);
		pb_jsonw_string(w, "verdict", pb_step_verdict_name(st->verdict));
		pb_jsonw_int(w, "runs", (int64_t)st->runs);
		pb_jsonw_number(w, "median", st->median);
		write_ci(w, sr, st->index);
		pb_jsonw_string(w, "why", st->why);
		pb_jsonw_int(w, "restart", st->restart);
		if (st->blocks)
			pb_jsonw_int(w, "blocks", (int64_t)st->blocks);
		if (c->build_failed)
			pb_jsonw_string(w, "build_error", c->build_reason);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_object(w, "samples");
	write_samples(w, "good", sr, 0);
	write_samples(w, "bad", sr, n);
	pb_jsonw_end(w);
	pb_jsonw_int(w, "commits", (int64_t)n);
	pb_jsonw_int(w, "builds", res->builds);
	pb_jsonw_int(w, "builds_cached", res->builds_cached);
	pb_jsonw_int(w, "runs_total", (int64_t)sr->runs_total);
	pb_jsonw_int(w, "runs_measured", (int64_t)res->runs_measured);
	pb_jsonw_int(w, "runs_failed", (int64_t)sr->failed_runs);
	pb_jsonw_bool(w, "resumed", res->resumed);
	pb_jsonw_end(w);
}

/* ---- layout verify ---- */

int pb_layout_verify(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		     struct pb_layout_verify_result *res)
{
	struct pb_bisect_result br;
	struct sess s;
	struct pb_verify_in in;
	double *vals[2] = { NULL, NULL }, v;
	size_t n[2] = { 0, 0 }, i, k, want, fails = 0;
	int rc, ret = -1;

	memset(res, 0, sizeof(*res));
	memset(&br, 0, sizeof(br));
	memset(&s, 0, sizeof(s));
	s.repo = repo;
	s.cfg = cfg;
	s.o = o;
	s.res = &br;
	s.st.lock_fd = -1;
	if (pb_repo_resolve(repo, o->good, res->good) || pb_repo_resolve(repo, o->bad, res->bad) ||
	    prepare(&s, o->bench, o->backend, o->metric, o->cpus, o->stop, 2))
		goto out;
	memcpy(s.ids[0], res->good, PB_OID_HEX);
	memcpy(s.ids[1], res->bad, PB_OID_HEX);
	for (i = 0; i < 2; i++)
		if (pb_repo_commit_info(repo, s.ids[i], &br.commits[i].info))
			goto out;
	if (open_state(&s))
		goto out;
	res->benchmark = pb_xstrdup(br.benchmark);
	res->backend = pb_xstrdup(br.backend);
	res->metric = pb_xstrdup(br.metric);
	for (i = 0; i < 2; i++) {
		if ((rc = cb_build(&s, i)) < 0)
			goto out;
		if (rc > 0) {
			pb_error_as(PB_EXIT_INCONCLUSIVE, "%.7s cannot be built: %s", s.ids[i],
				    br.commits[i].build_reason ? br.commits[i].build_reason : "?");
			goto out;
		}
	}
	/* The ordinary builds, interleaved, from the measurement cache when they were measured. */
	want = strcmp(br.backend, "cachegrind") == 0 ? 1 : (size_t)s.bench->runs;
	vals[0] = pb_xcalloc(want + 1, sizeof(double));
	vals[1] = pb_xcalloc(want + 1, sizeof(double));
	for (k = 0; k < want; k++)
		for (i = 0; i < 2; i++) {
			while ((rc = cb_sample(&s, i, &v)) > 0)
				if (++fails > 2 * want) {
					pb_error_as(PB_EXIT_INCONCLUSIVE, "%.7s: the benchmark fails (%zu "
						    "runs failed)", s.ids[i], fails);
					goto out;
				}
			if (rc < 0)
				goto out;
			vals[i][n[i]++] = v;
		}
	memset(&in, 0, sizeof(in));
	in.repo = repo;
	in.wt = &s.wt;
	in.st = &s.st;
	in.cfg = cfg;
	in.tmpl = &s.tmpl;
	in.command = s.bench->command;
	in.parent = s.ids[0];
	in.culprit = s.ids[1];
	in.base_parent = vals[0];
	in.n_parent = n[0];
	in.base_culprit = vals[1];
	in.n_culprit = n[1];
	in.alpha = o->alpha >= 0 ? o->alpha : cfg->stats.alpha;
	in.min_effect = o->min_effect >= 0 ? o->min_effect : cfg->stats.min_effect;
	in.progress = o->progress;
	ret = pb_placement_check_run(&in, &res->pc);
out:
	if (o->progress)
		pb_progress_done(o->progress);
	free(vals[0]);
	free(vals[1]);
	sess_release(&s);
	pb_bisect_result_release(&br);
	return ret;
}

void pb_layout_verify_release(struct pb_layout_verify_result *res)
{
	free(res->benchmark);
	free(res->backend);
	free(res->metric);
	pb_placement_check_release(&res->pc);
	memset(res, 0, sizeof(*res));
}

void pb_layout_verify_write_json(const struct pb_layout_verify_result *res, struct pb_jsonw *w)
{
	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_PLACEMENT_CHECK_SCHEMA);
	pb_jsonw_string(w, "good", res->good);
	pb_jsonw_string(w, "bad", res->bad);
	pb_jsonw_string(w, "benchmark", res->benchmark);
	pb_jsonw_string(w, "metric", res->metric);
	pb_jsonw_string(w, "backend", res->backend);
	pb_placement_check_write_json(&res->pc, w);
	pb_jsonw_end(w);
}

/* ---- check ---- */

static double *json_numbers(const struct pb_json *arr, size_t *n)
{
	const struct pb_json *e;
	double *v = pb_xmalloc((pb_json_size(arr) + 1) * sizeof(*v));

	*n = 0;
	for (e = pb_json_child(arr); e; e = pb_json_next(e))
		if (pb_json_type(e) == PB_JSON_NUMBER)
			v[(*n)++] = pb_json_number(e, 0);
	return v;
}

/* The baseline's good sample, and its bad sample when it is a bisect result. */
static int load_baseline(const char *path, double **good, size_t *ng, double **bad, size_t *nb)
{
	struct pb_measurement m;
	struct pb_json *doc;
	const char *schema;
	int ret = -1;

	*good = *bad = NULL;
	*ng = *nb = 0;
	if (pb_json_parse_file(&doc, path))
		return -1;
	schema = pb_json_string(pb_json_get(doc, "schema"), "");
	if (strcmp(schema, PB_BISECT_SCHEMA) == 0) {
		*good = json_numbers(pb_json_path(doc, "samples.good"), ng);
		*bad = json_numbers(pb_json_path(doc, "samples.bad"), nb);
		ret = 0;
	} else if (strncmp(schema, "placebisect.measurement/", 24) == 0) {
		pb_measurement_init(&m);
		if (pb_measurement_from_json(&m, doc, path) == 0) {
			*good = pb_measurement_values(&m, ng);
			ret = 0;
		}
		pb_measurement_release(&m);
	} else {
		pb_error("%s: a baseline is a bisect result (-o of bisect) or a measurement (-o of "
			 "measure), not '%s'", path, schema);
	}
	if (ret == 0 && *ng == 0)
		ret = pb_error("%s: the baseline has no good values", path);
	pb_json_free(doc);
	return ret;
}

int pb_check_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_check_opts *o,
		 struct pb_check_result *res)
{
	struct pb_bisect_result br;
	struct pb_bisect_opts bo = { .stop = o->stop };
	struct pb_comparison cmp;
	struct pb_build bd;
	struct pb_sprt sprt;
	struct sess s;
	double *good = NULL, *bad = NULL, *vals = NULL, v, alpha, min_effect;
	size_t ng, nb, n = 0, fails = 0, want, max_runs;
	enum pb_sprt_state st = PB_SPRT_CONTINUE;
	int rc, ret = -1;
	bool exact;

	memset(res, 0, sizeof(*res));
	memset(&br, 0, sizeof(br));
	memset(&bd, 0, sizeof(bd));
	memset(&s, 0, sizeof(s));
	s.repo = repo;
	s.cfg = cfg;
	s.o = &bo;
	s.res = &br;
	s.st.lock_fd = -1;
	if (load_baseline(o->baseline, &good, &ng, &bad, &nb) ||
	    pb_repo_resolve(repo, o->rev, res->commit) ||
	    prepare(&s, o->bench, o->backend, o->metric, o->cpus, o->stop, 1))
		goto out;
	memcpy(s.ids[0], res->commit, PB_OID_HEX);
	if (pb_repo_commit_info(repo, res->commit, &br.commits[0].info) || open_state(&s))
		goto out;
	res->subject = pb_xstrdup(br.commits[0].info.subject);
	res->backend = pb_xstrdup(br.backend);
	res->metric = pb_xstrdup(br.metric);
	res->baseline_good = ng;
	res->baseline_bad = nb;
	alpha = o->alpha >= 0 ? o->alpha : cfg->stats.alpha;
	min_effect = o->min_effect >= 0 ? o->min_effect : cfg->stats.min_effect;
	max_runs = (size_t)(o->max_runs > 0 ? o->max_runs : cfg->stats.max_runs);
	exact = strcmp(br.backend, "cachegrind") == 0;

	if (pb_builder_get(&s.builder, res->commit, &bd))
		goto out;
	if (!bd.ok) {
		res->verdict = PB_CHECK_CANNOT;
		res->reason = pb_xasprintf("cannot be built: %s", bd.reason ? bd.reason : "?");
		ret = 0;
		goto out;
	}
	br.commits[0].binary = bd.binary ? pb_xstrdup(bd.binary) : NULL;
	if (nb && pb_search_sprt_init(&sprt, good, ng, bad, nb, alpha, exact))
		goto out;
	want = exact ? 1 : (size_t)s.bench->runs;
	vals = pb_xmalloc((max_runs + 1) * sizeof(*vals));
	while (n < max_runs && fails <= max_runs) {
		rc = cb_sample(&s, 0, &v);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			fails++;
			continue;
		}
		vals[n++] = v;
		if (nb) {
			st = pb_sprt_add(&sprt, v);
			if (st != PB_SPRT_CONTINUE && (sprt.exact || n >= PB_SEARCH_MIN_DECIDE))
				break;
		} else if (n >= want) {
			break;
		}
	}
	res->runs = n;
	res->median = n ? pb_stats_median(vals, n) : NAN;
	if (n == 0) {
		res->verdict = PB_CHECK_CANNOT;
		res->reason = pb_xasprintf("the benchmark failed on every run (%zu)", fails);
	} else if (nb && st == PB_SPRT_CONTINUE) {
		res->verdict = PB_CHECK_CANNOT;
		res->reason = pb_xasprintf("undecided after %zu runs", n);
	} else if (nb) {
		res->verdict = st == PB_SPRT_BAD ? PB_CHECK_BAD : PB_CHECK_GOOD;
	} else {
		pb_stats_compare(good, ng, vals, n, alpha, min_effect, &cmp);
		res->verdict = cmp.verdict == PB_VERDICT_SLOWER ? PB_CHECK_BAD : PB_CHECK_GOOD;
	}
	ret = 0;
out:
	pb_build_release(&bd);
	sess_release(&s);
	pb_bisect_result_release(&br);
	free(good);
	free(bad);
	free(vals);
	return ret;
}

void pb_check_result_release(struct pb_check_result *res)
{
	free(res->subject);
	free(res->reason);
	free(res->backend);
	free(res->metric);
	memset(res, 0, sizeof(*res));
}

void pb_check_write_json(const struct pb_check_result *res, struct pb_jsonw *w)
{
	static const char *const names[] = { [PB_CHECK_GOOD] = "good", [PB_CHECK_BAD] = "bad" };

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_CHECK_SCHEMA);
	pb_jsonw_string(w, "commit", res->commit);
	pb_jsonw_string(w, "subject", res->subject);
	pb_jsonw_string(w, "verdict", res->verdict == PB_CHECK_CANNOT ? "skip" : names[res->verdict]);
	pb_jsonw_int(w, "exit", res->verdict);
	pb_jsonw_string(w, "reason", res->reason);
	pb_jsonw_string(w, "backend", res->backend);
	pb_jsonw_string(w, "metric", res->metric);
	pb_jsonw_int(w, "runs", (int64_t)res->runs);
	pb_jsonw_number(w, "median", res->median);
	pb_jsonw_end(w);
}

/* ---- One revision ---- */

int pb_revision_prepare(struct pb_repo *repo, const struct pb_config *cfg, const char *rev,
			struct pb_revision *out)
{
	struct pb_worktree wt;
	struct pb_builder b;
	struct pb_build bd;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&wt, 0, sizeof(wt));
	memset(&b, 0, sizeof(b));
	memset(&bd, 0, sizeof(bd));
	out->st.lock_fd = -1;
	if (pb_repo_resolve(repo, rev, out->commit) || pb_state_open(&out->st, pb_repo_gitdir(repo)) ||
	    pb_state_lock(&out->st) || pb_worktree_open(&wt, out->st.dir) ||
	    pb_builder_init(&b, repo, &wt, &out->st, cfg) || pb_builder_get(&b, out->commit, &bd))
		goto out;
	if (!bd.ok) {
		pb_error("%s (%.7s) cannot be built: %s", rev, out->commit, bd.reason ? bd.reason : "?");
		goto out;
	}
	if (pb_worktree_checkout(&wt, repo, out->commit))
		goto out;
	out->binary = bd.binary ? pb_xstrdup(bd.binary) : NULL;
	out->worktree = pb_xstrdup(wt.dir);
	ret = 0;
out:
	pb_build_release(&bd);
	pb_builder_release(&b);
	pb_worktree_release(&wt);
	if (ret)
		pb_revision_release(out);
	return ret;
}

void pb_revision_release(struct pb_revision *r)
{
	free(r->binary);
	free(r->worktree);
	pb_state_close(&r->st);
	r->binary = r->worktree = NULL;
}
