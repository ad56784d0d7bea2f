/* vgout.h: the output files a valgrind tool wrote for one run (one per process), in a fixed order. */
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

/* Free what pb_vgout_list() returned. Accepts NULL. */
void pb_vgout_free(char **paths);

#endif
