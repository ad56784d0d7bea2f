/* symbolize.c: file offset → address (PT_LOAD) → function symbol, with the ELF reader, objects cached by path. */
#include "layout/symbolize.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "layout/debugfile.h"
#include "layout/elf.h"
#include "layout/perfmap.h"
#include "layout/plt.h"

struct object {
	char *path;
	struct pb_elf *elf; /* NULL when it could not be read */
	struct pb_elf *dbg; /* its separate debug file's symbols, when elf is stripped and one is found */
	struct pb_plt plt;  /* its PLT stubs, read on the first address no function holds */
	bool plt_read;
};

struct jitmap {
	uint32_t pid;
	char *path;
	struct pb_perfmap map; /* empty when the process wrote none */
};

struct pb_symbolizer {
	struct object *obj;
	size_t n, cap;
	struct jitmap *jit;
	size_t n_jit, cap_jit;
	const char *last_path; /* the caller's pointer of the last lookup: the common case is a run */
	size_t last;
};

struct pb_symbolizer *pb_symbolizer_new(void)
{
	return pb_xcalloc(1, sizeof(struct pb_symbolizer));
}

void pb_symbolizer_free(struct pb_symbolizer *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->obj[i].path);
		pb_elf_free(s->obj[i].elf);
		pb_elf_free(s->obj[i].dbg);
		pb_plt_release(&s->obj[i].plt);
	}
	free(s->obj);
	for (i = 0; i < s->n_jit; i++) {
		free(s->jit[i].path);
		pb_perfmap_release(&s->jit[i].map);
	}
	free(s->jit);
	free(s);
}

/* A stripped object's symbols from its debug file (layout/debugfile.h), when there is one with a .symtab. */
static void open_debug(struct object *o)
{
	char *path;

	if (!o->elf || !o->elf->from_dynsym || !(path = pb_debugfile_find(o->elf)))
		return;
	if (pb_elf_open_quiet(&o->dbg, path) || o->dbg->from_dynsym) {
		pb_elf_free(o->dbg);
		o->dbg = NULL;
		pb_error_clear();
	}
	free(path);
}

static struct object *object_of(struct pb_symbolizer *s, const char *path)
{
	struct object *o;
	size_t i;

	if (path == s->last_path)
		return &s->obj[s->last];
	for (i = 0; i < s->n; i++)
		if (strcmp(s->obj[i].path, path) == 0)
			break;
	if (i == s->n) {
		pb_xgrow((void **)&s->obj, &s->cap, s->n + 1, sizeof(*s->obj));
		o = &s->obj[s->n++];
		memset(o, 0, sizeof(*o));
		o->path = pb_xstrdup(path);
		if (pb_elf_open_quiet(&o->elf, path)) {
			pb_warn("cannot read the symbols of %s (%s): its samples are counted for the "
				"object as a whole", path, pb_error_message());
			pb_error_clear();
			o->elf = NULL;
		}
		open_debug(o);
	}
	s->last_path = path;
	s->last = i;
	return &s->obj[i];
}

const char *pb_symbolize(struct pb_symbolizer *s, const char *path, uint64_t off)
{
	struct object *o = object_of(s, path);
	const struct pb_elf_sym *sym;
	const struct pb_plt_stub *stub;
	uint64_t addr;

	if (!o->elf || pb_elf_offset_addr(o->elf, off, &addr))
		return NULL;
	/* A debug file keeps the object's addresses: its .symtab names what .dynsym does not. */
	sym = o->dbg ? pb_elf_sym_at(o->dbg, addr) : NULL;
	if (sym && sym->func && (addr - sym->addr < sym->size || addr == sym->addr))
		return sym->name;
	sym = pb_elf_sym_at(o->elf, addr);
	/* Only inside a function: past its end lies code no symbol names (or padding). */
	if (sym && sym->func && (addr - sym->addr < sym->size || addr == sym->addr))
		return sym->name;
	if (!o->plt_read) {
		pb_plt_read(&o->plt, o->elf);
		o->plt_read = true;
	}
	stub = pb_plt_at(&o->plt, addr);
	return stub ? stub->name : NULL;
}

static struct jitmap *jitmap_of(struct pb_symbolizer *s, uint32_t pid)
{
	const char *dir = getenv("PB_PERF_MAP_DIR");
	struct jitmap *j;
	size_t i;

	for (i = 0; i < s->n_jit; i++)
		if (s->jit[i].pid == pid)
			return &s->jit[i];
	pb_xgrow((void **)&s->jit, &s->cap_jit, s->n_jit + 1, sizeof(*s->jit));
	j = &s->jit[s->n_jit++];
	memset(j, 0, sizeof(*j));
	j->pid = pid;
	j->path = pb_xasprintf("%s/perf-%u.map", dir && *dir ? dir : "/tmp", pid);
	/* Most processes write no map: its absence is not worth a word. */
	if (access(j->path, F_OK) != 0)
		return j;
	if (pb_perfmap_read(&j->map, j->path)) {
		pb_warn("%s", pb_error_message());
		pb_error_clear();
		return j;
	}
	if (j->map.bad)
		pb_note("%s: %zu malformed line%s skipped (expected 'START SIZE name', hexadecimal)",
			j->path, j->map.bad, j->map.bad == 1 ? "" : "s");
	if (j->map.cut)
		pb_note("%s: only its first %zu MiB were read", j->path, PB_PERFMAP_MAX_BYTES >> 20);
	return j;
}

const char *pb_symbolize_jit(struct pb_symbolizer *s, uint32_t pid, uint64_t addr, const char **map)
{
	const struct jitmap *j = jitmap_of(s, pid);
	const char *name = pb_perfmap_lookup(&j->map, addr);

	if (name && map)
		*map = j->path;
	return name;
}
