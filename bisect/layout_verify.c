/* layout_verify.c: the `layout verify` driver: the placement check on any two revisions. */
#include "bisect/layout_verify.h"

#include <stdlib.h>
#include <string.h>

#include "bisect/driver.h"
#include "bisect/session.h"
#include "core/error.h"
#include "measure/repeat.h"

int pb_layout_verify(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		     struct pb_layout_verify_result *res)
{
	struct pb_bisect_result br;
	struct pb_driver s;
	struct pb_verify_in in;
	double *vals[2] = { NULL, NULL }, v;
	size_t n[2] = { 0, 0 }, i, k, want, fails = 0;
	int rc, ret = -1;
	bool exact, bad_fresh = false;

	memset(res, 0, sizeof(*res));
	memset(&br, 0, sizeof(br));
	pb_driver_init(&s, repo, cfg, o, &br);
	if (pb_repo_resolve(repo, o->good, res->good) || pb_repo_resolve(repo, o->bad, res->bad) ||
	    pb_driver_prepare(&s, o->bench, o->backend, o->metric, o->cpus, o->stop, 2))
		goto out;
	memcpy(s.ids[0], res->good, PB_OID_HEX);
	memcpy(s.ids[1], res->bad, PB_OID_HEX);
	for (i = 0; i < 2; i++)
		if (pb_repo_commit_info(repo, s.ids[i], &br.commits[i].info))
			goto out;
	if (pb_driver_open_state(&s))
		goto out;
	res->benchmark = pb_xstrdup(br.benchmark);
	res->backend = pb_xstrdup(br.backend);
	res->metric = pb_xstrdup(br.metric);
	for (i = 0; i < 2; i++) {
		if ((rc = pb_driver_build(&s, i)) < 0)
			goto out;
		if (rc > 0) {
			pb_error_as(PB_EXIT_INCONCLUSIVE, "%.7s cannot be built: %s", s.ids[i],
				    br.commits[i].build_reason ? br.commits[i].build_reason : "?");
			goto out;
		}
	}
	/* The ordinary builds, interleaved, from the measurement cache when they were measured. */
	exact = strcmp(br.backend, "cachegrind") == 0;
	want = exact ? 1 : (size_t)s.bench->runs;
	vals[0] = pb_xcalloc(want + 1, sizeof(double));
	vals[1] = pb_xcalloc(want + 1, sizeof(double));
	for (k = 0; k < want; k++)
		for (i = 0; i < 2; i++) {
			size_t measured = br.runs_measured;

			while ((rc = pb_driver_sample(&s, i, &v)) > 0)
				if (++fails > 2 * want) {
					pb_error_as(PB_EXIT_INCONCLUSIVE, "%.7s: the benchmark fails (%zu "
						    "runs failed)", s.ids[i], fails);
					goto out;
				}
			if (rc < 0)
				goto out;
			vals[i][n[i]++] = v;
			if (i == 1 && k == 0)
				bad_fresh = br.runs_measured > measured;
		}
	/* A deterministic metric: the culprit once more (the command's one extra run; two when its
	 * first value was cached: another invocation's environment moves the count slightly); two
	 * different values cannot be judged on one value per variant build (measure/repeat.h). */
	if (exact) {
		double fresh[2];
		size_t n_fresh = 0, measured;
		char what[64];

		if (bad_fresh)
			fresh[n_fresh++] = vals[1][0];
		while (n_fresh < 2) {
			measured = br.runs_measured;
			if ((rc = pb_driver_sample(&s, 1, &v)) < 0)
				goto out;
			if (rc > 0 && ++fails > 2 * want + 2) {
				pb_error_as(PB_EXIT_INCONCLUSIVE, "%.7s: the benchmark fails (%zu runs "
					    "failed)", s.ids[1], fails);
				goto out;
			}
			if (rc == 0 && br.runs_measured > measured)
				fresh[n_fresh++] = v;
		}
		snprintf(what, sizeof(what), "commit %.7s", s.ids[1]);
		if (pb_repeat_require(br.backend, what, fresh[0], fresh[1], "verify-placement"))
			goto out;
	}
	memset(&in, 0, sizeof(in));
	in.repo = repo;
	in.rebuild_failed = o->rebuild_failed;
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
	pb_driver_release(&s);
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

