/* schemas.c: the schema table of the document this module writes (the bisect result). */
#include "bisect/schemas.h"

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
	{ NULL, 0 },
};

const struct pb_schema pb_bisect_schema = { PB_BISECT_SCHEMA, bisect_rules };
