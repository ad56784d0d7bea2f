/* output.c: the layout and layout-diff results as JSON documents and as human tables. */

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "layout/diff.h"
#include "layout/layout.h"
#include "render/table.h"

/* Rows of a text table of hot functions before the rest is left to --json. */
#define TEXT_MAX_ROWS 100

static void section_flags(char *out, const struct pb_elf_section *s)
{
	size_t n = 0;

	if (s->flags & SHF_ALLOC)
		out[n++] = 'A';
	if (s->flags & SHF_WRITE)
		out[n++] = 'W';
	if (s->flags & SHF_EXECINSTR)
		out[n++] = 'X';
	out[n] = '\0';
}

/* `with_hash` reads .text for its hash (a diff reads the code anyway; a layout need not). */
static void write_binary(struct pb_jsonw *w, const struct pb_elf *e, bool with_hash)
{
	char hash[17];

	pb_jsonw_string(w, "binary", e->path);
	pb_jsonw_string(w, "build_id", e->build_id);
	if (with_hash) {
		snprintf(hash, sizeof(hash), "%016" PRIx64, pb_elf_text_hash(e));
		pb_jsonw_string(w, "text_hash", hash);
	}
	pb_jsonw_string(w, "machine", pb_elf_machine_name(e->machine));
	pb_jsonw_string(w, "type", e->type == ET_EXEC ? "exec" : "dyn");
	pb_jsonw_bool(w, "stripped", e->from_dynsym);
}

static void write_l1i(struct pb_jsonw *w, const struct pb_l1i *g)
{
	pb_jsonw_object(w, "l1i");
	pb_jsonw_int(w, "size", (int64_t)g->size);
	pb_jsonw_int(w, "ways", g->ways);
	pb_jsonw_int(w, "line", g->line);
	pb_jsonw_int(w, "sets", g->sets);
	pb_jsonw_string(w, "source", g->source);
	pb_jsonw_end(w);
}

/* Allocated sections in address order (section numbers usually are, but need not be). */
static size_t alloc_sections(const struct pb_elf *e, const struct pb_elf_section **out)
{
	const struct pb_elf_section *t;
	size_t i, j, n = 0;

	for (i = 1; i < e->n_sections; i++)
		if (e->sections[i].alloc && e->sections[i].addr)
			out[n++] = &e->sections[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1]->addr > out[j]->addr; j--)
			t = out[j], out[j] = out[j - 1], out[j - 1] = t;
	return n;
}

static void write_branches(struct pb_jsonw *w, const char *prefix, const struct pb_branches *b)
{
	char key[64];
	size_t i;

	snprintf(key, sizeof(key), "%sjcc_32b", prefix);
	pb_jsonw_array(w, key);
	for (i = 0; i < b->n_jcc; i++) {
		pb_jsonw_object(w, NULL);
		pb_jsonw_int(w, "addr", (int64_t)b->jcc[i].addr);
		pb_jsonw_int(w, "size", b->jcc[i].size);
		pb_jsonw_string(w, "boundary", b->jcc[i].crosses ? "crosses" : "ends");
		pb_jsonw_bool(w, "fused", b->jcc[i].fused);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	snprintf(key, sizeof(key), "%ssplit_loops", prefix);
	pb_jsonw_array(w, key);
	for (i = 0; i < b->n_loops; i++) {
		pb_jsonw_object(w, NULL);
		pb_jsonw_int(w, "head", (int64_t)b->loops[i].head);
		pb_jsonw_int(w, "end", (int64_t)b->loops[i].end);
		pb_jsonw_int(w, "lines", b->loops[i].lines);
		pb_jsonw_int(w, "min_lines", b->loops[i].min_lines);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
}

static void write_footprint(struct pb_jsonw *w, const char *key, const struct pb_footprint *fp)
{
	pb_jsonw_object(w, key);
	pb_jsonw_int(w, "functions", (int64_t)fp->functions);
	pb_jsonw_int(w, "bytes", (int64_t)fp->bytes);
	pb_jsonw_int(w, "cache_lines", (int64_t)fp->cache_lines);
	pb_jsonw_int(w, "pages", (int64_t)fp->pages);
	pb_jsonw_int(w, "pages_2m", (int64_t)fp->pages_2m);
	pb_jsonw_int(w, "l1i_max_ways", fp->l1i_max_ways);
	pb_jsonw_int(w, "l1i_sets_over_ways", fp->sets_over_ways);
	pb_jsonw_end(w);
}

/* Does the word hold a byte below 0x20, a '"' or a '\\' (one that JSON escapes)? */
static bool word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');

	/* (x - ones) & ~x & high: a zero byte in x; w - 0x20.. & ~w & high: a byte below 0x20 */
	return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & high;
}

/* A string as JSON: runs of plain bytes are copied at once (symbol tables are large). */
static void put_str(struct pb_buf *b, const char *s)
{
	size_t n = strlen(s), i;
	uint64_t w;

	/* Checked 8 bytes at a time: names run to hundreds of bytes and never need escaping. */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (word_needs_escape(w))
			break;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			break;
	if (i < n) {
		pb_json_quote(b, s);
		return;
	}
	pb_buf_grow(b, n + 2);
	b->data[b->len++] = '"';
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
}

static void put_key_u64(struct pb_buf *b, const char *key, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	pb_buf_puts(b, key);
	pb_buf_grow(b, n);
	while (n)
		b->data[b->len++] = tmp[--n];
	b->data[b->len] = '\0';
}

/* Length of s when it needs no JSON escaping, else (size_t)-1. */
static size_t plain_len(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == '"' || *p == '\\')
			return (size_t)-1;
	return (size_t)(p - (const unsigned char *)s);
}

