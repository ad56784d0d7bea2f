/* other.h: the short reports of a measurement, a comparison and a layout diff (inside report/ only). */
#ifndef PB_REPORT_OTHER_H
#define PB_REPORT_OTHER_H

#include "core/buf.h"
#include "core/json.h"

/*
 * The report of a measurement, compare or layout diff document into out. Returns 0, or -1 for
 * another schema (nothing written, no error set).
 */
int pb_md_other_report(const struct pb_json *doc, const char *schema, struct pb_buf *out);

#endif
