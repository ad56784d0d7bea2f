/* annotate_diff.c: align two builds' listings of one function by normalized instruction tokens, and write them side by side. */
#include "layout/annotate_diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"
#include "core/error.h"

/* Longest-common-subsequence tables beyond this many cells are not built: the rest is unaligned. */
#define MAX_LCS_CELLS (4u << 20)

enum status { ST_SAME, ST_GOOD, ST_BAD, ST_PAD };

struct row {
	long g, b; /* instruction indices, -1: none on that side */
	enum status st;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static void add_row(struct rows *r, long g, long b, enum status st)
{
	pb_xgrow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v));
	r->v[r->n].g = g;
	r->v[r->n].b = b;
	r->v[r->n].st = st;
	r->n++;
}

/* The indices of the non-NOP instructions of fn. */
static size_t code_of(const struct pb_ann_func *fn, long **idx)
{
	size_t i, n = 0;

	*idx = pb_xcalloc(fn->n_insns ? fn->n_insns : 1, sizeof(**idx));
	for (i = 0; i < fn->n_insns; i++)
		if (!fn->insns[i].in.nop)
			(*idx)[n++] = (long)i;
	return n;
}

/*
 * Pairs (i, j) of an alignment of token sequences x[0..n) and y[0..m): *pairs holds i in the
 * even and j in the odd entries, increasing. Returns the number of pairs.
 */
static size_t align(const uint64_t *x, size_t n, const uint64_t *y, size_t m, size_t **pairs)
{
	size_t pre = 0, suf = 0, i, j, k = 0, nn, mm;
	uint32_t *t = NULL;

	*pairs = pb_xcalloc(2 * (n < m ? n : m) + 2, sizeof(**pairs));
	while (pre < n && pre < m && x[pre] == y[pre]) {
		(*pairs)[k++] = pre;
		(*pairs)[k++] = pre;
		pre++;
	}
	while (suf < n - pre && suf < m - pre && x[n - 1 - suf] == y[m - 1 - suf])
		suf++;
	nn = n - pre - suf;
	mm = m - pre - suf;
	if (nn && mm && (uint64_t)(nn + 1) * (mm + 1) <= MAX_LCS_CELLS) {
		/* t[i][j]: LCS length of x[pre+i..] and y[pre+j..] (suffix form, read forwards). */
		t = pb_xcalloc((nn + 1) * (mm + 1), sizeof(*t));
		for (i = nn; i-- > 0;)
			for (j = mm; j-- > 0;)
				t[i * (mm + 1) + j] = x[pre + i] == y[pre + j]
							      ? t[(i + 1) * (mm + 1) + j + 1] + 1
							      : (t[(i + 1) * (mm + 1) + j] > t[i * (mm + 1) + j + 1]
									 ? t[(i + 1) * (mm + 1) + j]
									 : t[i * (mm + 1) + j + 1]);
		i = j = 0;
		while (i < nn && j < mm) {
			if (x[pre + i] == y[pre + j]) {
				(*pairs)[k++] = pre + i;
				(*pairs)[k++] = pre + j;
				i++, j++;
			} else if (t[(i + 1) * (mm + 1) + j] >= t[i * (mm + 1) + j + 1]) {
				i++;
			} else {
				j++;
			}
		}
		free(t);
	}
	for (i = 0; i < suf; i++) {
		(*pairs)[k++] = n - suf + i;
		(*pairs)[k++] = m - suf + i;
	}
	return k / 2;
}

