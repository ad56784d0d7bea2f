/* session.c: the bisect driver: resolves, builds (cached), measures (cached, resumable), searches. */
#include "bisect/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/driver.h"
#include "bisect/fix.h"
#include "bisect/layouts.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/util.h"
#include "measure/repeat.h"

/* k-way: runs saved to the measurement cache per this many (a SIGKILL loses at most these). */
#define PB_KWAY_SAVE_EVERY 8

/* ---- Callbacks of the search ---- */

static int cb_build(void *arg, size_t i)
{
	return pb_driver_build(arg, i);
}

static int cb_sample(void *arg, size_t i, double *value)
{
	struct pb_driver *s = arg;
	int rc = pb_driver_sample(s, i, value);

	/* Looking for an improvement: the search finds where 1/value rose, i.e. value fell. */
	if (rc == 0 && s->o->improvement && *value > 0)
		*value = 1 / *value;
	return rc;
}

static int cb_build_many(void *arg, int round, const size_t *ids, size_t n, int *rcs)
{
	struct pb_driver *s = arg;

	if (s->o->progress) {
		struct pb_buf list = PB_BUF_INIT;

		for (size_t k = 0; k < n; k++)
			pb_buf_printf(&list, "%s%.7s", k ? " " : "", s->ids[ids[k]]);
		if (round == 0)
			pb_progress_step(s->o->progress, s->step_k, s->step_total, "building the good and "
					 "bad commits%s at once (%s)", n > 2 ? " and the first round's" : "",
					 list.data);
		else
			pb_progress_step(s->o->progress, s->step_k, s->step_total, "round %d: building "
					 "%zu %s (%s), up to %zu at once", round, n,
					 pb_plural(n, "commit", "commits"), list.data, s->jobs);
		pb_buf_release(&list);
	}
	return pb_driver_build_many(s, ids, n, rcs);
}

static int cb_sample_many(void *arg, const size_t *ids, size_t n, double *values, int *rcs)
{
	struct pb_driver *s = arg;
	int rc = pb_driver_sample_many(s, ids, n, values, rcs);

	/* As cb_sample: an --improvement search sees 1/value. */
	for (size_t k = 0; rc == 0 && s->o->improvement && k < n; k++)
		if (rcs[k] == 0 && values[k] > 0)
			values[k] = 1 / values[k];
	return rc;
}

static void cb_step(void *arg, size_t i, int k, int total, const char *what)
{
	struct pb_driver *s = arg;

	s->step_k = k;
	s->step_total = total;
	if (s->o->progress)
		pb_progress_step(s->o->progress, k, total, "%s (%.7s %s)", what, s->ids[i],
				 s->res->commits[i].info.subject);
}

static char *cb_describe(void *arg, size_t i)
{
	struct pb_driver *s = arg;

	return pb_xasprintf("commit %.7s (%s)", s->ids[i], s->res->commits[i].info.subject);
}

static char *cb_last_failure(void *arg, size_t i)
{
	struct pb_driver *s = arg;
	const char *why = s->ex ? pb_executor_last_failure(s->ex, i) : NULL;

	/* No run failed here in this invocation: the failures are an earlier one's, from the
	 * measurement cache or the journal, and stay there until dropped. */
	if (!why)
		return pb_xstrdup("none in this invocation: the failures were recorded by an earlier "
				  "one; once the benchmark is fixed, --remeasure runs it again");
	return pb_xstrdup(why);
}


/* b against a as the metric sees it, from the comparison made on reciprocal values. */
static void unflip_comparison(struct pb_comparison *c)
{
	double lo = c->ci95[0], hi = c->ci95[1];

	if (c->ratio > 0)
		c->ratio = 1 / c->ratio;
	c->ci95[0] = hi > 0 ? 1 / hi : hi;
	c->ci95[1] = lo > 0 ? 1 / lo : lo;
	if (c->verdict == PB_VERDICT_SLOWER)
		c->verdict = PB_VERDICT_FASTER;
	else if (c->verdict == PB_VERDICT_FASTER)
		c->verdict = PB_VERDICT_SLOWER;
}

