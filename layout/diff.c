/* diff.c: match the functions of two builds by name, classify moved/same-code/changed, find the upstream shift. */
#include "layout/diff.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

/* A function's matching key: its name without clone suffixes, plus whether it is a .cold part. */
struct key {
	uint64_t hash;
	const char *name;
	size_t len;
	size_t idx; /* into elf->funcs */
	uint64_t addr;
};

static int cmp_key(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->name, b->name, a->len);
	if (c)
		return c;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static bool same_key(const struct key *a, const struct key *b)
{
	return a->hash == b->hash && a->len == b->len && memcmp(a->name, b->name, a->len) == 0;
}

/* cmp_key, and then the index: a total order, the one a stable sort by cmp_key gives. */
static int cmp_key_idx(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c = cmp_key(pa, pb);

	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * Sort k like a stable qsort by cmp_key, in linear time: a radix sort on the hash (16-bit digits,
 * LSD, stable), then cmp_key_idx within each run of equal hashes (the same base name; short).
 */
static void sort_keys(struct key *k, size_t n)
{
	struct key *tmp, *a = k, *b, *t;
	size_t *count, i, j, c;
	uint64_t vary = 0;
	unsigned shift;

	if (n < 2)
		return;
	tmp = pb_xcalloc(n, sizeof(*tmp));
	count = pb_xcalloc(65536, sizeof(*count));
	b = tmp;
	for (i = 0; i < n; i++)
		vary |= k[i].hash ^ k[0].hash;
	for (shift = 0; shift < 64; shift += 16) {
		if (!((vary >> shift) & 0xffff))
			continue;
		memset(count, 0, 65536 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(a[i].hash >> shift) & 0xffff]++;
		for (i = 0, j = 0; i < 65536; i++) {
			c = count[i];
			count[i] = j;
			j += c;
		}
		for (i = 0; i < n; i++)
			b[count[(a[i].hash >> shift) & 0xffff]++] = a[i];
		t = a, a = b, b = t;
	}
	if (a != k)
		memcpy(k, a, n * sizeof(*k));
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && k[j].hash == k[i].hash; j++)
			;
		if (j - i > 1)
			qsort(k + i, j - i, sizeof(*k), cmp_key_idx);
	}
	free(tmp);
	free(count);
}

/*
 * A hash of name[0..len), 8 bytes at a time (names of C++ builds run to hundreds of bytes; the
 * byte-wise pb_hash64 costs more than the rest of matching). Only equality matters: the keys are
 * grouped by it, and which group comes first changes no pairing.
 */
static uint64_t name_hash(const char *name, size_t len)
{
	uint64_t h = PB_HASH64_SEED ^ len, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, name + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, name + i, len - i);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h;
}

static struct key *make_keys(const struct pb_elf *e)
{
	struct key *k = pb_xcalloc(e->n_funcs + 1, sizeof(*k));
	bool cold;
	size_t i;

	for (i = 0; i < e->n_funcs; i++) {
		k[i].name = e->funcs[i].name;
		k[i].len = pb_elf_base_name(k[i].name, &cold);
		k[i].hash = name_hash(k[i].name, k[i].len) ^ (cold ? 0x5bd1e995ULL : 0);
		k[i].idx = i;
		k[i].addr = e->funcs[i].addr;
	}
	sort_keys(k, e->n_funcs);
	return k;
}

/*
 * Pair one group of equal keys: first entries of equal size in address order, then the rest by
 * order. gm/bm receive the partner's funcs index (or SIZE_MAX).
 */
static void pair_group(const struct pb_elf *ge, const struct pb_elf *be, const struct key *g,
		       size_t ng, const struct key *b, size_t nb, size_t *gm, size_t *bm)
{
	size_t i, j;

	if (ng * nb <= 1000000) {
		for (i = 0; i < ng; i++)
			for (j = 0; j < nb; j++)
				if (bm[b[j].idx] == SIZE_MAX &&
				    ge->funcs[g[i].idx].size == be->funcs[b[j].idx].size) {
					gm[g[i].idx] = b[j].idx;
					bm[b[j].idx] = g[i].idx;
					break;
				}
	}
	for (i = 0, j = 0; i < ng; i++) {
		if (gm[g[i].idx] != SIZE_MAX)
			continue;
		while (j < nb && bm[b[j].idx] != SIZE_MAX)
			j++;
		if (j == nb)
			break;
		gm[g[i].idx] = b[j].idx;
		bm[b[j].idx] = g[i].idx;
	}
}

