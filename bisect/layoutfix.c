/* layoutfix.c: the `fix` and `layouts` commands' drivers: two revisions built, then the layout fix or the random layouts measured on them. */
#include "bisect/layoutfix.h"

#include <string.h>

#include "bisect/driver.h"
#include "bisect/session.h"
#include "core/error.h"

int pb_fix_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
	       struct pb_fix_result *res)
{
	struct pb_bisect_result br;
	struct pb_driver s;
	size_t i;
	int rc, ret = -1;

	pb_fix_init(res);
	memset(&br, 0, sizeof(br));
	pb_driver_init(&s, repo, cfg, o, &br);
	/* Before anything is built: a missing recipe is the user's to add. */
	if (pb_fix_configured(cfg) || pb_driver_prepare(&s, o->bench, o->backend, o->metric, o->cpus,
							 o->stop, 2) ||
	    pb_repo_resolve(repo, o->good, s.ids[0]) || pb_repo_resolve(repo, o->bad, s.ids[1]))
		goto out;
	for (i = 0; i < 2; i++)
		if (pb_repo_commit_info(repo, s.ids[i], &br.commits[i].info))
			goto out;
	if (pb_driver_open_state(&s))
		goto out;
	for (i = 0; i < 2; i++) {
		if ((rc = pb_driver_build(&s, i)) < 0)
			goto out;
		if (rc > 0) {
			pb_error_as(PB_EXIT_INCONCLUSIVE, "%.7s cannot be built: %s", s.ids[i],
				    br.commits[i].build_reason ? br.commits[i].build_reason : "?");
			goto out;
		}
	}
	ret = pb_fix_measure(&s, 0, 1, o->alpha >= 0 ? o->alpha : cfg->stats.alpha,
			     o->min_effect >= 0 ? o->min_effect : cfg->stats.min_effect, res);
out:
	if (o->progress)
		pb_progress_done(o->progress);
	pb_driver_release(&s);
	pb_bisect_result_release(&br);
	return ret;
}

int pb_layouts_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		   struct pb_layouts_result *res)
{
	struct pb_bisect_result br;
	struct pb_driver s;
	size_t i;
	int rc, ret = -1;

	pb_layouts_init(res);
	memset(&br, 0, sizeof(br));
	pb_driver_init(&s, repo, cfg, o, &br);
	if (pb_layouts_configured(cfg) || pb_driver_prepare(&s, o->bench, o->backend, o->metric, o->cpus, o->stop, 2) ||
	    pb_repo_resolve(repo, o->good, s.ids[0]) || pb_repo_resolve(repo, o->bad, s.ids[1]))
		goto out;
	for (i = 0; i < 2; i++)
		if (pb_repo_commit_info(repo, s.ids[i], &br.commits[i].info))
			goto out;
	if (pb_driver_open_state(&s))
		goto out;
	for (i = 0; i < 2; i++) {
		if ((rc = pb_driver_build(&s, i)) < 0)
			goto out;
		if (rc > 0) {
			pb_error_as(PB_EXIT_INCONCLUSIVE, "%.7s cannot be built: %s", s.ids[i],
				    br.commits[i].build_reason ? br.commits[i].build_reason : "?");
			goto out;
		}
	}
	ret = pb_layouts_measure(&s, 0, 1, o->layouts, o->layout_seed,
				 o->alpha >= 0 ? o->alpha : cfg->stats.alpha,
				 o->min_effect >= 0 ? o->min_effect : cfg->stats.min_effect, res);
out:
	if (o->progress)
		pb_progress_done(o->progress);
	pb_driver_release(&s);
	pb_bisect_result_release(&br);
	return ret;
}