/*
 * After an --improvement search (made on 1/value): every value, step median and comparison back
 * in the metric's own terms, so that the result reads like any other ("faster", ratio < 1).
 * p-values, verdicts of steps and explained fractions (ratios of logs) do not change.
 */
static void unflip(struct pb_search_result *sr)
{
	size_t i, k;

	for (i = 0; i < sr->n_commits; i++)
		for (k = 0; k < sr->n_values[i]; k++)
			if (sr->values[i][k] > 0)
				sr->values[i][k] = 1 / sr->values[i][k];
	for (k = 0; k < sr->n_steps; k++) {
		struct pb_search_step *st = &sr->steps[k];
		size_t n = st->runs <= sr->n_values[st->index] ? st->runs : sr->n_values[st->index];

		if (n)
			st->median = pb_stats_median(sr->values[st->index], n);
	}
	unflip_comparison(&sr->endpoints);
	unflip_comparison(&sr->confirm_endpoints);
	for (k = 0; k < sr->n_culprits; k++)
		unflip_comparison(&sr->culprits[k].effect);
}

/* Is this the bisect the journal was last started for? Then we are resuming it. */
static int open_journal(struct pb_driver *s)
{
	struct pb_json *events = NULL, *e, *last = NULL;
	const char *direction = s->o->improvement ? "improvement" : "regression";
	int ret = 0;

	if ((s->o->reset || s->o->remeasure) && pb_state_journal_reset(&s->st))
		return -1;
	if (s->o->remeasure) {
		size_t dropped;

		if (pb_state_cache_drop_key(&s->st, s->key, &dropped))
			return -1;
		pb_note("--remeasure: dropped the cached measurements of %zu %s (%s); builds stay",
			dropped, pb_plural(dropped, "commit", "commits"), s->key);
	}
	if (pb_state_journal_read(&s->st, &events))
		return -1;
	for (e = pb_json_child(events); e; e = pb_json_next(e))
		if (strcmp(pb_json_string(pb_json_get(e, "event"), ""), "start") == 0)
			last = e;
	if (last && strcmp(pb_json_string(pb_json_get(last, "good"), ""), s->res->good) == 0 &&
	    strcmp(pb_json_string(pb_json_get(last, "bad"), ""), s->res->bad) == 0 &&
	    strcmp(pb_json_string(pb_json_get(last, "key"), ""), s->key) == 0 &&
	    strcmp(pb_json_string(pb_json_get(last, "direction"), "regression"), direction) == 0) {
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
		pb_jsonw_string(&w, "direction", direction);
		pb_jsonw_end(&w);
		ret = pb_state_journal_append(&s->st, &line);
		pb_buf_release(&line);
	}
	pb_json_free(events);
	return ret;
}