static char *emit(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define EMIT_LIT(p, lit) emit((p), (lit), sizeof(lit) - 1)

static char *emit_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/*
 * functions[]: one object per line, written directly (a big symbol table through the generic writer
 * costs more than nm). It is the last member of the top-level object, so the writer's state stays
 * right: the members before it cleared `first` at depth 1, and the closing brace comes from
 * pb_jsonw_end().
 */
static void write_functions(struct pb_jsonw *w, const struct pb_layout *l)
{
	const struct pb_elf *e = l->elf;
	struct pb_buf *b = w->out;
	const char *sec;
	size_t i, nl, sl;
	struct pb_place p;
	bool escaped;
	char *o;

	/* About 150 bytes a line: one allocation instead of a doubling series (unless streamed). */
	if (!w->sink)
		pb_buf_grow(b, e->n_funcs * 160);
	pb_buf_puts(b, w->compact ? ",\"functions\":[" : ",\n  \"functions\": [");
	for (i = 0; i < e->n_funcs; i++) {
		pb_place_compute(&p, e->funcs[i].addr, e->funcs[i].size, &l->l1i);
		pb_buf_puts(b, i ? (w->compact ? "," : ",\n    ") : (w->compact ? "" : "\n    "));
		sec = pb_elf_sym_section(e, &e->funcs[i]);
		nl = plain_len(e->funcs[i].name);
		sl = plain_len(sec);
		escaped = nl == (size_t)-1 || sl == (size_t)-1;
		if (escaped) {
			/* A name with quotes or control bytes: the escaping writer. */
			pb_buf_puts(b, "{\"name\": ");
			put_str(b, e->funcs[i].name);
			pb_buf_puts(b, ", \"section\": ");
			put_str(b, sec);
			nl = sl = 0;
		}
		pb_buf_grow(b, nl + sl + 200);
		o = b->data + b->len;
		if (!escaped) {
			o = EMIT_LIT(o, "{\"name\": \"");
			o = emit(o, e->funcs[i].name, nl);
			o = EMIT_LIT(o, "\", \"section\": \"");
			o = emit(o, sec, sl);
			*o++ = '"';
		}
		o = EMIT_LIT(o, ", \"addr\": ");
		o = emit_u64(o, p.addr);
		o = EMIT_LIT(o, ", \"size\": ");
		o = emit_u64(o, p.size);
		o = EMIT_LIT(o, ", \"align\": ");
		o = emit_u64(o, p.align);
		o = EMIT_LIT(o, ", \"line_offset\": ");
		o = emit_u64(o, p.line_offset);
		o = EMIT_LIT(o, ", \"cache_lines\": ");
		o = emit_u64(o, p.cache_lines);
		o = EMIT_LIT(o, ", \"pages\": ");
		o = emit_u64(o, p.pages);
		*o++ = '}';
		*o = '\0';
		b->len = (size_t)(o - b->data);
		pb_jsonw_drain(w);
	}
	pb_buf_puts(b, w->compact || !e->n_funcs ? "]" : "\n  ]");
}

/* hot.functions[] (every name, when every function is hot), appended as the last member of "hot". */
static void write_hot_names(struct pb_jsonw *w, const struct pb_layout *l)
{
	struct pb_buf *b = w->out;
	size_t i;

	pb_buf_puts(b, w->compact ? ",\"functions\":[" : ",\n    \"functions\": [");
	for (i = 0; i < l->n_hot; i++) {
		pb_buf_puts(b, i ? (w->compact ? "," : ",\n      ") : (w->compact ? "" : "\n      "));
		put_str(b, l->hot[i].sym->name);
		pb_jsonw_drain(w);
	}
	pb_buf_puts(b, w->compact || !l->n_hot ? "]" : "\n    ]");
}

void pb_layout_write_json(const struct pb_layout *l, struct pb_jsonw *w)
{
	const struct pb_elf *e = l->elf;
	const struct pb_elf_section **secs = pb_xcalloc(e->n_sections + 1, sizeof(*secs));
	const struct pb_hot_func *h;
	struct pb_place p;
	char flags[8];
	size_t i, n;
	uint32_t s;

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_LAYOUT_SCHEMA);
	write_binary(w, e, false);
	write_l1i(w, &l->l1i);
	pb_jsonw_array(w, "sections");
	n = alloc_sections(e, secs);
	for (i = 0; i < n; i++) {
		section_flags(flags, secs[i]);
		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "name", secs[i]->name);
		pb_jsonw_int(w, "addr", (int64_t)secs[i]->addr);
		pb_jsonw_int(w, "size", (int64_t)secs[i]->size);
		pb_jsonw_int(w, "align", (int64_t)secs[i]->align);
		pb_jsonw_string(w, "flags", flags);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	/* The order the linker gave the code sections (.text.unlikely, .text.hot, .text, ...). */
	pb_jsonw_array(w, "text_order");
	for (i = 0; i < n; i++)
		if (secs[i]->exec)
			pb_jsonw_string(w, NULL, secs[i]->name);
	pb_jsonw_end(w);
	pb_jsonw_object(w, "hot");
	pb_jsonw_string(w, "source", pb_layout_source_name(l->source));
	pb_jsonw_int(w, "bytes", (int64_t)l->fp.bytes);
	pb_jsonw_int(w, "cache_lines", (int64_t)l->fp.cache_lines);
	pb_jsonw_int(w, "pages", (int64_t)l->fp.pages);
	pb_jsonw_int(w, "pages_2m", (int64_t)l->fp.pages_2m);
	pb_jsonw_int(w, "l1i_max_ways", l->fp.l1i_max_ways);
	pb_jsonw_int(w, "l1i_sets_over_ways", l->fp.sets_over_ways);
	pb_jsonw_array(w, "l1i_set_lines");
	for (s = 0; s < l->fp.n_sets; s++)
		pb_jsonw_int(w, NULL, l->fp.set_lines[s]);
	pb_jsonw_end(w);
	pb_jsonw_array(w, "missing");
	for (i = 0; i < l->n_missing; i++)
		pb_jsonw_string(w, NULL, l->missing[i]);
	pb_jsonw_end(w);
	pb_jsonw_bool(w, "code_checks", l->code_checks);
	/* With every function hot, the details would repeat functions[]. */
	pb_jsonw_array(w, "details");
	for (i = 0; l->source != PB_HOT_ALL && i < l->n_hot; i++) {
		h = &l->hot[i];
		pb_place_compute(&p, h->sym->addr, h->sym->size, &l->l1i);
		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "name", h->sym->name);
		pb_jsonw_int(w, "addr", (int64_t)p.addr);
		pb_jsonw_int(w, "size", (int64_t)p.size);
		pb_jsonw_int(w, "align", (int64_t)p.align);
		pb_jsonw_int(w, "line_offset", p.line_offset);
		pb_jsonw_int(w, "cache_lines", (int64_t)p.cache_lines);
		pb_jsonw_int(w, "pages", (int64_t)p.pages);
		pb_jsonw_int(w, "l1i_set_first", p.set_first);
		pb_jsonw_int(w, "l1i_set_last", p.set_last);
		if (l->code_checks) {
			pb_jsonw_int(w, "branches", (int64_t)h->br->n_branches);
			pb_jsonw_int(w, "back_edges", (int64_t)h->br->n_back_edges);
			write_branches(w, "", h->br);
		}
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	write_hot_names(w, l);
	pb_jsonw_end(w);
	write_functions(w, l);
	pb_jsonw_end(w);
	pb_jsonw_finish(w);
	free(secs);
}

