/* dwarf.c: the DWARF line table and the units' producers through libdw (elfutils); the one file that includes libdw. */
#include "layout/dwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "layout/debugfile.h"
#include "layout/elf.h"

struct row {
	uint64_t addr;
	uint32_t file; /* index into files[] */
	uint32_t line;
	bool end;      /* end of a sequence: no code from here on */
	uint32_t seq;  /* order read, so that of rows at one address the last one wins */
};

struct pb_dwarf_lines {
	struct row *rows;
	size_t n, cap;
	char **files;
	size_t n_files, cap_files;
};

/* The index of `name` in t->files, added when new (a CU names few files: a linear scan of the CU's own). */
static uint32_t file_index(struct pb_dwarf_lines *t, const char *name, size_t from)
{
	size_t i;

	for (i = from; i < t->n_files; i++)
		if (strcmp(t->files[i], name) == 0)
			return (uint32_t)i;
	pb_xgrow((void **)&t->files, &t->cap_files, t->n_files + 1, sizeof(*t->files));
	t->files[t->n_files] = pb_xstrdup(name);
	return (uint32_t)t->n_files++;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* One sequence's end and the next one's start at one address: the start wins (sorts last). */
	if (x->end != y->end)
		return x->end ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Add the rows of one compilation unit's line program to the table `arg`. */
static void read_cu(void *arg, Dwarf_Die *cu)
{
	struct pb_dwarf_lines *t = arg;
	Dwarf_Lines *lines;
	Dwarf_Line *l;
	Dwarf_Addr addr;
	const char *src;
	size_t n, i, first_file = t->n_files;
	int lineno;
	bool end;
	struct row *r;

	if (dwarf_getsrclines(cu, &lines, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		l = dwarf_onesrcline(lines, i);
		if (!l || dwarf_lineaddr(l, &addr) != 0 || dwarf_lineno(l, &lineno) != 0 ||
		    dwarf_lineendsequence(l, &end) != 0)
			continue;
		src = dwarf_linesrc(l, NULL, NULL);
		pb_xgrow((void **)&t->rows, &t->cap, t->n + 1, sizeof(*t->rows));
		r = &t->rows[t->n];
		r->addr = addr;
		r->file = file_index(t, src ? src : "??", first_file);
		r->line = lineno > 0 ? (uint32_t)lineno : 0;
		r->end = end;
		r->seq = (uint32_t)t->n;
		t->n++;
	}
}

/*
 * Call each(arg, cu) for every compilation unit of the ELF file at `path`. A file without DWARF
 * has none; a file that cannot be opened is an error naming it (class PB_EXIT_USAGE). 0 or -1.
 */
static int each_cu(const char *path, void (*each)(void *arg, Dwarf_Die *cu), void *arg)
{
	Dwarf_Off off = 0, next;
	Dwarf_Die cu;
	size_t hsize;
	Dwarf *dw;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pb_error_as(PB_EXIT_USAGE, "%s: cannot open: %s", path, strerror(errno));
	dw = dwarf_begin(fd, DWARF_C_READ);
	if (dw) {
		while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
			if (dwarf_offdie(dw, off + hsize, &cu))
				each(arg, &cu);
			off = next;
		}
		dwarf_end(dw);
	}
	close(fd);
	return 0;
}

/* A stripped file's line table is in its separate debug file (layout/debugfile.h), when there is one. */
static void read_debug_file(struct pb_dwarf_lines *t, const char *path)
{
	struct pb_elf *e = NULL;
	char *debug = NULL;

	if (pb_elf_open_quiet(&e, path) == 0 && (debug = pb_debugfile_find(e)))
		each_cu(debug, read_cu, t);
	pb_error_clear();
	pb_elf_free(e);
	free(debug);
}

int pb_dwarf_lines_open(struct pb_dwarf_lines **out, const char *path)
{
	struct pb_dwarf_lines *t = pb_xcalloc(1, sizeof(*t));

	*out = NULL;
	if (each_cu(path, read_cu, t)) {
		pb_dwarf_lines_free(t);
		return -1;
	}
	if (t->n == 0)
		read_debug_file(t, path);
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof(*t->rows), cmp_row);
	*out = t;
	return 0;
}

void pb_dwarf_lines_free(struct pb_dwarf_lines *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_files; i++)
		free(t->files[i]);
	free(t->files);
	free(t->rows);
	free(t);
}

size_t pb_dwarf_lines_count(const struct pb_dwarf_lines *t)
{
	return t ? t->n : 0;
}

const char *pb_dwarf_line_at(const struct pb_dwarf_lines *t, uint64_t addr, unsigned *line)
{
	size_t lo = 0, hi, mid;
	const struct row *r;

	*line = 0;
	if (!t || !t->n)
		return NULL;
	/* The last row at or below addr. */
	hi = t->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->rows[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	r = &t->rows[lo - 1];
	/* A sequence ending exactly here ends code below; another one may start at the same address. */
	if (r->end)
		return NULL;
	*line = r->line;
	return t->files[r->file];
}

/* What pb_dwarf_producers() passes each unit's producer to. */
struct producer_fn {
	void (*each)(void *arg, const char *producer);
	void *arg;
};

static void cu_producer(void *arg, Dwarf_Die *cu)
{
	struct producer_fn *p = arg;
	Dwarf_Attribute at;
	const char *s;

	if (dwarf_attr(cu, DW_AT_producer, &at) && (s = dwarf_formstring(&at)))
		p->each(p->arg, s);
}

int pb_dwarf_producers(const char *path, void (*each)(void *arg, const char *producer), void *arg)
{
	struct producer_fn p = { each, arg };

	return each_cu(path, cu_producer, &p);
}
