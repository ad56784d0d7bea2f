/* compare.h: two measurements side by side: effect with CI, p-values, verdict, counter deltas (placebisect.compare/1). */
#ifndef PB_MEASURE_COMPARE_H
#define PB_MEASURE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"
#include "measure/result.h"
#include "measure/stats.h"

#define PB_COMPARE_SCHEMA "placebisect.compare/1"

/* The keys, types and ranges a comparison document promises (core/schema.h). */
extern const struct pb_schema pb_compare_schema;

/* One counter or derived metric on both sides. */
struct pb_compare_delta {
	char *name;   /* owned */
	double a, b;  /* median per run (counters) or the derived value; NAN when absent */
	double ratio; /* b / a; NAN when not computable */
};

struct pb_compare {
	const struct pb_measurement *a, *b; /* borrowed: must outlive the comparison */
	const char *name_a, *name_b;        /* borrowed: how the user named them (file paths) */
	double alpha, min_effect;
	struct pb_comparison stats;         /* of b against a on the metric's ok runs */
	struct pb_compare_delta *counters;  /* union of both sides' counters, A's order first */
	size_t n_counters;
	struct pb_compare_delta *derived;   /* ipc icache_mpki itlb_mpki frontend_stall_pct, when either side has it */
	size_t n_derived;
};

/*
 * Compare b against a (is B slower than A?). `name_a`/`name_b` start messages and label the output.
 * Fails (class PB_EXIT_USAGE, naming the file) when the two measure different metrics or a side
 * has no successful run. A different benchmark or backend is a warning (pb_warn), not an error.
 * Release with pb_compare_release() (also after a failure).
 */
int pb_compare_measurements(struct pb_compare *c, const struct pb_measurement *a, const char *name_a,
			    const struct pb_measurement *b, const char *name_b, double alpha,
			    double min_effect);
void pb_compare_release(struct pb_compare *c);

/*
 * Write placebisect.compare/1: schema, metric, unit, a and b (the summaries, plus file, benchmark,
 * commit, backend, n_failed), ratio, ci95, p_value, p_values{mwu, ks, welch}, verdict, alpha,
 * min_effect, deterministic, counters{NAME: {a, b, ratio}}, derived{NAME: {a, b, ratio}}.
 */
void pb_compare_write(const struct pb_compare *c, struct pb_jsonw *w);

/* Append the human table (perf-stat-like, A and B side by side) and the verdict sentence. */
void pb_compare_format(const struct pb_compare *c, struct pb_buf *out);

#endif
