/* annotate_out.c: the annotated listing as text (perf annotate style, colour on a terminal), the loops table, and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"
#include "layout/annotate.h"
#include "render/format.h"
#include "render/table.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static double share(uint64_t v, uint64_t total)
{
	return total ? (double)v / (double)total : 0.0;
}

static void grouped(char *out, size_t size, uint64_t v)
{
	char digits[32];

	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	pb_fmt_group_digits(out, size, digits);
}

/* The last path component (source files are shown by name; JSON has the whole path). */
static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

static const char *kind_name(enum pb_insn_kind k)
{
	switch (k) {
	case PB_INSN_JUMP:
		return "jump";
	case PB_INSN_CJUMP:
		return "cond-jump";
	case PB_INSN_CALL:
		return "call";
	case PB_INSN_RET:
		return "return";
	case PB_INSN_OTHER:
		break;
	}
	return "other";
}

/* "L2" for loop index 1 of a function (loops are numbered from 1 in the text). */
static void loop_label(char *out, size_t size, int loop)
{
	if (loop < 0)
		snprintf(out, size, "%s", "");
	else
		snprintf(out, size, "L%d", loop + 1);
}

static void write_marks(const struct pb_ann_insn *x, struct pb_buf *out)
{
	uint64_t end = x->in.addr + x->in.size;

	if (x->jcc && x->in.kind != PB_INSN_OTHER)
		pb_buf_printf(out, "  JCC (%s 32 B)", (x->in.addr / 32 != (end - 1) / 32 ||
						       (x->in.fused && !x->crosses_window))
						      ? "crosses" : "ends on");
	else if (x->jcc)
		pb_buf_puts(out, "  JCC (fused compare)");
	if (x->crosses_line)
		pb_buf_puts(out, "  crosses a 64 B line");
}

static void write_func_text(const struct pb_annotation *a, const struct pb_ann_func *fn, bool colour,
			    double min_share, struct pb_buf *out)
{
	const struct pb_elf_sym *f = fn->sym;
	struct pb_place pl;
	char cost[32], miss[32], tname[160], lbl[16], src[96];
	size_t i, folded = 0;
	const struct pb_ann_insn *x;
	double sh;
	const char *on, *off;

	pb_place_compute(&pl, f->addr, f->size, &a->l1i);
	grouped(cost, sizeof(cost), fn->v);
	pb_buf_printf(out, "%s%s%s  %.1f%% of the run, %s %s", colour ? "\033[1m" : "", f->name,
		      colour ? RESET : "", 100 * share(fn->v, a->total), cost, a->unit);
	if (a->has_misses) {
		grouped(miss, sizeof(miss), fn->misses);
		pb_buf_printf(out, ", %s I1 misses", miss);
	}
	if (fn->has_calls) {
		grouped(miss, sizeof(miss), fn->calls);
		pb_buf_printf(out, ", called %s %s", miss, pb_plural(fn->calls, "time", "times"));
	}
	pb_buf_printf(out, "\n  0x%llx, %llu bytes, offset %u in its %u B line, %llu %s, L1i sets %u-%u\n\n",
		      (unsigned long long)f->addr, (unsigned long long)f->size, pl.line_offset,
		      a->l1i.line, (unsigned long long)pl.cache_lines,
		      pb_plural(pl.cache_lines, "line", "lines"), pl.set_first, pl.set_last);
	pb_buf_printf(out, "  %6s %12s %s %8s  %-4s %-44s %s\n", "share", a->unit,
		      a->has_misses ? "    I1mr" : "", "address", "loop", "code", "source");
	for (i = 0; i < fn->n_insns; i++) {
		x = &fn->insns[i];
		sh = share(x->v, fn->v);
		if (min_share > 0 && sh < min_share && x->loop < 0 && !x->new_line) {
			folded++;
			continue;
		}
		if (folded) {
			pb_buf_printf(out, "  %s... %zu %s below %.1f%%%s\n", colour ? DIM : "", folded,
				      pb_plural(folded, "instruction", "instructions"), 100 * min_share,
				      colour ? RESET : "");
			folded = 0;
		}
		if (x->new_line)
			pb_buf_printf(out, "  %s── %u B line 0x%llx · L1i set %u %s%s\n", colour ? YELLOW : "",
				      a->l1i.line,
				      (unsigned long long)(x->in.addr / a->l1i.line * a->l1i.line), x->set,
				      "──────────────────────────────────────────────", colour ? RESET : "");
		else if (x->new_window)
			pb_buf_printf(out, "  %s· · 32 B window 0x%llx · · · · · · · · · · · · · · · · · · · ·%s\n",
				      colour ? DIM : "", (unsigned long long)(x->in.addr / 32 * 32),
				      colour ? RESET : "");
		on = off = "";
		if (colour && sh >= 0.05)
			on = RED, off = RESET;
		else if (colour && sh >= 0.005)
			on = GREEN, off = RESET;
		grouped(cost, sizeof(cost), x->v);
		loop_label(lbl, sizeof(lbl), x->loop);
		tname[0] = '\0';
		if (x->in.has_target) {
			char t[144];

			pb_annotation_sym_name(a, x->in.target, t, sizeof(t));
			snprintf(tname, sizeof(tname), " <%s>", t);
		}
		src[0] = '\0';
		if (x->file)
			snprintf(src, sizeof(src), "%s:%u", base(x->file), x->line);
		pb_buf_printf(out, "  %s%5.1f%% %12s%s", on, 100 * sh, x->v ? cost : "", off);
		if (a->has_misses) {
			grouped(miss, sizeof(miss), x->misses);
			pb_buf_printf(out, " %8s", x->misses ? miss : "");
		}
		{
			char code[sizeof(x->in.text) + sizeof(tname)]; /* the text and " <target>" (tname), whole */

			snprintf(code, sizeof(code), "%s%s", x->in.text, tname);
			pb_buf_printf(out, " %8llx  %-4s %-44s %s", (unsigned long long)x->in.addr, lbl,
				      code, src);
		}
		if (colour && (x->jcc || x->crosses_line))
			pb_buf_puts(out, RED);
		write_marks(x, out);
		if (colour && (x->jcc || x->crosses_line))
			pb_buf_puts(out, RESET);
		while (out->len && out->data[out->len - 1] == ' ')
			pb_buf_truncate(out, out->len - 1);
		pb_buf_putc(out, '\n');
	}
	if (folded)
		pb_buf_printf(out, "  ... %zu %s below %.1f%%\n", folded,
			      pb_plural(folded, "instruction", "instructions"), 100 * min_share);
	pb_buf_putc(out, '\n');
}