static void footprint_line(struct pb_buf *out, const struct pb_footprint *fp, const struct pb_l1i *g)
{
	pb_buf_printf(out, "Footprint: %zu functions, %" PRIu64 " B, %" PRIu64 " cache lines, %" PRIu64
		      " 4 KiB pages, %" PRIu64 " 2 MiB pages\n", fp->functions, fp->bytes,
		      fp->cache_lines, fp->pages, fp->pages_2m);
	pb_buf_printf(out, "L1i set pressure: at most %u lines in one set (%u ways); %u of %u sets "
		      "over associativity\n", fp->l1i_max_ways, g->ways, fp->sets_over_ways, g->sets);
}

void pb_layout_write_text(const struct pb_layout *l, struct pb_buf *out)
{
	static const char *const sec_hdr[] = { "section", "address", "size", "align", "flags" };
	static const char *const hot_hdr[] = { "function", "address", "size", "align", "line off",
					       "lines", "pages", "L1i sets", "JCC 32B", "split loops" };
	const struct pb_elf *e = l->elf;
	const struct pb_elf_section **secs = pb_xcalloc(e->n_sections + 1, sizeof(*secs));
	const struct pb_hot_func *h;
	struct pb_table *t;
	struct pb_place p;
	char flags[8];
	size_t i, n, c;

	pb_buf_printf(out, "%s: %s, %zu functions%s, build-id %s\n", e->path, pb_elf_machine_name(e->machine),
		      e->n_funcs, e->from_dynsym ? " (stripped: .dynsym only)" : "",
		      e->build_id ? e->build_id : "(none)");
	pb_buf_printf(out, "L1i: %" PRIu64 " B, %u-way, %u B lines, %u sets (%s)\n\n", l->l1i.size,
		      l->l1i.ways, l->l1i.line, l->l1i.sets, l->l1i.source);
	t = pb_table_new(PB_ARRAY_SIZE(sec_hdr), sec_hdr);
	for (c = 1; c < 4; c++)
		pb_table_align_right(t, c);
	n = alloc_sections(e, secs);
	for (i = 0; i < n; i++) {
		section_flags(flags, secs[i]);
		pb_table_cell(t, secs[i]->name);
		pb_table_cellf(t, "0x%" PRIx64, secs[i]->addr);
		pb_table_cellf(t, "%" PRIu64, secs[i]->size);
		pb_table_cellf(t, "%" PRIu64, secs[i]->align);
		pb_table_cell(t, flags);
	}
	pb_table_render_text(t, out);
	pb_table_free(t);
	pb_buf_printf(out, "\nHot functions (%s): %zu\n", pb_layout_source_name(l->source), l->n_hot);
	t = pb_table_new(PB_ARRAY_SIZE(hot_hdr), hot_hdr);
	for (c = 1; c < PB_ARRAY_SIZE(hot_hdr); c++)
		pb_table_align_right(t, c);
	for (i = 0; i < l->n_hot && i < TEXT_MAX_ROWS; i++) {
		h = &l->hot[i];
		pb_place_compute(&p, h->sym->addr, h->sym->size, &l->l1i);
		pb_table_cell(t, h->sym->name);
		pb_table_cellf(t, "0x%" PRIx64, p.addr);
		pb_table_cellf(t, "%" PRIu64, p.size);
		pb_table_cellf(t, "%" PRIu64, p.align);
		pb_table_cellf(t, "%u", p.line_offset);
		pb_table_cellf(t, "%" PRIu64, p.cache_lines);
		pb_table_cellf(t, "%" PRIu64, p.pages);
		pb_table_cellf(t, "%u-%u", p.set_first, p.set_last);
		if (l->code_checks) {
			pb_table_cellf(t, "%zu", h->br->n_jcc);
			pb_table_cellf(t, "%zu", h->br->n_loops);
		} else {
			pb_table_cell(t, "-");
			pb_table_cell(t, "-");
		}
	}
	pb_table_render_text(t, out);
	pb_table_free(t);
	if (l->n_hot > TEXT_MAX_ROWS)
		pb_buf_printf(out, "... and %zu more (--json lists them all)\n", l->n_hot - TEXT_MAX_ROWS);
	if (l->n_missing)
		pb_buf_printf(out, "Not in this binary: %zu hot names (first: %s)\n", l->n_missing,
			      l->missing[0]);
	pb_buf_putc(out, '\n');
	footprint_line(out, &l->fp, &l->l1i);
	if (!l->code_checks)
		pb_buf_printf(out, "JCC-erratum and loop checks: %s\n",
			      l->source == PB_HOT_ALL ? "skipped (no hot set: pass --hot or --profile)"
						      : "skipped (not x86 code)");
	free(secs);
}

