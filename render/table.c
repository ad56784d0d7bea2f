/* table.c: aligned text and GFM markdown tables. */
#include "render/table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct pb_table {
	size_t ncols;
	char **cells; /* row-major; the first ncols are the headers */
	size_t n, cap;
	bool *right;
};

struct pb_table *pb_table_new(size_t ncols, const char *const *headers)
{
	struct pb_table *t = pb_xcalloc(1, sizeof(*t));
	size_t i;

	t->ncols = ncols;
	t->right = pb_xcalloc(ncols, sizeof(*t->right));
	for (i = 0; i < ncols; i++)
		pb_table_cell(t, headers[i]);
	return t;
}

void pb_table_free(struct pb_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
	free(t);
}

void pb_table_align_right(struct pb_table *t, size_t col)
{
	if (col < t->ncols)
		t->right[col] = true;
}

void pb_table_cell(struct pb_table *t, const char *text)
{
	pb_xgrow((void **)&t->cells, &t->cap, t->n + 1, sizeof(*t->cells));
	t->cells[t->n++] = pb_xstrdup(text ? text : "");
}

void pb_table_cellf(struct pb_table *t, const char *fmt, ...)
{
	struct pb_buf b = PB_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	pb_xgrow((void **)&t->cells, &t->cap, t->n + 1, sizeof(*t->cells));
	t->cells[t->n++] = pb_buf_detach(&b);
}

size_t pb_table_rows(const struct pb_table *t)
{
	return (t->n + t->ncols - 1) / t->ncols - 1;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static const char *cell(const struct pb_table *t, size_t r, size_t c)
{
	size_t i = r * t->ncols + c;

	return i < t->n ? t->cells[i] : "";
}

void pb_table_render_text(const struct pb_table *t, struct pb_buf *out)
{
	size_t rows = pb_table_rows(t) + 1, r, c, w, pad, *widths = pb_xcalloc(t->ncols, sizeof(size_t));

	for (r = 0; r < rows; r++)
		for (c = 0; c < t->ncols; c++)
			if ((w = width(cell(t, r, c))) > widths[c])
				widths[c] = w;
	for (r = 0; r < rows; r++) {
		size_t start = out->len;

		for (c = 0; c < t->ncols; c++) {
			const char *s = cell(t, r, c);

			pad = widths[c] - width(s);
			if (c)
				pb_buf_puts(out, "  ");
			if (t->right[c])
				pb_buf_printf(out, "%*s", (int)pad, "");
			pb_buf_puts(out, s);
			if (!t->right[c] && c + 1 < t->ncols)
				pb_buf_printf(out, "%*s", (int)pad, "");
		}
		while (out->len > start && out->data[out->len - 1] == ' ')
			pb_buf_truncate(out, out->len - 1);
		pb_buf_putc(out, '\n');
	}
	free(widths);
}

static void md_cell(struct pb_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			pb_buf_puts(out, "\\|");
		else if (*s == '\n')
			pb_buf_putc(out, ' ');
		else
			pb_buf_putc(out, *s);
	}
}

void pb_table_render_markdown(const struct pb_table *t, struct pb_buf *out)
{
	size_t rows = pb_table_rows(t) + 1, r, c;

	for (r = 0; r < rows; r++) {
		pb_buf_putc(out, '|');
		for (c = 0; c < t->ncols; c++) {
			pb_buf_putc(out, ' ');
			md_cell(out, cell(t, r, c));
			pb_buf_puts(out, " |");
		}
		pb_buf_putc(out, '\n');
		if (r == 0) {
			pb_buf_putc(out, '|');
			for (c = 0; c < t->ncols; c++)
				pb_buf_puts(out, t->right[c] ? " ---: |" : " --- |");
			pb_buf_putc(out, '\n');
		}
	}
}
