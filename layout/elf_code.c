/* elf_code.c: the code of an ELF file read on demand through small windows, and the .text hash. */
#include "layout/elf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"

/* A piece of the file's code sections, kept for pb_elf_func_code_window(). */
struct pb_elf_window {
	uint64_t start, end; /* file offsets; end == start when empty */
	unsigned char *buf;
	size_t cap;
	uint64_t used;       /* pb_elf.window_tick at the last use: the smallest is replaced */
};

/*
 * The .text hash: 8 bytes at a time (FNV-1a byte by byte costs more than the rest of reading a
 * big binary's symbols). Only equality matters: equal contents give equal hashes.
 */
static uint64_t hash_words(uint64_t h, const unsigned char *p, size_t n, size_t *done)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	*done = i;
	return h;
}

static uint64_t hash_text(const unsigned char *p, size_t n)
{
	size_t i;
	uint64_t h = hash_words(PB_HASH64_SEED ^ n, p, n, &i);

	return pb_hash64(p + i, n - i, h);
}

/* Read exactly n bytes at off. Returns 0, or -1 with errno set (EIO for a short file). */
static int read_at(int fd, unsigned char *buf, size_t n, uint64_t off)
{
	ssize_t got;

	while (n) {
		got = pread(fd, buf, n, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			return -1;
		}
		buf += got, n -= (size_t)got, off += (uint64_t)got;
	}
	return 0;
}

static void warn_unreadable(const struct pb_elf *e, struct pb_elf_section *s, const char *why)
{
	pb_warn("%s: cannot read section '%s' (was the file rewritten?): %s; its functions "
		"compare as empty", e->path, s->name, why);
	s->load_failed = true;
}

/*
 * Hash n bytes of section s (a .text not read whole) at its hash cursor: whole 8-byte words only,
 * but for the last bytes of the section, which end the hash.
 */
static void hash_feed(struct pb_elf_section *s, const unsigned char *p, size_t n)
{
	size_t done;

	s->hash_state = hash_words(s->hash_state, p, n, &done);
	if (done < n && s->hashed + n == s->size)
		s->hash_state = pb_hash64(p + done, n - done, s->hash_state);
	else
		n = done;
	s->hashed += n;
}

/*
 * Move the hash cursor of s up to section offset `to`, reading the bytes 1 MiB at a time (to is
 * the section size: hash the rest). Returns 0, or -1 (warned) when the file cannot be read.
 */
static int hash_upto(const struct pb_elf *e, struct pb_elf_section *s, uint64_t to)
{
	enum { CHUNK = 1u << 20 };
	unsigned char *buf;
	size_t n;

	if (s->hashed >= to)
		return 0;
	buf = pb_xmalloc(CHUNK);
	while (s->hashed < to) {
		n = to - s->hashed < CHUNK ? (size_t)(to - s->hashed) : CHUNK;
		if (read_at(e->fd, buf, n, s->offset + s->hashed)) {
			warn_unreadable(e, s, strerror(errno));
			free(buf);
			return -1;
		}
		hash_feed(s, buf, n);
		if (n < 8 && s->hashed < to) /* a stub of a word before `to`: the next window has it */
			break;
	}
	free(buf);
	return 0;
}

/* A gap up to this far past the hash cursor is read and hashed at once. */
#define HASH_GAP_MAX (1u << 20)

/*
 * A window [start, stop) of .text was read into buf: hash what it holds past the cursor, after
 * the gap before it when there is one (so .text is read about once, and never held whole).
 * A window far past the cursor right after windows near it is taken for a lone function asked
 * for out of order (one that moved far between two builds) and left unhashed: the windows
 * after it usually come back and go on in order, and reading the gap now would read it twice.
 * A second far window in a row means the gap was real: it is read and hashed then.
 */
