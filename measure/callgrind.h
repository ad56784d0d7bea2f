/* callgrind.h: the one reader of callgrind's output files (per-instruction costs, functions, call sites) and callgrind's command line. */
#ifndef PB_MEASURE_CALLGRIND_H
#define PB_MEASURE_CALLGRIND_H

#include <stddef.h>
#include <stdint.h>

/* The self cost of one instruction (summed over the contexts and processes it ran in). */
struct pb_callgrind_cost {
	uint64_t addr; /* the instruction's address as the object's ELF file has it (not where it was loaded) */
	uint64_t ir;   /* instructions executed there */
	uint64_t i1mr; /* simulated I1 misses there */
};

/*
 * A function seen in code callgrind could not tie to a file (ob=???, e.g. a PIE laid out by its
 * own linker script): its lowest address run and its Ir, to find where the file was loaded.
 */
struct pb_callgrind_anchor {
	char *fn;
	uint64_t addr; /* lowest address with a cost (a run-time address: the load bias included) */
	uint64_t ir;
};

/* The costs of one object (executable or shared library), by address. */
struct pb_callgrind_object {
	char *path; /* as callgrind named it (ob=): the mapped file's path, "???" when unknown */
	struct pb_callgrind_cost *costs; /* sorted by addr, one entry per address */
	size_t n_costs, cap_costs;
	uint64_t ir, i1mr; /* sums of costs[] */
	struct pb_callgrind_anchor *anchors; /* only for "???": per function name */
	size_t n_anchors, cap_anchors;
};

/* A function callgrind named (fn= or cfn=) in one object, with its own cost. */
struct pb_callgrind_fn {
	size_t obj;  /* index into objs[] */
	char *name;  /* as callgrind spells it */
	uint64_t ir; /* its self cost: Ir of its own instructions, not of the calls it makes */
};

/* One call site: caller → callee, in the order the files had them (not merged). */
struct pb_callgrind_arc {
	size_t caller, callee; /* indices into fns[] */
	uint64_t calls;        /* how many calls (calls=) */
	uint64_t ir;           /* their inclusive cost (the Ir of the cost line after calls=) */
};

/* How often a function was called, summed over its call sites. */
struct pb_callgrind_calls {
	char *object; /* the callee's object (cob=, else the caller's ob=) */
	char *fn;     /* the callee's name as callgrind spells it (cfn=) */
	uint64_t count;
};

struct pb_callgrind {
	struct pb_callgrind_object *objs;
	size_t n_objs;
	struct pb_callgrind_fn *fns; /* every function named, in the order first seen */
	size_t n_fns, cap_fns;
	struct pb_callgrind_arc *arcs; /* every call site */
	size_t n_arcs, cap_arcs;
	struct pb_callgrind_calls *calls; /* per callee from arcs[], sorted by count, descending (ties
					     by name): made by pb_callgrind_finish() */
	size_t n_calls;
	uint64_t ir, i1mr; /* totals over every object (per-instruction costs only) */
	int files;         /* output files read (one per process) */
	size_t *fn_index, fn_slots; /* private: fns[] by (obj, name), open addressing */
};

/* Free everything r holds and zero it. Accepts a zeroed r. */
void pb_callgrind_release(struct pb_callgrind *r);

/*
 * Parse one callgrind output file (written with --dump-instr=yes and --cache-sim=yes) and add its
 * per-instruction self costs, its functions' self Ir and its call sites to *r (zero-initialise r
 * first). Name compression ("(id) name"), relative and repeated positions ("+N", "-N", "*") and
 * the inclusive cost line after each calls= (not a self cost) are understood. A file without
 * instruction positions is an error that says to record with --dump-instr=yes; a file without
 * Ir, a malformed line or a position before any fn= is an error naming the file and line number
 * (class PB_EXIT_USAGE). Costs are left unsorted: call pb_callgrind_finish() after the last file.
 * Returns 0 or -1.
 */
int pb_callgrind_parse(const char *path, struct pb_callgrind *r);

/*
 * The same for a file with any positions (e.g. "positions: line", callgrind without
 * --dump-instr=yes): its functions' self Ir and its call sites are read; per-instruction costs
 * only when its positions are instructions. For a call graph. Returns 0 or -1.
 */
int pb_callgrind_parse_calls(const char *path, struct pb_callgrind *r);

/* Sort and merge every object's costs by address, sum the totals, count the calls per callee. */
void pb_callgrind_finish(struct pb_callgrind *r);

/*
 * Read one callgrind output file (instruction positions, as pb_callgrind_parse) into *r (zeroed
 * first) and finish it. An unreadable file is an error naming it. Returns 0 or -1 (*r released).
 */
int pb_callgrind_read(const char *path, struct pb_callgrind *r);

/*
 * Read every callgrind.out.* file in `outdir` into *r (zeroed first) and finish it. No file at all
 * means valgrind did not run the program: an error (class PB_EXIT_ENV). Returns 0 or -1.
 */
int pb_callgrind_collect(const char *outdir, struct pb_callgrind *r);

/*
 * The object of r whose path is `path`, else the one with the same file name (the last '/'
 * component), else NULL. The result points into r.
 */
const struct pb_callgrind_object *pb_callgrind_object(const struct pb_callgrind *r, const char *path);

/*
 * The argv that runs `argv` (or, when argv is NULL, `shell` through /bin/sh -c, following
 * children) under callgrind with the cache simulator, I1 geometry `i1` ("SIZE,WAYS,LINE"; NULL:
 * valgrind's default) and one output file per process in `outdir`, with instruction-level
 * positions. NULL-terminated; free with pb_callgrind_argv_free().
 */
char **pb_callgrind_argv(const char *i1, const char *outdir, const char *const *argv,
			 const char *shell);
/*
 * The same without the cache simulator (Ir and call counts only: a call graph), some two times
 * faster. Free with pb_callgrind_argv_free().
 */
char **pb_callgrind_argv_calls(const char *outdir, const char *const *argv, const char *shell);
/* Free what pb_callgrind_argv() or pb_callgrind_argv_calls() returned. Accepts NULL. */
void pb_callgrind_argv_free(char **argv);

#endif
