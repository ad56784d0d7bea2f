/* layoutfix.c: the `fix` and `layouts` commands' drivers: two revisions built, then the layout fix or the random layouts measured on them. */
#include "bisect/layoutfix.h"

#include <string.h>

#include "bisect/driver.h"
#include "bisect/session.h"
#include "core/error.h"

/*
 * What both commands do first: check the recipe (`configured`: before anything is built, a missing
 * recipe is the user's to add), resolve o->good and o->bad into commits 0 and 1 of *s, open the
 * state and build both. 0 when both are built; -1 with the error set (exit 4 when one cannot be).
 */
static int open_pair(struct pb_driver *s, struct pb_bisect_result *br, struct pb_repo *repo,
		     const struct pb_config *cfg, const struct pb_bisect_opts *o,
		     int (*configured)(const struct pb_config *))
{
	size_t i;
	int rc;

	if (configured(cfg) || pb_driver_prepare(s, o->bench, o->backend, o->metric, o->cpus, o->stop, 2) ||
	    pb_repo_resolve(repo, o->good, s->ids[0]) || pb_repo_resolve(repo, o->bad, s->ids[1]))
		return -1;
	for (i = 0; i < 2; i++)
		if (pb_repo_commit_info(repo, s->ids[i], &br->commits[i].info))
			return -1;
	if (pb_driver_open_state(s))
		return -1;
	for (i = 0; i < 2; i++) {
		if ((rc = pb_driver_build(s, i)) < 0)
			return -1;
		if (rc > 0)
			return pb_error_as(PB_EXIT_INCONCLUSIVE, "%.7s cannot be built: %s", s->ids[i],
					   br->commits[i].build_reason ? br->commits[i].build_reason : "?");
	}
	return 0;
}

/* Undo what open_pair (and pb_driver_init) set up. */
static void close_pair(struct pb_driver *s, struct pb_bisect_result *br, const struct pb_bisect_opts *o)
{
	if (o->progress)
		pb_progress_done(o->progress);
	pb_driver_release(s);
	pb_bisect_result_release(br);
}

int pb_fix_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
	       struct pb_fix_result *res)
{
	struct pb_bisect_result br;
	struct pb_driver s;
	int ret = -1;

	pb_fix_init(res);
	memset(&br, 0, sizeof(br));
	pb_driver_init(&s, repo, cfg, o, &br);
	if (open_pair(&s, &br, repo, cfg, o, pb_fix_configured) == 0)
		ret = pb_fix_measure(&s, 0, 1, o->alpha >= 0 ? o->alpha : cfg->stats.alpha,
				     o->min_effect >= 0 ? o->min_effect : cfg->stats.min_effect, res);
	close_pair(&s, &br, o);
	return ret;
}

int pb_layouts_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		   struct pb_layouts_result *res)
{
	struct pb_bisect_result br;
	struct pb_driver s;
	int ret = -1;

	pb_layouts_init(res);
	memset(&br, 0, sizeof(br));
	pb_driver_init(&s, repo, cfg, o, &br);
	if (open_pair(&s, &br, repo, cfg, o, pb_layouts_configured) == 0)
		ret = pb_layouts_measure(&s, 0, 1, o->layouts, o->layout_seed,
					 o->alpha >= 0 ? o->alpha : cfg->stats.alpha,
					 o->min_effect >= 0 ? o->min_effect : cfg->stats.min_effect, res);
	close_pair(&s, &br, o);
	return ret;
}
