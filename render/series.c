/* series.c: the history plot (render/svg.h): values, CIs, segment levels, change points, alerts; also inline in HTML. */
#include "render/series.h"

#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

/* A point of an HTML plot: a group a page script finds (class "pt"), a link when it has one. */
static void html_point(const struct pb_series_plot *p, size_t k, double cx, double cy,
		       struct pb_buf *out)
{
	const char *href = p->hrefs ? p->hrefs[k] : NULL;
	const char *link = href ? href : p->anchors ? p->anchors[k] : NULL;

	if (link) {
		pb_buf_puts(out, "<a href=\"");
		pb_xml_escape(out, link);
		pb_buf_puts(out, "\">");
	}
	pb_buf_printf(out, "<g class=\"pt%s\" data-i=\"%zu\" data-label=\"", href ? " rep" : "", k);
	pb_xml_escape(out, p->labels[k]);
	pb_buf_puts(out, "\" data-commit=\"");
	pb_xml_escape(out, p->ids && p->ids[k] ? p->ids[k] : p->labels[k]);
	pb_buf_puts(out, "\" data-tip=\"");
	pb_xml_escape(out, p->tips && p->tips[k] ? p->tips[k] : "");
	pb_buf_puts(out, "\" data-value=\"");
	if (p->texts && p->texts[k])
		pb_xml_escape(out, p->texts[k]);
	else
		pb_buf_printf(out, "%.6g", p->values[k]);
	pb_buf_printf(out, "\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"10\" fill=\"transparent\"/>"
			   "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"/></g>%s\n",
		      cx, cy, cx, cy, href ? "5" : "3.5", href ? PB_SVG_BAD : PB_SVG_NEUTRAL,
		      link ? "</a>" : "");
}

static void draw(const struct pb_series_plot *p, struct pb_buf *out, bool html)
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
			/* The CI bars fit too. */
			if (p->ci_lo && p->ci_hi && isfinite(p->ci_lo[k]) && isfinite(p->ci_hi[k])) {
				lo = fmin(lo, p->ci_lo[k]);
				hi = fmax(hi, p->ci_hi[k]);
			}
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
	for (k = 0; p->ci_lo && p->ci_hi && k < p->n; k++)
		if (isfinite(p->values[k]) && isfinite(p->ci_lo[k]) && isfinite(p->ci_hi[k]))
			pb_svg_line(&svg, pb_svg_map(&sx, (double)k), pb_svg_map(&sy, p->ci_lo[k] / div),
				    pb_svg_map(&sx, (double)k), pb_svg_map(&sy, p->ci_hi[k] / div),
				    PB_SVG_NEUTRAL, 1, 0);
	for (k = 0; k < p->n_alerts; k++) {
		size_t i = p->alerts[k];

		if (i >= p->n || !isfinite(p->values[i]))
			continue;
		/* Not a target: the point under it takes the hover and the click. */
		pb_buf_printf(out, "<circle class=\"alert\" cx=\"%.1f\" cy=\"%.1f\" r=\"9\" "
				   "fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
				   "pointer-events=\"none\"><title>",
			      pb_svg_map(&sx, (double)i), pb_svg_map(&sy, vals[i]), PB_SVG_BAD);
		pb_xml_escape(out, p->alert_tips && p->alert_tips[k] ? p->alert_tips[k] : "alert");
		pb_buf_puts(out, "</title></circle>\n");
	}
	for (k = 0; k < p->n; k++) {
		if (!isfinite(vals[k]))
			continue;
		if (html) {
			html_point(p, k, pb_svg_map(&sx, (double)k), pb_svg_map(&sy, vals[k]), out);
			continue;
		}
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

void pb_series_plot_svg(const struct pb_series_plot *p, struct pb_buf *out)
{
	draw(p, out, false);
}

void pb_series_plot_html(const struct pb_series_plot *p, struct pb_buf *out)
{
	struct pb_buf doc = PB_BUF_INIT;
	const char *svg;

	draw(p, &doc, true);
	/* An XML declaration has no place inside an HTML document. */
	svg = strstr(doc.data, "<svg");
	pb_buf_puts(out, svg ? svg : doc.data);
	pb_buf_release(&doc);
}

void pb_series_sparkline(const double *values, size_t n, double width, double height,
			 struct pb_buf *out)
{
	double lo = INFINITY, hi = -INFINITY, x = 0, y = 0;
	struct pb_svg_scale sx, sy;
	size_t k, drawn = 0;

	for (k = 0; k < n; k++)
		if (isfinite(values[k])) {
			lo = fmin(lo, values[k]);
			hi = fmax(hi, values[k]);
		}
	sx = (struct pb_svg_scale){ 0, n > 1 ? (double)(n - 1) : 1, 3, width - 3 };
	sy = (struct pb_svg_scale){ lo, hi, height - 3, 3 };
	pb_buf_printf(out, "<svg class=\"spark\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f "
			   "%.0f\" aria-hidden=\"true\"><polyline fill=\"none\" stroke=\"%s\" "
			   "stroke-width=\"1.5\" points=\"",
		      width, height, width, height, PB_SVG_NEUTRAL);
	for (k = 0; k < n; k++)
		if (isfinite(values[k])) {
			x = pb_svg_map(&sx, (double)k);
			y = pb_svg_map(&sy, values[k]);
			pb_buf_printf(out, "%s%.1f,%.1f", drawn++ ? " " : "", x, y);
		}
	pb_buf_puts(out, "\"/>");
	if (drawn)
		pb_buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>", x, y,
			      PB_SVG_NEUTRAL);
	pb_buf_puts(out, "</svg>");
}
