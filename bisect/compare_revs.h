/* compare_revs.h: `compare --rev A --rev B`: two revisions built and measured now, interleaved. */
#ifndef PB_BISECT_COMPARE_REVS_H
#define PB_BISECT_COMPARE_REVS_H

#include "bisect/repo.h"
#include "bisect/session.h"
#include "core/config.h"
#include "measure/result.h"

/*
 * Build revisions o->good (A) and o->bad (B) (bisect's build cache) and measure them now in
 * `blocks` blocks of one run each, the order within a block drawn at random (fixed seed), so that
 * whatever the machine does meanwhile hits both alike. Cached measurements are not used: the runs
 * are fresh, kept apart from bisect's cache. An exact backend (cachegrind) measures one block and
 * B once more: B's two runs the same, that is the answer (A one run, B two); different, a warning
 * (measure/repeat.h) and max(blocks, PB_SEARCH_EXACT_FALLBACK_RUNS) blocks for statistics.
 * Uses o->bench, backend, metric, cpus, stop, progress.
 * *a and *b (initialised by the caller) get the runs, finished (summaries). Returns 0 or -1
 * (error recorded: a revision that does not resolve or cannot be built, the benchmark failing on
 * every run, interruption).
 */
int pb_compare_revs(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		    size_t blocks, struct pb_measurement *a, struct pb_measurement *b);

#endif
