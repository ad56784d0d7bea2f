/* flame.c: folded stacks → merged frames (flamegraph.pl's flow: sort, then common prefixes) → SVG rects. */
/*
 * It lives in profile/, not render/: it draws one kind of data, the folded call stacks profile/
 * writes, and render/ stays a toolkit that knows no domain (flame.c uses its SVG writer). It
 * moved here from report/ so that report/ sits above the rooms it reports on.
 */
#include "profile/flame.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "render/svg.h"

#define FRAME_H 16.0
#define PAD_TOP 34.0
#define PAD_SIDE 10.0
#define PAD_BOTTOM 24.0 /* room for the line that names the frame under the mouse */
#define CHAR_W 7.0     /* about the width of a 12 px sans-serif character */
#define MIN_WIDTH 0.1  /* narrower frames are not drawn (flamegraph.pl's minwidth) */

/* The script (profile/flame.js, embedded at build time) and the styles it toggles. */
extern const char pb_flame_js[];
static const char style[] =
	".f:hover rect { stroke: black; stroke-width: 0.5; cursor: pointer }\n"
	".f text { pointer-events: none }\n"
	".hide { display: none }\n"
	".parent { opacity: 0.5 }\n"
	"#unzoom, #search { cursor: pointer; fill: #1c7ed6 }\n"
	"#details, #matched { fill: " PB_SVG_NEUTRAL " }";

struct stack {
	char **frames; /* pointers into the caller's copy of the text */
	size_t n;
	uint64_t count;
};

struct node {
	const char *name;
	size_t depth;        /* 0 is "all" */
	uint64_t start, end; /* in samples */
};

static int cmp_stack(const void *pa, const void *pb)
{
	const struct stack *a = pa, *b = pb;
	size_t i;
	int c;

	for (i = 0; i < a->n && i < b->n; i++) {
		c = strcmp(a->frames[i], b->frames[i]);
		if (c)
			return c;
	}
	return a->n < b->n ? -1 : a->n > b->n;
}

/* Split `text` (modified in place) into stacks. Returns 0 or -1. */
static int parse(char *text, struct stack **out, size_t *n_out, uint64_t *total)
{
	struct stack *st = NULL;
	size_t n = 0, cap = 0, fcap, lineno = 0;
	char *line, *next, *sp, *f;
	int64_t count;

	*total = 0;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (line[strspn(line, " \t\r")] == '\0')
			continue;
		line[strcspn(line, "\r")] = '\0';
		sp = strrchr(line, ' ');
		if (!sp || sp == line || pb_parse_i64(sp + 1, 0, INT64_MAX, &count)) {
			pb_error("folded stacks, line %zu: expected 'frame;frame;... COUNT', got '%.60s'",
				 lineno, line);
			goto fail;
		}
		*sp = '\0';
		pb_xgrow((void **)&st, &cap, n + 1, sizeof(*st));
		memset(&st[n], 0, sizeof(st[n]));
		st[n].count = (uint64_t)count;
		fcap = 0;
		for (f = line;; f++) {
			pb_xgrow((void **)&st[n].frames, &fcap, st[n].n + 1, sizeof(*st[n].frames));
			st[n].frames[st[n].n++] = f;
			f = strchr(f, ';');
			if (!f)
				break;
			*f = '\0';
		}
		*total += st[n].count;
		n++;
	}
	*out = st;
	*n_out = n;
	return 0;
fail:
	while (n-- > 0)
		free(st[n].frames);
	free(st);
	return -1;
}

/* Merge the sorted stacks into frames: a frame spans the stacks that share it as a prefix. */
static struct node *flow(const struct stack *st, size_t n, uint64_t total, size_t *n_nodes,
			 size_t *max_depth)
{
	struct node *nodes = NULL;
	size_t *open = NULL, n_open = 0, cap_open = 0, cap = 0, k = 0, i, common;
	uint64_t x = 0;

	pb_xgrow((void **)&nodes, &cap, 1, sizeof(*nodes));
	nodes[k++] = (struct node){ "all", 0, 0, total };
	*max_depth = 0;
	for (i = 0; i < n; i++) {
		/* open[d] is the node at depth d + 1 of the previous stack. */
		for (common = 0; common < n_open && common < st[i].n &&
				 strcmp(nodes[open[common]].name, st[i].frames[common]) == 0;
		     common++)
			;
		while (n_open > common)
			nodes[open[--n_open]].end = x;
		for (; n_open < st[i].n; n_open++) {
			pb_xgrow((void **)&nodes, &cap, k + 1, sizeof(*nodes));
			nodes[k] = (struct node){ st[i].frames[n_open], n_open + 1, x, x };
			pb_xgrow((void **)&open, &cap_open, n_open + 1, sizeof(*open));
			open[n_open] = k++;
		}
		if (st[i].n > *max_depth)
			*max_depth = st[i].n;
		x += st[i].count;
	}
	while (n_open > 0)
		nodes[open[--n_open]].end = x;
	free(open);
	*n_nodes = k;
	return nodes;
}

/* A warm colour from the name, so that one function keeps its colour across pictures. */
static void colour(char *out, size_t size, const char *name)
{
	uint64_t h = pb_hash64(name, strlen(name), PB_HASH64_SEED);

	snprintf(out, size, "rgb(%u,%u,%u)", 205 + (unsigned)(h % 51), (unsigned)((h >> 8) % 231),
		 (unsigned)((h >> 16) % 56));
}

