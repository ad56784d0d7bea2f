/* annotate.h: per-instruction costs of a run (callgrind, exact) turned into the annotated listing of the object that holds the hot code. */
#ifndef PB_PROFILE_ANNOTATE_H
#define PB_PROFILE_ANNOTATE_H

#include "layout/annotate.h"
#include "measure/callgrind.h"
#include "measure/runner.h"
#include "profile/callgrind.h"

/*
 * Annotate the object of cg at `object` (matched by path, else by file name); NULL: the object
 * with the most Ir that is a readable file (so a launcher script or `sh -c` leads to the program
 * that does the work). o->heat, unit, has_misses and total are filled from cg (the caller sets
 * the geometry and the function choice). An object cg does not have is an error listing the ones
 * it has (PB_EXIT_USAGE). *out owned by the caller (pb_annotation_free). Returns 0 or -1.
 */
int pb_annotate_callgrind(struct pb_annotation **out, const struct pb_callgrind *cg,
			  const char *object, struct pb_ann_opts *o);

/*
 * Both builds of `annotate --diff`, for pb_annotation_diff_write: first the bad build (`bad_object`
 * with the costs `cg_bad`), its functions o->names or else its hottest; then the same functions,
 * by name, in the good build (`object` with the costs `cg`). cg and cg_bad are both given or both
 * NULL: then nothing was run, the objects are the two binaries and o->names must name the
 * functions. Objects as pb_annotate_callgrind's (NULL with costs: the one with the most Ir).
 * *good and *bad are the caller's (pb_annotation_free, also after a failure); o->names is as it
 * was after. Errors as pb_annotate_callgrind's and pb_annotation_new's. Returns 0 or -1.
 */
int pb_annotate_diff(struct pb_annotation **good, struct pb_annotation **bad,
		     const struct pb_callgrind *cg, const char *object,
		     const struct pb_callgrind *cg_bad, const char *bad_object,
		     struct pb_ann_opts *o);

/*
 * Run what `o` describes once under the sampler (perf_event at `freq` Hz: cycles, else cpu-clock)
 * and annotate, with the samples whose sampled instruction lies in `object` (by path, else by
 * file name; NULL: the object with the most samples) as heat: unit "samples", no I1 misses,
 * total = every sample. Overrides o's runs, warmups, metric, backend and hook. The sampler's
 * errors (PB_EXIT_ENV, with the fix); no sample in the object is an error saying to profile a
 * longer run. *out owned by the caller. Returns 0 or -1.
 */
int pb_annotate_sampled(struct pb_annotation **out, struct pb_runner_opts *o, unsigned freq,
			const char *object, struct pb_ann_opts *ao);

/*
 * The object `annotate` reads by default for a run: `binary` (a benchmark's build.binary) when it
 * is an ELF file, else the program of `argv` (argv[0], searched in PATH without a '/') when it is
 * one; NULL (the caller then takes the object with the most Ir): a launcher script, a shell
 * command. Relative paths are taken from `cwd` (NULL: ours). The result is the caller's to free.
 */
char *pb_annotate_default_object(const char *binary, const char *const *argv, const char *cwd);

#endif
