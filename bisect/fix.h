/* fix.h: `fix`: the culprit rebuilt with a function order from its own call graph, measured against parent and culprit. */
#ifndef PB_BISECT_FIX_H
#define PB_BISECT_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bisect/repo.h"
#include "core/config.h"
#include "core/json.h"
#include "layout/order.h"
#include "measure/stats.h"

#define PB_FIX_SCHEMA "placebisect.fix/1"
/* A noisy metric is measured in more blocks until the recovered share's 95% CI is this narrow
 * on either side (10 points), up to max_runs blocks. */
#define PB_FIX_CI_HALF 0.10

struct pb_driver;

/* The four builds measured, in blocks. */
enum pb_fix_arm_id { PB_FIX_PARENT, PB_FIX_CULPRIT, PB_FIX_CULPRIT_FIX, PB_FIX_PARENT_FIX, PB_FIX_ARMS };

struct pb_fix_arm {
	char *binary;         /* the build's binary (owned); NULL when it was not built */
	char *error;          /* why it was not built or measured (owned); NULL when it was */
	double median;        /* of the metric over the blocks; NAN when not measured */
	double instructions;  /* median instructions (Ir), NAN when not counted */
	double i1_misses;     /* median I1 misses (I1mr, L1-icache-load-misses), NAN when not counted */
	bool placed;          /* the hot set's footprint below was computed */
	uint64_t cache_lines, pages; /* the hot set's distinct 64 B lines and 4 KiB pages */
	uint32_t l1i_max_ways;       /* the most hot lines in one L1i set */
	uint32_t *set_lines;  /* hot lines per L1i set (owned, n_sets entries) */
	uint32_t n_sets;
};

struct pb_fix_result {
	char parent[PB_OID_HEX], culprit[PB_OID_HEX];
	char *benchmark, *backend, *metric;
	char *format;            /* ordering format of build.fix */
	char *order_file;        /* where the ordering was written (under the state directory) */
	char **recipe;           /* build.fix.env with {order} replaced, "K=V", NULL-terminated */
	struct pb_order order;   /* from the culprit's call graph (callgrind) */
	size_t n_hot;            /* the hot set: the order's costliest functions covering 90% */
	char **hot;              /* their names (owned) */
	struct pb_fix_arm arm[PB_FIX_ARMS];
	uint32_t l1i_ways;       /* associativity of the L1i geometry the footprints use */
	size_t blocks;           /* complete blocks measured (each: the four builds, order randomized) */
	bool exact;              /* a deterministic metric (cachegrind): one block, no CI */
	struct pb_comparison regression; /* culprit against parent */
	struct pb_comparison residual;   /* culprit+fix against parent */
	struct pb_comparison fix;        /* culprit+fix against culprit */
	struct pb_comparison control;    /* parent+fix against parent (valid when has_control) */
	bool has_control;
	double recovered, recovered_ci95[2]; /* share of the regression the fix removes (log scale) */
	double instr_change;     /* culprit+fix's instructions against the culprit's, relative; NAN */
	double instr_tolerance;  /* a change within it is the same work (0.1% cachegrind, else 0.5%) */
	bool code_changed;       /* the fix changed the instruction count beyond instr_tolerance */
};

/* Zero *res with its numbers NAN (nothing measured). */
void pb_fix_init(struct pb_fix_result *res);

/* 0 when cfg has build.fix; else -1 with the error saying what to add (PB_EXIT_USAGE). */
int pb_fix_configured(const struct pb_config *cfg);

/*
 * The layout fix of commit `ci` (the culprit) of an open driver against commit `pi` (its parent,
 * or any fast revision), both already built (pb_driver_build): run the benchmark on the culprit's
 * build under callgrind, order its functions by call-chain clustering (pb_order_c3), write the
 * order in build.fix.format under the state directory, rebuild culprit and parent with
 * build.fix.env ({order} = that file; its own build cache, keyed by the ordering and the recipe),
 * measure the four builds in blocks (order randomized within each, as compare --rev; fresh runs,
 * not cached; one block for a deterministic metric; else `runs` blocks, then one more at a time
 * while the recovered share's CI is wider than ±PB_FIX_CI_HALF, up to max_runs) and compare them with the blocked comparison
 * (pb_stats_compare_paired). Returns 0, or -1: no build.fix (PB_EXIT_USAGE), the culprit not
 * buildable with the fix (PB_EXIT_INCONCLUSIVE, with its log), valgrind missing (PB_EXIT_ENV), the
 * benchmark failing, interruption. Release *res with pb_fix_release() in either case.
 */
int pb_fix_measure(struct pb_driver *s, size_t pi, size_t ci, double alpha, double min_effect,
		   struct pb_fix_result *res);
void pb_fix_release(struct pb_fix_result *res);

/* The placebisect.fix/1 document (key NULL), or its content as the object `key` of another one. */
void pb_fix_write_json(const struct pb_fix_result *res, const char *key, struct pb_jsonw *w);

/* One sentence: "the layout fix recovers 99.8% (95% CI ...) of the regression", or why not (caller frees). */
char *pb_fix_sentence(const struct pb_fix_result *res);

#endif
