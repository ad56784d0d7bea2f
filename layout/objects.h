/* objects.h: which ELF object holds the hot code: a program's DT_NEEDED libraries resolved as ld.so does, and a build's own objects. */
#ifndef PB_LAYOUT_OBJECTS_H
#define PB_LAYOUT_OBJECTS_H

#include <stddef.h>

/*
 * The shared libraries `exe` needs (DT_NEEDED), each resolved the way the dynamic loader does:
 * DT_RPATH (when there is no DT_RUNPATH), then `ld_library_path` (colon-separated, may be NULL),
 * then DT_RUNPATH, then `extra_dir` and extra_dir/lib (a cached build's directory; may be NULL),
 * then the system directories; $ORIGIN and ${ORIGIN} are exe's directory. Names that resolve
 * nowhere are left out. *out is a NULL-terminated array of paths owned by the caller
 * (pb_objects_free). Returns 0, or -1 when exe is not a readable ELF file.
 */
int pb_objects_needed(const char *exe, const char *ld_library_path, const char *extra_dir,
		      char ***out);

/* Free an array from this module. Accepts NULL. */
void pb_objects_free(char **v);

struct pb_objects_query {
	const char *binary;          /* build.binary: an ELF program or a launcher script */
	const char *dir;             /* the build's directory (cache entry), searched for ELF files; may be NULL */
	const char *ld_library_path; /* from the benchmark's environment; may be NULL */
	const char *const *hot;      /* hot function names; may be empty */
	size_t n_hot;
	const char *object;          /* --object NAME: the object's file name (or its start: "libvm"
					matches "libvm.so.1"); NULL: choose by the hot names */
};

/*
 * The object whose layout matters, into *out (caller frees): `q->object` when given (an error,
 * class PB_EXIT_USAGE, listing the candidates when none matches); else of the binary (when it is
 * ELF), its resolved DT_NEEDED libraries and the ELF files under q->dir, the one defining the most
 * hot functions (system libraries only when named); the binary when none defines any. A binary
 * that is not ELF (a launcher script) is never chosen: its libraries and programs in q->dir are.
 * *n_found gets how many hot names the chosen object defines. Returns 0 or -1 (nothing to choose).
 */
int pb_objects_locate(const struct pb_objects_query *q, char **out, size_t *n_found);

#endif
