/* session.h: a whole bisect: revisions → builds → measurements → search → the bisect result (JSON). */
#ifndef PB_BISECT_SESSION_H
#define PB_BISECT_SESSION_H

#include "bisect/repo.h"
#include "bisect/result.h"
#include "core/config.h"
#include "core/json.h"

/*
 * Run the bisect in `repo` with `cfg`. Returns 0 with *res filled whatever the search found
 * (see res->search.status), or -1 (error recorded: a revision that does not resolve, good not an
 * ancestor of bad, no such benchmark, a build or runner error, PB_EXIT_INTERRUPTED on *stop).
 * Release with pb_bisect_result_release() in either case.
 */
int pb_bisect_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_bisect_opts *o,
		  struct pb_bisect_result *res);
void pb_bisect_result_release(struct pb_bisect_result *res);

/* The bisect result as placebisect.bisect/1 (DESIGN.md "Result files"). */
void pb_bisect_write_json(const struct pb_bisect_result *res, struct pb_jsonw *w);

/* The exit code the result calls for: 0 found, 4 not reproduced or only skipped commits left. */
int pb_bisect_exit_code(const struct pb_bisect_result *res);

#endif
