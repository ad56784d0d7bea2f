/* plots.h: the report's SVG plots, drawn from a bisect result document. */
#ifndef PB_REPORT_PLOTS_H
#define PB_REPORT_PLOTS_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/json.h"

/*
 * The bisection timeline: every measured commit in first-parent order (good at the left, bad at
 * the right) with its median and 95% CI, coloured by verdict, the culprit marked. Returns false
 * (writing nothing) when the document has no steps.
 */
bool pb_plot_timeline(const struct pb_json *bisect, struct pb_buf *svg);

/* Good vs bad samples (`samples.good`, `samples.bad`): every value, the medians and their CI. */
bool pb_plot_distributions(const struct pb_json *bisect, struct pb_buf *svg);

/* Hot lines per L1i set in the parent and the culprit (`l1i_sets`), the ways marked. */
bool pb_plot_l1i_sets(const struct pb_json *bisect, struct pb_buf *svg);

/* The same for the culprit and the culprit rebuilt with the layout fix (`fix.builds`, bisect --fix). */
bool pb_plot_fix_sets(const struct pb_json *doc, struct pb_buf *svg); /* a bisect (its `fix`) or a fix document */

#endif
