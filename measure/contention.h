/* contention.h: what else the machine did while a run ran: its clocks, other work and steal time from
 * /proc/stat, the load average; and whether a set of runs was contended. */
#ifndef PB_MEASURE_CONTENTION_H
#define PB_MEASURE_CONTENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measure/result.h"

/* The machine's CPU time counters and both clocks at one instant. */
struct pb_cpu_snapshot {
	bool have_stat;             /* /proc/stat was readable */
	uint64_t busy, steal, total; /* jiffies summed over all CPUs (busy excludes idle, iowait, steal) */
	int64_t mono_ns, real_us;   /* CLOCK_MONOTONIC (ns), CLOCK_REALTIME (us: ns would pass 2^53) */
};

/* Take a snapshot now. Never fails: without /proc/stat, have_stat is false and the clocks are set. */
void pb_contention_snapshot(struct pb_cpu_snapshot *s);

/*
 * Fill run->start_mono_ns, start_real_us (from `before`), other_busy_ns (the machine's busy time
 * between the snapshots less the run's own user + sys, at least 0), steal_ns, and load1 (the
 * 1-minute load average now); the /proc/stat fields are -1 without it, load1 NAN without
 * /proc/loadavg. Reads run->user_ns and run->sys_ns.
 */
void pb_contention_fill(struct pb_run *run, const struct pb_cpu_snapshot *before,
			const struct pb_cpu_snapshot *after);

/* How contended a set of runs was (the ok runs that carry the data). */
struct pb_contention {
	size_t n;                /* runs with contention data */
	double other_cpus;       /* other work in CPUs over the runs (sum of other_busy_ns / sum of wall) */
	double max_other_cpus;   /* the most in one run of 100 ms or more (else other_cpus) */
	double steal_pct;        /* steal time, % of the summed wall */
	double wall_over_cpu;    /* median wall / (user + sys) of the benchmark */
	double load1_max;
	int64_t first_mono_ns, last_mono_ns; /* the window the runs were taken in (0: unknown) */
	int64_t first_real_us, last_real_us;
	bool contended;          /* other work took >= PB_CONTENTION_OTHER_CPUS or steal >= 2% */
};

/* Other work, in CPUs, from which runs count as contended. */
#define PB_CONTENTION_OTHER_CPUS 0.25

/* Metrics the machine's load moves (time, cycles): "wall" "cpu" "pyperf" "cycles" "task-clock"
 * "cpu-clock". A number the benchmark prints (stdout) or an instruction count is not. */
bool pb_metric_load_sensitive(const char *metric);

/*
 * What gives a firmer answer than `metric` under contention, as one phrase for a message:
 * "--metric cpu, --backend cachegrind, a quiet machine, or `placebisect system tune`" (without
 * --metric cpu when the metric already is cpu, and for pyperf/hyperfine/gbench, which run for a
 * set time, a benchmark of fixed work instead). Static storage.
 */
const char *pb_contention_remedies(const char *metric);

/* Summarize m's runs. */
void pb_contention_of(const struct pb_measurement *m, struct pb_contention *out);

#endif