/* One function's loops as table rows. */
static void loop_rows(const struct pb_annotation *a, const struct pb_ann_func *fn, struct pb_table *t,
		      bool with_func)
{
	const struct pb_ann_loop *L;
	char cost[32];
	size_t k;

	for (k = 0; k < fn->n_loops; k++) {
		L = &fn->loops[k];
		if (with_func)
			pb_table_cell(t, fn->sym->name);
		pb_table_cellf(t, "L%zu", k + 1);
		pb_table_cellf(t, "%d", L->depth);
		pb_table_cellf(t, "%5.1f%%", 100 * share(L->v, a->total));
		grouped(cost, sizeof(cost), L->v);
		pb_table_cell(t, cost);
		if (a->has_misses) {
			grouped(cost, sizeof(cost), L->misses);
			pb_table_cell(t, cost);
		}
		pb_table_cellf(t, "0x%llx-0x%llx", (unsigned long long)L->lo, (unsigned long long)L->hi);
		pb_table_cellf(t, "%llu", (unsigned long long)L->bytes);
		pb_table_cellf(t, "%llu", (unsigned long long)L->cache_lines);
		pb_table_cellf(t, "%llu", (unsigned long long)L->windows);
		if (L->file && L->line_lo == L->line_hi)
			pb_table_cellf(t, "%s:%u", base(L->file), L->line_lo);
		else if (L->file)
			pb_table_cellf(t, "%s:%u-%u", base(L->file), L->line_lo, L->line_hi);
		else
			pb_table_cell(t, "?");
	}
}

static struct pb_table *loops_table(const struct pb_annotation *a, bool with_func)
{
	const char *h[11];
	size_t n = 0, i, cols;
	struct pb_table *t;