static const char *class_name(enum pb_diff_class c)
{
	switch (c) {
	case PB_DIFF_SAME:
		return "same";
	case PB_DIFF_MOVED:
		return "moved";
	case PB_DIFF_CHANGED:
		return "changed";
	case PB_DIFF_ADDED:
		return "added";
	case PB_DIFF_REMOVED:
		break;
	}
	return "removed";
}

static const char *diff_name(const struct pb_diff_func *f)
{
	return f->good ? f->good->name : f->bad->name;
}

static void int_or_null(struct pb_jsonw *w, const char *key, bool have, int64_t v)
{
	if (have)
		pb_jsonw_int(w, key, v);
	else
		pb_jsonw_null(w, key);
}

static void write_side(struct pb_jsonw *w, const char *key, const struct pb_layout *l)
{
	pb_jsonw_object(w, key);
	write_binary(w, l->elf, true);
	pb_jsonw_string(w, "hot_source", pb_layout_source_name(l->source));
	pb_jsonw_end(w);
}

/* One JSON object on one line, written directly (a diff of big builds has a hot[] entry per function). */
struct line {
	struct pb_buf *b;
	bool first;
};

static void l_key(struct line *l, const char *key)
{
	pb_buf_puts(l->b, l->first ? "\"" : ", \"");
	pb_buf_puts(l->b, key);
	pb_buf_puts(l->b, "\": ");
	l->first = false;
}

static void l_str(struct line *l, const char *key, const char *v)
{
	l_key(l, key);
	put_str(l->b, v);
}

static void l_int(struct line *l, const char *key, bool have, uint64_t v)
{
	if (have) {
		pb_buf_puts(l->b, l->first ? "\"" : ", \"");
		pb_buf_puts(l->b, key);
		put_key_u64(l->b, "\": ", v);
		l->first = false;
	} else {
		l_key(l, key);
		pb_buf_puts(l->b, "null");
	}
}

static void l_bool(struct line *l, const char *key, bool v)
{
	l_key(l, key);
	pb_buf_puts(l->b, v ? "true" : "false");
}

