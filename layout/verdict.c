/* verdict.c: code change or code placement, decided from the layout diff and the counters. */
#include "layout/verdict.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "render/format.h"

/* A counter has "moved" when it grew by this factor (and by more than noise in absolute terms). */
#define EVIDENCE_RATIO 1.5
#define EVIDENCE_MPKI 0.05       /* misses per kilo-instruction */
#define EVIDENCE_FRONTEND_PTS 5.0 /* percentage points of frontend-bound cycles */
#define NAMES_SHOWN 4

const char *pb_attr_name(enum pb_attr a)
{
	return a == PB_ATTR_PLACEMENT ? "code-placement" : a == PB_ATTR_CODE_CHANGE ? "code-change" :
										   "inconclusive";
}

static void reason(struct pb_attr_verdict *v, const char *fmt, ...) PB_PRINTF(2, 3);
static void reason(struct pb_attr_verdict *v, const char *fmt, ...)
{
	struct pb_buf b = PB_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	v->reasons = pb_xrealloc(v->reasons, (v->n_reasons + 1) * sizeof(*v->reasons));
	v->reasons[v->n_reasons++] = pb_buf_detach(&b);
}

static bool known(struct pb_pair p)
{
	return isfinite(p.parent) && isfinite(p.culprit);
}

/* "a, b, c, d and 8 more" */
static void name_list(struct pb_buf *b, const char *const *names, size_t n)
{
	size_t i, shown = n <= NAMES_SHOWN + 1 ? n : NAMES_SHOWN;

	for (i = 0; i < shown; i++)
		pb_buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", names[i]);
	if (shown < n)
		pb_buf_printf(b, " and %zu more", n - shown);
}

static const char *fn_name(const struct pb_diff_func *f)
{
	return f->good ? f->good->name : f->bad->name;
}

/* "×224 (1,234 → 276,416)" or "+0.0% (…)": how a count changed, every digit (render/format.h). */
static void change(struct pb_buf *b, struct pb_pair p, bool as_factor)
{
	char x[48], y[48];

	if (as_factor && p.parent > 0 && p.culprit >= 2 * p.parent)
		pb_buf_puts(b, pb_fmt_change(x, sizeof(x), p.culprit / p.parent));
	else if (p.parent > 0)
		pb_buf_printf(b, "%+.1f%%", (p.culprit / p.parent - 1) * 100);
	else
		pb_buf_puts(b, "from none");
	pb_buf_printf(b, " (%s → %s)", pb_fmt_exact(x, sizeof(x), p.parent),
		      pb_fmt_exact(y, sizeof(y), p.culprit));
}

/* The set holding the most lines in a footprint, and how many. */
static uint32_t busiest_set(const struct pb_footprint *fp, uint32_t *lines)
{
	uint32_t s, best = 0;

	*lines = 0;
	for (s = 0; s < fp->n_sets; s++)
		if (fp->set_lines[s] > *lines)
			*lines = fp->set_lines[s], best = s;
	return best;
}

struct hot_scan {
	const char **changed, **moved, **same;
	size_t n_changed, n_moved, n_same;
};

static void scan_hot(const struct pb_layout_diff *d, struct hot_scan *h)
{
	size_t i;

	h->changed = pb_xcalloc(d->n_hot + 1, sizeof(char *));
	h->moved = pb_xcalloc(d->n_hot + 1, sizeof(char *));
	h->same = pb_xcalloc(d->n_hot + 1, sizeof(char *));
	h->n_changed = h->n_moved = h->n_same = 0;
	for (i = 0; i < d->n_hot; i++) {
		const struct pb_diff_func *f = &d->funcs[d->hot[i]];

		if (!f->good || !f->bad || f->code != PB_CODE_STRICT_EQUAL)
			h->changed[h->n_changed++] = fn_name(f);
		else if (f->good->addr != f->bad->addr)
			h->moved[h->n_moved++] = fn_name(f);
		else
			h->same[h->n_same++] = fn_name(f);
	}
}

static void scan_free(struct hot_scan *h)
{
	free(h->changed);
	free(h->moved);
	free(h->same);
}

/* Did the hot code's placement or footprint move? Adds the sentences that say how. */
static bool placement_moved(const struct pb_layout_diff *d, const struct hot_scan *h,
			    struct pb_attr_verdict *v)
{
	const struct pb_footprint *g = &d->good->fp, *b = &d->bad->fp;
	const struct pb_l1i *geo = &d->bad->l1i;
	struct pb_buf s = PB_BUF_INIT;
	uint32_t gl, bl, bs;
	bool moved = h->n_moved > 0;

