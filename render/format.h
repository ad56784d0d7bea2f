/* format.h: numbers for people: one formatter for times, counts, bytes and changes, with SI prefixes. */
#ifndef PB_RENDER_FORMAT_H
#define PB_RENDER_FORMAT_H

#include <stddef.h>

/*
 * Every function here writes to `out` (size bytes, always NUL-terminated; cut when it does not fit)
 * and returns `out`, so a call can be an argument. A value that is not finite prints as "-".
 * Precision: two decimals below 100 and one from 100 on in the chosen prefix ("1.60 s",
 * "631.9 ms"): three or four significant digits, the same in text, markdown and plots.
 */

/* Nanoseconds: "850 ns", "12.34 us", "631.9 ms", "1.60 s". */
const char *pb_fmt_ns(char *out, size_t size, double ns);

/* A count: "950", "3.14", "12.35 k", "631.9 M", "1.84 G", "2.00 T". */
const char *pb_fmt_count(char *out, size_t size, double v);

/* Bytes, binary prefixes, one decimal: "512 B", "2.5 KiB", "2.5 MiB", "1.0 GiB". */
const char *pb_fmt_bytes(char *out, size_t size, double bytes);

/* A fraction as a percentage: 0.253 -> "25.3%". */
const char *pb_fmt_percent(char *out, size_t size, double fraction);

/*
 * A ratio new/old as a change: 1.084 -> "+8.4%", 0.969 -> "-3.1%", 1.00012 -> "+0.012%", 1 ->
 * "+0.0%"; from 2 on as a factor: 3.2 -> "×3.20", 250 -> "×250".
 */
const char *pb_fmt_change(char *out, size_t size, double ratio);

/*
 * Every digit, for a value whose exactness is the point (cachegrind's counts, an instruction
 * count "within 0.1%"): grouped as perf stat does, "92,480,273", "100,037.63" (ten significant
 * digits; exponent form from 1e18 on).
 */
const char *pb_fmt_exact(char *out, size_t size, double v);

/*
 * A value in `unit`: "ns", "us", "ms", "s" (also "second", "seconds") as a time; "bytes" or "B",
 * "kb" (KiB, as rusage's maxrss) as bytes; anything else, or NULL, as a count.
 */
const char *pb_fmt_value(char *out, size_t size, double v, const char *unit);

/*
 * The unit of a metric or counter's values, for pb_fmt_value: "ns" for wall, cpu, user, sys and
 * perf's task-clock, cpu-clock and duration_time; NULL (a count) for anything else.
 */
const char *pb_fmt_metric_unit(const char *metric);

/* pb_fmt_value(out, size, v, pb_fmt_metric_unit(metric)). */
const char *pb_fmt_metric(char *out, size_t size, double v, const char *metric);

/*
 * One prefix for a set of values up to `max_abs` in `unit` (as pb_fmt_value), for an axis: the
 * values are divided by the return value and labelled *label ("ms", "M", "MiB"; "" for plain
 * counts; a static string).
 */
double pb_fmt_scale(double max_abs, const char *unit, const char **label);

/*
 * Copy the printed number `number` ("-1234567.25", as printf wrote it) to `out` (size bytes, always
 * NUL-terminated) with a ',' between each group of three digits of its integer part:
 * "-1,234,567.25". A number in exponent form ("1.5e+06") or with at most three characters before
 * its point is copied unchanged. Output that does not fit is cut at a character boundary.
 */
void pb_fmt_group_digits(char *out, size_t size, const char *number);

/* A value for a table cell: whole numbers and everything from 1000 up as "%.0f" with grouped
 * digits (counts, est_cycles, ns), others "%.4g"; "-" when not finite. Returns out. */
const char *pb_fmt_grouped(char *out, size_t size, double v);

#endif
