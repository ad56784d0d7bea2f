/* runner.h: measure a benchmark: warmups, pinned runs under a backend (perf, cachegrind, time), the metric per run. */
#ifndef PB_MEASURE_RUNNER_H
#define PB_MEASURE_RUNNER_H

/* valgrind (cachegrind, callgrind) runs a program some 20-100 times slower: a per-run timeout set
 * for the program alone is stretched by this much when it runs under valgrind. */
#define PB_VALGRIND_SLOWDOWN 50.0

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/proc.h"
#include "measure/result.h"

/* Called before each run: `i` of `n` (warmups included), `warmup` for unrecorded ones. */
typedef void (*pb_runner_progress_fn)(void *arg, const char *label, size_t i, size_t n, bool warmup);

struct pb_runner_opts {
	const char *name;          /* benchmark name (recorded); NULL for `measure -- CMD` */
	const char *shell;         /* command run with /bin/sh -c, or ... */
	const char *const *argv;   /* ... program and arguments (exactly one of the two) */
	const char *cwd;           /* NULL: ours */
	const char *const *env;    /* "K=V" added to the allow-listed environment; may be NULL */
	long runs;                 /* recorded runs, >= 1 */
	long warmups;              /* unrecorded runs first, >= 0 */
	bool runs_set;             /* runs or warmups chosen by the user (config or option), not
				      defaults: only then is overriding them (cachegrind) worth a note */
	double timeout;            /* seconds per run; 0: none */
	const char *metric;        /* wall cpu instructions cycles est_cycles stdout pyperf hyperfine
				      gbench or a counter */
	const char *parse_regex;   /* metric stdout: POSIX ERE, first group is the value */
	const char *parse_file;    /* metric pyperf hyperfine gbench: the JSON file the benchmark
				      writes (relative to cwd); removed before each run, whatever
				      the metric */
	const char *parse_benchmark; /* which benchmark of that file; NULL: its only one */
	const char *parse_time;    /* gbench: real_time (NULL) or cpu_time */
	const char *baseline;      /* cachegrind: a command whose counts are subtracted from each
				      run's (start-up); NULL: none. Other backends ignore it (noted) */
	/* Untimed commands, run like the benchmark (shell, cwd, environment, timeout), not pinned and
	 * not counted; placeholders already expanded. A failure makes the run a failed one, named
	 * and with the command's output tail (a setup failure every run of this runner). */
	const char *setup;         /* once, before this runner's first run (warm-up or recorded) */
	const char *prepare;       /* before every run, warm-ups included (hyperfine --prepare) */
	const char *backend;       /* auto perf cachegrind time */
	const char *cpus;          /* CPU list, "auto" (the last online CPU we may use), or NULL/"": not pinned */
	const char *const *events; /* perf events or presets; NULL: cycles instructions
				      L1-ICACHE-LOAD-MISSES ITLB-LOAD-MISSES */
	long env_pad;              /* bytes of PB_ENV_PAD added to the environment (0: none) */
	bool no_aslr;              /* the timed runs with ASLR off (personality ADDR_NO_RANDOMIZE) */
	const char *cg_I1, *cg_D1, *cg_LL; /* cachegrind geometry; NULL: host's or default */
	const char *commit;        /* recorded; may be NULL */
	/* Where a run's temporary directory (cachegrind's output files) is made; NULL: $TMPDIR.
	 * A state directory's tmp/ is emptied on the next start, so a killed run leaves nothing. */
	const char *tmp_dir;
	volatile sig_atomic_t *stop; /* set (by a SIGINT handler) to stop between runs; may be NULL */
	pb_runner_progress_fn progress;
	void *progress_arg;
	/* Called on each run's child before exec, after the counters attach (e.g. the sampler). */
	pb_proc_hook_fn before_exec;
	void *hook_arg;
};

/*
 * Options from the configuration: benchmark `bench` of `cfg` (runs, warmups, timeout, metric,
 * parse.*, env, and the measure section: backend, cpus, events, env_pad, cachegrind). Pointers
 * borrow from cfg/bench; `shell` is bench->command as written (expand placeholders first).
 */
void pb_runner_opts_from_config(struct pb_runner_opts *o, const struct pb_config *cfg,
				const struct pb_bench *bench);

/* Defaults for `measure -- CMD`: 10 runs, 1 warmup, metric wall, backend auto, not pinned. */
void pb_runner_opts_init(struct pb_runner_opts *o);

/*
 * Options for a command given as `argv` (`measure -- CMD`, `profile -- CMD`): the defaults of
 * pb_runner_opts_init() and the config's measure section (backend, cpus, events, env_pad,
 * cachegrind). Pointers borrow from cfg and argv.
 */
void pb_runner_opts_for_command(struct pb_runner_opts *o, const struct pb_config *cfg,
				const char *const *argv);