	if (with_func)
		h[n++] = "function";
	h[n++] = "loop";
	h[n++] = "depth";
	h[n++] = "share";
	h[n++] = a->unit;
	if (a->has_misses)
		h[n++] = "I1mr";
	h[n++] = "range";
	h[n++] = "bytes";
	h[n++] = "lines";
	h[n++] = "32B windows";
	h[n++] = "source";
	cols = n;
	t = pb_table_new(cols, h);
	/* Numbers right: depth to the cost columns, then bytes, lines and windows (not the range). */
	for (i = with_func ? 2 : 1; i < cols - 5; i++)
		pb_table_align_right(t, i);
	for (i = cols - 4; i < cols - 1; i++)
		pb_table_align_right(t, i);
	return t;
}

static void write_header(const struct pb_annotation *a, struct pb_buf *out)
{
	char total[32], obj[32];

	grouped(total, sizeof(total), a->total);
	grouped(obj, sizeof(obj), a->object_v);
	pb_buf_printf(out, "%s: %s %s in the run, %s in this object; L1i %llu B, %u-way, %u B lines: %u sets\n",
		      a->elf->path, total, a->unit, obj, (unsigned long long)a->l1i.size, a->l1i.ways,
		      a->l1i.line, a->l1i.sets);
	pb_buf_putc(out, '\n');
}

void pb_annotation_write_text(const struct pb_annotation *a, bool colour, double min_share,
			      struct pb_buf *out)
{
	struct pb_table *t;
	size_t i;

	write_header(a, out);
	for (i = 0; i < a->n_funcs; i++) {
		write_func_text(a, &a->funcs[i], colour, min_share, out);
		if (!a->funcs[i].n_loops)
			continue;
		pb_buf_printf(out, "Loops of %s (share of the run):\n", a->funcs[i].sym->name);
		t = loops_table(a, false);
		loop_rows(a, &a->funcs[i], t, false);
		pb_table_render_text(t, out);
		pb_table_free(t);
		pb_buf_putc(out, '\n');
	}
}

void pb_annotation_write_loops_text(const struct pb_annotation *a, struct pb_buf *out)
{
	struct pb_table *t = loops_table(a, true);
	size_t i;

	write_header(a, out);
	for (i = 0; i < a->n_funcs; i++)
		loop_rows(a, &a->funcs[i], t, true);
	if (pb_table_rows(t))
		pb_table_render_text(t, out);
	else
		pb_buf_puts(out, "No loops in the hot functions.\n");
	pb_table_free(t);
}

