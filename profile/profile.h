/* profile.h: where a benchmark spends its time: samples per function, folded call stacks, the placebisect.profile/1 file. */
#ifndef PB_PROFILE_PROFILE_H
#define PB_PROFILE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/schema.h"
#include "measure/result.h"
#include "measure/runner.h"
#include "measure/sampler.h"

#define PB_PROFILE_SCHEMA "placebisect.profile/1"

/* The keys, types and ranges a profile document promises (core/schema.h). */
extern const struct pb_schema pb_profile_schema;

/* Names of what has no function symbol. */
#define PB_PROFILE_KERNEL "[kernel]"   /* kernel code (function and object) */
#define PB_PROFILE_UNKNOWN "[unknown]" /* an address no mapping holds (function and object) */
#define PB_PROFILE_TRUNCATED "[truncated]" /* the root of a stack cut at the depth cap */

struct pb_profile_fn {
	/*
	 * The symbol as the object's symbol table spells it; "[kernel]"; "[unknown]"; the object's
	 * name in brackets ("[libc.so.6]", "[vdso]") for code of an object that no symbol covers.
	 */
	char *name;
	/* The executable's or library's path as mapped; "[kernel]"; "[unknown]"; under cachegrind the
	 * source file it named (NULL when it did not know). */
	char *object;
	uint64_t samples; /* self samples: the sampled instruction was in it (cachegrind: its Ir) */
	double share;     /* samples / the profile's samples */
	uint64_t i1mr;    /* cachegrind: its I1 misses; 0 otherwise */
	uint64_t calls;   /* --calls: times it was called (callgrind, exact); 0 otherwise */
};

/* One distinct call stack and how many samples it had. */
struct pb_profile_stack {
	char *frames;     /* function names, root first, ';'-separated (the folded format) */
	uint64_t count;
};

struct pb_profile {
	char *command;    /* what ran (shell command or argv joined); may be NULL */
	char *benchmark;  /* its name in placebisect.json; NULL for `profile -- CMD` */
	char *commit;     /* the revision profiled (--rev); may be NULL */
	char *event;      /* "cpu-clock", "cycles" or (cachegrind) "Ir" */
	char *backend;    /* "perf" or "cachegrind" */
	bool kernel;      /* kernel code was sampled (else excluded) */
	unsigned freq;    /* samples per second asked for; 0 for cachegrind */
	uint64_t samples; /* total (cachegrind: total Ir) */
	uint64_t lost;    /* samples the kernel dropped, plus those beyond the sampler's memory */
	bool calls;       /* fns[].calls were counted (pb_profile_add_calls) */
	/* Sampled profiles: how stacks were taken and how they came out. */
	char *call_graph;          /* "fp" or "dwarf"; NULL for cachegrind */
	unsigned max_depth;        /* frames kept per stack */
	uint64_t truncated;        /* stacks cut at max_depth (their root frame is "[truncated]") */
	uint64_t user_stacks;      /* samples with user frames */
	uint64_t stopped_at_leaf;  /* fp: of those, stacks with no caller past the leaf (or an unmapped one) */
	struct pb_profile_fn *fns; /* by samples, descending; ties by name, then object */
	size_t n_fns;
	struct pb_profile_stack *stacks; /* sorted by frames (the order flamegraph.pl uses) */
	size_t n_stacks;
};

void pb_profile_init(struct pb_profile *p);
void pb_profile_release(struct pb_profile *p);

/*
 * Build *p (initialised, empty) from sampled frames: every frame of a file object is named by
 * layout/symbolize.h (each object read once, each distinct offset looked up once), functions get
 * their self samples and share, and identical call stacks are counted together. Samples that
 * carry a user stack (--call-graph dwarf) are unwound first (layout/unwind.h, every object's CFI
 * read once for the whole profile): their user frames replace the leaf the sampler resolved. A
 * stack longer than s->max_depth frames is cut there, under a "[truncated]" root. A warning says
 * when 5% or more of the samples are in anonymous memory no perf map named (JIT code). Returns 0,
 * or -1 when the unwinder cannot start (error recorded).
 */
int pb_profile_from_samples(struct pb_profile *p, const struct pb_samples *s);

/*
 * Build *p (initialised, empty) from a cachegrind measurement's per-function costs (m->functions,
 * the heaviest 500) and its total Ir: samples are instructions executed (exact), no call stacks.
 * A measurement without per-function costs is an error (class PB_EXIT_ENV). Returns 0 or -1.
 */
int pb_profile_from_costs(struct pb_profile *p, const struct pb_measurement *m);

/* How pb_profile_run_with() samples. */
struct pb_profile_sampling {
	bool cachegrind;        /* exact, no stacks, instead of sampling */
	unsigned freq;          /* samples per second */
	const char *call_graph; /* "fp", "dwarf" or "dwarf,SIZE" (measure/sampler.h); NULL: "fp" */
	const char *call_graph_from; /* where it came from, for errors; NULL: "--call-graph" */
	unsigned max_depth;     /* frames per stack; 0: PB_SAMPLER_DEPTH_DEFAULT */
};

/*
 * When most stacks of a frame-pointer profile stop after the leaf (more than half of the samples
 * with user frames, at least 10 of them): a newly allocated warning with the share and the fix
 * (`--call-graph dwarf`, or building with -fno-omit-frame-pointer), for the caller to print once;
 * else NULL.
 */
char *pb_profile_stack_warning(const struct pb_profile *p);

/* As pb_profile_run() with every sampling choice of `how`. */
int pb_profile_run_with(struct pb_runner_opts *o, const struct pb_profile_sampling *how,
			struct pb_profile *p);

/*
 * Profile one run of what `o` describes (its command, cwd, environment, CPUs): sampled at `freq`
 * Hz (perf_event: cycles, else cpu-clock), or under cachegrind when `cachegrind` (exact, no
 * stacks). Overrides o's runs, warmups, metric, backend and hook. *p must be initialised and empty.
 * Returns 0 or -1 (the sampler's or the runner's error; interrupted when *o->stop was set).
 */
int pb_profile_run(struct pb_runner_opts *o, bool cachegrind, unsigned freq, struct pb_profile *p);

/*
 * "Called N times": run what `o` describes once more, under callgrind, and set each function's
 * calls (summed over its call sites; matched by name, and by file name of its object where p
 * knows the object) and p->calls. Callgrind runs without its cache simulator (only Ir and calls
 * are read). `o` is not changed. Errors as pb_callgrind_record_run()'s (profile/callgrind.h).
 * Returns 0 or -1.
 */
int pb_profile_add_calls(struct pb_profile *p, struct pb_runner_opts *o);

/*
 * The placebisect.profile/1 document (DESIGN.md "Result files"): schema, command, benchmark,
 * commit (those set), event, backend, samples, lost, kernel, freq, functions[]{name, object,
 * samples, share} sorted by share (cachegrind adds Ir and I1mr; --calls adds calls).
 */
void pb_profile_write_json(const struct pb_profile *p, struct pb_jsonw *w);

/* The folded stacks, one "root;caller;leaf COUNT" line each (flamegraph.pl, speedscope). */
void pb_profile_write_folded(const struct pb_profile *p, struct pb_buf *out);

/* A perf-report-like table of the `top` heaviest functions (share, samples, function, object). */
void pb_profile_write_text(const struct pb_profile *p, size_t top, struct pb_buf *out);

#endif