	if (h->n_moved) {
		pb_buf_printf(&s, "%zu of %zu hot functions moved with identical code (", h->n_moved,
			      d->n_hot);
		name_list(&s, h->moved, h->n_moved);
		pb_buf_putc(&s, ')');
		if (d->up.valid && d->up.bad_start != d->up.good_start)
			pb_buf_printf(&s, "; the hot code starts %+lld B from where it did",
				      (long long)(d->up.bad_start - d->up.good_start));
		reason(v, "%s", s.data);
		pb_buf_reset(&s);
	}
	busiest_set(g, &gl);
	bs = busiest_set(b, &bl);
	if (b->l1i_max_ways != g->l1i_max_ways || b->sets_over_ways != g->sets_over_ways) {
		moved = true;
		if (b->sets_over_ways > g->sets_over_ways)
			reason(v, "%u of the hot code's 64 B lines now share L1i set %u, above its %u ways "
				  "(at most %u per set before); %u %s over associativity, %u before",
			       bl, bs, geo->ways, gl, b->sets_over_ways,
			       pb_plural(b->sets_over_ways, "set", "sets"), g->sets_over_ways);
		else
			reason(v, "L1i set pressure of the hot code: at most %u lines per set, %u before "
				  "(%u ways)", bl, gl, geo->ways);
	}
	if (b->cache_lines != g->cache_lines || b->pages != g->pages) {
		moved = true;
		reason(v, "hot footprint: %llu cache lines and %llu 4 KiB pages, %llu and %llu before",
		       (unsigned long long)b->cache_lines, (unsigned long long)b->pages,
		       (unsigned long long)g->cache_lines, (unsigned long long)g->pages);
	}
	pb_buf_release(&s);
	return moved;
}

/* Did icache, iTLB or frontend counters move? Adds the sentences. */
static bool frontend_evidence(const struct pb_attr_in *in, struct pb_attr_verdict *v, bool *any)
{
	struct pb_buf s = PB_BUF_INIT;
	bool ev = false;

	*any = false;
	if (known(in->i1_misses)) {
		*any = true;
		if (in->i1_misses.culprit >= EVIDENCE_RATIO * in->i1_misses.parent &&
		    (!known(in->icache_mpki) ||
		     in->icache_mpki.culprit - in->icache_mpki.parent >= EVIDENCE_MPKI))
			ev = true;
		pb_buf_puts(&s, "I1 misses ");
		change(&s, in->i1_misses, true);
		if (known(in->icache_mpki))
			pb_buf_printf(&s, ", %.3g → %.3g per 1000 instructions", in->icache_mpki.parent,
				      in->icache_mpki.culprit);
		reason(v, "%s", s.data);
		pb_buf_reset(&s);
	} else if (known(in->icache_mpki)) {
		*any = true;
		if (in->icache_mpki.culprit >= EVIDENCE_RATIO * in->icache_mpki.parent &&
		    in->icache_mpki.culprit - in->icache_mpki.parent >= EVIDENCE_MPKI)
			ev = true;
		reason(v, "icache misses per 1000 instructions %.3g → %.3g", in->icache_mpki.parent,
		       in->icache_mpki.culprit);
	}
	if (known(in->itlb_mpki)) {
		*any = true;
		if (in->itlb_mpki.culprit >= EVIDENCE_RATIO * in->itlb_mpki.parent &&
		    in->itlb_mpki.culprit - in->itlb_mpki.parent >= EVIDENCE_MPKI)
			ev = true;
		reason(v, "iTLB misses per 1000 instructions %.3g → %.3g", in->itlb_mpki.parent,
		       in->itlb_mpki.culprit);
	}
	if (known(in->frontend_pct)) {
		*any = true;
		if (in->frontend_pct.culprit - in->frontend_pct.parent >= EVIDENCE_FRONTEND_PTS)
			ev = true;
		reason(v, "frontend-bound cycles %.1f%% → %.1f%%", in->frontend_pct.parent,
		       in->frontend_pct.culprit);
	}
	pb_buf_release(&s);
	return ev;
}

static void commit_sentence(const struct pb_attr_in *in, struct pb_attr_verdict *v)
{
	struct pb_buf s = PB_BUF_INIT;

	if (!in->files)
		return;
	pb_buf_printf(&s, "the commit touched %zu %s (", in->files,
		      pb_plural(in->files, "file", "files"));
	name_list(&s, in->file_names, in->files);
	pb_buf_printf(&s, "; +%ld −%ld lines)", in->insertions, in->deletions);
	reason(v, "%s", s.data);
	pb_buf_release(&s);
}