static void json_loops(const struct pb_annotation *a, const struct pb_ann_func *fn, struct pb_jsonw *w)
{
	const struct pb_ann_loop *L;
	size_t k;

	pb_jsonw_array(w, "loops");
	for (k = 0; k < fn->n_loops; k++) {
		L = &fn->loops[k];
		pb_jsonw_object(w, NULL);
		pb_jsonw_int(w, "index", (int64_t)k + 1);
		pb_jsonw_int(w, "head", (int64_t)L->head);
		pb_jsonw_int(w, "lo", (int64_t)L->lo);
		pb_jsonw_int(w, "hi", (int64_t)L->hi);
		pb_jsonw_int(w, "bytes", (int64_t)L->bytes);
		pb_jsonw_int(w, "insns", (int64_t)L->n_insns);
		pb_jsonw_int(w, "back_edges", (int64_t)L->back_edges);
		pb_jsonw_int(w, "depth", L->depth);
		if (L->parent >= 0)
			pb_jsonw_int(w, "parent", L->parent + 1);
		else
			pb_jsonw_null(w, "parent");
		pb_jsonw_int(w, "cost", (int64_t)L->v);
		pb_jsonw_number(w, "share", share(L->v, a->total));
		pb_jsonw_number(w, "function_share", share(L->v, fn->v));
		if (a->has_misses)
			pb_jsonw_int(w, "i1_misses", (int64_t)L->misses);
		pb_jsonw_int(w, "cache_lines", (int64_t)L->cache_lines);
		pb_jsonw_int(w, "windows", (int64_t)L->windows);
		pb_jsonw_string(w, "file", L->file);
		pb_jsonw_int(w, "line_lo", L->line_lo);
		pb_jsonw_int(w, "line_hi", L->line_hi);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
}

static void json_insns(const struct pb_annotation *a, const struct pb_ann_func *fn, struct pb_jsonw *w)
{
	const struct pb_ann_insn *x;
	char hex[48], name[160];
	size_t i, k;

	pb_jsonw_array(w, "insns");
	for (i = 0; i < fn->n_insns; i++) {
		x = &fn->insns[i];
		pb_jsonw_object(w, NULL);
		pb_jsonw_int(w, "addr", (int64_t)x->in.addr);
		pb_jsonw_int(w, "size", x->in.size);
		for (k = 0; k < x->in.size && k < 15; k++)
			snprintf(hex + 2 * k, 3, "%02x", x->in.bytes[k]);
		hex[2 * k] = '\0';
		pb_jsonw_string(w, "bytes", hex);
		pb_jsonw_string(w, "asm", x->in.text);
		pb_jsonw_string(w, "kind", kind_name(x->in.kind));
		pb_jsonw_int(w, "cost", (int64_t)x->v);
		pb_jsonw_number(w, "share", share(x->v, fn->v));
		if (a->has_misses)
			pb_jsonw_int(w, "i1_misses", (int64_t)x->misses);
		pb_jsonw_string(w, "file", x->file);
		pb_jsonw_int(w, "line", x->line);
		pb_jsonw_int(w, "cache_line", (int64_t)(x->in.addr / a->l1i.line * a->l1i.line));
		pb_jsonw_int(w, "set", x->set);
		pb_jsonw_int(w, "window", (int64_t)(x->in.addr / 32 * 32));
		pb_jsonw_bool(w, "new_line", x->new_line);
		pb_jsonw_bool(w, "new_window", x->new_window);
		pb_jsonw_bool(w, "crosses_line", x->crosses_line);
		pb_jsonw_bool(w, "crosses_window", x->crosses_window);
		pb_jsonw_bool(w, "jcc", x->jcc);
		pb_jsonw_bool(w, "fused", x->in.fused);
		if (x->in.has_target) {
			pb_annotation_sym_name(a, x->in.target, name, sizeof(name));
			pb_jsonw_int(w, "target", (int64_t)x->in.target);
			pb_jsonw_string(w, "target_name", name);
		}
		if (x->loop >= 0)
			pb_jsonw_int(w, "loop", x->loop + 1);
		else
			pb_jsonw_null(w, "loop");
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
}

void pb_annotation_write_json(const struct pb_annotation *a, bool loops_only, struct pb_jsonw *w)
{
	const struct pb_ann_func *fn;
	size_t i;

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", loops_only ? PB_LOOPS_SCHEMA : PB_ANNOTATE_SCHEMA);
	pb_jsonw_string(w, "binary", a->elf->path);
	pb_jsonw_string(w, "unit", a->unit);
	pb_jsonw_int(w, "total", (int64_t)a->total);
	pb_jsonw_object(w, "object");
	pb_jsonw_int(w, "cost", (int64_t)a->object_v);
	if (a->has_misses)
		pb_jsonw_int(w, "i1_misses", (int64_t)a->object_misses);
	pb_jsonw_end(w);
	pb_jsonw_object(w, "l1i");
	pb_jsonw_int(w, "size", (int64_t)a->l1i.size);
	pb_jsonw_int(w, "ways", a->l1i.ways);
	pb_jsonw_int(w, "line", a->l1i.line);
	pb_jsonw_int(w, "sets", a->l1i.sets);
	pb_jsonw_end(w);
	pb_jsonw_bool(w, "source_lines", !a->no_lines);
	pb_jsonw_array(w, "functions");
	for (i = 0; i < a->n_funcs; i++) {
		fn = &a->funcs[i];
		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "name", fn->sym->name);
		pb_jsonw_int(w, "addr", (int64_t)fn->sym->addr);
		pb_jsonw_int(w, "size", (int64_t)fn->sym->size);
		pb_jsonw_bool(w, "region", fn->pseudo);
		pb_jsonw_int(w, "cost", (int64_t)fn->v);
		pb_jsonw_number(w, "share", share(fn->v, a->total));
		if (a->has_misses)
			pb_jsonw_int(w, "i1_misses", (int64_t)fn->misses);
		if (fn->has_calls)
			pb_jsonw_int(w, "calls", (int64_t)fn->calls);
		if (!loops_only)
			json_insns(a, fn, w);
		json_loops(a, fn, w);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_end(w);
}