static void l_branches(struct line *l, const char *prefix, const struct pb_branches *br)
{
	struct line o;
	char key[64];
	size_t i;

	snprintf(key, sizeof(key), "%sjcc_32b", prefix);
	l_key(l, key);
	pb_buf_putc(l->b, '[');
	for (i = 0; i < br->n_jcc; i++) {
		pb_buf_puts(l->b, i ? ", {" : "{");
		o.b = l->b, o.first = true;
		l_int(&o, "addr", true, br->jcc[i].addr);
		l_int(&o, "size", true, br->jcc[i].size);
		l_str(&o, "boundary", br->jcc[i].crosses ? "crosses" : "ends");
		l_bool(&o, "fused", br->jcc[i].fused);
		pb_buf_putc(l->b, '}');
	}
	pb_buf_putc(l->b, ']');
	snprintf(key, sizeof(key), "%ssplit_loops", prefix);
	l_key(l, key);
	pb_buf_putc(l->b, '[');
	for (i = 0; i < br->n_loops; i++) {
		pb_buf_puts(l->b, i ? ", {" : "{");
		o.b = l->b, o.first = true;
		l_int(&o, "head", true, br->loops[i].head);
		l_int(&o, "end", true, br->loops[i].end);
		l_int(&o, "lines", true, br->loops[i].lines);
		l_int(&o, "min_lines", true, br->loops[i].min_lines);
		pb_buf_putc(l->b, '}');
	}
	pb_buf_putc(l->b, ']');
}

/* A number, or null when the function is not on that side. */
static char *emit_opt(char *p, bool have, uint64_t v)
{
	return have ? emit_u64(p, v) : EMIT_LIT(p, "null");
}

static char *emit_plain(char *p, const char *s)
{
	return emit(p, s, strlen(s));
}

static void write_hot_entry(struct pb_buf *out, const struct pb_layout_diff *d,
			    const struct pb_diff_func *f)
{
	static const struct pb_branches none[2];
	const struct pb_branches *br = f->br ? f->br : none;
	bool g = f->good != NULL, b = f->bad != NULL;
	struct line l = { out, false };
	struct pb_place gp, bp;
	char *o;

	pb_diff_func_places(d, f, &gp, &bp);

	/* A diff of big builds has an entry per function: the fixed part is written in one run. */
	pb_buf_puts(out, "{\"name\": ");
	put_str(out, diff_name(f));
	pb_buf_grow(out, 800);
	o = out->data + out->len;
	o = EMIT_LIT(o, ", \"class\": \"");
	o = emit_plain(o, class_name(f->cls));
	o = EMIT_LIT(o, "\", \"good_addr\": ");
	o = emit_opt(o, g, gp.addr);
	o = EMIT_LIT(o, ", \"bad_addr\": ");
	o = emit_opt(o, b, bp.addr);
	o = EMIT_LIT(o, ", \"good_size\": ");
	o = emit_opt(o, g, gp.size);
	o = EMIT_LIT(o, ", \"bad_size\": ");
	o = emit_opt(o, b, bp.size);
	o = EMIT_LIT(o, ", \"same_code\": ");
	o = g && b && f->code == PB_CODE_STRICT_EQUAL ? EMIT_LIT(o, "true") : EMIT_LIT(o, "false");
	o = EMIT_LIT(o, ", \"code\": \"");
	o = emit_plain(o, g && b ? pb_code_class_name(f->code) : "changed");
	o = EMIT_LIT(o, "\", \"good_align\": ");
	o = emit_opt(o, g, gp.align);
	o = EMIT_LIT(o, ", \"bad_align\": ");
	o = emit_opt(o, b, bp.align);
	o = EMIT_LIT(o, ", \"good_line_offset\": ");
	o = emit_opt(o, g, gp.line_offset);
	o = EMIT_LIT(o, ", \"bad_line_offset\": ");
	o = emit_opt(o, b, bp.line_offset);
	o = EMIT_LIT(o, ", \"good_cache_lines\": ");
	o = emit_opt(o, g, gp.cache_lines);
	o = EMIT_LIT(o, ", \"bad_cache_lines\": ");
	o = emit_opt(o, b, bp.cache_lines);
	o = EMIT_LIT(o, ", \"good_pages\": ");
	o = emit_opt(o, g, gp.pages);
	o = EMIT_LIT(o, ", \"bad_pages\": ");
	o = emit_opt(o, b, bp.pages);
	*o = '\0';
	out->len = (size_t)(o - out->data);
	if (d->code_checks) {
		l_int(&l, "good_jcc_32b_count", g, br[0].n_jcc);
		l_int(&l, "bad_jcc_32b_count", b, br[1].n_jcc);
		l_int(&l, "good_split_loops_count", g, br[0].n_loops);
		l_int(&l, "bad_split_loops_count", b, br[1].n_loops);
		l_branches(&l, "good_", &br[0]);
		l_branches(&l, "bad_", &br[1]);
	}
	pb_buf_putc(out, '}');
}

/*
 * One element of changed[], in the bytes the writer's object, three members and end would write
 * (pretty-printed, inside the array open at w->depth): a big diff has tens of thousands.
 */
