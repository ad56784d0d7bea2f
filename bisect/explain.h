/* explain.h: the attribution of a culprit — its layout diff against its parent and the verdict. */
#ifndef PB_BISECT_EXPLAIN_H
#define PB_BISECT_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/json.h"
#include "layout/verdict.h"
#include "measure/fndelta.h"
#include "measure/runner.h"

struct pb_bisect_commit;

/* Share of the culprit's instructions (cachegrind Ir) the hot set covers. */
#define PB_EXPLAIN_HOT_COVER 0.9

/* One hot function's share of the culprit's instructions, and its I1 misses in both builds. */
struct pb_hot_cost {
	char *name;
	double share;
	double i1_parent, i1_culprit; /* NAN when the parent has no such function */
};

struct pb_attribution {
	bool done;                /* a culprit was explained */
	struct pb_attr_verdict verdict;
	char *hot_source;         /* where the hot set came from, in words */
	struct pb_json *layout;   /* placebisect.layout-diff/1 of parent vs culprit; NULL: none */
	char *object;             /* the object compared: build.binary or the library holding the hot
				     code (relative to the build's directory when inside it) */
	uint32_t *sets_parent, *sets_culprit; /* hot lines per L1i set in each build */
	uint32_t n_sets, ways;
	struct pb_hot_cost *hot;  /* the culprit's hottest functions (cachegrind), heaviest first */
	size_t n_hot;
	struct pb_fn_delta *deltas; /* the functions whose cachegrind cost changed most (names
				       borrowed from the measurements), biggest first */
	size_t n_deltas;
};

/* How many per-function deltas the attribution keeps, and how many its reasons cite. */
#define PB_EXPLAIN_DELTAS 10
#define PB_EXPLAIN_DELTAS_CITED 3

struct pb_attribute_in {
	const struct pb_bisect_commit *parent, *culprit;
	const char *backend, *metric;
	double effect_ratio;     /* culprit / parent on the metric */
	/* To profile the culprit when neither the config nor cachegrind names the hot set: the
	 * benchmark's runner options and command, and the worktree (holding the culprit). */
	const struct pb_runner_opts *tmpl;
	const char *command, *worktree, *config_dir;
	const char *const *env;  /* the benchmark's env ("K=V"): its LD_LIBRARY_PATH finds libraries */
};

/*
 * Explain a culprit: choose the hot set (layout.hot in the config, else the functions covering
 * PB_EXPLAIN_HOT_COVER of the culprit's cachegrind instructions, else of a sampled profile of one
 * run of the culprit (when in->tmpl is set and sampling works), else the binaries' .text.hot),
 * diff the parent's and the culprit's cached binaries with it, gather the instruction and
 * frontend counters of both measurements, and decide (layout/verdict.h). Never fails: what cannot
 * be computed (no binaries, an unreadable ELF) becomes a reason and the verdict inconclusive.
 * Release with pb_attribution_release().
 */
void pb_attribute(const struct pb_attribute_in *in, const struct pb_config *cfg,
		  struct pb_attribution *a);
void pb_attribution_release(struct pb_attribution *a);

/* The keys `layout` (the diff), `l1i_sets` and `attribution{verdict, reasons[], hot_source,
 * hot_functions[], function_deltas[]{name, file, ir_parent, ir_culprit, i1_misses_parent,
 * i1_misses_culprit}}`; nothing when !done. The measurements the attribution was made from must
 * still be alive (the deltas borrow their names). */
void pb_attribution_write_json(const struct pb_attribution *a, struct pb_jsonw *w);

#endif
