/* table.h: tables of text rendered aligned for a terminal or as GitHub-flavoured markdown. */
#ifndef PB_RENDER_TABLE_H
#define PB_RENDER_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

struct pb_table;

/* A table with `ncols` columns and these headers (copied). Free with pb_table_free(). */
struct pb_table *pb_table_new(size_t ncols, const char *const *headers);
void pb_table_free(struct pb_table *t); /* accepts NULL */

/* Right-align column `col` (numbers). */
void pb_table_align_right(struct pb_table *t, size_t col);

/* Append one cell to the current row (a new row starts after the last column's cell). */
void pb_table_cell(struct pb_table *t, const char *text);
void pb_table_cellf(struct pb_table *t, const char *fmt, ...) PB_PRINTF(2, 3);

size_t pb_table_rows(const struct pb_table *t);

/* Columns separated by two spaces, headers first, every line ending in '\n'. */
void pb_table_render_text(const struct pb_table *t, struct pb_buf *out);
/* A GFM table: header row, delimiter row (with :-alignment), cells with '|' escaped. */
void pb_table_render_markdown(const struct pb_table *t, struct pb_buf *out);

#endif
