/* plots.c: the timeline, the distributions and the L1i set histogram of a bisect report. */
#include "report/plots.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/format.h"
#include "render/svg.h"

#define MAX_TICKS 8
#define LEFT 86.0   /* room for the y tick labels and the axis label */
#define RIGHT 24.0

/* Values on an axis in one unit with the prefix the largest needs (render/format.h): the
 * label says it ("wall (ms)", "instructions (M)"), as the text and markdown values do. */
struct unit {
	double div;
	char label[96];
};

static void unit_for(struct unit *u, const char *metric, double max)
{
	const char *prefix;

	u->div = pb_fmt_scale(fabs(max), pb_fmt_metric_unit(metric), &prefix);
	if (prefix[0])
		snprintf(u->label, sizeof(u->label), "%s (%s)", metric, prefix);
	else
		snprintf(u->label, sizeof(u->label), "%s", metric);
}

static double num(const struct pb_json *v, const char *path)
{
	return pb_json_number(pb_json_path(v, path), NAN);
}

/* The y scale over [lo, hi] (already in display units), with ticks; returns their count. */
static size_t y_scale(struct pb_svg_scale *sc, double lo, double hi, double top, double bottom,
		      double *ticks)
{
	size_t n = pb_svg_ticks(&lo, &hi, MAX_TICKS, ticks);

	sc->lo = lo;
	sc->hi = hi;
	sc->p0 = bottom;
	sc->p1 = top;
	return n;
}

/* ---- Timeline ---- */

struct point {
	long index;
	double median, lo, hi;
	const char *commit, *verdict;
};

static const char *verdict_colour(const char *v)
{
	return strcmp(v, "good") == 0 ? PB_SVG_GOOD : strcmp(v, "bad") == 0 ? PB_SVG_BAD :
									 "#adb5bd";
}

bool pb_plot_timeline(const struct pb_json *doc, struct pb_buf *out)
{
	const double W = PB_SVG_WIDTH, H = 340, top = 44, bottom = H - 70;
	const struct pb_json *steps = pb_json_get(doc, "steps"), *st, *ci;
	const char *metric = pb_json_string(pb_json_get(doc, "metric"), "value");
	const char *culprit = pb_json_string(pb_json_path(doc, "culprit.commit"), NULL);
	long commits = (long)pb_json_number(pb_json_get(doc, "commits"), 0), culprit_index = -1;
	struct point *pt;
	size_t n = 0, i, j, nt;
	struct pb_svg_scale xs, ys;
	double ticks[MAX_TICKS + 1], lo = INFINITY, hi = -INFINITY;
	struct unit u;
	struct pb_svg s;
	char tip[256], val[48];

	if (pb_json_size(steps) == 0 || commits < 1)
		return false;
	pt = pb_xcalloc(pb_json_size(steps), sizeof(*pt));
	/* One point per commit: its last step (confirmations come after the search steps). */
	for (st = pb_json_child(steps); st; st = pb_json_next(st)) {
		struct point p = {
			(long)num(st, "index"), num(st, "median"), NAN, NAN,
			pb_json_string(pb_json_get(st, "commit"), "?"),
			pb_json_string(pb_json_get(st, "verdict"), "?"),
		};

		if (p.index < 0 || !isfinite(p.median))
			continue;
		ci = pb_json_get(st, "ci95");
		p.lo = pb_json_number(pb_json_child(ci), p.median);
		p.hi = pb_json_number(pb_json_next(pb_json_child(ci)), p.median);
		for (j = 0; j < n && pt[j].index != p.index; j++)
			;
		pt[j] = p;
		if (j == n)
			n++;
		if (culprit && strcmp(p.commit, culprit) == 0)
			culprit_index = p.index;
	}
	if (n == 0) {
		free(pt);
		return false;
	}
	for (i = 0; i < n; i++) {
		lo = fmin(lo, fmin(pt[i].lo, pt[i].median));
		hi = fmax(hi, fmax(pt[i].hi, pt[i].median));
	}
	unit_for(&u, metric, hi);
	nt = y_scale(&ys, lo / u.div, hi / u.div, top, bottom, ticks);
	xs = (struct pb_svg_scale){ 0, (double)commits, LEFT + 12, W - RIGHT - 12 };

	pb_svg_begin(&s, out, W, H, "Bisection timeline");
	pb_svg_textf(&s, W / 2, 22, "middle", "#212529",
		     "Median %s per commit, good → bad (95%% CI); %ld commits in the range", metric,
		     commits);
	pb_svg_axis_y(&s, &ys, ticks, nt, LEFT, W - RIGHT, u.label);
	pb_svg_line(&s, LEFT, bottom, W - RIGHT, bottom, PB_SVG_NEUTRAL, 1, 0);
	if (culprit_index >= 0) {
		double x = pb_svg_map(&xs, (double)culprit_index - 0.5);

		pb_svg_line(&s, x, top, x, bottom, PB_SVG_BAD, 1.5, 1);
		/* on the side of the line with fewer points */
		if (culprit_index > commits / 2)
			pb_svg_textf(&s, x - 4, top + 12, "end", PB_SVG_BAD, "first bad: %.7s", culprit);
		else
			pb_svg_textf(&s, x + 4, top + 12, "start", PB_SVG_BAD, "first bad: %.7s",
				     culprit);
	}
	for (i = 0; i < n; i++) {
		double x = pb_svg_map(&xs, (double)pt[i].index);
		double y = pb_svg_map(&ys, pt[i].median / u.div);
		const char *c = verdict_colour(pt[i].verdict);

		pb_svg_line(&s, x, pb_svg_map(&ys, pt[i].lo / u.div), x,
			    pb_svg_map(&ys, pt[i].hi / u.div), c, 2, 0);
		snprintf(tip, sizeof(tip), "%.7s (#%ld): %s, median %s", pt[i].commit, pt[i].index,
			 pt[i].verdict, pb_fmt_metric(val, sizeof(val), pt[i].median, metric));
		pb_svg_circle(&s, x, y, 4.5, c, tip);
		snprintf(tip, sizeof(tip), "%.7s", pt[i].commit);
		pb_svg_text(&s, x, bottom + 14, "end", -40, PB_SVG_NEUTRAL, tip);
	}
	pb_svg_textf(&s, W / 2, H - 6, "middle", PB_SVG_NEUTRAL,
		     "commits in first-parent order (good #0 … bad #%ld); green good, red bad, grey "
		     "skipped", commits);
	pb_svg_end(&s);
	free(pt);
	return true;
}