void pb_attr_decide(const struct pb_attr_in *in, struct pb_attr_verdict *v)
{
	const struct pb_layout_diff *d = in->diff;
	struct hot_scan h = { 0 };
	struct pb_buf s = PB_BUF_INIT;
	bool instr_changed = false, hot_known, moved = false, ev, any_counter;
	double rel;
	char ex[48], ey[48];

	memset(v, 0, sizeof(*v));
	/* (an instruction-count metric is said once, by the instruction sentence) */
	if (isfinite(in->effect_ratio) && strcmp(in->metric, "instructions") != 0 &&
	    strcmp(in->metric, "Ir") != 0)
		reason(v, "%s %+.1f%% against the parent", in->metric, (in->effect_ratio - 1) * 100);

	/* Instructions: the one counter that separates "more work" from "same work, slower". */
	if (known(in->instructions) && in->instructions.parent > 0) {
		rel = in->instructions.culprit / in->instructions.parent - 1;
		instr_changed = fabs(rel) > in->instr_tolerance;
		pb_buf_printf(&s, "instructions %+.*f%% (%s → %s), %s the %.1f%% that counts as "
			      "the same work", fabs(rel) < 0.001 ? 2 : 1, rel * 100,
			      pb_fmt_exact(ex, sizeof(ex), in->instructions.parent),
			      pb_fmt_exact(ey, sizeof(ey), in->instructions.culprit),
			      instr_changed ? "beyond" : "within", in->instr_tolerance * 100);
		reason(v, "%s", s.data);
		pb_buf_reset(&s);
	}

	hot_known = d && d->good->source != PB_HOT_ALL && d->n_hot > 0;
	if (!d) {
		reason(v, "no layout evidence: %s", in->no_diff_reason ? in->no_diff_reason :
			  "the builds' binaries are not available");
	} else if (!hot_known && in->hot_source && d->good->source != PB_HOT_SECTION) {
		reason(v, "no hot function of the binary among %s (name them in layout.hot, or "
			  "use a longer run or --backend cachegrind)", in->hot_source);
	} else if (!hot_known) {
		reason(v, "no hot set (no profile, no layout.hot in the config, no .text.hot section), "
			  "so hot code cannot be told from cold code");
	} else {
		scan_hot(d, &h);
		if (h.n_changed) {
			pb_buf_printf(&s, "%zu of %zu hot functions changed their code (", h.n_changed,
				      d->n_hot);
			name_list(&s, h.changed, h.n_changed);
			pb_buf_putc(&s, ')');
		} else {
			pb_buf_printf(&s, "every one of the %zu hot functions kept identical code (hot "
				      "set: %s)", d->n_hot, in->hot_source ? in->hot_source : "given");
		}
		reason(v, "%s", s.data);
		pb_buf_reset(&s);
		if (!h.n_changed)
			moved = placement_moved(d, &h, v);
	}
	ev = frontend_evidence(in, v, &any_counter);
	commit_sentence(in, v);

	v->code_same = hot_known && !h.n_changed && !instr_changed;
	if ((hot_known && h.n_changed) || instr_changed) {
		v->verdict = PB_ATTR_CODE_CHANGE;
	} else if (hot_known && moved && ev && known(in->instructions)) {
		v->verdict = PB_ATTR_PLACEMENT;
	} else {
		v->verdict = PB_ATTR_INCONCLUSIVE;
		if (hot_known && !moved)
			reason(v, "inconclusive: the hot code neither changed nor moved");
		else if (!known(in->instructions))
			reason(v, "inconclusive: no instruction count (use --backend cachegrind, or perf "
				  "on a machine with a PMU)");
		else if (!any_counter)
			reason(v, "inconclusive: no icache, iTLB or frontend counter to connect the move "
				  "with the slowdown (use --backend cachegrind, or perf with a PMU)");
		else if (hot_known && !ev)
			reason(v, "inconclusive: the hot code moved but icache, iTLB and frontend "
				  "counters did not");
	}
	scan_free(&h);
	pb_buf_release(&s);
}

void pb_attr_add_check(struct pb_attr_verdict *v, bool confirmed, const char *sentence)
{
	reason(v, "%s", sentence);
	if (confirmed && v->verdict == PB_ATTR_INCONCLUSIVE && v->code_same) {
		v->verdict = PB_ATTR_PLACEMENT;
		reason(v, "code-placement: the code is the same and moving it reproduces or removes "
			  "the slowdown");
	}
}

void pb_attr_set_layouts(struct pb_attr_verdict *v, bool placement, const char *sentence)
{
	enum pb_attr was = v->verdict;
	char *first;

	v->verdict = placement ? PB_ATTR_PLACEMENT : PB_ATTR_CODE_CHANGE;
	if (was != v->verdict)
		reason(v, "%s, not %s: the random layouts decide (they rebuild the same code placed "
			  "differently)", pb_attr_name(v->verdict), pb_attr_name(was));
	/* The deciding sentence goes first: reasons[0] is the one a summary shows. */
	reason(v, "%s", sentence);
	first = v->reasons[v->n_reasons - 1];
	memmove(v->reasons + 1, v->reasons, (v->n_reasons - 1) * sizeof(*v->reasons));
	v->reasons[0] = first;
}

void pb_attr_add_reason(struct pb_attr_verdict *v, const char *sentence)
{
	reason(v, "%s", sentence);
}

void pb_attr_release(struct pb_attr_verdict *v)
{
	size_t i;

	for (i = 0; i < v->n_reasons; i++)
		free(v->reasons[i]);
	free(v->reasons);
	memset(v, 0, sizeof(*v));
}

void pb_attr_write_json(const struct pb_attr_verdict *v, struct pb_jsonw *w)
{
	size_t i;

	pb_jsonw_string(w, "verdict", pb_attr_name(v->verdict));
	pb_jsonw_array(w, "reasons");
	for (i = 0; i < v->n_reasons; i++)
		pb_jsonw_string(w, NULL, v->reasons[i]);
	pb_jsonw_end(w);
}
