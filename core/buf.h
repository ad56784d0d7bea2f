/* buf.h: a growable, always NUL-terminated byte buffer (the project's string type). */
#ifndef PB_CORE_BUF_H
#define PB_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/error.h"

struct pb_buf {
	char *data; /* NUL-terminated; never NULL once initialised (points at "" when empty) */
	size_t len;
	size_t cap; /* 0 while data points at the shared empty string */
};

extern char pb_buf_empty[];
#define PB_BUF_INIT { pb_buf_empty, 0, 0 }

/*
 * Memory: every allocation in the project goes through these. On exhaustion they abort():
 * there is no useful recovery from a failed small allocation in a command-line tool.
 */
void *pb_xmalloc(size_t n);
void *pb_xcalloc(size_t n, size_t size);
void *pb_xrealloc(void *p, size_t n);
/* Grow an array *p of *cap elements of `size` bytes to hold at least `need`. */
void pb_xgrow(void **p, size_t *cap, size_t need, size_t size);
char *pb_xstrdup(const char *s);
char *pb_xstrndup(const char *s, size_t n);
/* A newly allocated formatted string; caller frees. */
char *pb_xasprintf(const char *fmt, ...) PB_PRINTF(1, 2);

void pb_buf_init(struct pb_buf *b);
/* Free the buffer's memory and leave it empty and reusable. */
void pb_buf_release(struct pb_buf *b);
/* Make room for `extra` more bytes (plus the NUL). */
void pb_buf_grow(struct pb_buf *b, size_t extra);
void pb_buf_reset(struct pb_buf *b);
/* Cut to `len` bytes (len <= b->len). */
void pb_buf_truncate(struct pb_buf *b, size_t len);
void pb_buf_add(struct pb_buf *b, const void *data, size_t len);
void pb_buf_puts(struct pb_buf *b, const char *s);
void pb_buf_putc(struct pb_buf *b, char c);
void pb_buf_printf(struct pb_buf *b, const char *fmt, ...) PB_PRINTF(2, 3);
void pb_buf_vprintf(struct pb_buf *b, const char *fmt, va_list ap) PB_PRINTF(2, 0);
/* Hand the string to the caller (who frees it) and leave the buffer empty. */
char *pb_buf_detach(struct pb_buf *b);

/* Read a whole file into b (appending). Returns 0, or -1 with an error naming the path. */
int pb_buf_read_file(struct pb_buf *b, const char *path);

#endif
