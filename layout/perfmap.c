/* perfmap.c: /tmp/perf-PID.map files (JIT code named for perf), parsed defensively and looked up by address. */
#include "layout/perfmap.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

/* A lookup looks at most this many entries below the address for one that holds it. */
#define MAX_SCAN 1024

/* A hexadecimal number (optional 0x) of 1..16 digits at *p, then at least one blank. */
static bool parse_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0, d;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (++digits > 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (digits == 0 || s == end || (*s != ' ' && *s != '\t'))
		return false;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*p = s;
	*out = v;
	return true;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct pb_perfmap_entry *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void pb_perfmap_parse(struct pb_perfmap *m, const char *text, size_t len)
{
	const char *line, *end, *nl, *p, *name_end;
	size_t cap = 0, used = 0;
	uint64_t start, size;

	memset(m, 0, sizeof(*m));
	if (len > PB_PERFMAP_MAX_BYTES) {
		len = PB_PERFMAP_MAX_BYTES;
		m->cut = 1;
	}
	/* Names are copied NUL-terminated into one block no larger than the input. */
	m->text = pb_xmalloc(len + 1);
	end = text + len;
	for (line = text; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		p = line;
		name_end = nl;
		while (name_end > p && (name_end[-1] == '\r' || name_end[-1] == ' ' || name_end[-1] == '\t'))
			name_end--;
		if (name_end == line)
			continue; /* an empty line is not an error */
		if (!parse_hex(&p, name_end, &start) || !parse_hex(&p, name_end, &size) || p >= name_end ||
		    size == 0 || start + size < start || memchr(p, '\0', (size_t)(name_end - p))) {
			m->bad++;
			continue;
		}
		pb_xgrow((void **)&m->v, &cap, m->n + 1, sizeof(*m->v));
		memcpy(m->text + used, p, (size_t)(name_end - p));
		m->v[m->n] = (struct pb_perfmap_entry){ start, size, NULL, (uint32_t)m->n };
		/* Offsets for now: the block does not move, but names are set once it is full. */
		m->v[m->n].name = (const char *)(uintptr_t)used;
		used += (size_t)(name_end - p);
		m->text[used++] = '\0';
		if (size > m->max_size)
			m->max_size = size;
		m->n++;
	}
	for (size_t i = 0; i < m->n; i++)
		m->v[i].name = m->text + (uintptr_t)m->v[i].name;
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), cmp_entry);
}

int pb_perfmap_read(struct pb_perfmap *m, const char *path)
{
	struct pb_buf b = PB_BUF_INIT;
	ssize_t got;
	int fd, ret = -1;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pb_error_errno("cannot read the perf map %s", path);
	/* One byte past the bound tells a map that was cut from one that fits exactly. */
	while (b.len <= PB_PERFMAP_MAX_BYTES) {
		pb_buf_grow(&b, 1 << 16);
		got = read(fd, b.data + b.len, 1 << 16);
		if (got < 0) {
			pb_error_errno("cannot read the perf map %s", path);
			goto out;
		}
		if (got == 0)
			break;
		b.len += (size_t)got;
	}
	pb_perfmap_parse(m, b.data ? b.data : "", b.len);
	ret = 0;
out:
	close(fd);
	pb_buf_release(&b);
	return ret;
}

const char *pb_perfmap_lookup(const struct pb_perfmap *m, uint64_t addr)
{
	const struct pb_perfmap_entry *best = NULL, *e;
	size_t lo = 0, hi = m->n, steps;

	/* lo = the number of entries starting at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (steps = 0; lo > 0 && steps < MAX_SCAN; steps++) {
		e = &m->v[--lo];
		if (addr - e->start >= m->max_size)
			break; /* no entry this far below can reach addr */
		if (addr - e->start < e->size && (!best || e->seq > best->seq))
			best = e;
	}
	return best ? best->name : NULL;
}

void pb_perfmap_release(struct pb_perfmap *m)
{
	free(m->v);
	free(m->text);
	memset(m, 0, sizeof(*m));
}
