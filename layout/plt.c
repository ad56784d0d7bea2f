/* plt.c: PLT stubs named name@plt: each stub's indirect jump decoded to its GOT slot, the slot's relocation to its symbol. */
#include "layout/plt.h"

#include <elf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

struct slot {
	uint64_t got;      /* the GOT slot's address (r_offset) */
	const char *name;  /* its symbol's name in .dynstr */
};

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int cmp_slot(const void *pa, const void *pb)
{
	const struct slot *a = pa, *b = pb;

	return a->got < b->got ? -1 : a->got > b->got;
}

static int cmp_stub(const void *pa, const void *pb)
{
	const struct pb_plt_stub *a = pa, *b = pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* The GOT slots that .rela.plt (JUMP_SLOT) and .rela.dyn (GLOB_DAT) fill with a named symbol. */
static void read_slots(const struct pb_elf *e, struct slot **out, size_t *n_out)
{
	const unsigned char *syms = NULL, *str = NULL, *rel;
	size_t n_syms = 0, str_len = 0, len, i, k, cap = 0, n = 0;
	struct slot *v = NULL;

	for (i = 1; i < e->n_sections; i++) {
		if (e->sections[i].type == SHT_DYNSYM)
			syms = pb_elf_section_raw(e, i, &n_syms);
		else if (strcmp(e->sections[i].name, ".dynstr") == 0)
			str = pb_elf_section_raw(e, i, &str_len);
	}
	n_syms /= sizeof(Elf64_Sym);
	if (!syms || !str || str_len == 0 || str[str_len - 1] != '\0')
		goto out;
	for (i = 1; i < e->n_sections; i++) {
		if (e->sections[i].type != SHT_RELA || !e->sections[i].alloc)
			continue;
		rel = pb_elf_section_raw(e, i, &len);
		for (k = 0; rel && k + sizeof(Elf64_Rela) <= len; k += sizeof(Elf64_Rela)) {
			uint64_t info = le64(rel + k + 8), sym = info >> 32;
			uint32_t type = (uint32_t)info, name;

			if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) || sym == 0 ||
			    sym >= n_syms)
				continue;
			name = le32(syms + sym * sizeof(Elf64_Sym));
			if (name == 0 || name >= str_len)
				continue;
			pb_xgrow((void **)&v, &cap, n + 1, sizeof(*v));
			v[n++] = (struct slot){ le64(rel + k), (const char *)str + name };
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_slot);
out:
	*out = v;
	*n_out = n;
}

static const struct slot *slot_at(const struct slot *v, size_t n, uint64_t got)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].got == got)
			return &v[mid];
		if (v[mid].got < got)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool is_plt(const char *name)
{
	return strcmp(name, ".plt") == 0 || strcmp(name, ".plt.sec") == 0 ||
	       strcmp(name, ".plt.got") == 0 || strcmp(name, ".plt.bnd") == 0;
}

static const unsigned char endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

void pb_plt_read(struct pb_plt *out, const struct pb_elf *e)
{
	struct slot *slots = NULL;
	size_t n_slots = 0, cap = 0, i, len, o, start, first;
	const unsigned char *code;
	const struct slot *sl;
	const struct pb_elf_section *s;
	uint64_t target;
	int32_t disp;

	memset(out, 0, sizeof(*out));
	if (e->machine != EM_X86_64 || !e->is64 || e->big_endian)
		return;
	read_slots(e, &slots, &n_slots);
	for (i = 1; i < e->n_sections && n_slots; i++) {
		s = &e->sections[i];
		if (!s->exec || !is_plt(s->name) || !(code = pb_elf_section_raw(e, i, &len)))
			continue;
		first = out->n;
		/*
		 * Stubs are 8 or 16 bytes, aligned; the jump sits at the start, after a bnd prefix
		 * (f2), an endbr64, or both: only those places are tried, so bytes inside other
		 * instructions are not read as a jump.
		 */
		for (o = 0; o + 6 <= len; o++) {
			if (o % 8 != 0 && o % 8 != 1 && o % 8 != 4 && o % 8 != 5)
				continue;
			if (code[o] != 0xff || code[o + 1] != 0x25)
				continue;
			memcpy(&disp, code + o + 2, 4);
			target = s->addr + o + 6 + (uint64_t)(int64_t)disp;
			sl = slot_at(slots, n_slots, target);
			if (!sl)
				continue;
			start = o;
			if (start >= 1 && code[start - 1] == 0xf2)
				start--;
			if (start >= 4 && memcmp(code + start - 4, endbr64, 4) == 0)
				start -= 4;
			pb_xgrow((void **)&out->v, &cap, out->n + 1, sizeof(*out->v));
			out->v[out->n++] = (struct pb_plt_stub){ s->addr + start, 0,
								 pb_xasprintf("%s@plt", sl->name) };
			o += 5;
		}
		/* Each stub runs to the next one in its section, the last to the section's end. */
		for (size_t k = first; k < out->n; k++)
			out->v[k].size = (k + 1 < out->n ? out->v[k + 1].addr : s->addr + len) - out->v[k].addr;
	}
	free(slots);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_stub);
}

const struct pb_plt_stub *pb_plt_at(const struct pb_plt *p, uint64_t addr)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr - p->v[lo - 1].addr >= p->v[lo - 1].size)
		return NULL;
	return &p->v[lo - 1];
}

void pb_plt_release(struct pb_plt *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].name);
	free(p->v);
	memset(p, 0, sizeof(*p));
}
