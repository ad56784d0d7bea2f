/* changepoint.h: change points in a series of nightly values: E-Divisive means with a t-test (Hunter/Otava). */
#ifndef PB_NIGHTLY_CHANGEPOINT_H
#define PB_NIGHTLY_CHANGEPOINT_H

#include <stddef.h>
#include <stdint.h>

/* Defaults: Apache Otava's window (50 points) and p-value (0.001). */
#define PB_CP_WINDOW 50
#define PB_CP_MAX_PVALUE 0.001

struct pb_cp_opts {
	size_t window;        /* points per sliding window of the split step, >= 2 */
	double max_pvalue;    /* significance a change point must reach, (0, 1] */
	double min_magnitude; /* relative change a change point must exceed when all are significant */
};

struct pb_change_point {
	size_t index;         /* the first point of the new level (>= 1) */
	double qhat;          /* the E-Divisive divergence that proposed it */
	double mean_before, mean_after; /* of the segments on either side (up to the neighbours) */
	double std_before, std_after;   /* sample standard deviations (0 for one point) */
	double t, p_value;    /* Student's t-test of the two segments */
	double rel_change;    /* mean_after / mean_before - 1 (0 when mean_before is 0) */
};

/*
 * Find the change points of x[0..n) as Hunter ("Hunter: Using Change Point Detection to Hunt for
 * Performance Regressions", Fleming et al., ICPE 2023) and Apache Otava do:
 *   split: E-Divisive means (Matteson and James) on sliding windows of `window` points, half a
 *     window apart; in each window the point that maximises the divergence Q-hat is accepted when
 *     Student's t-test between the segments it separates passes a first-pass p-value (10 x
 *     max_pvalue below 0.05), and the window is split again, until a candidate fails;
 *   merge: repeatedly drop the weakest point (largest p-value above max_pvalue; once all pass,
 *     the smallest change when it does not exceed min_magnitude), re-testing its neighbours.
 * `text_hash` (may be NULL) gives each point's binary .text hash (0: unknown): a point whose code
 * is identical to its predecessor's (equal nonzero hashes) cannot be a real change and is dropped
 * first (DESIGN.md "Statistics"). Values need no particular scale; larger is not assumed slower.
 * On return *out (caller frees; NULL when none) holds *n_out change points by index.
 */
void pb_changepoints_find(const double *x, const uint64_t *text_hash, size_t n,
			  const struct pb_cp_opts *o, struct pb_change_point **out, size_t *n_out);

#endif
