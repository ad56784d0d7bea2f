/* runner_impl.h: internal to measure/: the runner's state, shared by runner.c (set-up),
 * runner_run.c (one run: the process), runner_metric.c (run → value) and runner_rounds.c. */
#ifndef PB_MEASURE_RUNNER_IMPL_H
#define PB_MEASURE_RUNNER_IMPL_H

#include <regex.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/proc.h"
#include "measure/cachegrind.h"
#include "measure/counters.h"
#include "measure/harness.h"
#include "measure/runner.h"

enum backend { BK_TIME, BK_PERF, BK_CACHEGRIND };
enum metric { MK_WALL, MK_CPU, MK_COUNTER, MK_STDOUT, MK_HARNESS };

/* Why runs failed: one line per distinct reason, with a count. */
struct failure {
	char *reason;
	size_t count, first_run;
};

struct pb_runner {
	const struct pb_runner_opts *o;
	enum backend backend;
	enum metric metric;
	const char *metric_name; /* o->metric, or est_cycles under cachegrind for wall/cpu */
	long runs, warmups;
	double timeout;

	struct pb_counters *counters;
	struct pb_counter *vals;  /* one per counter (perf) or PB_CG_NCOUNTERS (cachegrind) */
	size_t n_vals;
	bool *warned;             /* per counter: unavailability already reported */
	bool *noted;              /* per counter: its caveat (user-only) already reported */
	char *refused;            /* asked-for events not counted, with the reason (for m->warnings) */

	cpu_set_t cpus;
	bool pinned;
	char cpus_desc[256];

	regex_t re;
	bool have_re;
	enum pb_harness harness;   /* metric pyperf hyperfine gbench: whose file */
	char *harness_path;        /* parse.file, absolute */
	const char *harness_unit;  /* the unit its samples came in ("ns", "bytes"), once read */
	bool sw_only;              /* perf counted software events only (no hardware event in the set) */

	/* baseline (exact backend): its counters, subtracted from every recorded run's */
	struct pb_counter *base_vals;
	bool have_base;
	bool startup_checked;      /* the start-up share was looked at (without a baseline) */
	bool warned_negative;      /* a run cost less than its baseline (said once) */

	const char **env;          /* o->env + PB_ENV_PAD, NULL-terminated */
	char *pad;

	struct pb_cg_geometry geo;
	struct pb_cg_result cg_last; /* the last recorded cachegrind run's functions */
	int devnull;

	size_t n_recorded;         /* recorded process runs so far, for "run N" */
	char *fallback;            /* auto without hardware counters: the warning, for m->warnings */
	struct failure *fail;
	size_t n_fail, cap_fail;
	bool warned_orphans;       /* the benchmark left processes behind (said once) */
	char *last_fail;           /* the last failed run: why, and how its output ended */
	bool setup_done;           /* o->setup ran (whatever its outcome) */
	char *setup_failed;        /* why it failed (every run then fails with it); NULL: it did not */
	char *setup_tail;          /* and how its output ended, for pb_runner_last_failure */
	int setup_status;          /* and its exit status (each failed run records it as its exit) */
};

/* Set r->metric and r->metric_name from r->o, compiling parse.regex / locating parse.file. 0 or -1. */
int pb_runner_setup_metric(struct pb_runner *r);

/* The unit of r's metric: "ns", "s", "value", "cycles", "instructions" or "events". */
const char *pb_runner_metric_unit(const struct pb_runner *r);

/*
 * The metric's value of a run that exited 0: wall or CPU time from `res`, a counter from r->vals,
 * a number from the captured stdout, or the harness file's samples summarized (one process is
 * one sample: the mean of the values it wrote). Returns 0, or -1 with the reason appended to `why`.
 */
int pb_runner_value(struct pb_runner *r, const struct pb_proc_result *res, double *value,
		    struct pb_buf *why);

/*
 * Exact backend: run the benchmark's baseline command once (r->o->baseline) and keep its counters
 * in r->base_vals, recording baseline{} in m. 0, or -1 (error recorded: the baseline failed).
 */
int pb_runner_baseline(struct pb_runner *r, struct pb_measurement *m);

/* Subtract the baseline's counts from r->vals (the run just collected); warns once when negative. */
void pb_runner_subtract_baseline(struct pb_runner *r, struct pb_measurement *m);

/* Exact backend without a baseline: warn once when start-up outweighs the benchmark (cg result). */
void pb_runner_check_startup(struct pb_runner *r, struct pb_measurement *m,
			     const struct pb_cg_result *cg);

/* Derived metrics (IPC, MPKI, frontend stalls) from the counters' medians, where still unknown. */
void pb_runner_derive(struct pb_measurement *m);

#endif