static int hash_window(const struct pb_elf *e, struct pb_elf_section *s, const unsigned char *buf,
		       uint64_t start, uint64_t stop)
{
	uint64_t rs = start - s->offset, re = stop - s->offset;

	if (rs > s->hashed && rs - s->hashed > HASH_GAP_MAX && !s->hash_skipped) {
		s->hash_skipped = true;
		return 0;
	}
	s->hash_skipped = false;
	if (rs > s->hashed && hash_upto(e, s, rs & ~(uint64_t)7))
		return -1;
	if (re > s->hashed && s->hashed >= rs)
		hash_feed(s, buf + (s->hashed - rs), (size_t)(re - s->hashed));
	return 0;
}

void pb_elf_code_release(struct pb_elf *e)
{
	size_t i;

	for (i = 0; e->windows && i < PB_ELF_CODE_WINDOWS; i++)
		free(e->windows[i].buf);
	free(e->windows);
	e->windows = NULL;
}

uint64_t pb_elf_text_hash(const struct pb_elf *e)
{
	const struct pb_elf_section *text = pb_elf_section_by_name(e, ".text");
	struct pb_elf_section *s;

	if (!text || !text->has_code)
		return 0;
	s = &e->sections[text - e->sections];
	if (s->data)
		return hash_text(s->data, s->size);
	/* Not read whole: hashed as the code windows went by, the rest streamed now, none held. */
	if (s->load_failed || hash_upto(e, s, s->size))
		return 0;
	return s->hash_state;
}

const unsigned char *pb_elf_func_code_window(const struct pb_elf *e, const struct pb_elf_sym *f,
					     size_t *len)
{
	static const unsigned char empty[1];
	struct pb_elf *me = (struct pb_elf *)e;
	struct pb_elf_section *s;
	struct pb_elf_window *w, *lru;
	uint64_t off, end, start, stop, sec_end;
	size_t i;

	*len = 0;
	if (f->section == PB_ELF_NO_SECTION || f->section >= e->n_sections)
		return NULL;
	s = &e->sections[f->section];
	/*
	 * Read whole already, or nothing to read; or functions asked for so far out of address order
	 * that the windows read twice what the section holds: then reading it once is cheaper.
	 */
	if (s->data || !s->has_code || s->load_failed || s->window_bytes / 2 > s->size)
		return pb_elf_func_code(e, f, len);
	if (!f->size)
		return empty;
	/* Bounds were checked when the symbol was read: [off, end) lies inside the section. */
	off = s->offset + (f->addr - s->addr);
	end = off + f->size;
	if (!me->windows)
		me->windows = pb_xcalloc(PB_ELF_CODE_WINDOWS, sizeof(*me->windows));
	lru = &me->windows[0];
	for (i = 0; i < PB_ELF_CODE_WINDOWS; i++) {
		w = &me->windows[i];
		if (w->buf && off >= w->start && end <= w->end) {
			w->used = ++me->window_tick;
			*len = (size_t)f->size;
			return w->buf + (off - w->start);
		}
		if (w->used < lru->used)
			lru = w;
	}
	/* A miss: from the function's page on, a window's worth (more for a big function). */
	sec_end = s->offset + s->size;
	start = off & ~(uint64_t)4095;
	if (start < s->offset)
		start = s->offset;
	stop = start + PB_ELF_CODE_WINDOW_SIZE;
	if (stop > sec_end)
		stop = sec_end;
	if (stop < end)
		stop = end;
	if (lru->cap < stop - start) {
		free(lru->buf);
		lru->cap = (size_t)(stop - start);
		lru->buf = pb_xmalloc(lru->cap);
	}
	lru->start = lru->end = 0;
	s->window_bytes += stop - start;
	if (read_at(e->fd, lru->buf, (size_t)(stop - start), start)) {
		warn_unreadable(e, s, strerror(errno));
		return NULL;
	}
	lru->start = start;
	lru->end = stop;
	lru->used = ++me->window_tick;
	if (f->section == e->text_idx && hash_window(e, s, lru->buf, start, stop)) {
		lru->start = lru->end = 0;
		return NULL;
	}
	*len = (size_t)f->size;
	return lru->buf + (off - start);
}