static void write_changed_entry(struct pb_jsonw *w, const struct pb_diff_func *f)
{
	struct pb_buf *out = w->out;
	int depth = w->depth, i;

	if (!w->first[depth])
		pb_buf_putc(out, ',');
	w->first[depth] = false;
	pb_buf_putc(out, '\n');
	for (i = 0; i < depth; i++)
		pb_buf_puts(out, "  ");
	pb_buf_puts(out, "{\n");
	for (i = 0; i <= depth; i++)
		pb_buf_puts(out, "  ");
	pb_buf_puts(out, "\"name\": ");
	put_str(out, diff_name(f));
	pb_buf_puts(out, ",\n");
	for (i = 0; i <= depth; i++)
		pb_buf_puts(out, "  ");
	pb_buf_puts(out, "\"code\": ");
	put_str(out, pb_code_class_name(f->code));
	pb_buf_puts(out, ",\n");
	for (i = 0; i <= depth; i++)
		pb_buf_puts(out, "  ");
	pb_buf_puts(out, f->hot ? "\"hot\": true\n" : "\"hot\": false\n");
	for (i = 0; i < depth; i++)
		pb_buf_puts(out, "  ");
	pb_buf_putc(out, '}');
}

/* hot[], one entry per line, as the last member of the top-level object (see write_functions). */
static void write_hot_entries(struct pb_jsonw *w, const struct pb_layout_diff *d)
{
	size_t i;

	pb_buf_puts(w->out, ",\n  \"hot\": [");
	for (i = 0; i < d->n_hot; i++) {
		pb_buf_puts(w->out, i ? ",\n    " : "\n    ");
		write_hot_entry(w->out, d, &d->funcs[d->hot[i]]);
		pb_jsonw_drain(w);
	}
	pb_buf_puts(w->out, d->n_hot ? "\n  ]" : "]");
}

void pb_layout_diff_write_json(const struct pb_layout_diff *d, struct pb_jsonw *w)
{
	const struct pb_upstream *u = &d->up;
	const struct pb_diff_func *f;
	size_t i;

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_LAYOUT_DIFF_SCHEMA);
	write_side(w, "good", d->good);
	write_side(w, "bad", d->bad);
	write_l1i(w, &d->good->l1i);
	pb_jsonw_object(w, "summary");
	pb_jsonw_int(w, "matched", (int64_t)d->sum.matched);
	pb_jsonw_int(w, "same_address", (int64_t)d->sum.same_address);
	pb_jsonw_int(w, "moved", (int64_t)d->sum.moved);
	pb_jsonw_int(w, "same_code_moved", (int64_t)d->sum.same_code_moved);
	pb_jsonw_int(w, "code_changed", (int64_t)d->sum.code_changed);
	pb_jsonw_int(w, "loose_equal", (int64_t)d->sum.loose_equal);
	pb_jsonw_int(w, "added", (int64_t)d->sum.added);
	pb_jsonw_int(w, "removed", (int64_t)d->sum.removed);
	pb_jsonw_end(w);
	pb_jsonw_bool(w, "code_checks", d->code_checks);
	pb_jsonw_object(w, "footprint");
	write_footprint(w, "good", &d->good->fp);
	write_footprint(w, "bad", &d->bad->fp);
	pb_jsonw_end(w);
	pb_jsonw_object(w, "upstream");
	pb_jsonw_bool(w, "valid", u->valid);
	if (u->valid) {
		pb_jsonw_string(w, "section", u->section);
		pb_jsonw_int(w, "good_hot_start", (int64_t)u->good_start);
		pb_jsonw_int(w, "bad_hot_start", (int64_t)u->bad_start);
		pb_jsonw_int(w, "shift", (int64_t)(u->bad_start - u->good_start));
		pb_jsonw_int(w, "good_offset", (int64_t)u->good_offset);
		pb_jsonw_int(w, "bad_offset", (int64_t)u->bad_offset);
		pb_jsonw_int(w, "good_bytes_before", (int64_t)u->good_before);
		pb_jsonw_int(w, "bad_bytes_before", (int64_t)u->bad_before);
		pb_jsonw_int(w, "good_cold_bytes_before", (int64_t)u->good_cold);
		pb_jsonw_int(w, "bad_cold_bytes_before", (int64_t)u->bad_cold);
		pb_jsonw_array(w, "sections");
		for (i = 0; i < u->n_sections; i++) {
			pb_jsonw_object(w, NULL);
			pb_jsonw_string(w, "name", u->sections[i].name);
			pb_jsonw_int(w, "good_size", (int64_t)u->sections[i].good_size);
			int_or_null(w, "bad_size", u->sections[i].in_bad, (int64_t)u->sections[i].bad_size);
			pb_jsonw_int(w, "delta", (int64_t)(u->sections[i].bad_size -
							    u->sections[i].good_size));
			pb_jsonw_end(w);
		}
		pb_jsonw_end(w);
		pb_jsonw_array(w, "functions");
		for (i = 0; i < u->n_funcs; i++) {
			pb_jsonw_object(w, NULL);
			pb_jsonw_string(w, "name", u->funcs[i].name);
			pb_jsonw_int(w, "good_size", (int64_t)u->funcs[i].good_size);
			pb_jsonw_int(w, "bad_size", (int64_t)u->funcs[i].bad_size);
			pb_jsonw_int(w, "delta", (int64_t)(u->funcs[i].bad_size - u->funcs[i].good_size));
			pb_jsonw_end(w);
		}
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_array(w, "changed");
	for (i = 0; i < d->n_funcs; i++) {
		f = &d->funcs[i];
		if (f->cls != PB_DIFF_CHANGED)
			continue;
		if (w->compact) {
			pb_jsonw_object(w, NULL);
			pb_jsonw_string(w, "name", diff_name(f));
			pb_jsonw_string(w, "code", pb_code_class_name(f->code));
			pb_jsonw_bool(w, "hot", f->hot);
			pb_jsonw_end(w);
		} else {
			write_changed_entry(w, f);
			pb_jsonw_drain(w);
		}
	}
	pb_jsonw_end(w);
	write_hot_entries(w, d);
	pb_jsonw_end(w);
	pb_jsonw_finish(w);
}

