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
};

/*
 * Append an SVG document: the values as a line with a dot per point (tooltips: label, tip, value),
 * the mean of each segment between change points as a horizontal line, and each change point as a
 * dashed vertical line labelled with its commit and the change of level ("+7.8%").
 */
void pb_series_plot_svg(const struct pb_series_plot *p, struct pb_buf *out);

#endif
