/* layout_verify.h: `layout verify`: the placement check on any two revisions. */
#ifndef PB_BISECT_LAYOUT_VERIFY_H
#define PB_BISECT_LAYOUT_VERIFY_H

#include "bisect/repo.h"
#include "bisect/result.h"
#include "bisect/placement_check.h"
#include "core/config.h"
#include "core/json.h"

#define PB_PLACEMENT_CHECK_SCHEMA "placebisect.placement-check/1"

struct pb_layout_verify_result {
	char good[PB_OID_HEX], bad[PB_OID_HEX];
	char *benchmark, *backend, *metric;
	struct pb_placement_check pc; /* good plays the parent, bad the culprit */
};

/*
 * Build and measure `good` and `bad` (bisect's caches), then each of build.layout_variants of
 * both (pb_placement_check_run). Uses o->good, o->bad, o->bench, o->backend, o->metric, o->cpus,
 * o->alpha, o->min_effect, o->stop and o->progress. A deterministic metric (cachegrind) runs each
 * once, and `bad` once more: two different values stop it (-1, PB_EXIT_INCONCLUSIVE, "unstable:
 * ...", measure/repeat.h). Returns 0 or -1; release the result with pb_layout_verify_release() in
 * either case.
 */
int pb_layout_verify(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		     struct pb_layout_verify_result *res);
void pb_layout_verify_release(struct pb_layout_verify_result *res);
void pb_layout_verify_write_json(const struct pb_layout_verify_result *res, struct pb_jsonw *w);

#endif