/* ---- Distributions ---- */

static double *numbers(const struct pb_json *arr, size_t *n)
{
	const struct pb_json *e;
	double *v = pb_xcalloc(pb_json_size(arr) + 1, sizeof(*v));

	*n = 0;
	for (e = pb_json_child(arr); e; e = pb_json_next(e))
		if (pb_json_type(e) == PB_JSON_NUMBER)
			v[(*n)++] = pb_json_number(e, 0);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void strip(struct pb_svg *s, const struct pb_svg_scale *xs, double *v, size_t n, double y,
		  const char *colour, const char *name, double div, const char *metric)
{
	double med, x;
	char val[48];
	size_t i;

	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	pb_svg_text(s, LEFT - 8, y + 4, "end", 0, colour, name);
	/* Every value, spread vertically in a fixed pattern so equal values stay visible. */
	for (i = 0; i < n; i++)
		pb_svg_circle(s, pb_svg_map(xs, v[i] / div), y - 14 + (double)((i * 7) % 29), 3, colour,
			      NULL);
	pb_svg_line(s, pb_svg_map(xs, med / div), y - 20, pb_svg_map(xs, med / div), y + 20, colour,
		    2.5, 0);
	/* the label stays inside the plot at either edge */
	x = pb_svg_map(xs, med / div);
	pb_svg_textf(s, x, y - 24, x < xs->p0 + 120 ? "start" : x > xs->p1 - 120 ? "end" : "middle",
		     colour, "median %s (n = %zu)", pb_fmt_metric(val, sizeof(val), med, metric), n);
}

bool pb_plot_distributions(const struct pb_json *doc, struct pb_buf *out)
{
	const double W = PB_SVG_WIDTH, H = 250;
	const char *metric = pb_json_string(pb_json_get(doc, "metric"), "value");
	size_t ng, nb, nt, i;
	double *g = numbers(pb_json_path(doc, "samples.good"), &ng);
	double *b = numbers(pb_json_path(doc, "samples.bad"), &nb);
	double lo = INFINITY, hi = -INFINITY, ticks[MAX_TICKS + 1], step;
	struct pb_svg_scale xs;
	struct unit u;
	struct pb_svg s;
	char label[64];

	if (ng == 0 || nb == 0) {
		free(g);
		free(b);
		return false;
	}
	for (i = 0; i < ng; i++)
		lo = fmin(lo, g[i]), hi = fmax(hi, g[i]);
	for (i = 0; i < nb; i++)
		lo = fmin(lo, b[i]), hi = fmax(hi, b[i]);
	unit_for(&u, metric, hi);
	lo /= u.div;
	hi /= u.div;
	nt = pb_svg_ticks(&lo, &hi, MAX_TICKS, ticks);
	xs = (struct pb_svg_scale){ lo, hi, LEFT, W - RIGHT };
	step = nt > 1 ? ticks[1] - ticks[0] : 1;

	pb_svg_begin(&s, out, W, H, "Good vs bad distributions");
	pb_svg_textf(&s, W / 2, 22, "middle", "#212529", "Every run of the good and the bad commit: %s",
		     u.label);
	for (i = 0; i < nt; i++) {
		double x = pb_svg_map(&xs, ticks[i]);

		pb_svg_line(&s, x, 40, x, H - 40, PB_SVG_GRID, 1, 0);
		pb_svg_format_tick(label, sizeof(label), ticks[i], step);
		pb_svg_text(&s, x, H - 24, "middle", 0, PB_SVG_NEUTRAL, label);
	}
	strip(&s, &xs, g, ng, 88, PB_SVG_GOOD, "good", u.div, metric);
	strip(&s, &xs, b, nb, 168, PB_SVG_BAD, "bad", u.div, metric);
	pb_svg_text(&s, W / 2, H - 6, "middle", 0, PB_SVG_NEUTRAL, u.label);
	pb_svg_end(&s);
	free(g);
	free(b);
	return true;
}

/* ---- L1i sets ---- */

/* Hot lines per set of two builds side by side (`a` green, `b` red), the ways marked. */
static bool sets_plot(struct pb_buf *out, const struct pb_json *ja, const struct pb_json *jb,
		      double ways, const char *na, const char *nb)
{
	const double W = PB_SVG_WIDTH, H = 300, top = 44, bottom = H - 56;
	size_t np, nc, nsets, nt, i;
	double *p = numbers(ja, &np);
	double *c = numbers(jb, &nc);
	double hi = ways, ticks[MAX_TICKS + 1], bw, x, y;
	struct pb_svg_scale ys;
	struct pb_svg s;
	char tip[128];

	nsets = np < nc ? np : nc;
	if (nsets == 0 || !isfinite(ways)) {
		free(p);
		free(c);
		return false;
	}
	for (i = 0; i < nsets; i++)
		hi = fmax(hi, fmax(p[i], c[i]));
	nt = y_scale(&ys, 0, hi + 1, top, bottom, ticks);
	bw = (W - LEFT - RIGHT) / (double)nsets;

	pb_svg_begin(&s, out, W, H, "Hot code per L1i set");
	pb_svg_textf(&s, W / 2, 22, "middle", "#212529",
		     "Hot 64 B lines per L1i set (%zu sets, %.0f ways): %s (green) vs %s (red)",
		     nsets, ways, na, nb);
	pb_svg_axis_y(&s, &ys, ticks, nt, LEFT, W - RIGHT, "hot lines in the set");
	for (i = 0; i < nsets; i++) {
		x = LEFT + bw * (double)i;
		y = pb_svg_map(&ys, p[i]);
		snprintf(tip, sizeof(tip), "set %zu: %.0f lines in the %s", i, p[i], na);
		pb_svg_rect(&s, x + bw * 0.1, y, bw * 0.4, bottom - y, PB_SVG_GOOD, tip);
		y = pb_svg_map(&ys, c[i]);
		snprintf(tip, sizeof(tip), "set %zu: %.0f lines in the %s", i, c[i], nb);
		pb_svg_rect(&s, x + bw * 0.5, y, bw * 0.4, bottom - y, PB_SVG_BAD, tip);
		if (i % 8 == 0)
			pb_svg_textf(&s, x + bw / 2, bottom + 16, "middle", PB_SVG_NEUTRAL, "%zu", i);
	}
	y = pb_svg_map(&ys, ways);
	pb_svg_line(&s, LEFT, y, W - RIGHT, y, PB_SVG_NEUTRAL, 1.5, 1);
	pb_svg_textf(&s, W - RIGHT, y - 5, "end", PB_SVG_NEUTRAL, "%.0f ways: more lines than this "
		     "evict each other", ways);
	pb_svg_line(&s, LEFT, bottom, W - RIGHT, bottom, PB_SVG_NEUTRAL, 1, 0);
	pb_svg_text(&s, W / 2, H - 10, "middle", 0, PB_SVG_NEUTRAL, "L1i set index");
	pb_svg_end(&s);
	free(p);
	free(c);
	return true;
}

bool pb_plot_l1i_sets(const struct pb_json *doc, struct pb_buf *out)
{
	const struct pb_json *sets = pb_json_get(doc, "l1i_sets");

	return sets_plot(out, pb_json_get(sets, "parent"), pb_json_get(sets, "culprit"),
			 num(sets, "ways"), "parent", "culprit");
}

bool pb_plot_fix_sets(const struct pb_json *doc, struct pb_buf *out)
{
	/* a bisect's `fix`, or a placebisect.fix/1 document itself */
	const struct pb_json *fix = pb_json_get(doc, "fix") ? pb_json_get(doc, "fix") : doc;

	return sets_plot(out, pb_json_path(fix, "builds.culprit.footprint.set_lines"),
			 pb_json_path(fix, "builds.culprit+fix.footprint.set_lines"),
			 num(fix, "l1i_ways"), "culprit", "culprit with the fix");
}
