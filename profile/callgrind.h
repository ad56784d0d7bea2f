/* callgrind.h: one run of a program under valgrind's callgrind, read back as per-instruction costs or as a weighted call graph. */
#ifndef PB_PROFILE_CALLGRIND_H
#define PB_PROFILE_CALLGRIND_H

#include <signal.h>
#include <stdbool.h>

#include "layout/callgraph.h"
#include "measure/callgrind.h"
#include "measure/runner.h"

/*
 * Run what `o` describes once under callgrind (with `cache`, the cache simulator with I1
 * geometry `i1`, "SIZE,WAYS,LINE", or NULL for valgrind's; without, Ir and calls only, some two
 * times faster; instruction-level costs; names not demangled, so that they match the ELF symbol
 * table) and read every process's output into *cg (zeroed first;
 * release with pb_callgrind_release). `o` is left as it was: the run is one, not a warm-up, timed
 * by o->timeout as given (stretch it for valgrind first: PB_VALGRIND_SLOWDOWN), under the time
 * backend, without o's hook. Callgrind's files go to a directory made under o->tmp_dir (a state
 * directory's tmp/; NULL: $TMPDIR) with pb_tmpdir_new (core/tmpdir.h: what a killed run leaves
 * there the next run removes) and removed afterwards.
 * Returns 0; 1 when the program ran and failed (*exit gets its exit status, or 128 + signal; the
 * runner warned why; nothing is read and no error is recorded: the caller says what it means);
 * -1 on an error: valgrind missing (PB_EXIT_ENV, how to get it), the program not started, an
 * unreadable output file.
 */
int pb_callgrind_record(const struct pb_runner_opts *o, bool cache, const char *i1,
			struct pb_callgrind *cg, int *exit);

/*
 * A command's own run of what `o` describes under callgrind: pb_callgrind_record with o's timeout
 * stretched for valgrind (PB_VALGRIND_SLOWDOWN); `cache` and `i1` as there (annotate wants the I1
 * misses; a call count or a call graph wants Ir and calls only: no cache simulation, some two
 * times faster). The program failing is an error (class PB_EXIT_USAGE) naming `who` (the command,
 * "annotate"), what ran and its exit status; other errors as pb_callgrind_record's. `o` is not
 * changed; *cg as pb_callgrind_record's. Returns 0 or -1.
 */
int pb_callgrind_record_run(const char *who, const struct pb_runner_opts *o, bool cache,
			    const char *i1, struct pb_callgrind *cg);

struct pb_callgrind_opts {
	const char *const *argv;     /* the program and its arguments, or ... */
	const char *shell;           /* ... a shell command (its children are followed) */
	const char *cwd;             /* NULL: inherit */
	const char *const *env_set;  /* "K=V", NULL-terminated; may be NULL */
	double timeout_s;            /* for the run under valgrind; 0: none */
	const char *outdir;          /* the directory under which callgrind's temporary directory
				        is made (core/tmpdir.h; e.g. the state directory's tmp/);
				        NULL: $TMPDIR */
	volatile sig_atomic_t *stop; /* set by a signal handler: the run is stopped (interrupted,
				        PB_EXIT_INTERRUPTED); may be NULL */
};

/*
 * Run the command once under callgrind (pb_callgrind_record, no cache simulation) and add every
 * process's functions and calls to *g (pb_callgraph_init first). The command must exit 0: else
 * -1 saying it failed and how (class PB_EXIT_INCONCLUSIVE). Other errors as pb_callgrind_record's.
 * Returns 0 or -1.
 */
int pb_callgrind_run(const struct pb_callgrind_opts *o, struct pb_callgraph *g);

/*
 * Add what callgrind's parser read (measure/callgrind.h) to *g: every function with its self Ir
 * (objects by callgrind's path), every call site as a caller→callee arc (merged with the same
 * pair's) with its count and inclusive Ir.
 */
void pb_callgrind_graph(const struct pb_callgrind *cg, struct pb_callgraph *g);

/*
 * Read one callgrind output file (any positions: per instruction or per source line) into *g
 * (pb_callgraph_init first). Errors are the parser's (pb_callgrind_parse_calls): the file and
 * line, class PB_EXIT_USAGE. Returns 0 or -1.
 */
int pb_callgrind_read_graph(struct pb_callgraph *g, const char *path);

#endif