static void fp_row(struct pb_table *t, const char *what, uint64_t g, uint64_t b)
{
	pb_table_cell(t, what);
	pb_table_cellf(t, "%" PRIu64, g);
	pb_table_cellf(t, "%" PRIu64, b);
	pb_table_cellf(t, "%+" PRId64, (int64_t)(b - g));
}

static void upstream_text(const struct pb_layout_diff *d, struct pb_buf *out)
{
	const struct pb_upstream *u = &d->up;
	size_t i, shown = 0;
	int64_t delta;

	if (!u->valid) {
		pb_buf_printf(out, "\nUpstream shift: not computed (no hot set: pass --hot or --profile)\n");
		return;
	}
	pb_buf_printf(out, "\nUpstream shift: the hot code starts at 0x%" PRIx64 " in good and 0x%" PRIx64
		      " in bad (%+" PRId64 " B)\n", u->good_start, u->bad_start,
		      (int64_t)(u->bad_start - u->good_start));
	for (i = 0; i < u->n_sections; i++) {
		delta = (int64_t)(u->sections[i].bad_size - u->sections[i].good_size);
		if (!delta)
			continue;
		pb_buf_printf(out, "  section %s before it: %" PRIu64 " -> %" PRIu64 " B (%+" PRId64 ")\n",
			      u->sections[i].name, u->sections[i].good_size, u->sections[i].bad_size,
			      delta);
		shown++;
	}
	if (!shown)
		pb_buf_printf(out, "  no section laid out before %s changed size\n", u->section);
	pb_buf_printf(out, "  functions before it in %s: %" PRIu64 " -> %" PRIu64 " B (%+" PRId64
		      "), of which .cold parts: %" PRIu64 " -> %" PRIu64 " B\n", u->section,
		      u->good_before, u->bad_before, (int64_t)(u->bad_before - u->good_before),
		      u->good_cold, u->bad_cold);
	for (i = 0; i < u->n_funcs; i++)
		pb_buf_printf(out, "    %s: %" PRIu64 " -> %" PRIu64 " B (%+" PRId64 ")\n", u->funcs[i].name,
			      u->funcs[i].good_size, u->funcs[i].bad_size,
			      (int64_t)(u->funcs[i].bad_size - u->funcs[i].good_size));
}

