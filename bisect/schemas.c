/* schemas.c: the schema tables of the documents this module writes (bisect, fix, layouts). */
#include "bisect/schemas.h"

#include "bisect/fix.h"
#include "bisect/layouts.h"
#include "bisect/session.h"

/* The effect of one comparison (write_effect in session.c), at `p`. */
#define EFFECT(p)                                                                  \
	{ p, PB_S_OBJ }, { p ".good_median", PB_S_NUM | PB_S_NULL },                  \
	{ p ".bad_median", PB_S_NUM | PB_S_NULL }, { p ".ratio", PB_S_NUM | PB_S_NULL }, \
	{ p ".ci95", PB_S_ARR }, { p ".ci95[]", PB_S_NUM | PB_S_NULL },              \
	{ p ".p_value", PB_S_NUM | PB_S_NULL }, { p ".verdict", PB_S_STR }

/* A commit as write_commit() writes it (culprit, candidates[]). */
#define COMMIT(p)                                                                  \
	{ p ".commit", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY }, { p ".parent", PB_S_STR | PB_S_NULL }, \
	{ p ".subject", PB_S_STR | PB_S_NULL }, { p ".files", PB_S_ARR },             \
	{ p ".files[]", PB_S_STR }

static const struct pb_schema_rule bisect_rules[] = {
	{ "good", PB_S_STR | PB_S_REQ },
	{ "bad", PB_S_STR | PB_S_REQ },
	{ "benchmark", PB_S_STR | PB_S_REQ },
	{ "metric", PB_S_STR | PB_S_REQ },
	{ "backend", PB_S_STR | PB_S_REQ },
	{ "status", PB_S_STR | PB_S_REQ },
	{ "direction", PB_S_STR },
	{ "toolchain", PB_S_OBJ },
	{ "toolchain.good", PB_S_OBJ },
	{ "toolchain.bad", PB_S_OBJ },
	{ "toolchain.good.*", PB_S_STR },
	{ "toolchain.bad.*", PB_S_STR },
	{ "runs", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "warmups", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	EFFECT("endpoints"),
	{ "culprit", PB_S_OBJ },
	COMMIT("culprit"),
	EFFECT("effect"),
	{ "explained_fraction", PB_S_NUM | PB_S_NULL },
	{ "culprits", PB_S_ARR },
	{ "culprits[].commit", PB_S_STR | PB_S_REQ },
	{ "counters", PB_S_OBJ },
	{ "counters.parent", PB_S_OBJ },
	{ "counters.culprit", PB_S_OBJ },
	{ "counters.parent.*", PB_S_NUM | PB_S_NULL | PB_S_NONNEG },
	{ "counters.culprit.*", PB_S_NUM | PB_S_NULL | PB_S_NONNEG },
	{ "candidates", PB_S_ARR },
	{ "candidates[]", PB_S_OBJ },
	COMMIT("candidates[]"),
	{ "steps", PB_S_ARR | PB_S_REQ },
	{ "steps[]", PB_S_OBJ },
	{ "steps[].commit", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY },
	{ "steps[].index", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "steps[].verdict", PB_S_STR | PB_S_REQ },
	{ "steps[].runs", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "steps[].median", PB_S_NUM | PB_S_NULL },
	{ "steps[].ci95", PB_S_ARR },
	/* k-way bisection (--jobs K): the round a step was built and measured in (0: endpoints),
	 * the job slot that built its commit in this run (absent: the main worktree or the cache);
	 * commits per round, rounds, and values of a round's batch no step took. */
	{ "steps[].round", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "steps[].build_slot", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "jobs", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "rounds", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "runs_dropped", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	/* Judged exactly, and an exact backend's repeat check: each endpoint's first two runs. */
	{ "exact", PB_S_BOOL },
	{ "repeat", PB_S_OBJ },
	{ "repeat.good", PB_S_ARR },
	{ "repeat.bad", PB_S_ARR },
	{ "repeat.good[]", PB_S_NUM | PB_S_NULL },
	{ "repeat.bad[]", PB_S_NUM | PB_S_NULL },
	{ "repeat.spread", PB_S_NUM | PB_S_NULL | PB_S_NONNEG },
	{ "samples", PB_S_OBJ },
	{ "samples.good", PB_S_ARR },
	{ "samples.bad", PB_S_ARR },
	{ "samples.good[]", PB_S_NUM | PB_S_NULL },
	{ "samples.bad[]", PB_S_NUM | PB_S_NULL },
	{ "commits", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "builds", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "builds_cached", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "runs_total", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "runs_measured", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "runs_failed", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "layout", PB_S_OBJ },
	{ "layout.hot", PB_S_ARR },
	{ "layout.hot[].name", PB_S_STR | PB_S_REQ },
	{ "layout.hot[].good_addr", PB_S_NUM | PB_S_NULL | PB_S_NONNEG | PB_S_INT },
	{ "layout.hot[].bad_addr", PB_S_NUM | PB_S_NULL | PB_S_NONNEG | PB_S_INT },
	{ "layout.upstream", PB_S_OBJ },
	{ "layout.upstream.good_hot_start", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "layout.upstream.bad_hot_start", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "attribution", PB_S_OBJ },
	{ "attribution.verdict", PB_S_STR | PB_S_REQ },
	{ "attribution.reasons", PB_S_ARR },
	{ "attribution.reasons[]", PB_S_STR },
	{ "system", PB_S_OBJ | PB_S_NULL },
	{ "fix", PB_S_OBJ },
	{ "fix_error", PB_S_STR },
	{ "layouts", PB_S_OBJ },
	{ "layouts.slower", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "layouts.verdict", PB_S_STR | PB_S_REQ },
	{ "layouts_error", PB_S_STR },
	{ NULL, 0 },
};

const struct pb_schema pb_bisect_schema = { PB_BISECT_SCHEMA, bisect_rules };

/* A comparison of the fix (write_cmp in fix.c). */
#define CMP(p)                                                                     	{ p, PB_S_OBJ }, { p ".ratio", PB_S_NUM | PB_S_NULL }, { p ".ci95", PB_S_ARR | PB_S_NULL }, 	{ p ".verdict", PB_S_STR }

static const struct pb_schema_rule fix_rules[] = {
	{ "parent", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY },
	{ "culprit", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY },
	{ "benchmark", PB_S_STR | PB_S_REQ },
	{ "metric", PB_S_STR | PB_S_REQ },
	{ "backend", PB_S_STR | PB_S_REQ },
	{ "order", PB_S_OBJ | PB_S_REQ },
	{ "order.format", PB_S_STR | PB_S_REQ },
	{ "order.functions", PB_S_ARR },
	{ "order.functions[]", PB_S_STR },
	{ "recipe", PB_S_ARR | PB_S_REQ },
	{ "recipe[]", PB_S_STR },
	{ "blocks", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "builds", PB_S_OBJ | PB_S_REQ },
	{ "builds.*", PB_S_OBJ },
	CMP("regression"),
	CMP("residual"),
	{ "recovered", PB_S_OBJ | PB_S_REQ },
	{ "recovered.value", PB_S_NUM | PB_S_NULL },
	{ "summary", PB_S_STR },
	{ NULL, 0 },
};

const struct pb_schema pb_fix_schema = { PB_FIX_SCHEMA, fix_rules };

static const struct pb_schema_rule layouts_rules[] = {
	{ "parent", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY },
	{ "culprit", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY },
	{ "benchmark", PB_S_STR | PB_S_REQ },
	{ "metric", PB_S_STR | PB_S_REQ },
	{ "backend", PB_S_STR | PB_S_REQ },
	{ "seed", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "n", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "measured", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "slower", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "faster", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "median_ratio", PB_S_NUM | PB_S_NULL },
	{ "range", PB_S_ARR },
	{ "range[]", PB_S_NUM | PB_S_NULL },
	{ "verdict", PB_S_STR | PB_S_REQ },
	{ "layouts", PB_S_ARR | PB_S_REQ },
	{ "layouts[]", PB_S_OBJ },
	{ "layouts[].seed", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "layouts[].order", PB_S_STR | PB_S_NULL },
	{ "layouts[].cflags", PB_S_STR | PB_S_NULL },
	{ "layouts[].env_pad", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "layouts[].aslr", PB_S_BOOL },
	{ "layouts[].ratio", PB_S_NUM | PB_S_NULL },
	{ "summary", PB_S_STR },
	{ NULL, 0 },
};

const struct pb_schema pb_layouts_schema = { PB_LAYOUTS_SCHEMA, layouts_rules };
