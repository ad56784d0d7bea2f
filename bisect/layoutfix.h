/* layoutfix.h: the `fix` and `layouts` commands' drivers: the layout fix, or the random layouts, of any two revisions. */
#ifndef PB_BISECT_LAYOUTFIX_H
#define PB_BISECT_LAYOUTFIX_H

#include "bisect/fix.h"
#include "bisect/layouts.h"
#include "bisect/repo.h"
#include "bisect/result.h"
#include "core/config.h"

/*
 * Build o->good (plays the parent) and o->bad (the culprit) in bisect's caches, then
 * pb_fix_measure() on them. Uses o->good, bad, bench, backend, metric, cpus, alpha, min_effect,
 * stop, progress, rebuild_failed. Returns 0 or -1 (a revision that does not resolve or cannot be
 * built: PB_EXIT_INCONCLUSIVE; and pb_fix_measure's errors). Release *res with pb_fix_release()
 * in either case.
 */
int pb_fix_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
	       struct pb_fix_result *res);

/*
 * The `layouts` command: build o->good (plays the parent) and o->bad (the culprit) in bisect's
 * caches, then pb_layouts_measure() with o->layouts and o->layout_seed. Returns 0 or -1.
 */
int pb_layouts_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		   struct pb_layouts_result *res);

#endif
