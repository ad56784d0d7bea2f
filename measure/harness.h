/* harness.h: other harnesses' result files (pyperf, hyperfine --export-json, Google Benchmark JSON) as samples and measurements. */
#ifndef PB_MEASURE_HARNESS_H
#define PB_MEASURE_HARNESS_H

#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"
#include "measure/result.h"

enum pb_harness {
	PB_HARNESS_NONE,
	PB_HARNESS_PYPERF,    /* pyperf: benchmarks[].runs[].values[] (one runs[] entry = one process) */
	PB_HARNESS_HYPERFINE, /* hyperfine --export-json: results[].times[] in seconds */
	PB_HARNESS_GBENCH,    /* Google Benchmark --benchmark_format=json: context{}, benchmarks[] */
};

/* Which benchmark of a file, and which of Google Benchmark's times. */
struct pb_harness_opts {
	const char *select; /* pyperf metadata.name, hyperfine command (or --command-name), Google
			       Benchmark name or run_name; NULL: the file must hold exactly one.
			       A file with exactly one benchmark uses it whatever select says. */
	const char *time;   /* Google Benchmark: "real_time" (NULL: this) or "cpu_time" */
};

/* The samples of one benchmark of a file. */
struct pb_harness_samples {
	double *values;    /* owned; converted to `unit` */
	size_t n;
	const char *unit;  /* "ns" for times, else pyperf's unit ("bytes", "value") */
	const char *metric; /* "wall" (pyperf seconds, hyperfine, gbench real_time), "cpu" (gbench
			       cpu_time), or "pyperf" for a pyperf unit that is not a time */
	char *name;        /* owned: the benchmark chosen */
	char *source_unit; /* owned: the unit as the file gave it ("second", "s", "us", ...) */
	size_t skipped;    /* pyperf processes without values (calibration), gbench errored runs */
};

/* The tool that wrote `doc` by its shape; PB_HARNESS_NONE when none of the three. */
enum pb_harness pb_harness_detect(const struct pb_json *doc);

/* "pyperf", "hyperfine", "gbench"; "none". */
const char *pb_harness_name(enum pb_harness h);

/* A harness by name ("pyperf" "hyperfine" "gbench"), PB_HARNESS_NONE for anything else. */
enum pb_harness pb_harness_from_name(const char *name);

/*
 * The samples of the benchmark `o->select` of `doc` (a file of kind h; `name` starts messages):
 *   pyperf: one sample per process (each runs[] entry with values: the mean of its values;
 *           calibration entries have none and are skipped), times converted from seconds to ns;
 *   hyperfine: each of results[].times[] (seconds → ns);
 *   gbench: each benchmarks[] entry with run_type "iteration" (repetitions), its real_time or
 *           cpu_time in time_unit → ns; aggregates (mean, median, stddev) and errored runs skipped.
 * A file with several benchmarks and no select, an unknown select (both list the names), a
 * missing or mistyped member, or no sample at all is an error appended to `why`, returns -1
 * (s is then released). Returns 0 with *s filled (release with pb_harness_samples_release).
 */
int pb_harness_samples(struct pb_harness_samples *s, const struct pb_json *doc, enum pb_harness h,
		       const struct pb_harness_opts *o, const char *name, struct pb_buf *why);
void pb_harness_samples_release(struct pb_harness_samples *s); /* accepts a zeroed one */

/*
 * Read `path` as a measurement: a placebisect.measurement file as pb_measurement_read does, or a
 * pyperf, hyperfine or Google Benchmark file, whose samples become the ok runs (value = sample,
 * backend = the tool's name, metric and unit as pb_harness_samples says, benchmark = the chosen
 * name, a warning saying where the values came from). *m is initialised here. Errors (class
 * PB_EXIT_USAGE) name the file: not JSON, none of these formats, or pb_harness_samples's reasons.
 * Returns 0 or -1 (then *m is released).
 */
int pb_harness_read_file(struct pb_measurement *m, const char *path, const struct pb_harness_opts *o);

#endif
