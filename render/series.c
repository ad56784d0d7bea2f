/* series.c: the history plot (render/svg.h): values, segment levels, change points. */
#include "render/series.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "render/format.h"
#include "render/svg.h"

#define HEIGHT 320.0
#define LEFT 78.0
#define RIGHT 24.0
#define TOP 34.0
#define BOTTOM 46.0
#define MAX_TICKS 7

/* Mean of the finite values in [from, to); NAN when none. */
static double segment_mean(const double *v, size_t from, size_t to)
{
	double sum = 0;
	size_t k, n = 0;

	for (k = from; k < to; k++)
		if (isfinite(v[k])) {
			sum += v[k];
			n++;
		}
	return n ? sum / (double)n : NAN;
}

void pb_series_plot_svg(const struct pb_series_plot *p, struct pb_buf *out)
{
	struct pb_svg svg;
	struct pb_svg_scale sx, sy;
	struct pb_buf tip = PB_BUF_INIT;
	double ticks[MAX_TICKS + 1], lo = INFINITY, hi = -INFINITY, *xs, *ys, x, y, before, after;
	double div, *vals = pb_xmalloc((p->n + 1) * sizeof(*vals));
	const char *prefix;
	char axis[128], v[48];
	size_t k, c, nt, from, drawn = 0;

	for (k = 0; k < p->n; k++)
		if (isfinite(p->values[k])) {
			lo = fmin(lo, p->values[k]);
			hi = fmax(hi, p->values[k]);
		}
	/* One prefix for the axis (render/format.h), named in its label: "wall (ms)". */
	div = pb_fmt_scale(fmax(fabs(lo), fabs(hi)), pb_fmt_metric_unit(p->axis), &prefix);
	snprintf(axis, sizeof(axis), prefix[0] ? "%s (%s)" : "%s", p->axis, prefix);
	for (k = 0; k < p->n; k++)
		vals[k] = p->values[k] / div;
	lo /= div;
	hi /= div;
	nt = pb_svg_ticks(&lo, &hi, MAX_TICKS, ticks);
	sx = (struct pb_svg_scale){ 0, p->n > 1 ? (double)(p->n - 1) : 1, LEFT + 10,
				    PB_SVG_WIDTH - RIGHT - 10 };
	sy = (struct pb_svg_scale){ lo, hi, HEIGHT - BOTTOM, TOP };
	pb_svg_begin(&svg, out, PB_SVG_WIDTH, HEIGHT, p->title);
	pb_svg_text(&svg, PB_SVG_WIDTH / 2, 18, "middle", 0, PB_SVG_NEUTRAL, p->title);
	pb_svg_axis_y(&svg, &sy, ticks, nt, LEFT, PB_SVG_WIDTH - RIGHT, axis);

	/* Levels: the mean of each segment. */
	for (c = 0, from = 0; c <= p->n_changes; c++) {
		size_t to = c < p->n_changes ? p->changes[c] : p->n;
		double m = segment_mean(vals, from, to);

		if (to > from && isfinite(m)) {
			y = pb_svg_map(&sy, m);
			pb_svg_line(&svg, pb_svg_map(&sx, (double)from) - 4, y,
				    pb_svg_map(&sx, (double)(to - 1)) + 4, y, PB_SVG_NEUTRAL, 1.5, 0);
		}
		from = to;
	}
	/* Change points: between the last point of a level and the first of the next. */
	for (c = 0; c < p->n_changes; c++) {
		size_t i = p->changes[c], prev = c ? p->changes[c - 1] : 0;
		size_t next = c + 1 < p->n_changes ? p->changes[c + 1] : p->n;

		if (i == 0 || i >= p->n)
			continue;
		x = (pb_svg_map(&sx, (double)(i - 1)) + pb_svg_map(&sx, (double)i)) / 2;
		pb_svg_line(&svg, x, TOP, x, HEIGHT - BOTTOM, PB_SVG_BAD, 1.5, 1);
		before = segment_mean(vals, prev, i);
		after = segment_mean(vals, i, next);
		pb_svg_text(&svg, x + 4, TOP + 12, "start", 0, PB_SVG_BAD, p->labels[i]);
		if (isfinite(before) && isfinite(after) && before != 0)
			pb_svg_textf(&svg, x + 4, TOP + 26, "start", PB_SVG_BAD, "%+.1f%%",
				     (after / before - 1) * 100);
	}
	/* The values. */
	xs = pb_xmalloc((p->n + 1) * sizeof(*xs));
	ys = pb_xmalloc((p->n + 1) * sizeof(*ys));
	for (k = 0; k < p->n; k++)
		if (isfinite(vals[k])) {
			xs[drawn] = pb_svg_map(&sx, (double)k);
			ys[drawn++] = pb_svg_map(&sy, vals[k]);
		}
	pb_svg_polyline(&svg, xs, ys, drawn, PB_SVG_NEUTRAL, 1);
	for (k = 0; k < p->n; k++) {
		if (!isfinite(vals[k]))
			continue;
		pb_buf_reset(&tip);
		pb_buf_printf(&tip, "%s %s: %s", p->labels[k], p->tips && p->tips[k] ? p->tips[k] : "",
			      pb_fmt_metric(v, sizeof(v), p->values[k], p->axis));
		pb_svg_circle(&svg, pb_svg_map(&sx, (double)k), pb_svg_map(&sy, vals[k]), 3.5,
			      PB_SVG_NEUTRAL, tip.data);
	}
	/* The first and the last commit under the axis. */
	if (p->n) {
		pb_svg_text(&svg, pb_svg_map(&sx, 0), HEIGHT - BOTTOM + 18, "start", 0, PB_SVG_NEUTRAL,
			    p->labels[0]);
		if (p->n > 1)
			pb_svg_text(&svg, pb_svg_map(&sx, (double)(p->n - 1)), HEIGHT - BOTTOM + 18,
				    "end", 0, PB_SVG_NEUTRAL, p->labels[p->n - 1]);
	}
	pb_svg_textf(&svg, PB_SVG_WIDTH / 2, HEIGHT - 8, "middle", PB_SVG_NEUTRAL,
		     "%zu points, oldest first; dashed: change points", p->n);
	pb_svg_end(&svg);
	free(xs);
	free(ys);
	free(vals);
	pb_buf_release(&tip);
}
