/* result.h: a measurement (runs, counters, summary) and its JSON file, schema placebisect.measurement/1. */
#ifndef PB_MEASURE_RESULT_H
#define PB_MEASURE_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "core/schema.h"
#include "measure/stats.h"

#define PB_MEASUREMENT_SCHEMA "placebisect.measurement/1"

/* The keys, types and ranges a measurement document promises (core/schema.h). */
extern const struct pb_schema pb_measurement_schema;

struct pb_counter {
	char *name;      /* "instructions", "Ir", "I1mr", "task-clock", ... */
	double value;    /* scaled when multiplexed; NAN when unavailable */
	double running_ratio; /* time_running / time_enabled; 1 when not multiplexed */
};

struct pb_run {
	int64_t wall_ns, user_ns, sys_ns;
	long maxrss_kb;
	int exit;        /* exit status, or 128 + signal */
	bool ok;         /* exited 0 in time and produced the metric: counted in the summary */
	bool timed_out;
	double value;    /* the metric for this run; NAN when !ok */
	struct pb_counter *counters;
	size_t n_counters;
	double running_ratio; /* lowest of the counters' */
	/* When and beside what it ran (measure/contention.h): start_mono_ns 0 when not recorded (then
	 * the rest is not either); other_busy_ns and steal_ns -1, load1 NAN when unreadable. */
	int64_t start_mono_ns, start_real_us; /* CLOCK_MONOTONIC (ns), CLOCK_REALTIME (us) at the start */
	int64_t other_busy_ns;  /* the machine's busy CPU time of other work during the run */
	int64_t steal_ns;       /* steal time during the run (virtual machines) */
	double load1;           /* 1-minute load average at the end */
};

/*
 * One function's simulated cost (cachegrind backend; added by issue #3 part b). Written as
 * `functions[]{name, file (omitted when unknown), Ir, I1mr}` when n_functions > 0.
 */
struct pb_function_cost {
	char *name;
	char *file;      /* NULL when cachegrind did not know the source file */
	double ir, i1mr;
};

struct pb_derived {
	/* NAN when not computable from the counters at hand */
	double ipc, icache_mpki, itlb_mpki, frontend_stall_pct;
};

struct pb_measurement {
	char *benchmark; /* NULL for `measure -- CMD` */
	char *command;
	char *commit;    /* NULL when not measured at a revision */
	char *backend;   /* perf cachegrind time */
	char *metric;    /* wall cpu instructions ... */
	char *unit;      /* "ns", "instructions", "ms" (stdout), ... */
	struct pb_run *runs;
	size_t n_runs;
	size_t n_failed;
	struct pb_summary summary; /* of the ok runs' values */
	struct pb_derived derived;
	struct pb_json *system;    /* owned; the `system{}` object; may be NULL */
	char **warnings;           /* NULL-terminated; may be NULL */
	/* cachegrind backend: per-function Ir and I1mr, by Ir descending; owned (name, file, array) */
	struct pb_function_cost *functions;
	size_t n_functions;
	/*
	 * The region of interest (exact backend): a baseline command (the benchmark's start-up, e.g.
	 * zero iterations) run once, whose counts were subtracted from every run's counters and value.
	 * Written as baseline{command, value, counters{NAME: value}}; NULL/0 when none. Owned.
	 */
	char *baseline_command;
	double baseline_value;
	struct pb_counter *baseline_counters;
	size_t n_baseline_counters;
};

/* Record the baseline (copies command and counters; replaces an earlier one). */
void pb_measurement_set_baseline(struct pb_measurement *m, const char *command, double value,
				 const struct pb_counter *counters, size_t n);

void pb_measurement_init(struct pb_measurement *m);
void pb_measurement_release(struct pb_measurement *m);

/*
 * Append a run (copied, counters and their names included) and return it; the pointer is valid
 * until the next add. The strings of a pb_measurement (benchmark, command, ...) are heap copies
 * owned by it and freed by pb_measurement_release().
 */
struct pb_run *pb_measurement_add_run(struct pb_measurement *m, const struct pb_run *run);
/* Append a warning (copied) to m->warnings. */
void pb_measurement_add_warning(struct pb_measurement *m, const char *text);
/* The ok runs' values into a new array (caller frees); *n gets the count. */
double *pb_measurement_values(const struct pb_measurement *m, size_t *n);
/* Lowest and highest value of the ok runs; both NAN when there is none. */
void pb_measurement_range(const struct pb_measurement *m, double *lo, double *hi);
/*
 * Medians over the ok runs of their user and system CPU time (ns); both NAN when no run recorded
 * either (a harness's file, a measurement that did not read rusage).
 */
void pb_measurement_cpu_split(const struct pb_measurement *m, double *user_ns, double *sys_ns);
/* Median over ok runs of counter `name`; NAN when absent. */
double pb_measurement_counter(const struct pb_measurement *m, const char *name);

/* The median of the first of `names` (NULL-terminated) that m recorded, or NAN when none was. */
double pb_measurement_counter_any(const struct pb_measurement *m, const char *const *names);
/* Recompute summary and derived metrics from the runs. */
void pb_measurement_finish(struct pb_measurement *m);

/*
 * Write as placebisect.measurement/1 (DESIGN.md "Result files"): schema, benchmark, command,
 * commit, backend, metric, unit, system{}, n_failed, runs[]{ok, value, wall_ns, user_ns, sys_ns,
 * maxrss_kb, exit, timed_out, counters{NAME: value}, running_ratio, counter_running_ratio{} when
 * multiplexed}, summary{}, derived{} (only the computable ones), warnings[], functions[] and
 * baseline{} when there are. NAN writes null.
 */
void pb_measurement_write(const struct pb_measurement *m, struct pb_jsonw *w);
/* The same as a member `key` of an enclosing object (e.g. inside a bisect result). */
void pb_measurement_write_key(const struct pb_measurement *m, struct pb_jsonw *w, const char *key);
/* Write the file atomically (pretty-printed). Returns 0 or -1 naming the path. */
int pb_measurement_save(const struct pb_measurement *m, const char *path);
/* A summary as the object `key` (NULL in an array): n, median, mean, stdev, ci95[lo, hi], min, max,
 * outliers, unstable, too_few. */
void pb_summary_write(const struct pb_summary *s, struct pb_jsonw *w, const char *key);
/* The same members, written into the object the caller has open (to add keys of its own). */
void pb_summary_write_members(const struct pb_summary *s, struct pb_jsonw *w);
/*
 * Read a measurement file. A file of another schema kind, a newer version, or missing required
 * keys is an error naming the file and the key. Returns 0 or -1.
 * Required: schema, backend, metric, runs. A run without "value" takes it from the metric (wall:
 * wall_ns, cpu: user_ns + sys_ns, else the counter of that name); without "ok" it is ok when it
 * exited 0 in time with a value. Summary and derived metrics are recomputed from the runs.
 * Errors are input errors (class PB_EXIT_USAGE); on failure *m is left released.
 */
int pb_measurement_read(struct pb_measurement *m, const char *path);
/* Read from a parsed document (e.g. embedded in a bisect result); `name` starts messages. */
int pb_measurement_from_json(struct pb_measurement *m, const struct pb_json *doc, const char *name);

#endif