/* Rows of one function: aligned pairs, one-sided code, and each side's padding where it sits. */
static void build_rows(const struct pb_ann_func *g, const struct pb_ann_func *b, struct rows *r)
{
	long *gi, *bi;
	uint64_t *gt, *bt;
	size_t gn = code_of(g, &gi), bn = code_of(b, &bi), np, p, i;
	size_t *pairs;
	long gnext = 0, bnext = 0; /* next instruction (any) not yet emitted on each side */

	gt = pb_xcalloc(gn ? gn : 1, sizeof(*gt));
	bt = pb_xcalloc(bn ? bn : 1, sizeof(*bt));
	for (i = 0; i < gn; i++)
		gt[i] = g->insns[gi[i]].in.token;
	for (i = 0; i < bn; i++)
		bt[i] = b->insns[bi[i]].in.token;
	np = align(gt, gn, bt, bn, &pairs);
	for (p = 0; p <= np; p++) {
		size_t gu = p < np ? pairs[2 * p] : gn, bu = p < np ? pairs[2 * p + 1] : bn;
		long gstop = gu < gn ? gi[gu] : (long)g->n_insns, bstop = bu < bn ? bi[bu] : (long)b->n_insns;

		/*
		 * Everything before the pair on each side: unmatched code, and padding, which goes
		 * on one row when both sides have it there (alignment NOPs of a moved function).
		 */
		while (gnext < gstop || bnext < bstop) {
			bool gpad = gnext < gstop && g->insns[gnext].in.nop;
			bool bpad = bnext < bstop && b->insns[bnext].in.nop;

			if (gpad && bpad)
				add_row(r, gnext++, bnext++, ST_PAD);
			else if (gnext < gstop && (!gpad || bnext >= bstop))
				add_row(r, gnext, -1, gpad ? ST_PAD : ST_GOOD), gnext++;
			else if (bnext < bstop && (!bpad || gnext >= gstop))
				add_row(r, -1, bnext, bpad ? ST_PAD : ST_BAD), bnext++;
			else
				add_row(r, gnext, -1, ST_PAD), gnext++;
		}
		if (p < np) {
			add_row(r, gi[gu], bi[bu], ST_SAME);
			gnext = gi[gu] + 1;
			bnext = bi[bu] + 1;
		}
	}
	free(pairs);
	free(gt);
	free(bt);
	free(gi);
	free(bi);
}

static const struct pb_ann_func *func_named(const struct pb_annotation *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n_funcs; i++)
		if (strcmp(a->funcs[i].sym->name, name) == 0)
			return &a->funcs[i];
	return NULL;
}

static const char *status_name(enum status st)
{
	switch (st) {
	case ST_SAME:
		return "same";
	case ST_GOOD:
		return "good-only";
	case ST_BAD:
		return "bad-only";
	case ST_PAD:
		break;
	}
	return "padding";
}

static void json_side(const struct pb_annotation *a, const struct pb_ann_insn *x, const char *key,
		      struct pb_jsonw *w)
{
	if (!x) {
		pb_jsonw_null(w, key);
		return;
	}
	pb_jsonw_object(w, key);
	pb_jsonw_int(w, "addr", (int64_t)x->in.addr);
	pb_jsonw_string(w, "asm", x->in.text);
	pb_jsonw_int(w, "cost", (int64_t)x->v);
	if (a->has_misses)
		pb_jsonw_int(w, "i1_misses", (int64_t)x->misses);
	pb_jsonw_int(w, "set", x->set);
	pb_jsonw_bool(w, "new_line", x->new_line);
	pb_jsonw_bool(w, "jcc", x->jcc);
	pb_jsonw_end(w);
}

/* One side's cell of the text: cost, address, L1i set at a new line, code; `width` columns. */
static void text_side(const struct pb_annotation *a, const struct pb_ann_insn *x, struct pb_buf *out)
{
	char set[16];

	if (!x) {
		pb_buf_printf(out, "%-*s", (a->unit ? 11 : 0) + (a->has_misses ? 9 : 0) + 49, "");
		return;
	}
	set[0] = '\0';
	if (x->new_line)
		snprintf(set, sizeof(set), "s%u", x->set);
	/* Without costs (unit NULL: functions named, nothing run) the cost columns are left out. */
	if (a->unit)
		pb_buf_printf(out, "%10llu ", (unsigned long long)x->v);
	if (a->has_misses)
		pb_buf_printf(out, "%8llu ", (unsigned long long)x->misses);
	pb_buf_printf(out, "%8llx %4s%c %-34.34s", (unsigned long long)x->in.addr, set,
		      x->jcc ? 'J' : ' ', x->in.text);
}

int pb_annotation_diff_write(const struct pb_annotation *a, const struct pb_annotation *b,
			     struct pb_jsonw *w, struct pb_buf *out)
{
	const struct pb_ann_func *g, *f;
	struct rows r = { NULL, 0, 0 };
	size_t i, k, cnt[4];
	const struct pb_ann_insn *xg, *xb;

