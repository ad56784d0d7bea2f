/* callgrind.h: one run of a program under valgrind's callgrind, read back as a weighted call graph. */
#ifndef PB_PROFILE_CALLGRIND_H
#define PB_PROFILE_CALLGRIND_H

#include "layout/callgraph.h"
#include "measure/callgrind.h"

struct pb_callgrind_opts {
	const char *const *argv;     /* the program and its arguments, or ... */
	const char *shell;           /* ... a shell command (its children are followed) */
	const char *cwd;             /* NULL: inherit */
	const char *const *env_set;  /* "K=V", NULL-terminated; may be NULL */
	const char *const *env_pass; /* variable names passed through; may be NULL */
	double timeout_s;            /* 0: none */
	const char *outdir;          /* an existing empty directory for callgrind's files; NULL: a
				        temporary one, removed after */
};

/*
 * Run the command under `valgrind --tool=callgrind` (symbols not demangled, so that names match
 * the ELF symbol table) and add every process's output to *g (pb_callgraph_init first). The
 * command must exit 0. Returns 0, or -1: valgrind missing (class PB_EXIT_ENV, saying how to get
 * it), the command failing (its status and stderr's last line), an unreadable output file.
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