void pb_layout_diff_write_text(const struct pb_layout_diff *d, struct pb_buf *out)
{
	static const char *const hot_hdr[] = { "function", "good addr", "bad addr", "shift",
					       "line off", "lines", "pages", "code", "JCC 32B",
					       "split loops" };
	static const char *const fp_hdr[] = { "hot footprint", "good", "bad", "change" };
	static const struct pb_branches none[2];
	const struct pb_diff_summary *s = &d->sum;
	const struct pb_branches *br;
	const struct pb_diff_func *f;
	struct pb_place gp, bp;
	struct pb_table *t;
	size_t i, c;

	pb_buf_printf(out, "good: %s (build-id %s)\nbad:  %s (build-id %s)\n", d->good->elf->path,
		      d->good->elf->build_id ? d->good->elf->build_id : "none", d->bad->elf->path,
		      d->bad->elf->build_id ? d->bad->elf->build_id : "none");
	pb_buf_printf(out, "\n%zu functions matched: %zu at the same address, %zu moved (%zu with the "
		      "same code), %zu with changed code (%zu loose-equal); %zu added, %zu removed\n",
		      s->matched, s->same_address, s->moved, s->same_code_moved, s->code_changed,
		      s->loose_equal, s->added, s->removed);
	pb_buf_printf(out, "\nHot functions (%s): %zu\n", pb_layout_source_name(d->good->source),
		      d->n_hot);
	t = pb_table_new(PB_ARRAY_SIZE(hot_hdr), hot_hdr);
	for (c = 1; c < PB_ARRAY_SIZE(hot_hdr); c++)
		if (c != 7)
			pb_table_align_right(t, c);
	for (i = 0; i < d->n_hot && i < TEXT_MAX_ROWS; i++) {
		f = &d->funcs[d->hot[i]];
		br = f->br ? f->br : none;
		pb_diff_func_places(d, f, &gp, &bp);
		pb_table_cell(t, diff_name(f));
		if (f->good)
			pb_table_cellf(t, "0x%" PRIx64, f->good->addr);
		else
			pb_table_cell(t, "-");
		if (f->bad)
			pb_table_cellf(t, "0x%" PRIx64, f->bad->addr);
		else
			pb_table_cell(t, "-");
		if (f->good && f->bad) {
			pb_table_cellf(t, "%+" PRId64, (int64_t)(f->bad->addr - f->good->addr));
			pb_table_cellf(t, "%u -> %u", gp.line_offset, bp.line_offset);
			pb_table_cellf(t, "%" PRIu64 " -> %" PRIu64, gp.cache_lines,
				       bp.cache_lines);
			pb_table_cellf(t, "%" PRIu64 " -> %" PRIu64, gp.pages,
				       bp.pages);
			pb_table_cell(t, pb_code_class_name(f->code));
		} else {
			for (c = 0; c < 4; c++)
				pb_table_cell(t, "-");
			pb_table_cell(t, class_name(f->cls));
		}
		if (d->code_checks) {
			pb_table_cellf(t, "%zu -> %zu", br[0].n_jcc, br[1].n_jcc);
			pb_table_cellf(t, "%zu -> %zu", br[0].n_loops, br[1].n_loops);
		} else {
			pb_table_cell(t, "-");
			pb_table_cell(t, "-");
		}
	}
	pb_table_render_text(t, out);
	pb_table_free(t);
	if (d->n_hot > TEXT_MAX_ROWS)
		pb_buf_printf(out, "... and %zu more (--json lists them all)\n", d->n_hot - TEXT_MAX_ROWS);
	pb_buf_putc(out, '\n');
	t = pb_table_new(PB_ARRAY_SIZE(fp_hdr), fp_hdr);
	for (c = 1; c < PB_ARRAY_SIZE(fp_hdr); c++)
		pb_table_align_right(t, c);
	fp_row(t, "bytes", d->good->fp.bytes, d->bad->fp.bytes);
	fp_row(t, "cache lines", d->good->fp.cache_lines, d->bad->fp.cache_lines);
	fp_row(t, "4 KiB pages", d->good->fp.pages, d->bad->fp.pages);
	fp_row(t, "2 MiB pages", d->good->fp.pages_2m, d->bad->fp.pages_2m);
	fp_row(t, "L1i max lines in a set", d->good->fp.l1i_max_ways, d->bad->fp.l1i_max_ways);
	fp_row(t, "L1i sets over ways", d->good->fp.sets_over_ways, d->bad->fp.sets_over_ways);
	pb_table_render_text(t, out);
	pb_table_free(t);
	pb_buf_printf(out, "(L1i: %" PRIu64 " B, %u-way, %u B lines, %u sets, %s)\n",
		      d->good->l1i.size, d->good->l1i.ways, d->good->l1i.line, d->good->l1i.sets,
		      d->good->l1i.source);
	upstream_text(d, out);
}

/* What a layout document promises its readers. */
static const struct pb_schema_rule layout_rules[] = {
	{ "binary", PB_S_STR | PB_S_REQ },
	{ "sections", PB_S_ARR | PB_S_REQ },
	{ "sections[].name", PB_S_STR | PB_S_REQ },
	{ "sections[].addr", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "sections[].size", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "hot", PB_S_OBJ },
	{ "hot.bytes", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "hot.cache_lines", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "hot.pages", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ NULL, 0 },
};

const struct pb_schema pb_layout_schema = { PB_LAYOUT_SCHEMA, layout_rules };

/* What a layout diff promises the report (and the bisect document's "layout", which is one). */
static const struct pb_schema_rule layout_diff_rules[] = {
	{ "good", PB_S_OBJ | PB_S_REQ },
	{ "bad", PB_S_OBJ | PB_S_REQ },
	{ "summary", PB_S_OBJ | PB_S_REQ },
	{ "summary.*", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "footprint", PB_S_OBJ },
	{ "footprint.good", PB_S_OBJ },
	{ "footprint.bad", PB_S_OBJ },
	{ "footprint.good.*", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "footprint.bad.*", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "hot", PB_S_ARR | PB_S_REQ },
	{ "hot[].name", PB_S_STR | PB_S_REQ },
	{ "hot[].good_addr", PB_S_NUM | PB_S_NULL | PB_S_NONNEG | PB_S_INT },
	{ "hot[].bad_addr", PB_S_NUM | PB_S_NULL | PB_S_NONNEG | PB_S_INT },
	{ "upstream", PB_S_OBJ },
	{ "upstream.good_hot_start", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "upstream.bad_hot_start", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "hot[].same_code", PB_S_BOOL },
	{ "hot[].code", PB_S_STR },
	{ "changed", PB_S_ARR },
	{ "changed[].name", PB_S_STR | PB_S_REQ },
	{ NULL, 0 },
};

const struct pb_schema pb_layout_diff_schema = { PB_LAYOUT_DIFF_SCHEMA, layout_diff_rules };
