/* check.c: the `check` driver: one revision judged against a baseline, for `git bisect run`. */
#include "bisect/check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/driver.h"
#include "bisect/search.h"
#include "bisect/session.h"
#include "core/error.h"
#include "core/log.h"
#include "core/util.h"
#include "measure/repeat.h"
#include "measure/stats.h"

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

/*
 * An exact backend, after the revision's first two runs measured now, vals[0..1]: the same value twice keeps it
 * exact (the sequential test on the baseline, exact). Two values: warned once, then judged as a
 * noisy metric (*exact false; *want the runs a measurement baseline is compared on), or, when the
 * baseline has one value per side (an exact bisect's), nothing can be judged: res->reason says so
 * (the check cannot measure: 125). Returns 0, or -1 when the sequential test cannot be made.
 */
static int judge_mode(struct pb_check_result *res, const double *good, size_t ng, const double *bad,
		      size_t nb, const double *vals, double alpha, bool *exact, struct pb_sprt *sprt,
		      size_t *want)
{
	struct pb_repeat r;
	char what[64], *msg;

	*exact = false; /* checked once: from here on the runs are judged as they came */
	snprintf(what, sizeof(what), "commit %.7s", res->commit);
	res->repeat_checked = true;
	res->repeat[0] = vals[0];
	res->repeat[1] = vals[1];
	res->exact = pb_repeat_check(&r, what, vals[0], vals[1]);
	if (res->exact)
		return nb ? pb_search_sprt_init(sprt, good, ng, bad, nb, alpha, true) : 0;
	if (nb && pb_search_sprt_init(sprt, good, ng, bad, nb, alpha, false))
		return -1;
	if (nb && sprt->exact) {
		msg = pb_repeat_message(res->backend, &r, 1, PB_REPEAT_REFUSE, "check");
		res->reason = pb_xasprintf("%s; the baseline has no spread to judge them with: bisect "
					   "again with this benchmark, which judges it with statistics, "
					   "and check against that result", msg);
		free(msg);
		return 0;
	}
	msg = pb_repeat_message(res->backend, &r, 1, PB_REPEAT_STATISTICS, "check");
	pb_warn("%s", msg);
	free(msg);
	*want = PB_SEARCH_EXACT_FALLBACK_RUNS;
	return 0;
}

int pb_check_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_check_opts *o,
		 struct pb_check_result *res)
{
	struct pb_bisect_result br;
	struct pb_bisect_opts bo = { .stop = o->stop, .rebuild_failed = o->rebuild_failed };
	struct pb_comparison cmp;
	struct pb_build bd;
	struct pb_sprt sprt;
	struct pb_driver s;
	double *good = NULL, *bad = NULL, *vals = NULL, v, alpha, min_effect;
	size_t ng, nb, n = 0, fails = 0, want, max_runs, n_fresh = 0;
	double fresh[2];
	enum pb_sprt_state st = PB_SPRT_CONTINUE;
	int rc, ret = -1;
	bool exact;

	memset(res, 0, sizeof(*res));
	memset(&br, 0, sizeof(br));
	memset(&bd, 0, sizeof(bd));
	pb_driver_init(&s, repo, cfg, &bo, &br);
	if (load_baseline(o->baseline, &good, &ng, &bad, &nb) ||
	    pb_repo_resolve(repo, o->rev, res->commit) ||
	    pb_driver_prepare(&s, o->bench, o->backend, o->metric, o->cpus, o->stop, 1))
		goto out;
	memcpy(s.ids[0], res->commit, PB_OID_HEX);
	if (pb_repo_commit_info(repo, res->commit, &br.commits[0].info) || pb_driver_open_state(&s))
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

	if (pb_executor_build(s.ex, 0, &bd))
		goto out;
	if (!bd.ok) {
		res->verdict = PB_CHECK_CANNOT;
		res->reason = pb_xasprintf("cannot be built: %s", bd.reason ? bd.reason : "?");
		ret = 0;
		goto out;
	}
	br.commits[0].binary = bd.binary ? pb_xstrdup(bd.binary) : NULL;
	br.commits[0].prefix = bd.prefix ? pb_xstrdup(bd.prefix) : NULL;
	/* An exact backend: the revision runs twice first (one extra run; the baseline's values are
	 * the file's): the same value twice is judged exactly, as before; two values are judged with
	 * the sequential test of a noisy metric over repeated runs, with a warning. */
	if (!exact && nb && pb_search_sprt_init(&sprt, good, ng, bad, nb, alpha, false))
		goto out;
	want = exact ? 2 : (size_t)s.bench->runs;
	if (max_runs < want + 2)
		max_runs = want + 2; /* room for cached runs before the two measured now */
	vals = pb_xmalloc((max_runs + 1) * sizeof(*vals));
	while (n < max_runs && fails <= max_runs) {
		size_t measured = br.runs_measured;

		rc = pb_driver_sample(&s, 0, &v);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			fails++;
			continue;
		}
		vals[n++] = v;
		/* Two runs measured now: a cached one was taken by another invocation, whose
		 * environment (its size moves the stack) may differ slightly. */
		if (exact && br.runs_measured > measured)
			fresh[n_fresh++] = v;
		if (exact) {
			if (n_fresh < 2)
				continue;
			if (judge_mode(res, good, ng, bad, nb, fresh, alpha, &exact, &sprt, &want))
				goto out;
			if (res->reason)
				break; /* the baseline cannot judge values that do not repeat */
			if (nb)
				for (size_t k = 0; k + 1 < n; k++)
					st = pb_sprt_add(&sprt, vals[k]);
		}
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
	if (res->reason) {
		res->verdict = PB_CHECK_CANNOT;
	} else if (n == 0) {
		res->verdict = PB_CHECK_CANNOT;
		const char *why = s.ex ? pb_executor_last_failure(s.ex, 0) : NULL;

		res->reason = why ? pb_xasprintf("the benchmark failed on every run (%zu); the last: %s",
						 fails, why)
				  : pb_xasprintf("the benchmark failed on every run (%zu)", fails);
	} else if (nb && st == PB_SPRT_CONTINUE) {
		res->verdict = PB_CHECK_CANNOT;
		res->reason = pb_xasprintf("undecided after %zu %s", n, pb_plural(n, "run", "runs"));
	} else if (nb) {
		res->verdict = st == PB_SPRT_BAD ? PB_CHECK_BAD : PB_CHECK_GOOD;
	} else {
		pb_stats_compare(good, ng, vals, n, alpha, min_effect, &cmp);
		res->verdict = cmp.verdict == (o->improvement ? PB_VERDICT_FASTER : PB_VERDICT_SLOWER) ?
				       PB_CHECK_BAD : PB_CHECK_GOOD;
	}
	ret = 0;
out:
	pb_build_release(&bd);
	pb_driver_release(&s);
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
	if (res->repeat_checked) {
		/* An exact backend: the revision's first two runs, and whether they were the same. */
		pb_jsonw_bool(w, "exact", res->exact);
		pb_jsonw_array(w, "repeat");
		pb_jsonw_number(w, NULL, res->repeat[0]);
		pb_jsonw_number(w, NULL, res->repeat[1]);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
}