/* A prepared runner: backend resolved, counters and CPUs set up. Opaque. */
struct pb_runner;

/*
 * Check the options and set the backend up. Errors: an unknown metric or backend, a metric the
 * backend cannot give, stdout without parse.regex, pyperf without parse.file (class
 * PB_EXIT_USAGE); an offline or nonexistent CPU (PB_EXIT_USAGE); the asked-for backend unavailable
 * (perf without hardware counters when it needs them, cachegrind without valgrind: PB_EXIT_ENV,
 * with the reason). Backend auto falls back to software events with one pb_warn naming
 * `--backend cachegrind`; cachegrind forces runs 1 and warmups 0 (exact) with a pb_note.
 * The runner borrows `o` (and everything it points to) until pb_runner_free. Returns 0 or -1.
 */
int pb_runner_new(struct pb_runner **out, const struct pb_runner_opts *o);
void pb_runner_free(struct pb_runner *r); /* accepts NULL */

/*
 * The backend in use ("perf", "perf (software events only)" when no hardware event is counted,
 * "cachegrind", "time"), and the runs/warmups after forcing.
 */
const char *pb_runner_backend(const struct pb_runner *r);
long pb_runner_runs(const struct pb_runner *r);
const char *pb_runner_metric(const struct pb_runner *r); /* after forcing (cachegrind: est_cycles) */
long pb_runner_warmups(const struct pb_runner *r);
/*
 * The last failed recorded run of this runner, for a message: why it failed (exit status or
 * signal by name, timeout, no metric) and how its stdout and stderr ended. NULL when none failed;
 * owned by the runner, valid until its next run.
 */
const char *pb_runner_last_failure(const struct pb_runner *r);

/* Fill m's descriptive fields (benchmark, command, commit, backend, metric, unit, system{}). */
void pb_runner_begin(struct pb_runner *r, struct pb_measurement *m);

/*
 * One run. When `record`, it is appended to m (a failed run too, with ok false and the reason
 * in m->warnings; a harness metric's process is one run, its value the mean of the file's values).
 * Under cachegrind with a baseline, the first recorded run measures the baseline first. Returns 0 when the run
 * happened (whatever its outcome), -1 when it could not be started (error recorded: program
 * missing, cannot fork, counters: no event opened) or when *stop was set (PB_EXIT_INTERRUPTED).
 */
int pb_runner_run(struct pb_runner *r, struct pb_measurement *m, bool record);

/*
 * Cachegrind backend: replace m->functions with the last recorded run's per-function costs (the
 * top of the profile, by Ir). Other backends: nothing. pb_runner_finish() does this too; call it
 * directly to keep them in a measurement that is saved before it is finished.
 */
void pb_runner_keep_functions(struct pb_runner *r, struct pb_measurement *m);

/* Summaries and derived metrics of m (after the runs). */
void pb_runner_finish(struct pb_runner *r, struct pb_measurement *m);

/*
 * A whole measurement: pb_runner_new, begin, warmups, runs, finish. *m must be initialised
 * (pb_measurement_init). Returns 0 when every run happened (some may have failed: see
 * m->n_failed), -1 on the errors of pb_runner_new / pb_runner_run.
 */
int pb_runner_measure(const struct pb_runner_opts *o, struct pb_measurement *m);

/*
 * The samples of a pyperf JSON file's only benchmark (pyperf's format: benchmarks[].runs[]
 * .values[]): one per process, the mean of its values, in ns (measure/harness.h); calibration
 * runs carry only warmups. *vals is allocated (caller frees, also on failure); 0, or -1 with the
 * reason appended to `why` (a missing or malformed file, several benchmarks, no values).
 */
int pb_runner_read_pyperf(const char *path, double **vals, size_t *n, struct pb_buf *why);

/*
 * Interleaved A/B measurement for comparisons (bisect endpoints, compare --run): both set up
 * first, warmups A then B, then the recorded runs alternate A B A B ... so that drift (thermal,
 * frequency, other load) hits both samples alike. `a` and `b` should use the same backend,
 * metric and runs (each keeps its own command, cwd and environment). Same returns as
 * pb_runner_measure; on error neither measurement is to be trusted.
 */
int pb_runner_measure_ab(const struct pb_runner_opts *a, const struct pb_runner_opts *b,
			 struct pb_measurement *ma, struct pb_measurement *mb);

/*
 * Append the perf-stat-like text of m to out: counters (median per run, share of time counted),
 * derived metrics, the top simulated functions (cachegrind), the metric's median with its 95% CI,
 * and the warnings. (measure/show.c)
 */
void pb_measure_format(const struct pb_measurement *m, struct pb_buf *out);

/* The metric names the runner knows besides counter names, NULL-terminated. */
extern const char *const pb_runner_metrics[];

#endif
