/* placement_check.h: the placement check — rebuild parent and culprit with layout variants and measure them. */
#ifndef PB_BISECT_PLACEMENT_CHECK_H
#define PB_BISECT_PLACEMENT_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "bisect/repo.h"
#include "bisect/state.h"
#include "bisect/worktree.h"
#include "core/config.h"
#include "core/json.h"
#include "core/progress.h"
#include "measure/runner.h"

/* One variant's verdict. Ratios are against the ordinary build of the parent. */
struct pb_variant_check {
	char *name;
	char **env;           /* the variant's settings "K=V", NULL-terminated (owned copies) */
	double parent, culprit; /* medians of the variant's builds; NAN when not measured */
	double parent_ratio, culprit_ratio;
	bool reproduces;      /* the parent built this way is slower by min_effect: placement alone */
	bool removes;         /* the culprit built this way is no longer slower */
	char *error;          /* why it could not be built or measured; NULL when it was */
};

struct pb_placement_check {
	bool done, confirmed;
	double base_parent, base_culprit; /* medians of the ordinary builds */
	struct pb_variant_check *v;
	size_t n;
};

struct pb_verify_in {
	struct pb_repo *repo;
	struct pb_worktree *wt;
	const struct pb_state *st;
	const struct pb_config *cfg;
	const struct pb_runner_opts *tmpl; /* the bisect's runner options (command unexpanded) */
	const char *command;               /* the benchmark command with placeholders */
	const char *prepare, *setup;       /* its prepare and setup commands (placeholders); may be NULL */
	const char *parent, *culprit;      /* commit ids */
	const double *base_parent, *base_culprit; /* the ordinary builds' values */
	size_t n_parent, n_culprit;
	double alpha, min_effect;
	struct pb_progress *progress;      /* may be NULL */
	bool rebuild_failed;               /* variant builds that failed before are built again */
};

/*
 * For each of build.layout_variants: build parent and culprit with it (own cache; see
 * pb_builder_init_variant), measure both interleaved, and compare with the ordinary parent.
 * Placement is confirmed when a variant of the parent reproduces the slowdown or a variant of the
 * culprit removes it. A variant that cannot be built or measured is recorded with its error, not
 * fatal. Returns 0, or -1 when there are no variants (PB_EXIT_USAGE) or on interruption.
 */
int pb_placement_check_run(const struct pb_verify_in *in, struct pb_placement_check *pc);
void pb_placement_check_release(struct pb_placement_check *pc);

/* One sentence for the verdict's reasons: which variants reproduced or removed it (caller frees). */
char *pb_placement_check_sentence(const struct pb_placement_check *pc);

/* The key `placement_check{confirmed, parent_median, culprit_median, variants[]}`; nothing when !done. */
void pb_placement_check_write_json(const struct pb_placement_check *pc, struct pb_jsonw *w);

#endif
