/* compare.h: two measurements side by side: effect with CI, p-values, verdict, counter deltas (placebisect.compare/1). */
#ifndef PB_MEASURE_COMPARE_H
#define PB_MEASURE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"
#include "measure/contention.h"
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
	/* Is the comparison safe? Runs taken at different times are compared only when neither side
	 * drifts and the machine was as quiet for both. */
	double trend_a, trend_b;            /* Kendall's tau of each side's values against run order */
	double trend_p_a, trend_p_b;        /* its two-sided p (normal approximation); NAN: < 8 runs */
	struct pb_contention cont_a, cont_b;
	int windows;                        /* -1 unknown (no run times), 0 apart, 1 overlapping */
	char *unsafe;                       /* owned; why the verdict was downgraded, or NULL */
	enum pb_verdict raw_verdict;        /* the verdict before the downgrade */
};

/* A side drifts when |tau| >= this with p <= PB_COMPARE_TREND_P (e.g. every run slower than the last). */
#define PB_COMPARE_TREND_TAU 0.5
#define PB_COMPARE_TREND_P 0.001

/*
 * Compare b against a (is B slower than A?). `name_a`/`name_b` start messages and label the output.
 * A slower/faster verdict on a metric that varies is downgraded to unknown (c->unsafe says why,
 * with the numbers) when a side's values trend with run order, or when the two were measured in
 * separate time windows and either was contended or their contention differs
 * (measure/contention.h).
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

/* Kendall's tau of x against its index (0 with n < 2), *p its two-sided p (normal approximation,
 * NAN below 8 values). */
double pb_compare_trend(const double *x, size_t n, double *p);

/* Append the human table (perf-stat-like, A and B side by side) and the verdict sentence. */
void pb_compare_format(const struct pb_compare *c, struct pb_buf *out);

#endif
