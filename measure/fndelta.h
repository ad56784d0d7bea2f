/* fndelta.h: the functions whose cachegrind cost (Ir, I1 misses) changed most between two measurements. */
#ifndef PB_MEASURE_FNDELTA_H
#define PB_MEASURE_FNDELTA_H

#include <stddef.h>

#include "measure/result.h"

/* One function's cost in both measurements (0 where it is absent from one). */
struct pb_fn_delta {
	const char *name; /* borrowed from the measurement it came from */
	const char *file; /* its own source file (borrowed), NULL when unknown */
	double ir_a, ir_b, i1_a, i1_b;
};

/* The weight of an I1 miss against an instruction when ranking: est_cycles' 10. */
#define PB_FN_DELTA_I1_WEIGHT 10.0

/*
 * The functions of a and b (by name, the union of both) ranked by how much their cost changed,
 * |ΔIr| + PB_FN_DELTA_I1_WEIGHT·|ΔI1 misses|, biggest first (ties by name); unchanged ones left out.
 * At most `max` into *out (owned by the caller, free() it; names borrowed from a and b, so a and b
 * must outlive it); their count in *n. Either measurement without functions gives none.
 */
void pb_fn_deltas(const struct pb_measurement *a, const struct pb_measurement *b, size_t max,
		  struct pb_fn_delta **out, size_t *n);

#endif
