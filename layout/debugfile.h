/* debugfile.h: where an object's separate debug file is (build-id and .gnu_debuglink, as gdb and perf look). */
#ifndef PB_LAYOUT_DEBUGFILE_H
#define PB_LAYOUT_DEBUGFILE_H

#include "layout/elf.h"

/* The root of the debug directories: $PB_DEBUG_ROOT when set and not empty, else /usr/lib/debug. */
const char *pb_debugfile_root(void);

/*
 * The separate debug file of `e` (a stripped executable or library, as distributions ship them with
 * -dbg/-dbgsym packages or `objcopy --only-keep-debug` leaves them), the first of, as gdb looks:
 *   ROOT/.build-id/xx/rest.debug          (xx/rest: e's NT_GNU_BUILD_ID in hex; the file's must equal it)
 *   DIR/NAME, DIR/.debug/NAME, ROOT/DIR/NAME  (NAME from e's .gnu_debuglink, DIR e's directory;
 *                                          the file's CRC-32 must equal the one the link records)
 * where ROOT is pb_debugfile_root(). Returns the path (caller frees), or NULL when there is none.
 * Never records an error: a candidate that does not match is passed over.
 */
char *pb_debugfile_find(const struct pb_elf *e);

#endif
