/* callgrind.h: one run of a program under valgrind's callgrind, read back as a weighted call graph. */
#ifndef PB_PROFILE_CALLGRIND_H
#define PB_PROFILE_CALLGRIND_H

#include "layout/callgraph.h"

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

#endif
