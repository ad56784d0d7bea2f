/* session_json.c: the bisect result as placebisect.bisect/1 (DESIGN.md "Result files"). */
#include "bisect/session.h"

#include <math.h>

#include "bisect/fix.h"
#include "bisect/layouts.h"

#include "measure/stats.h"

static const char *status_name(enum pb_search_status st)
{
	return st == PB_SEARCH_FOUND ? "found" : st == PB_SEARCH_NOT_REPRODUCED ? "not-reproduced" :
	       st == PB_SEARCH_UNCONFIRMED ? "unconfirmed" : st == PB_SEARCH_UNSTABLE ? "unstable" :
	       "only-skipped";
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
			size_t blocks, bool judged_exact)
{
	bool exact = cmp->ci95[0] == cmp->ci95[1] && judged_exact;

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

/* confirmation{confirmed, commit, culprit{…}, endpoints{…}, explained_fraction{value, ci95},
 * restarts, why}: the checks made on fresh interleaved runs after the search. */
static void write_confirmation(struct pb_jsonw *w, const struct pb_bisect_result *res)
{
	const struct pb_search_result *sr = &res->search;
	const struct pb_culprit *cu = sr->n_culprits ? &sr->culprits[0] : NULL;
	/* An exact backend whose runs did not repeat was judged with statistics throughout. */
	bool judged_exact = !res->repeat_checked || sr->exact;

	pb_jsonw_object(w, "confirmation");
	pb_jsonw_bool(w, "confirmed", sr->confirmed);
	if (cu) {
		pb_jsonw_string(w, "commit", res->commits[cu->index].info.id);
		write_fresh(w, "culprit", &cu->effect, cu->blocks, judged_exact);
	}
	if (sr->confirm_blocks)
		write_fresh(w, "endpoints", &sr->confirm_endpoints, sr->confirm_blocks,
			    judged_exact);
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

/* toolchain{good{describe, compiler, producer}, bad{…}}: the keys known, the others left out. */
static void write_toolchain(struct pb_jsonw *w, const struct pb_bisect_result *res)
{
	static const char *const side[2] = { "good", "bad" };
	int k;

	pb_jsonw_object(w, "toolchain");
	for (k = 0; k < 2; k++) {
		pb_jsonw_object(w, side[k]);
		if (res->describe[k])
			pb_jsonw_string(w, "describe", res->describe[k]);
		if (res->toolchain[k].compiler)
			pb_jsonw_string(w, "compiler", res->toolchain[k].compiler);
		if (res->toolchain[k].producer)
			pb_jsonw_string(w, "producer", res->toolchain[k].producer);
		pb_jsonw_end(w);
	}
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
	pb_jsonw_string(w, "direction", res->improvement ? "improvement" : "regression");
	pb_jsonw_int(w, "runs", res->runs);
	pb_jsonw_int(w, "warmups", res->warmups);
	if (sr->status == PB_SEARCH_UNSTABLE)
		pb_jsonw_string(w, "unstable", sr->why);
	/* Judged exactly (one value per commit) or with statistics over repeated runs. */
	pb_jsonw_bool(w, "exact", res->repeat_checked && sr->exact);
	if (res->repeat_checked) {
		/* The exact backend's check: each endpoint's first two runs. */
		pb_jsonw_object(w, "repeat");
		for (i = 0; i < 2; i++) {
			pb_jsonw_array(w, i ? "bad" : "good");
			pb_jsonw_number(w, NULL, res->repeat[i][0]);
			pb_jsonw_number(w, NULL, res->repeat[i][1]);
			pb_jsonw_end(w);
		}
		pb_jsonw_number(w, "spread", sr->exact ? 0 : sr->repeat_spread);
		pb_jsonw_end(w);
	}
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
		if (res->fix)
			pb_fix_write_json(res->fix, "fix", w);
		else if (res->fix_error)
			pb_jsonw_string(w, "fix_error", res->fix_error);
		if (res->layouts)
			pb_layouts_write_json(res->layouts, "layouts", w);
		else if (res->layouts_error)
			pb_jsonw_string(w, "layouts_error", res->layouts_error);
		if (res->commits[cu->index].m.system)
			pb_jsonw_value(w, "system", res->commits[cu->index].m.system);
	}
	write_toolchain(w, res);
	if (sr->status == PB_SEARCH_FOUND || sr->status == PB_SEARCH_UNCONFIRMED)
		write_confirmation(w, res);
	if (res->contention.n) {
		const struct pb_contention *ct = &res->contention;

		pb_jsonw_object(w, "contention");
		pb_jsonw_bool(w, "contended", ct->contended);
		pb_jsonw_int(w, "runs", (int64_t)ct->n);
		pb_jsonw_number(w, "other_cpus", ct->other_cpus);
		pb_jsonw_number(w, "max_other_cpus", ct->max_other_cpus);
		pb_jsonw_number(w, "steal_pct", ct->steal_pct);
		pb_jsonw_number(w, "wall_over_cpu", ct->wall_over_cpu);
		pb_jsonw_number(w, "load1_max", ct->load1_max);
		if (ct->contended)
			pb_jsonw_string(w, "remedy", pb_contention_remedies(res->metric));
		pb_jsonw_end(w);
	}
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
		pb_jsonw_int(w, "round", st->round);
		if (c->build_slot)
			pb_jsonw_int(w, "build_slot", c->build_slot);
		if (res->contention.n) {
			/* Whether the runs of this commit were taken while other work was heavy. */
			struct pb_contention cc;

			pb_contention_of(&c->m, &cc);
			pb_jsonw_bool(w, "contended", cc.contended);
		}
		if (st->blocks) {
			pb_jsonw_int(w, "blocks", (int64_t)st->blocks);
			pb_jsonw_bool(w, "pooled", st->pooled);
		}
		if (c->build_failed)
			pb_jsonw_string(w, "build_error", c->build_reason);
		if (c->build_job || c->measure_job) {
			/* executor slurm: where this commit was built and measured */
			pb_jsonw_object(w, "slurm");
			pb_jsonw_string(w, "build_node", c->build_node);
			pb_jsonw_string(w, "build_job", c->build_job);
			pb_jsonw_string(w, "measure_node", c->measure_node);
			pb_jsonw_string(w, "measure_job", c->measure_job);
			pb_jsonw_end(w);
		}
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
	pb_jsonw_int(w, "jobs", (int64_t)(res->jobs ? res->jobs : 1));
	pb_jsonw_int(w, "rounds", sr->rounds);
	if (sr->runs_dropped)
		pb_jsonw_int(w, "runs_dropped", (int64_t)sr->runs_dropped);
	pb_jsonw_end(w);
}
