/* layout_verify.c: the `layout verify` driver: the placement check on any two revisions. */
#include "bisect/layout_verify.h"

#include <stdlib.h>
#include <string.h>

#include "bisect/driver.h"
#include "bisect/session.h"
#include "core/error.h"

int pb_layout_verify(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		     struct pb_layout_verify_result *res)
{
	struct pb_bisect_result br;
	struct pb_driver s;
	struct pb_verify_in in;
	double *vals[2] = { NULL, NULL }, v;
	size_t n[2] = { 0, 0 }, i, k, want, fails = 0;
	int rc, ret = -1;

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
	want = strcmp(br.backend, "cachegrind") == 0 ? 1 : (size_t)s.bench->runs;
	vals[0] = pb_xcalloc(want + 1, sizeof(double));
	vals[1] = pb_xcalloc(want + 1, sizeof(double));
	for (k = 0; k < want; k++)
		for (i = 0; i < 2; i++) {
			while ((rc = pb_driver_sample(&s, i, &v)) > 0)
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

