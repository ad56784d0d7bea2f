/* vgout.h: a valgrind tool's command line for one run, the directory for its output files, and the files it wrote (one per process). */
#ifndef PB_MEASURE_VGOUT_H
#define PB_MEASURE_VGOUT_H

#include <stddef.h>

/*
 * The paths of the files `outdir`/`tool`.out.* (e.g. tool "cachegrind": cachegrind.out.1234), sorted
 * by name so that sums over them are reproducible; *paths is NULL-terminated, *n its count; free with
 * pb_vgout_free(). No such file means valgrind did not run the program: an error naming the tool
 * (class PB_EXIT_ENV); an unreadable directory: an error naming it. Returns 0 or -1.
 */
int pb_vgout_list(const char *outdir, const char *tool, char ***paths, size_t *n);

/*
 * The argv that runs `argv` (or, when argv is NULL, `shell` through /bin/sh -c) under valgrind's
 * `tool` with the tool's options `opts` (NULL-terminated; may be NULL), children followed, no
 * gdbserver, and one output file per process in `outdir` (`tool`.out.PID). NULL-terminated; free
 * with pb_vgout_free().
 */
char **pb_vgout_argv(const char *tool, const char *const *opts, const char *outdir,
		     const char *const *argv, const char *shell);

/* Free what pb_vgout_list() or pb_vgout_argv() returned (NULL-terminated strings). Accepts NULL. */
void pb_vgout_free(char **paths);

#endif
