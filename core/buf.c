/* buf.c: growable strings and the project's checked allocation. */
#include "core/buf.h"

#include "core/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char pb_buf_empty[1];

static void oom(size_t n)
{
	fprintf(stderr, "placebisect: out of memory allocating %zu bytes\n", n);
	abort();
}

void *pb_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *pb_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *pb_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

void pb_xgrow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > (size_t)-1 / 2 / size)
			oom((size_t)-1);
		ncap *= 2;
	}
	*p = pb_xrealloc(*p, ncap * size);
	*cap = ncap;
}

char *pb_xstrdup(const char *s)
{
	return pb_xstrndup(s, strlen(s));
}

char *pb_xstrndup(const char *s, size_t n)
{
	char *p = pb_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pb_xasprintf(const char *fmt, ...)
{
	struct pb_buf b = PB_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return pb_buf_detach(&b);
}

void pb_buf_init(struct pb_buf *b)
{
	b->data = pb_buf_empty;
	b->len = 0;
	b->cap = 0;
}

void pb_buf_release(struct pb_buf *b)
{
	if (b->cap)
		free(b->data);
	pb_buf_init(b);
}

void pb_buf_grow(struct pb_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need < b->len)
		oom((size_t)-1);
	if (need <= b->cap)
		return;
	if (!b->cap)
		b->data = NULL;
	pb_xgrow((void **)&b->data, &b->cap, need, 1);
	if (b->len == 0)
		b->data[0] = '\0';
}

void pb_buf_reset(struct pb_buf *b)
{
	pb_buf_truncate(b, 0);
}

void pb_buf_truncate(struct pb_buf *b, size_t len)
{
	if (!b->cap)
		return;
	b->len = len;
	b->data[len] = '\0';
}

void pb_buf_add(struct pb_buf *b, const void *data, size_t len)
{
	pb_buf_grow(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void pb_buf_puts(struct pb_buf *b, const char *s)
{
	pb_buf_add(b, s, strlen(s));
}

void pb_buf_putc(struct pb_buf *b, char c)
{
	pb_buf_add(b, &c, 1);
}

void pb_buf_vprintf(struct pb_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	pb_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		pb_buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void pb_buf_printf(struct pb_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pb_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *pb_buf_detach(struct pb_buf *b)
{
	char *s = b->cap ? b->data : pb_xstrdup("");

	pb_buf_init(b);
	return s;
}

int pb_buf_read_file(struct pb_buf *b, const char *path)
{
	long long size = 0;
	ssize_t n;
	int fd = pb_input_open(path, &size);

	/* A missing or unreadable input is the user's to fix: an input error, not the environment. */
	if (fd < 0)
		return -1;
	/* One allocation for the whole file (files in /proc say 0: they grow as they are read). */
	pb_buf_grow(b, size > 0 ? (size_t)size + 1 : 4096);
	for (;;) {
		/* Full (the usual end): a small read tells EOF before the buffer doubles for nothing. */
		if (b->cap - b->len - 1 == 0) {
			char probe[4096];

			n = read(fd, probe, sizeof(probe));
			if (n > 0)
				pb_buf_add(b, probe, (size_t)n);
		} else {
			n = read(fd, b->data + b->len, b->cap - b->len - 1);
			if (n > 0)
				b->len += (size_t)n;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pb_error("cannot read %s: %s", path, strerror(errno));
			b->data[b->len] = '\0';
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
	}
	b->data[b->len] = '\0';
	close(fd);
	return 0;
}