	for (i = 0; i < b->n_funcs; i++)
		if (!func_named(a, b->funcs[i].sym->name))
			return pb_error_as(PB_EXIT_USAGE, "annotate --diff: %s has no function '%s' "
					   "(annotated in %s)", a->elf->path, b->funcs[i].sym->name,
					   b->elf->path);
	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_ANNOTATE_DIFF_SCHEMA);
	pb_jsonw_string(w, "good", a->elf->path);
	pb_jsonw_string(w, "bad", b->elf->path);
	pb_jsonw_string(w, "unit", b->unit);
	pb_jsonw_array(w, "functions");
	if (out)
		pb_buf_printf(out, "good: %s\nbad:  %s\n\n", a->elf->path, b->elf->path);
	for (i = 0; i < b->n_funcs; i++) {
		f = &b->funcs[i];
		g = func_named(a, f->sym->name);
		r.n = 0;
		build_rows(g, f, &r);
		memset(cnt, 0, sizeof(cnt));
		for (k = 0; k < r.n; k++)
			cnt[r.v[k].st]++;
		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "name", f->sym->name);
		pb_jsonw_object(w, "good");
		pb_jsonw_int(w, "addr", (int64_t)g->sym->addr);
		pb_jsonw_int(w, "size", (int64_t)g->sym->size);
		pb_jsonw_int(w, "cost", (int64_t)g->v);
		pb_jsonw_end(w);
		pb_jsonw_object(w, "bad");
		pb_jsonw_int(w, "addr", (int64_t)f->sym->addr);
		pb_jsonw_int(w, "size", (int64_t)f->sym->size);
		pb_jsonw_int(w, "cost", (int64_t)f->v);
		pb_jsonw_end(w);
		pb_jsonw_bool(w, "same_code", cnt[ST_GOOD] == 0 && cnt[ST_BAD] == 0);
		pb_jsonw_int(w, "aligned", (int64_t)cnt[ST_SAME]);
		pb_jsonw_int(w, "only_good", (int64_t)cnt[ST_GOOD]);
		pb_jsonw_int(w, "only_bad", (int64_t)cnt[ST_BAD]);
		pb_jsonw_int(w, "padding", (int64_t)cnt[ST_PAD]);
		pb_jsonw_array(w, "rows");
		if (out)
			pb_buf_printf(out, "%s: good 0x%llx, bad 0x%llx (%s): %zu %s aligned as the same code, "
				      "%zu only in good, %zu only in bad, %zu padding\n",
				      f->sym->name, (unsigned long long)g->sym->addr,
				      (unsigned long long)f->sym->addr,
				      g->sym->addr == f->sym->addr ? "not moved" : "moved", cnt[ST_SAME],
				      pb_plural(cnt[ST_SAME], "instruction", "instructions"), cnt[ST_GOOD],
				      cnt[ST_BAD], cnt[ST_PAD]);
		if (out && b->has_misses)
			pb_buf_printf(out, "  %10s %8s %8s %5s %-34s   %10s %8s %8s %5s %s\n", b->unit,
				      "I1mr", "good", "set", "code", b->unit, "I1mr", "bad", "set", "code");
		else if (out && b->unit)
			pb_buf_printf(out, "  %10s %8s %5s %-34s   %10s %8s %5s %s\n", b->unit,
				      "good", "set", "code", b->unit, "bad", "set", "code");
		else if (out)
			pb_buf_printf(out, "  %8s %5s %-34s   %8s %5s %s\n", "good", "set", "code", "bad",
				      "set", "code");
		for (k = 0; k < r.n; k++) {
			xg = r.v[k].g >= 0 ? &g->insns[r.v[k].g] : NULL;
			xb = r.v[k].b >= 0 ? &f->insns[r.v[k].b] : NULL;
			pb_jsonw_object(w, NULL);
			pb_jsonw_string(w, "status", status_name(r.v[k].st));
			json_side(a, xg, "good", w);
			json_side(b, xb, "bad", w);
			pb_jsonw_end(w);
			if (!out)
				continue;
			pb_buf_puts(out, "  ");
			text_side(a, xg, out);
			pb_buf_puts(out, r.v[k].st == ST_SAME ? " = " : r.v[k].st == ST_PAD ? "   "
								 : r.v[k].st == ST_GOOD ? " < " : " > ");
			text_side(b, xb, out);
			while (out->len && out->data[out->len - 1] == ' ')
				pb_buf_truncate(out, out->len - 1);
			pb_buf_putc(out, '\n');
		}
		if (out)
			pb_buf_putc(out, '\n');
		pb_jsonw_end(w);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_end(w);
	free(r.v);
	return 0;
}
