/* cachegrind.h: the deterministic backend: a run under valgrind's cache simulator and its output file. */
#ifndef PB_MEASURE_CACHEGRIND_H
#define PB_MEASURE_CACHEGRIND_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "measure/result.h"

/* The counters cachegrind reports, in its order. */
enum { PB_CG_IR, PB_CG_I1MR, PB_CG_ILMR, PB_CG_DR, PB_CG_D1MR, PB_CG_DLMR, PB_CG_DW, PB_CG_D1MW,
       PB_CG_DLMW, PB_CG_NEVENTS };
extern const char *const pb_cachegrind_events[PB_CG_NEVENTS];

/* Counters a cachegrind measurement carries: the nine above, instructions (= Ir), est_cycles. */
#define PB_CG_NCOUNTERS (PB_CG_NEVENTS + 2)

/* Simulated cache geometry, each "SIZE,WAYS,LINE" as valgrind's --I1/--D1/--LL take it. */
struct pb_cg_geometry {
	char I1[48], D1[48], LL[48];
	const char *source; /* "config", "host" or "default" (of the LL, the one most likely to differ) */
};

/*
 * Choose the geometry: measure.cachegrind.* from cfg when set, else this host's caches from
 * /sys/devices/system/cpu/cpu0/cache (`sysfs`, NULL for that path), else 32768,8,64 /
 * 32768,8,64 / 8388608,16,64. A host cache valgrind would reject (sets not a power of two) falls
 * back to the default with a note. A configured one that is invalid is an error naming the key.
 * Returns 0 or -1.
 */
int pb_cachegrind_geometry(const struct pb_config *cfg, const char *sysfs, struct pb_cg_geometry *g);

/* Ir of one function's code in one source file (its own, or a header inlined into it). */
struct pb_cg_file_ir {
	char *file;
	uint64_t ir;
};

/* One function's cost, summed over its fl= blocks (inlined code) and over processes, by name. */
struct pb_cg_function {
	char *name;
	/* Its own source file: of the files its code came from, the non-header (.h, .hpp, .hh, .hxx,
	 * .inc, .inl, no extension) one with the most Ir, else the one with the most Ir; NULL when
	 * cachegrind did not know any ("???"). */
	char *file;
	uint64_t ir, i1mr;
	struct pb_cg_file_ir *files; /* every file seen, for choosing `file` */
	size_t n_files;
};

struct pb_cg_result {
	uint64_t total[PB_CG_NEVENTS];
	struct pb_cg_function *fns; /* sorted by ir, descending */
	size_t n_fns;
	int files; /* output files read (one per process) */
};

void pb_cg_result_release(struct pb_cg_result *r);

/*
 * Parse one cachegrind.out file and add it to *r (zero-initialise r first). Lines are events:,
 * summary:, fl=/fi=/fe=/fn=, and "LINE COUNT..." (trailing zero counts may be left out). Any other
 * or inconsistent line is an error naming the file and line number (class PB_EXIT_USAGE).
 * Returns 0 or -1.
 */
int pb_cachegrind_parse(const char *path, struct pb_cg_result *r);

/* Sort the functions by Ir, descending (ties by name). */
void pb_cg_result_sort(struct pb_cg_result *r);

/*
 * The argv that runs `argv` (or, when argv is NULL, `shell` through /bin/sh -c, following
 * children) under cachegrind with geometry g, writing one file per process into `outdir`.
 * NULL-terminated; the array is to be freed with free() and its strings with it via
 * pb_cachegrind_argv_free().
 */
char **pb_cachegrind_argv(const struct pb_cg_geometry *g, const char *outdir,
			  const char *const *argv, const char *shell);
void pb_cachegrind_argv_free(char **argv);

/*
 * Read every cachegrind.out.* file in `outdir` into *r (zeroed first), functions sorted. No file
 * at all means valgrind did not run the program: an error (class PB_EXIT_ENV). Returns 0 or -1.
 */
int pb_cachegrind_collect(const char *outdir, struct pb_cg_result *r);

/*
 * The measurement counters of r into out[PB_CG_NCOUNTERS]: names are static strings, values exact,
 * running_ratio 1. est_cycles = Ir + 10 (I1mr + D1mr + D1mw) + 100 (ILmr + DLmr + DLmw).
 */
void pb_cachegrind_counters(const struct pb_cg_result *r, struct pb_counter *out);

/* Whether valgrind can be run; 0, or -1 with an error (class PB_EXIT_ENV) saying how to get it. */
int pb_cachegrind_available(void);

#endif
