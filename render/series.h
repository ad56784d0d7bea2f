/* series.h: the plot of a history series: one point per measured commit, its levels, change points marked. */
#ifndef PB_RENDER_SERIES_H
#define PB_RENDER_SERIES_H

#include <stddef.h>

#include "core/buf.h"

struct pb_series_plot {
	const char *title;          /* the SVG's title ("work on vm, metric stdout") */
	const char *axis;           /* the y axis label (the metric and its unit) */
	size_t n;                   /* points, oldest first */
	const double *values;       /* n values (NaN: not drawn) */
	const char *const *labels;  /* n short labels ("1a2b3c4"), the first line of each tooltip */
	const char *const *tips;    /* n tooltip lines (the commit's subject); may be NULL */
	const size_t *changes;      /* indices (>= 1) where a new level starts, ascending */
	size_t n_changes;
	/* Optional (NULL/0 when unused): */
	const double *ci_lo, *ci_hi; /* n bounds of each value's 95% CI (NaN: none), drawn as bars */
	const size_t *alerts;       /* indices of points that raised an alert, ringed */
	const char *const *alert_tips; /* n_alerts tooltips of the rings ("alert: open, +13.8%") */
	size_t n_alerts;
	/* Only for pb_series_plot_html: */
	const char *const *ids;     /* n full commit ids (data-commit) */
	const char *const *texts;   /* n texts shown on hover: the value and its CI (data-value) */
	const char *const *hrefs;   /* n relative links (NULL: none): the point is a link to it */
	const char *const *anchors; /* n in-page links for the points without an href ("#row-3"); may be NULL */
};

/*
 * Append an SVG document: the values as a line with a dot per point (tooltips: label, tip, value),
 * the mean of each segment between change points as a horizontal line, and each change point as a
 * dashed vertical line labelled with its commit and the change of level ("+7.8%").
 */
void pb_series_plot_svg(const struct pb_series_plot *p, struct pb_buf *out);

/*
 * Append the same plot as an <svg> element to inline in an HTML page (no XML declaration). Each
 * point is a <g class="pt"> carrying data-i (its index), data-label, data-commit, data-tip and
 * data-value for a page script to show on hover, and is wrapped in <a href="hrefs[i]"> when it
 * has a link (class "pt rep", drawn larger and red), else in <a href="anchors[i]"> when given; a
 * larger transparent disc around each dot makes it easy to hover and click.
 */
void pb_series_plot_html(const struct pb_series_plot *p, struct pb_buf *out);

/*
 * Append a small inline <svg> (width × height px) of the values as a line, the last one dotted:
 * the trend column of an index. Nothing but the line: no axes, no text. NaN values are skipped.
 */
void pb_series_sparkline(const double *values, size_t n, double width, double height,
			 struct pb_buf *out);

#endif