/* As much of `name` as fits in `chars` characters, ".." marking a cut (never inside a UTF-8 sequence). */
static void fit(struct pb_buf *b, const char *name, size_t chars)
{
	size_t len = strlen(name);

	pb_buf_reset(b);
	if (len <= chars) {
		pb_buf_puts(b, name);
		return;
	}
	len = chars - 2;
	while (len > 0 && ((unsigned char)name[len] & 0xc0) == 0x80)
		len--;
	pb_buf_add(b, name, len);
	pb_buf_puts(b, "..");
}

/* The deepest level drawn: the deepest frame wide enough to see, at most PB_FLAME_MAX_LEVELS. */
static size_t levels(const struct node *nodes, size_t n_nodes, uint64_t total, double width)
{
	size_t max = 0, i;

	for (i = 0; i < n_nodes; i++)
		if (nodes[i].depth > max && total &&
		    (double)(nodes[i].end - nodes[i].start) / (double)total * width >= MIN_WIDTH)
			max = nodes[i].depth;
	return max > PB_FLAME_MAX_LEVELS ? PB_FLAME_MAX_LEVELS : max;
}

int pb_flame_svg(struct pb_buf *out, const char *folded, const char *title)
{
	struct pb_buf text = PB_BUF_INIT, tip = PB_BUF_INIT, label = PB_BUF_INIT;
	struct stack *st = NULL;
	struct node *nodes = NULL;
	struct pb_svg svg;
	size_t n = 0, n_nodes = 0, max_depth = 0, depth, i;
	uint64_t total, deeper = 0;
	double width = PB_SVG_WIDTH - 2 * PAD_SIDE, height, x, w, y;
	char fill[32];

	pb_buf_puts(&text, folded);
	if (parse(text.data, &st, &n, &total)) {
		pb_buf_release(&text);
		return -1;
	}
	if (n > 1)
		qsort(st, n, sizeof(*st), cmp_stack);
	nodes = flow(st, n, total, &n_nodes, &max_depth);
	depth = levels(nodes, n_nodes, total, width);
	for (i = 0; i < n; i++)
		if (st[i].n > depth && depth == PB_FLAME_MAX_LEVELS)
			deeper += st[i].count;
	height = PAD_TOP + (double)(depth + 1) * FRAME_H + PAD_BOTTOM;
	pb_svg_begin(&svg, out, PB_SVG_WIDTH, height, title);
	pb_svg_cdata(&svg, "style", style);
	pb_svg_text(&svg, PB_SVG_WIDTH / 2, 20, "middle", 0, PB_SVG_NEUTRAL, title);
	if (deeper) {
		pb_buf_printf(&label, "%llu samples have stacks deeper than %d frames: their frames above "
			      "that are not drawn (the folded stacks have them)", (unsigned long long)deeper,
			      PB_FLAME_MAX_LEVELS);
		pb_svg_text(&svg, PB_SVG_WIDTH / 2, 32, "middle", 0, PB_SVG_NEUTRAL, label.data);
	}
	/* Controls, hidden until the script shows them: without scripts they would do nothing. */
	pb_svg_text_id(&svg, PAD_SIDE, 20, "start", "unzoom", "hide", "Reset Zoom");
	pb_svg_text_id(&svg, PB_SVG_WIDTH - PAD_SIDE, 20, "end", "search", "hide", "Search");
	pb_svg_text_id(&svg, PAD_SIDE, height - 8, "start", "details", "hide", " ");
	pb_svg_text_id(&svg, PB_SVG_WIDTH - PAD_SIDE, height - 8, "end", "matched", NULL, "");
	pb_svg_group_begin(&svg, "frames", NULL, NULL);
	pb_buf_putc(out, '\n');
	for (i = 0; i < n_nodes; i++) {
		/* Without samples only "all" is drawn, full width. */
		w = total ? (double)(nodes[i].end - nodes[i].start) / (double)total * width :
			    i == 0 ? width : 0;
		if (w < MIN_WIDTH || nodes[i].depth > depth)
			continue;
		x = PAD_SIDE + (total ? (double)nodes[i].start / (double)total * width : 0);
		y = height - PAD_BOTTOM - (double)(nodes[i].depth + 1) * FRAME_H;
		pb_buf_reset(&tip);
		pb_buf_printf(&tip, "%s: %llu samples (%.2f%%)", nodes[i].name,
			      (unsigned long long)(nodes[i].end - nodes[i].start),
			      total ? 100.0 * (double)(nodes[i].end - nodes[i].start) / (double)total : 0);
		colour(fill, sizeof(fill), nodes[i].name);
		/* The tooltip on the group: it shows over the label too, and the script reads it. */
		pb_svg_group_begin(&svg, NULL, "f", tip.data);
		pb_svg_rect(&svg, x, y, w, FRAME_H - 1, fill, NULL);
		/* Every frame has a label element (empty when too narrow): a zoom may widen it. */
		if (w >= 3 * CHAR_W + 6)
			fit(&label, nodes[i].name, (size_t)((w - 6) / CHAR_W));
		else
			pb_buf_reset(&label);
		pb_svg_text(&svg, x + 3, y + FRAME_H - 4, "start", 0, "black", label.data);
		pb_svg_group_end(&svg);
	}
	pb_svg_group_end(&svg);
	pb_svg_cdata(&svg, "script", pb_flame_js);
	pb_svg_end(&svg);
	for (i = 0; i < n; i++)
		free(st[i].frames);
	free(st);
	free(nodes);
	pb_buf_release(&text);
	pb_buf_release(&tip);
	pb_buf_release(&label);
	return 0;
}
