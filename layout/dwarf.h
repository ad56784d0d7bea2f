/* dwarf.h: what an ELF file's DWARF says, read through libdw: the line table (source lines of machine code), the producers. */
#ifndef PB_LAYOUT_DWARF_H
#define PB_LAYOUT_DWARF_H

#include <stddef.h>
#include <stdint.h>

/* An object's line table, by address. Opaque. */
struct pb_dwarf_lines;

/*
 * Read the DWARF line table (.debug_line, every compilation unit) of the ELF file at `path`, or,
 * when it has none (stripped), of its separate debug file (layout/debugfile.h: build-id or
 * .gnu_debuglink under $PB_DEBUG_ROOT or /usr/lib/debug). A file without DWARF (built without
 * -g, stripped without a debug file) is not an error: *out is an empty table
 * (pb_dwarf_lines_count() 0) and the caller says so. A file that cannot be opened is an error
 * naming it (class PB_EXIT_USAGE). *out is owned by the caller (pb_dwarf_lines_free). Returns 0
 * or -1.
 */
int pb_dwarf_lines_open(struct pb_dwarf_lines **out, const char *path);

/* Free the table. Accepts NULL. */
void pb_dwarf_lines_free(struct pb_dwarf_lines *t);

/* Rows in the table (0: no line information). */
size_t pb_dwarf_lines_count(const struct pb_dwarf_lines *t);

/*
 * The source file and line of the instruction at `addr` (the row with the highest address at or
 * below it, in a sequence that covers it): the file's path as the compiler recorded it, owned by
 * the table; NULL (and *line 0) when no sequence covers addr. t may be NULL.
 */
const char *pb_dwarf_line_at(const struct pb_dwarf_lines *t, uint64_t addr, unsigned *line);

/*
 * Call each(arg, producer) with the DW_AT_producer of every compilation unit of the ELF file at
 * `path`, in the file's order (GCC records its flags there with -g: "GNU C17 12.2.0 -O2 -g"). A
 * file without DWARF calls nothing and is not an error; a file that cannot be opened is an error
 * naming it (class PB_EXIT_USAGE). Returns 0 or -1.
 */
int pb_dwarf_producers(const char *path, void (*each)(void *arg, const char *producer), void *arg);

#endif
