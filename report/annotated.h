/* annotated.h: the bisect report's "Hot code, side by side" section (the parent's and the culprit's hot functions aligned). */
#ifndef PB_REPORT_ANNOTATED_H
#define PB_REPORT_ANNOTATED_H

#include "core/buf.h"
#include "core/json.h"

/* At most this many hot functions are shown side by side. */
#define PB_REPORT_HOT_CODE 3

/*
 * Append the section for bisect result `doc`: the first PB_REPORT_HOT_CODE functions of
 * attribution.hot_functions that both binaries.parent and binaries.culprit define, each build's
 * code aligned instruction by instruction (layout/annotate_diff.h), with the L1i set of each new
 * 64 B line and the JCC-erratum sites. Nothing is written when the result has no culprit
 * binaries or hot functions, or the binaries are gone (the report still reads without it).
 * Never fails.
 */
void pb_report_hot_code(const struct pb_json *doc, struct pb_buf *out);

#endif
