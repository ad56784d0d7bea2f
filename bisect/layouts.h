/* layouts.h: the effect across layouts: parent and culprit rebuilt under N seeded random layouts and measured. */
#ifndef PB_BISECT_LAYOUTS_H
#define PB_BISECT_LAYOUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bisect/repo.h"
#include "core/config.h"
#include "core/json.h"
#include "measure/stats.h"

#define PB_LAYOUTS_SCHEMA "placebisect.layouts/1"
/* Layout i's seed is the base seed + i (--seed, default PB_LAYOUTS_SEED). */
#define PB_LAYOUTS_SEED 1
/* The environment padding a layout draws: 0 to this many bytes, in steps of 16. */
#define PB_LAYOUTS_MAX_ENV_PAD 4096

struct pb_driver;

/* One random layout: what its seed drew, and the culprit's effect under it. */
struct pb_layout_sample {
	uint64_t seed;
	char *order_file;       /* the shuffled function order, in build.fix.format (owned) */
	char *cflags;           /* "-falign-functions=N" when build.fix.env has {cflags}; else NULL */
	long env_pad;           /* bytes of PB_ENV_PAD in the benchmark's environment */
	bool aslr_off;          /* the runs with ADDR_NO_RANDOMIZE */
	char **recipe;          /* build.fix.env with {order} and {cflags} replaced, "K=V" (owned) */
	double parent, culprit; /* medians of the layout's builds; NAN when not measured */
	size_t runs;            /* runs of each (interleaved: parent, culprit, parent, ...) */
	struct pb_comparison cmp; /* culprit against parent under this layout */
	bool slower, faster;    /* the culprit is slower (faster) by min_effect, significantly */
	char *error;            /* why this layout could not be built or measured (owned); NULL */
};

struct pb_layouts_result {
	char parent[PB_OID_HEX], culprit[PB_OID_HEX];
	char *benchmark, *backend, *metric;
	char *format;            /* build.fix.format the orders were written in */
	uint64_t seed;           /* the base seed */
	bool exact;              /* deterministic metric: one run each, compared exactly */
	bool repeat_checked;     /* exact: the first layout's culprit ran twice and repeated */
	double min_effect;
	struct pb_layout_sample *l;
	size_t n;                /* layouts asked for */
	size_t builds, builds_cached; /* layout builds made now, and found in their caches */
	size_t measured, slower, faster; /* layouts measured; of them, culprit slower / faster */
	double median, lo, hi;   /* of the measured layouts' ratios culprit / parent; NAN: none */
	bool decided;            /* at least two layouts were measured */
	bool placement;          /* decided: the effect vanishes or flips across layouts (fewer than
				    all slower, or the spread reaches 1); else present in every one */
};

void pb_layouts_init(struct pb_layouts_result *res);

/* 0 when cfg has build.fix (the layouts are built through it); else -1 saying what to add (PB_EXIT_USAGE). */
int pb_layouts_configured(const struct pb_config *cfg);
void pb_layouts_release(struct pb_layouts_result *res);

/*
 * The effect of commit `ci` (the culprit) of an open driver against commit `pi` (its parent, or
 * any fast revision) under `n` random layouts: layout k's seed is `seed` + k, and from it (a
 * splitmix64 stream) are drawn: a shuffled order of every function the two builds define
 * (pb_order_shuffle), written in build.fix.format under the state directory as {order}; a
 * function alignment -falign-functions=1, 16 or 64 as {cflags} when build.fix.env uses it; the
 * environment padding (0..PB_LAYOUTS_MAX_ENV_PAD bytes, as measure.env_pad); ASLR off or on.
 * Parent and culprit are built with build.fix.env so substituted (a build cache per layout, keyed
 * by the seed and the recipe) and measured interleaved in the same window (`runs` pairs, one for a
 * deterministic metric), compared pairwise. A layout that cannot be built or measured is recorded
 * with its error, not fatal. A deterministic metric checks that it is: the first measured layout's
 * culprit runs once more (the command's one extra run), and two different values stop it
 * (PB_EXIT_INCONCLUSIVE, "unstable: ...", measure/repeat.h). Returns 0, or -1: no build.fix
 * (PB_EXIT_USAGE), no ELF build.binary to take the functions from (PB_EXIT_USAGE), a deterministic
 * metric that did not repeat, interruption. Release *res in either case.
 */
int pb_layouts_measure(struct pb_driver *s, size_t pi, size_t ci, size_t n, uint64_t seed,
		       double alpha, double min_effect, struct pb_layouts_result *res);

/* "slower in 3 of 8 layouts, median +1.2%, range -0.4% to +45.6%: ..." (caller frees). */
char *pb_layouts_sentence(const struct pb_layouts_result *res);

/* The placebisect.layouts/1 document (key NULL), or its content as the object `key` of another. */
void pb_layouts_write_json(const struct pb_layouts_result *res, const char *key, struct pb_jsonw *w);

#endif
