/* symbolize.c: file offset → address (PT_LOAD) → function symbol, with the ELF reader, objects cached by path. */
#include "layout/symbolize.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "layout/elf.h"

struct object {
	char *path;
	struct pb_elf *elf; /* NULL when it could not be read */
};

struct pb_symbolizer {
	struct object *obj;
	size_t n, cap;
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
	}
	free(s->obj);
	free(s);
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
		o->path = pb_xstrdup(path);
		if (pb_elf_open_quiet(&o->elf, path)) {
			pb_warn("cannot read the symbols of %s (%s): its samples are counted for the "
				"object as a whole", path, pb_error_message());
			pb_error_clear();
			o->elf = NULL;
		}
	}
	s->last_path = path;
	s->last = i;
	return &s->obj[i];
}

const char *pb_symbolize(struct pb_symbolizer *s, const char *path, uint64_t off)
{
	const struct object *o = object_of(s, path);
	const struct pb_elf_sym *sym;
	uint64_t addr;

	if (!o->elf || pb_elf_offset_addr(o->elf, off, &addr))
		return NULL;
	sym = pb_elf_sym_at(o->elf, addr);
	/* Only inside a function: past its end lies code no symbol names (or padding). */
	if (!sym || !sym->func || (addr - sym->addr >= sym->size && addr != sym->addr))
		return NULL;
	return sym->name;
}