static void match(const struct pb_elf *ge, const struct pb_elf *be, size_t *gm, size_t *bm)
{
	struct key *gk = make_keys(ge), *bk = make_keys(be);
	size_t i = 0, j = 0, gi, bj;
	int c;

	for (gi = 0; gi < ge->n_funcs; gi++)
		gm[gi] = SIZE_MAX;
	for (bj = 0; bj < be->n_funcs; bj++)
		bm[bj] = SIZE_MAX;
	/* Merge the two sorted key lists group by group. */
	while (i < ge->n_funcs && j < be->n_funcs) {
		c = cmp_key(&gk[i], &bk[j]);
		if (same_key(&gk[i], &bk[j])) {
			for (gi = i; gi < ge->n_funcs && same_key(&gk[gi], &gk[i]); gi++)
				;
			for (bj = j; bj < be->n_funcs && same_key(&bk[bj], &bk[j]); bj++)
				;
			pair_group(ge, be, gk + i, gi - i, bk + j, bj - j, gm, bm);
			i = gi;
			j = bj;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	free(gk);
	free(bk);
}

/* Byte comparison for machines without a disassembler. */
static enum pb_code_class compare_bytes(const struct pb_elf *ge, const struct pb_elf_sym *g,
					const struct pb_elf *be, const struct pb_elf_sym *b)
{
	const unsigned char *gc, *bc;
	size_t gl, bl;

	gc = pb_elf_func_code_window(ge, g, &gl);
	bc = pb_elf_func_code_window(be, b, &bl);
	if (gl == bl && (gl == 0 || (gc && bc && memcmp(gc, bc, gl) == 0)))
		return PB_CODE_STRICT_EQUAL;
	return PB_CODE_CHANGED;
}

struct sides {
	struct pb_disasm *gd, *bd;
	struct pb_norm gn, bn;
	bool same_symbols; /* same_symbols(good, bad) */
};

/*
 * Do both builds name every address alike: the same machine, allocated sections (name, address,
 * size) and symbols (name, address, size, kind, section)? Then a position-dependent field holding
 * the same address reaches the same symbol+offset in both (extern_token in disasm.c), so code at
 * the same address with the same bytes is strict-equal without being decoded. Two copies of one
 * build, or a rebuild that changed nothing, are like that.
 */
static bool same_symbols(const struct pb_elf *g, const struct pb_elf *b)
{
	const struct pb_elf_section *gs, *bs;
	const struct pb_elf_sym *x, *y;
	size_t i;

	if (g->machine != b->machine || g->is64 != b->is64 || g->type != b->type ||
	    g->n_sections != b->n_sections || g->n_syms != b->n_syms)
		return false;
	for (i = 1; i < g->n_sections; i++) {
		gs = &g->sections[i];
		bs = &b->sections[i];
		if (gs->alloc != bs->alloc || gs->addr != bs->addr || gs->size != bs->size ||
		    strcmp(gs->name, bs->name) != 0)
			return false;
	}
	for (i = 0; i < g->n_syms; i++) {
		x = &g->syms[i];
		y = &b->syms[i];
		if (x->addr != y->addr || x->size != y->size || x->section != y->section ||
		    x->func != y->func || x->local != y->local || strcmp(x->name, y->name) != 0)
			return false;
	}
	return true;
}

/* The same address, size and bytes (and code to compare: NULL code goes the long way). */
static bool same_place_same_bytes(const struct pb_elf *ge, const struct pb_elf_sym *g,
				  const struct pb_elf *be, const struct pb_elf_sym *b)
{
	const unsigned char *gc, *bc;
	size_t gl, bl;

	if (g->addr != b->addr || g->size != b->size)
		return false;
	gc = pb_elf_func_code_window(ge, g, &gl);
	bc = pb_elf_func_code_window(be, b, &bl);
	return gc && bc && gl == bl && memcmp(gc, bc, gl) == 0;
}

static int classify(struct pb_layout_diff *d, struct sides *s, struct pb_diff_func *f)
{
	const struct pb_elf *ge = d->good->elf, *be = d->bad->elf;

	if (s->gd && s->bd) {
		/*
		 * Every function through the table decoder; the hot ones of an explicit hot set, which
		 * decide the verdict, again through capstone, whose answer counts.
		 */
		if (s->same_symbols && same_place_same_bytes(ge, f->good, be, f->bad))
			f->code = PB_CODE_STRICT_EQUAL;
		else
			f->code = pb_disasm_compare_fast(s->gd, f->good, s->bd, f->bad);
		if (f->hot && d->code_checks) {
			if (pb_disasm_normalize(s->gd, f->good, &s->gn) ||
			    pb_disasm_normalize(s->bd, f->bad, &s->bn))
				return -1;
			f->code = pb_norm_compare(&s->gn, &s->bn);
		}
	} else {
		f->code = compare_bytes(ge, f->good, be, f->bad);
	}
	if (f->code != PB_CODE_STRICT_EQUAL)
		f->cls = PB_DIFF_CHANGED;
	else
		f->cls = f->good->addr == f->bad->addr ? PB_DIFF_SAME : PB_DIFF_MOVED;
	return 0;
}

/* hot[i] of a layout as a flag per function index. */
static bool *hot_flags(const struct pb_layout *l)
{
	bool *h = pb_xcalloc(l->elf->n_funcs + 1, sizeof(*h));
	size_t i;

	for (i = 0; i < l->n_hot; i++)
		h[l->hot[i].sym - l->elf->funcs] = true;
	return h;
}

static void summarize(struct pb_layout_diff *d)
{
	struct pb_diff_summary *s = &d->sum;
	const struct pb_diff_func *f;
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < d->n_funcs; i++) {
		f = &d->funcs[i];
		if (f->cls == PB_DIFF_ADDED) {
			s->added++;
			continue;
		}
		if (f->cls == PB_DIFF_REMOVED) {
			s->removed++;
			continue;
		}
		s->matched++;
		if (f->good->addr != f->bad->addr)
			s->moved++;
		if (f->cls == PB_DIFF_SAME)
			s->same_address++;
		else if (f->cls == PB_DIFF_MOVED)
			s->same_code_moved++;
		else
			s->code_changed++;
		if (f->code == PB_CODE_LOOSE_EQUAL)
			s->loose_equal++;
	}
}

/* Bytes of functions in section `sec` of `l` that lie before `start`; *cold gets the .cold share. */
static uint64_t bytes_before(const struct pb_layout *l, uint32_t sec, uint64_t start, uint64_t *cold)
{
	const struct pb_elf *e = l->elf;
	uint64_t sum = 0;
	bool is_cold;
	size_t i;

	*cold = 0;
	for (i = 0; i < e->n_funcs && e->funcs[i].addr < start; i++) {
		if (e->funcs[i].section != sec)
			continue;
		sum += e->funcs[i].size;
		pb_elf_base_name(e->funcs[i].name, &is_cold);
		if (is_cold)
			*cold += e->funcs[i].size;
	}
	return sum;
}

static uint64_t abs_delta(const struct pb_upstream_func *f)
{
	return f->bad_size > f->good_size ? f->bad_size - f->good_size : f->good_size - f->bad_size;
}

static int cmp_upfunc(const void *pa, const void *pb)
{
	uint64_t a = abs_delta(pa), b = abs_delta(pb);

	return a > b ? -1 : a < b;
}

/* The functions before the hot code (in its section, either build) whose size changed. */
static void upstream_funcs(struct pb_layout_diff *d, uint32_t gsec, uint32_t bsec)
{
	struct pb_upstream *u = &d->up;
	const struct pb_diff_func *f;
	struct pb_upstream_func *o;
	size_t i, cap = 0;
	bool before;

	for (i = 0; i < d->n_funcs; i++) {
		f = &d->funcs[i];
		before = (f->good && f->good->section == gsec && f->good->addr < u->good_start) ||
			 (f->bad && f->bad->section == bsec && f->bad->addr < u->bad_start);
		if (!before || (f->good && f->bad && f->good->size == f->bad->size))
			continue;
		pb_xgrow((void **)&u->funcs, &cap, u->n_funcs + 1, sizeof(*u->funcs));
		o = &u->funcs[u->n_funcs++];
		o->name = f->good ? f->good->name : f->bad->name;
		o->good_size = f->good ? f->good->size : 0;
		o->bad_size = f->bad ? f->bad->size : 0;
	}
	if (u->n_funcs)
		qsort(u->funcs, u->n_funcs, sizeof(*u->funcs), cmp_upfunc);
	if (u->n_funcs > PB_UPSTREAM_MAX_FUNCS)
		u->n_funcs = PB_UPSTREAM_MAX_FUNCS;
}

static void upstream(struct pb_layout_diff *d)
{
	struct pb_upstream *u = &d->up;
	const struct pb_elf *ge = d->good->elf, *be = d->bad->elf;
	const struct pb_elf_section *gs, *bs, *s, *other;
	const struct pb_elf_sym *g0, *b0;
	size_t i, cap = 0;

	/* With every function hot there is no "before the hot code". */
	if (!d->good->n_hot || !d->bad->n_hot || d->good->source == PB_HOT_ALL ||
	    d->bad->source == PB_HOT_ALL)
		return;
	g0 = d->good->hot[0].sym;
	b0 = d->bad->hot[0].sym;
	gs = &ge->sections[g0->section];
	bs = &be->sections[b0->section];
	u->valid = true;
	u->section = gs->name;
	u->good_start = g0->addr;
	u->bad_start = b0->addr;
	u->good_offset = g0->addr - gs->addr;
	u->bad_offset = b0->addr - bs->addr;
	u->good_before = bytes_before(d->good, g0->section, g0->addr, &u->good_cold);
	u->bad_before = bytes_before(d->bad, b0->section, b0->addr, &u->bad_cold);
	for (i = 1; i < ge->n_sections; i++) {
		s = &ge->sections[i];
		if (!s->alloc || s->addr >= gs->addr || !s->addr)
			continue;
		pb_xgrow((void **)&u->sections, &cap, u->n_sections + 1, sizeof(*u->sections));
		other = pb_elf_section_by_name(be, s->name);
		u->sections[u->n_sections].name = s->name;
		u->sections[u->n_sections].good_size = s->size;
		u->sections[u->n_sections].bad_size = other ? other->size : 0;
		u->sections[u->n_sections].in_bad = other != NULL;
		u->n_sections++;
	}
	upstream_funcs(d, g0->section, b0->section);
}

static int hot_checks(struct pb_layout_diff *d, struct sides *s)
{
	struct pb_diff_func *f;
	size_t i;

	if (!d->code_checks)
		return 0;
	for (i = 0; i < d->n_hot; i++) {
		f = &d->funcs[d->hot[i]];
		f->br = pb_xcalloc(2, sizeof(*f->br));
		if (f->good && pb_disasm_branches(s->gd, f->good, d->good->l1i.line, &f->br[0]))
			return -1;
		if (f->bad && pb_disasm_branches(s->bd, f->bad, d->bad->l1i.line, &f->br[1]))
			return -1;
	}
	return 0;
}

void pb_diff_func_places(const struct pb_layout_diff *d, const struct pb_diff_func *f,
			 struct pb_place *good, struct pb_place *bad)
{
	memset(good, 0, sizeof(*good));
	memset(bad, 0, sizeof(*bad));
	if (f->good)
		pb_place_compute(good, f->good->addr, f->good->size, &d->good->l1i);
	if (f->bad)
		pb_place_compute(bad, f->bad->addr, f->bad->size, &d->bad->l1i);
}

/* A --hot name that neither build has is a typo, not a removed function. */
static int check_hot_names(const struct pb_layout_diff *d, const struct pb_layout_opts *o)
{
	size_t i, j;
	bool in_good, in_bad;

	if (!o->n_hot || o->hot_elsewhere)
		return 0;
	for (i = 0; i < o->n_hot; i++) {
		in_good = in_bad = true;
		for (j = 0; j < d->good->n_missing; j++)
			if (strcmp(d->good->missing[j], o->hot[i]) == 0)
				in_good = false;
		for (j = 0; j < d->bad->n_missing; j++)
			if (strcmp(d->bad->missing[j], o->hot[i]) == 0)
				in_bad = false;
		if (!in_good && !in_bad)
			return pb_error("--hot: neither %s nor %s has a function '%s'", d->good->elf->path,
					d->bad->elf->path, o->hot[i]);
	}
	return 0;
}

int pb_layout_diff_new(struct pb_layout_diff **out, const char *good, const char *bad,
		       const struct pb_layout_opts *o)
{
	struct pb_layout_diff *d = pb_xcalloc(1, sizeof(*d));
	struct sides s;
	const struct pb_elf *ge, *be;
	size_t *gm = NULL, *bm = NULL, i, n = 0, cap = 0;
	bool *ghot = NULL, *bhot = NULL;
	struct pb_diff_func *f;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	*out = NULL;
	if (pb_layout_open(&d->good, good, o, false) || pb_layout_open(&d->bad, bad, o, false))
		goto out;
	if (check_hot_names(d, o))
		goto out;
	ge = d->good->elf;
	be = d->bad->elf;
	if (ge->machine != be->machine || ge->is64 != be->is64) {
		pb_error("layout diff: %s is %s and %s is %s: builds for different machines cannot be "
			 "compared; give two builds of the same target", good,
			 pb_elf_machine_name(ge->machine), bad, pb_elf_machine_name(be->machine));
		goto out;
	}
	if (pb_disasm_new(&s.gd, ge) || pb_disasm_new(&s.bd, be))
		goto out;
	d->code_checks = s.gd && s.bd && d->good->source != PB_HOT_ALL;
	s.same_symbols = same_symbols(ge, be);
	gm = pb_xcalloc(ge->n_funcs + 1, sizeof(*gm));
	bm = pb_xcalloc(be->n_funcs + 1, sizeof(*bm));
	match(ge, be, gm, bm);
	ghot = hot_flags(d->good);
	bhot = hot_flags(d->bad);
	d->funcs = pb_xcalloc(ge->n_funcs + be->n_funcs + 1, sizeof(*d->funcs));
	for (i = 0; i < ge->n_funcs; i++) {
		f = &d->funcs[d->n_funcs++];
		f->good = &ge->funcs[i];
		f->hot = ghot[i];
		if (gm[i] == SIZE_MAX) {
			f->cls = PB_DIFF_REMOVED;
			continue;
		}
		f->bad = &be->funcs[gm[i]];
		f->hot = f->hot || bhot[gm[i]];
		if (classify(d, &s, f))
			goto out;
	}
	for (i = 0; i < be->n_funcs; i++) {
		if (bm[i] != SIZE_MAX)
			continue;
		f = &d->funcs[d->n_funcs++];
		f->bad = &be->funcs[i];
		f->hot = bhot[i];
		f->cls = PB_DIFF_ADDED;
	}
	for (i = 0; i < d->n_funcs; i++) {
		if (!d->funcs[i].hot)
			continue;
		pb_xgrow((void **)&d->hot, &cap, n + 1, sizeof(*d->hot));
		d->hot[n++] = i;
	}
	d->n_hot = n;
	if (hot_checks(d, &s))
		goto out;
	summarize(d);
	upstream(d);
	*out = d;
	d = NULL;
	ret = 0;
out:
	pb_norm_release(&s.gn);
	pb_norm_release(&s.bn);
	pb_disasm_free(s.gd);
	pb_disasm_free(s.bd);
	free(gm);
	free(bm);
	free(ghot);
	free(bhot);
	pb_layout_diff_free(d);
	return ret;
}

void pb_layout_diff_free(struct pb_layout_diff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; d->funcs && i < d->n_funcs; i++) {
		if (!d->funcs[i].br)
			continue;
		pb_branches_release(&d->funcs[i].br[0]);
		pb_branches_release(&d->funcs[i].br[1]);
		free(d->funcs[i].br);
	}
	free(d->funcs);
	free(d->hot);
	free(d->up.sections);
	free(d->up.funcs);
	pb_layout_free(d->good);
	pb_layout_free(d->bad);
	free(d);
}
