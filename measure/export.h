/* export.h: measurements as other tools read them: one CSV row per run, the summary as a markdown table. */
#ifndef PB_MEASURE_EXPORT_H
#define PB_MEASURE_EXPORT_H

#include <stddef.h>

#include "core/buf.h"
#include "measure/compare.h"
#include "measure/result.h"

/* One measured thing in an export: its measurement and the name its rows carry. */
struct pb_export_target {
	const char *name;                /* "work", "A (v1.0)", a file name, a command */
	const struct pb_measurement *m;  /* borrowed */
};

/*
 * Append CSV (RFC 4180 quoting: a field with a comma, quote or newline is quoted, quotes doubled; lines end in LF) to out:
 * the header `target,run,ok,value,unit,timestamp,wall_ns,user_ns,sys_ns,maxrss_kb,exit` and then
 * one column per counter recorded in any run of any target (first seen first), then one row per
 * recorded run of each target in order (run counts from 1; failed runs too, ok 0 and value
 * empty; timestamp the run's start, UTC ISO 8601 with microseconds, empty when not recorded; a
 * counter a run does not have is empty). Never fails.
 */
void pb_export_csv(const struct pb_export_target *t, size_t n, struct pb_buf *out);

/*
 * Append the summary as a GitHub-flavoured markdown table to out: one row per target (name, ok
 * runs, median with the metric's unit in the header, 95% CI of the median, mean ± stdev,
 * min … max); with `cmp` (n must be 2) a `B/A` column (ratio and its CI) and a line with the
 * verdict and p-value under the table. Never fails.
 */
void pb_export_markdown(const struct pb_export_target *t, size_t n, const struct pb_compare *cmp,
			struct pb_buf *out);

#endif
