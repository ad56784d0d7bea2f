/* toolchain.c: what built a binary: compilers from .comment (layout/elf.c), flags from DW_AT_producer (layout/dwarf.c). */
#include "layout/toolchain.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "layout/dwarf.h"
#include "layout/elf.h"

/* Append s to the "; "-joined list in *b unless it is there already; counts what was left out. */
static void add_distinct(struct pb_buf *b, size_t *n, size_t max, size_t *dropped, const char *s,
			 size_t len)
{
	const char *p = b->len ? b->data : NULL;

	if (len == 0)
		return;
	/* Already listed (a whole entry)? */
	while (p && *p) {
		const char *end = strstr(p, "; ");
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (l == len && memcmp(p, s, len) == 0)
			return;
		if (!end)
			break;
		p = end + 2;
	}
	if (*n >= max) {
		(*dropped)++;
		return;
	}
	if (b->len)
		pb_buf_puts(b, "; ");
	pb_buf_printf(b, "%.*s", (int)len, s);
	(*n)++;
}

static char *finish(struct pb_buf *b, size_t dropped)
{
	if (!b->len) {
		pb_buf_release(b);
		return NULL;
	}
	if (dropped)
		pb_buf_printf(b, " (and %zu more)", dropped);
	return pb_buf_detach(b);
}

/* The .comment section's NUL-separated strings. */
static char *comment_of(const struct pb_elf *e)
{
	struct pb_buf b = PB_BUF_INIT;
	size_t n = 0, dropped = 0, i, start;
	const char *s = e->comment;

	for (i = start = 0; s && i <= e->comment_len; i++)
		if (i == e->comment_len || s[i] == '\0') {
			add_distinct(&b, &n, 8, &dropped, s + start, i - start);
			start = i + 1;
		}
	return finish(&b, dropped);
}

/* The distinct producers so far, for pb_dwarf_producers(). */
struct producers {
	struct pb_buf b;
	size_t n, dropped;
};

/* One compilation unit's producer; assemblers' left out. */
static void add_producer(void *arg, const char *p)
{
	struct producers *pr = arg;

	if (strncmp(p, "GNU AS", 6) != 0)
		add_distinct(&pr->b, &pr->n, PB_TOOLCHAIN_MAX_PRODUCERS, &pr->dropped, p, strlen(p));
}

int pb_toolchain_read(const char *path, struct pb_toolchain *out)
{
	struct producers pr = { PB_BUF_INIT, 0, 0 };
	struct pb_elf *e = NULL;

	memset(out, 0, sizeof(*out));
	if (pb_elf_open_quiet(&e, path))
		return -1;
	out->compiler = comment_of(e);
	pb_elf_free(e);
	if (pb_dwarf_producers(path, add_producer, &pr)) {
		pb_buf_release(&pr.b);
		return -1;
	}
	out->producer = finish(&pr.b, pr.dropped);
	return 0;
}

void pb_toolchain_release(struct pb_toolchain *t)
{
	free(t->compiler);
	free(t->producer);
	t->compiler = t->producer = NULL;
}
