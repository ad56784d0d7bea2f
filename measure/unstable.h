/* unstable.h: does a benchmark's run series show a pattern no comparison survives (runs that
 * alternate between two modes, or every run slower than the last)? */
#ifndef PB_MEASURE_UNSTABLE_H
#define PB_MEASURE_UNSTABLE_H

#include <stdbool.h>
#include <stddef.h>

/* Runs a series needs before it is judged (fewer: never unstable). */
#define PB_UNSTABLE_MIN_RUNS 8
/* The smallest pattern worth naming where no min_effect is configured (measure, compare). */
#define PB_UNSTABLE_MIN_EFFECT 0.02

/*
 * The runs v[0..n-1] in the order they were taken, of the commits group[0..n-1] (any ids: the
 * values are compared within each group, so runs of commits at different levels may be mixed,
 * as in interleaved blocks). On a log scale each run's residual against its group's mean:
 *  - drift: at least 90% of consecutive residuals move the same way (slower or faster), and the
 *    residuals' first and last thirds (medians) differ by at least min_effect;
 *  - alternating: every run at an even position lies on one side of the residuals' median and
 *    every odd one on the other, and the two modes (fitted within each group) differ by at least
 *    min_effect and by more than four times the spread within a mode.
 * Returns true with a one-line description in why ("every run is slower than the last: ...",
 * "the runs alternate between two modes: ..."; no "unstable:" prefix), else false. Values that are
 * not positive are ignored.
 */
bool pb_unstable_check(const size_t *group, const double *v, size_t n, double min_effect, char *why,
		       size_t whylen);

#endif
