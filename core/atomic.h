/* atomic.h: replace a file so that readers see the old or the new contents, never a mix. */
#ifndef PB_CORE_ATOMIC_H
#define PB_CORE_ATOMIC_H

#include <stddef.h>

/*
 * Write `len` bytes to `path` atomically: a temporary file in the same directory, the full write,
 * fsync, rename over `path`, fsync of the directory. On any failure the previous file at `path`
 * is untouched, the temporary file is removed, and -1 is returned with an error naming `path`
 * (class PB_EXIT_ENV: disk full, read-only directory, permissions). Mode of a new file: 0644 & ~umask.
 */
int pb_atomic_write(const char *path, const void *data, size_t len);

/*
 * Append `len` bytes to `path` (created if missing) and fsync before returning: the journal's
 * primitive. A crash may leave a torn last record, which readers must tolerate. Returns 0 or -1.
 */
int pb_append_sync(const char *path, const void *data, size_t len);

/* Create `path` and any missing parents (mode 0755). Returns 0 or -1 naming the directory. */
int pb_mkdir_p(const char *path);

#endif
