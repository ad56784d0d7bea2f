/* toolchain.c: the DWARF reader of layout/ (libdw): compilers from .comment, flags from DW_AT_producer. */
#include "layout/toolchain.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

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

/* The .comment section: NUL-separated strings. */
static char *comment_of(Elf *elf)
{
	struct pb_buf b = PB_BUF_INIT;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx, n = 0, dropped = 0, i, start;
	Elf_Data *d;
	const char *name, *s;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".comment") != 0)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		s = d->d_buf;
		for (i = start = 0; i <= d->d_size; i++)
			if (i == d->d_size || s[i] == '\0') {
				add_distinct(&b, &n, 8, &dropped, s + start, i - start);
				start = i + 1;
			}
	}
	return finish(&b, dropped);
}

/* The compilation units' producers, assemblers' left out. */
static char *producers_of(Elf *elf)
{
	struct pb_buf b = PB_BUF_INIT;
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	Dwarf_Off off = 0, next;
	size_t hsize, n = 0, dropped = 0;
	Dwarf_Die die;
	Dwarf_Attribute at;
	const char *p;

	if (!dw)
		return NULL;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, &die) &&
		    dwarf_attr(&die, DW_AT_producer, &at) && (p = dwarf_formstring(&at)) &&
		    strncmp(p, "GNU AS", 6) != 0)
			add_distinct(&b, &n, PB_TOOLCHAIN_MAX_PRODUCERS, &dropped, p, strlen(p));
		off = next;
	}
	dwarf_end(dw);
	return finish(&b, dropped);
}

int pb_toolchain_read(const char *path, struct pb_toolchain *out)
{
	Elf *elf = NULL;
	int fd, ret = -1;

	memset(out, 0, sizeof(*out));
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pb_error_errno("cannot open %s to read its toolchain", path);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		pb_error("%s: not an ELF file", path);
		goto out;
	}
	out->compiler = comment_of(elf);
	out->producer = producers_of(elf);
	ret = 0;
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

void pb_toolchain_release(struct pb_toolchain *t)
{
	free(t->compiler);
	free(t->producer);
	t->compiler = t->producer = NULL;
}