static int setup(struct pb_driver *s)
{
	struct pb_bisect_result *res = s->res;
	char (*ids)[PB_OID_HEX] = NULL, good[PB_OID_HEX], bad[PB_OID_HEX];
	size_t n, i;

	if (!pb_config_bench(s->cfg, s->o->bench))
		return -1;
	if (pb_repo_resolve(s->repo, s->o->good, good) || pb_repo_resolve(s->repo, s->o->bad, bad) ||
	    pb_repo_first_parent_range(s->repo, good, bad, &ids, &n))
		return -1;
	if (pb_driver_prepare(s, s->o->bench, s->o->backend, s->o->metric, s->o->cpus, s->o->stop,
			      n + 1)) {
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
	if (pb_driver_open_state(s) || open_journal(s))
		return -1;
	pb_repo_check_special(s->repo, res->bad);
	if (res->resumed)
		pb_note("resuming the bisect of %.7s..%.7s (cached builds and measurements are reused)",
			res->good, res->bad);
	return 0;
}

/* The first culprit against its parent: code or placement? */
static int attribute(struct pb_driver *s)
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
		.config_dir = s->cfg->dir,
		.env = (const char *const *)s->bench->env,
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

/* Contention over every run of every commit, stated once (a warning with the numbers and the
 * remedies) when other work or steal time was high. */
static void state_contention(struct pb_bisect_result *res)
{
	struct pb_measurement all;
	size_t i, n = 0;

	pb_measurement_init(&all);
	for (i = 0; i < res->n_commits; i++)
		n += res->commits[i].m.n_runs;
	all.runs = pb_xcalloc(n + 1, sizeof(*all.runs));
	for (i = 0; i < res->n_commits; i++) {
		if (!res->commits[i].m.n_runs)
			continue; /* runs may be NULL then, which memcpy must not see */
		memcpy(all.runs + all.n_runs, res->commits[i].m.runs,
		       res->commits[i].m.n_runs * sizeof(*all.runs));
		all.n_runs += res->commits[i].m.n_runs;
	}
	pb_contention_of(&all, &res->contention);
	free(all.runs); /* the runs themselves belong to the commits */
	/* A printed number or an instruction count does not move with load: nothing to state. */
	if (!pb_metric_load_sensitive(res->metric))
		res->contention.contended = false;
	if (res->contention.contended)
		pb_warn("the machine was busy with other work during the runs: other work took %.2f CPUs "
			"(median; up to %.2f), steal %.1f%%, the benchmark's wall/cpu %.2f, load up to "
			"%.1f; every comparison was made on interleaved runs and confirmed on fresh ones, "
			"but for a firmer answer use %s", res->contention.other_cpus,
			res->contention.max_other_cpus, res->contention.steal_pct,
			res->contention.wall_over_cpu, res->contention.load1_max,
			pb_contention_remedies(res->metric));
}

/*
 * An exact backend: the search ran each endpoint twice (search.h). Keep the two runs for the
 * result and, when they differed, say once which endpoint, the values, the consequence (judged
 * with statistics, not exactly) and the fix. Called after unflip: the values are the metric's.
 */
static void state_repeat(struct pb_bisect_result *res)
{
	const struct pb_search_result *sr = &res->search;
	size_t n = res->n_commits - 1, ends[2] = { 0, n }, k;
	struct pb_repeat r[2];
	char what[2][64], *msg;

	for (k = 0; k < 2; k++)
		if (sr->n_values[ends[k]] < 2)
			return; /* an endpoint that never ran twice: the search stopped before */
	res->repeat_checked = true;
	for (k = 0; k < 2; k++) {
		res->repeat[k][0] = sr->values[ends[k]][0];
		res->repeat[k][1] = sr->values[ends[k]][1];
		snprintf(what[k], sizeof(what[k]), "%s commit %.7s", k ? "bad" : "good",
			 res->commits[ends[k]].info.id);
		pb_repeat_check(&r[k], what[k], res->repeat[k][0], res->repeat[k][1]);
	}
	if (sr->exact)
		return;
	msg = pb_repeat_message(res->backend, r, 2, PB_REPEAT_STATISTICS, "bisect");
	if (msg)
		pb_warn("%s", msg);
	free(msg);
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
static int verify_placement(struct pb_driver *s, double alpha, double min_effect)
{
	struct pb_bisect_result *res = s->res;
	const struct pb_search_result *sr = &res->search;
	size_t ci = sr->culprits[0].index;
	struct pb_verify_in in = {
		.repo = s->repo, .wt = &s->wt, .st = &s->st, .cfg = s->cfg, .tmpl = &s->tmpl,
		.command = s->bench->command, .prepare = s->bench->prepare, .setup = s->bench->setup,
		.parent = s->ids[ci - 1], .culprit = s->ids[ci],
		.base_parent = sr->values[ci - 1], .n_parent = sr->n_values[ci - 1],
		.base_culprit = sr->values[ci], .n_culprit = sr->n_values[ci],
		.alpha = alpha, .min_effect = min_effect, .progress = s->o->progress,
		.rebuild_failed = s->o->rebuild_failed,
	};
	char *sentence;

	if (pb_placement_check_run(&in, &res->placement))
		return -1;
	sentence = pb_placement_check_sentence(&res->placement);
	pb_attr_add_check(&res->attribution.verdict, res->placement.confirmed, sentence);
	free(sentence);
	return 0;
}

/* --fix: the culprit rebuilt with its own function order, against its parent. A fix that cannot be
 * made is stated (fix_error, a warning), not fatal: the bisect's answer stands without it. */
static int layout_fix(struct pb_driver *s, double alpha, double min_effect)
{
	struct pb_bisect_result *res = s->res;
	size_t ci = res->search.culprits[0].index;
	char *sentence;
	bool helps;

	res->fix = pb_xcalloc(1, sizeof(*res->fix));
	if (pb_fix_measure(s, ci - 1, ci, alpha, min_effect, res->fix)) {
		if (pb_error_exit_code() == PB_EXIT_INTERRUPTED)
			return -1;
		res->fix_error = pb_xstrdup(pb_error_message());
		pb_warn("--fix: %s", res->fix_error);
		pb_fix_release(res->fix);
		free(res->fix);
		res->fix = NULL;
		return 0;
	}
	/* A fix that moves code only and takes back most of the slowdown is placement's evidence. */
	helps = !res->fix->code_changed && res->fix->recovered >= 0.5 &&
		res->fix->fix.verdict == PB_VERDICT_FASTER;
	sentence = pb_fix_sentence(res->fix);
	pb_attr_add_check(&res->attribution.verdict, helps, sentence);
	free(sentence);
	return 0;
}

/* --layouts N: the culprit's effect under N random layouts decides the verdict. A distribution
 * that cannot be made is stated (layouts_error, a warning), not fatal. */
static int layouts(struct pb_driver *s, double alpha, double min_effect)
{
	struct pb_bisect_result *res = s->res;
	size_t ci = res->search.culprits[0].index;
	char *sentence;

	res->layouts = pb_xcalloc(1, sizeof(*res->layouts));
	if (pb_layouts_measure(s, ci - 1, ci, s->o->layouts, s->o->layout_seed, alpha, min_effect,
			       res->layouts)) {
		if (pb_error_exit_code() == PB_EXIT_INTERRUPTED)
			return -1;
		res->layouts_error = pb_xstrdup(pb_error_message());
		pb_warn("--layouts: %s", res->layouts_error);
		pb_layouts_release(res->layouts);
		free(res->layouts);
		res->layouts = NULL;
		return 0;
	}
	sentence = pb_layouts_sentence(res->layouts);
	if (res->layouts->decided)
		pb_attr_set_layouts(&res->attribution.verdict, res->layouts->placement, sentence);
	else
		pb_attr_add_reason(&res->attribution.verdict, sentence);
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

/*
 * For the report's System section: the endpoints' `git describe` and their binaries' compiler and
 * flags. What cannot be found is left out (a binary that cannot be read: a warning names it).
 */
static void endpoints_facts(struct pb_repo *repo, struct pb_bisect_result *res)
{
	const char *ids[2] = { res->good, res->bad };
	const char *bins[2] = { res->commits[0].binary, res->commits[res->n_commits - 1].binary };
	int k;

	for (k = 0; k < 2; k++) {
		/* A shallow clone cannot be walked to its tags: then describe is left out. */
		if (pb_repo_git_describe(repo, ids[k], &res->describe[k]))
			pb_error_clear();
		if (bins[k] && pb_toolchain_read(bins[k], &res->toolchain[k])) {
			pb_warn("%s", pb_error_message());
			pb_error_clear();
		}
	}
}

int pb_bisect_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		  struct pb_bisect_result *res)
{
	struct pb_driver s;
	struct pb_search_opts so;
	const struct pb_search_ops ops = { cb_build, cb_sample, cb_step, cb_describe, cb_last_failure };
	struct pb_search_kway kw = { 1, cb_build_many, cb_sample_many };
	size_t i;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	pb_driver_init(&s, repo, cfg, o, res);
	/* --fix without build.fix: said before anything is built or measured. */
	if ((o->fix && pb_fix_configured(cfg)) || (o->layouts && pb_layouts_configured(cfg)) ||
	    setup(&s))
		goto out;

	so.alpha = o->alpha >= 0 ? o->alpha : cfg->stats.alpha;
	so.min_effect = o->min_effect >= 0 ? o->min_effect : cfg->stats.min_effect;
	so.max_runs = (size_t)(o->max_runs > 0 ? o->max_runs : cfg->stats.max_runs);
	so.exact = strcmp(res->backend, "cachegrind") == 0;
	so.runs = so.exact ? 1 : (size_t)s.tmpl.runs;
	if (so.max_runs < so.runs)
		so.max_runs = so.runs;
	so.explained_min = 0.8;
	so.max_culprits = 4;
	res->runs = s.tmpl.runs;
	res->warmups = s.tmpl.warmups;
	res->improvement = o->improvement;
	res->jobs = kw.jobs = s.jobs;
	/* k-way: runs are saved in groups, not one by one (driver.h); one at a time as ever. */
	if (s.jobs > 1)
		s.save_every = PB_KWAY_SAVE_EVERY;
	if (pb_search_run_kway(res->n_commits - 1, &so, &ops, &kw, &s, &res->search) ||
	    pb_driver_flush(&s))
		goto out;
	if (o->improvement)
		unflip(&res->search);
	if (so.exact)
		state_repeat(res);
	if (merges(repo, res))
		goto out;
	endpoints_facts(repo, res);
	res->builds = s.builder.built + s.remote_built;
	res->builds_cached = s.builder.cached + s.remote_cached;
	for (i = 0; i < res->n_commits; i++)
		if (res->commits[i].m.n_runs)
			pb_measurement_finish(&res->commits[i].m);
	state_contention(res);
	if (res->search.status == PB_SEARCH_FOUND && res->search.n_culprits) {
		if (attribute(&s))
			goto out;
		check_identical(res);
		if (res->search.status == PB_SEARCH_FOUND && o->verify_placement &&
		    verify_placement(&s, so.alpha, so.min_effect))
			goto out;
		if (res->search.status == PB_SEARCH_FOUND && o->fix &&
		    layout_fix(&s, so.alpha, so.min_effect))
			goto out;
		/* After --verify-placement: the layouts win over build.layout_variants. */
		if (res->search.status == PB_SEARCH_FOUND && o->layouts &&
		    layouts(&s, so.alpha, so.min_effect))
			goto out;
	}
	ret = pb_driver_journal(&s, "done", NULL, "status",
				res->search.status == PB_SEARCH_FOUND ? "found" :
				res->search.status == PB_SEARCH_NOT_REPRODUCED ? "not-reproduced" :
				res->search.status == PB_SEARCH_UNCONFIRMED ? "unconfirmed" :
				res->search.status == PB_SEARCH_UNSTABLE ? "unstable" : "only-skipped");
out:
	if (o->progress)
		pb_progress_done(o->progress);
	pb_driver_release(&s);
	return ret;
}

void pb_bisect_result_release(struct pb_bisect_result *res)
{
	size_t i;

	for (i = 0; i < res->n_commits; i++) {
		pb_commit_info_release(&res->commits[i].info);
		pb_measurement_release(&res->commits[i].m);
		free(res->commits[i].binary);
		free(res->commits[i].build_node);
		free(res->commits[i].build_job);
		free(res->commits[i].measure_node);
		free(res->commits[i].measure_job);
		free(res->commits[i].prefix);
		free(res->commits[i].dir);
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
	for (i = 0; i < 2; i++) {
		free(res->describe[i]);
		pb_toolchain_release(&res->toolchain[i]);
	}
	if (res->fix)
		pb_fix_release(res->fix);
	free(res->fix);
	free(res->fix_error);
	if (res->layouts)
		pb_layouts_release(res->layouts);
	free(res->layouts);
	free(res->layouts_error);
	memset(res, 0, sizeof(*res));
}

int pb_bisect_exit_code(const struct pb_bisect_result *res)
{
	return res->search.status == PB_SEARCH_FOUND ? PB_EXIT_OK : PB_EXIT_INCONCLUSIVE;
}
