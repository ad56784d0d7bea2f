/* annotate.c: build the annotated listing of a binary's hot functions from per-instruction costs. */
#include "layout/annotate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

/* The function of e->funcs holding addr, or NULL. */
static const struct pb_elf_sym *func_at(const struct pb_elf *e, uint64_t addr)
{
	size_t lo = 0, hi = e->n_funcs, mid;
	const struct pb_elf_sym *f;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (e->funcs[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	f = &e->funcs[lo - 1];
	return addr - f->addr < (f->size ? f->size : 1) ? f : NULL;
}

/* The function called `name` (exactly, else without clone suffixes), or NULL. */
static const struct pb_elf_sym *func_named(const struct pb_elf *e, const char *name)
{
	size_t i, len;
	bool cold;

	for (i = 0; i < e->n_funcs; i++)
		if (strcmp(e->funcs[i].name, name) == 0)
			return &e->funcs[i];
	for (i = 0; i < e->n_funcs; i++) {
		len = pb_elf_base_name(e->funcs[i].name, &cold);
		if (!cold && len == strlen(name) && strncmp(e->funcs[i].name, name, len) == 0)
			return &e->funcs[i];
	}
	return NULL;
}

static int unknown_name(const struct pb_elf *e, const char *name)
{
	const char **names = pb_xcalloc(e->n_funcs ? e->n_funcs : 1, sizeof(*names));
	const char *near;
	size_t i;
	int ret;

	for (i = 0; i < e->n_funcs; i++)
		names[i] = e->funcs[i].name;
	near = pb_closest(name, names, e->n_funcs);
	if (near)
		ret = pb_error_as(PB_EXIT_USAGE, "annotate: %s has no function '%s' (did you mean '%s'?)",
				  e->path, name, near);
	else
		ret = pb_error_as(PB_EXIT_USAGE, "annotate: %s has no function '%s'", e->path, name);
	free(names);
	return ret;
}

struct fcost {
	const struct pb_elf_sym *f;
	uint64_t v, misses;
	bool pseudo; /* a hot region (a->pseudo), not a symbol */
};

static int cmp_fcost(const void *a, const void *b)
{
	const struct fcost *x = a, *y = b;

	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return x->f->addr < y->f->addr ? -1 : x->f->addr > y->f->addr;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Distinct values among v[0..n) (sorted in place). */
static uint64_t distinct(uint64_t *v, size_t n)
{
	size_t i, d = 0;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			d++;
	return d;
}

/* Costs, loops' sizes in lines and windows, and their source lines. */
static void finish_loops(struct pb_ann_func *fn, uint32_t line)
{
	uint64_t *lines = NULL, *wins = NULL;
	size_t cap_l = 0, cap_w = 0, nl, nw, i, k;
	struct pb_ann_loop *L;
	struct pb_ann_insn *x;
	int p;

	for (k = 0; k < fn->n_loops; k++) {
		L = &fn->loops[k];
		nl = nw = 0;
		for (i = 0; i < fn->n_insns; i++) {
			x = &fn->insns[i];
			/* In loop k: the innermost loop of x is k or nested in k. */
			for (p = x->loop; p >= 0 && (size_t)p != k; p = fn->loops[p].parent)
				;
			if (p < 0)
				continue;
			L->v += x->v;
			L->misses += x->misses;
			if (x->in.addr == L->head)
				L->file = x->file;
			pb_xgrow((void **)&lines, &cap_l, nl + 2, sizeof(*lines));
			pb_xgrow((void **)&wins, &cap_w, nw + 2, sizeof(*wins));
			lines[nl++] = x->in.addr / line;
			lines[nl++] = (x->in.addr + x->in.size - 1) / line;
			wins[nw++] = x->in.addr / 32;
			wins[nw++] = (x->in.addr + x->in.size - 1) / 32;
		}
		L->cache_lines = distinct(lines, nl);
		L->windows = distinct(wins, nw);
		for (i = 0; i < fn->n_insns && L->file; i++) {
			x = &fn->insns[i];
			for (p = x->loop; p >= 0 && (size_t)p != k; p = fn->loops[p].parent)
				;
			if (p < 0 || x->file != L->file || !x->line)
				continue;
			if (!L->line_lo || x->line < L->line_lo)
				L->line_lo = x->line;
			if (x->line > L->line_hi)
				L->line_hi = x->line;
		}
	}
	free(lines);
	free(wins);
}

/* Mark the JCC-erratum sites: a branch (with its fused compare) crossing or ending on 32 B. */
static void mark_jcc(struct pb_ann_func *fn)
{
	struct pb_ann_insn *x, *prev;
	uint64_t start, end;
	size_t i;

	for (i = 0; i < fn->n_insns; i++) {
		x = &fn->insns[i];
		if (x->in.kind == PB_INSN_OTHER)
			continue;
		prev = x->in.fused && i > 0 ? &fn->insns[i - 1] : NULL;
		start = prev ? prev->in.addr : x->in.addr;
		end = x->in.addr + x->in.size;
		if (start / 32 != (end - 1) / 32 || end % 32 == 0) {
			x->jcc = true;
			if (prev)
				prev->jcc = true;
		}
	}
}

/* Heat addresses further apart than this start a new region of unsymbolized code. */
#define REGION_GAP 256

/*
 * Hot code no function symbol covers, as regions: runs of heat addresses outside every function,
 * in one executable section, split at gaps over REGION_GAP bytes. Each becomes a pseudo symbol of
 * a->pseudo (from its first hot instruction, which is an instruction boundary, to 15 bytes past
 * its last one, inside the section) and an entry of fc[n_fc...]. Returns the new n_fc.
 */
static size_t hot_regions(struct pb_annotation *a, const struct pb_ann_opts *o, struct fcost *fc,
			  size_t n_fc)
{
	const struct pb_elf_section *sec = NULL, *s;
	const char *base = strrchr(a->elf->path, '/');
	struct pb_elf_sym *p;
	uint64_t first = 0, last = 0, v = 0, misses = 0, end;
	size_t i, pass, n = 0;

	base = base ? base + 1 : a->elf->path;
	/* Pass 0 counts the regions (a->pseudo must not move once fc points into it); pass 1 fills. */
	for (pass = 0; pass < 2; pass++) {
		n = 0;
		sec = NULL;
		for (i = 0; i <= o->n_heat; i++) {
			s = NULL;
			if (i < o->n_heat) {
				if (func_at(a->elf, o->heat[i].addr))
					continue;
				s = pb_elf_section_at(a->elf, o->heat[i].addr);
				if (!s || !s->has_code)
					continue;
				if (sec == s && o->heat[i].addr - last <= REGION_GAP) {
					last = o->heat[i].addr;
					v += o->heat[i].v;
					misses += o->heat[i].misses;
					continue;
				}
			}
			if (sec && pass == 1) {
				p = &a->pseudo[n];
				end = last + 15 < sec->addr + sec->size ? last + 15 : sec->addr + sec->size;
				p->name = pb_xasprintf("[%s+0x%llx]", base, (unsigned long long)first);
				p->addr = first;
				p->size = end - first;
				p->section = (uint32_t)(sec - a->elf->sections);
				p->func = true;
				fc[n_fc + n].f = p;
				fc[n_fc + n].v = v;
				fc[n_fc + n].misses = misses;
				fc[n_fc + n].pseudo = true;
			}
			if (sec)
				n++;
			sec = s;
			if (s) {
				first = last = o->heat[i].addr;
				v = o->heat[i].v;
				misses = o->heat[i].misses;
			}
		}
		if (pass == 0)
			a->pseudo = pb_xcalloc(n ? n : 1, sizeof(*a->pseudo));
	}
	a->n_pseudo = n;
	return n_fc + n;
}

/* The listing of f with costs from o->heat, lines, boundaries, sets, marks and loops. */
static void build_func(struct pb_annotation *a, struct pb_disasm *d, const struct pb_ann_opts *o,
		       struct pb_ann_func *fn)
{
	struct pb_insn *in = NULL;
	int *loop_of;
	size_t n = 0, i, h = 0, lo, hi, mid;
	uint32_t line = a->l1i.line;
	struct pb_ann_insn *x;

	pb_disasm_list(d, fn->sym, &in, &n);
	if (fn->pseudo) {
		/* A region ends with its last instruction that has a cost (the bytes after it were
		   read only so that instruction decodes whole). */
		uint64_t last = fn->sym->addr;

		for (i = 0; i < o->n_heat; i++)
			if (o->heat[i].addr >= fn->sym->addr &&
			    o->heat[i].addr - fn->sym->addr < fn->sym->size && o->heat[i].addr > last)
				last = o->heat[i].addr;
		for (i = 0; i < n && in[i].addr <= last; i++)
			;
		n = i;
	}
	fn->insns = pb_xcalloc(n ? n : 1, sizeof(*fn->insns));
	fn->n_insns = n;
	/* The first heat entry at or above the function's start. */
	lo = 0, hi = o->n_heat;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o->heat[mid].addr < fn->sym->addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	h = lo;
	for (i = 0; i < n; i++) {
		x = &fn->insns[i];
		x->in = in[i];
		while (h < o->n_heat && o->heat[h].addr < in[i].addr)
			h++;
		if (h < o->n_heat && o->heat[h].addr == in[i].addr) {
			x->v = o->heat[h].v;
			x->misses = o->heat[h].misses;
		}
		x->file = pb_dwarf_line_at(a->lines, in[i].addr, &x->line);
		x->set = (uint32_t)((in[i].addr / line) % a->l1i.sets);
		x->new_line = i == 0 || in[i].addr / line != in[i - 1].addr / line;
		x->new_window = i == 0 || in[i].addr / 32 != in[i - 1].addr / 32;
		x->crosses_line = in[i].addr / line != (in[i].addr + in[i].size - 1) / line;
		x->crosses_window = in[i].addr / 32 != (in[i].addr + in[i].size - 1) / 32;
		x->loop = -1;
	}
	mark_jcc(fn);
	loop_of = pb_xcalloc(n ? n : 1, sizeof(*loop_of));
	fn->n_loops = pb_loops_find(in, n, fn->sym->addr, fn->sym->addr + fn->sym->size, &fn->loops,
				    loop_of);
	for (i = 0; i < n; i++)
		fn->insns[i].loop = loop_of[i];
	finish_loops(fn, line);
	free(loop_of);
	free(in);
}

int pb_annotation_new(struct pb_annotation **out, const char *path, const struct pb_ann_opts *o)
{
	struct pb_annotation *a = pb_xcalloc(1, sizeof(*a));
	struct pb_disasm *d = NULL;
	struct fcost *fc = NULL;
	const struct pb_elf_sym *f;
	size_t i, k, n_fc = 0;
	uint64_t cum = 0;
	int ret = -1;

	*out = NULL;
	a->l1i = o->l1i;
	a->unit = o->unit;
	a->has_misses = o->has_misses;
	a->total = o->total;
	if (pb_elf_open(&a->elf, path) || pb_disasm_new(&d, a->elf))
		goto out;
	if (!d) {
		pb_error_as(PB_EXIT_USAGE, "annotate: %s is %s code: only x86 code can be annotated",
			    path, pb_elf_machine_name(a->elf->machine));
		goto out;
	}
	if (pb_dwarf_lines_open(&a->lines, path))
		goto out;
	a->no_lines = pb_dwarf_lines_count(a->lines) == 0;
	/* Each function's cost, the heat being sorted by address as the functions are. */
	fc = pb_xcalloc(a->elf->n_funcs ? a->elf->n_funcs : 1, sizeof(*fc));
	for (i = 0; i < a->elf->n_funcs; i++) {
		fc[i].f = &a->elf->funcs[i];
		fc[i].pseudo = false;
	}
	for (i = 0; i < o->n_heat; i++) {
		a->object_v += o->heat[i].v;
		a->object_misses += o->heat[i].misses;
		f = func_at(a->elf, o->heat[i].addr);
		if (f) {
			fc[f - a->elf->funcs].v += o->heat[i].v;
			fc[f - a->elf->funcs].misses += o->heat[i].misses;
		}
	}
	if (o->n_names) {
		a->funcs = pb_xcalloc(o->n_names, sizeof(*a->funcs));
		for (i = 0; i < o->n_names; i++) {
			f = func_named(a->elf, o->names[i]);
			if (!f) {
				unknown_name(a->elf, o->names[i]);
				goto out;
			}
			a->funcs[a->n_funcs].sym = f;
			a->funcs[a->n_funcs].v = fc[f - a->elf->funcs].v;
			a->funcs[a->n_funcs].misses = fc[f - a->elf->funcs].misses;
			a->n_funcs++;
		}
	} else {
		n_fc = a->elf->n_funcs;
		fc = pb_xrealloc(fc, (n_fc + o->n_heat + 1) * sizeof(*fc));
		n_fc = hot_regions(a, o, fc, n_fc);
		qsort(fc, n_fc, sizeof(*fc), cmp_fcost);
		a->funcs = pb_xcalloc(o->max_funcs ? o->max_funcs : 1, sizeof(*a->funcs));
		for (k = 0; k < n_fc && a->n_funcs < o->max_funcs && fc[k].v; k++) {
			if (a->n_funcs && (double)cum >= o->cover * (double)a->object_v)
				break;
			a->funcs[a->n_funcs].sym = fc[k].f;
			a->funcs[a->n_funcs].pseudo = fc[k].pseudo;
			a->funcs[a->n_funcs].v = fc[k].v;
			a->funcs[a->n_funcs].misses = fc[k].misses;
			a->n_funcs++;
			cum += fc[k].v;
		}
	}
	for (i = 0; i < a->n_funcs; i++)
		build_func(a, d, o, &a->funcs[i]);
	*out = a;
	a = NULL;
	ret = 0;
out:
	free(fc);
	pb_disasm_free(d);
	pb_annotation_free(a);
	return ret;
}

void pb_annotation_free(struct pb_annotation *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n_funcs; i++) {
		free(a->funcs[i].insns);
		free(a->funcs[i].loops);
	}
	free(a->funcs);
	for (i = 0; i < a->n_pseudo; i++)
		free((char *)a->pseudo[i].name);
	free(a->pseudo);
	pb_dwarf_lines_free(a->lines);
	pb_elf_free(a->elf);
	free(a);
}

void pb_annotation_sym_name(const struct pb_annotation *a, uint64_t addr, char *out, size_t size)
{
	const struct pb_elf_sym *s = pb_elf_sym_at(a->elf, addr);

	if (s && addr == s->addr)
		snprintf(out, size, "%s", s->name);
	else if (s && addr - s->addr < (s->size ? s->size : 1))
		snprintf(out, size, "%s+0x%llx", s->name, (unsigned long long)(addr - s->addr));
	else
		snprintf(out, size, "0x%llx", (unsigned long long)addr);
}
