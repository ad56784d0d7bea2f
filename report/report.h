/* report.h: the markdown report (GitHub-flavoured) of any result file, with its SVG plots. */
#ifndef PB_REPORT_REPORT_H
#define PB_REPORT_REPORT_H

#include "core/buf.h"
#include "core/json.h"

/*
 * Write the report of the result document `doc` (schema placebisect.bisect/1, measurement/1,
 * compare/1 or layout-diff/1; `name` is its file name for messages) to `md_path`, and its plots
 * beside it as "<md_path without .md>-<plot>.svg", linked with relative paths. Every file is
 * written atomically. Returns 0 or -1 (a document of another kind: PB_EXIT_USAGE; a file that
 * cannot be written: PB_EXIT_ENV).
 */
int pb_report_write(const struct pb_json *doc, const char *name, const char *md_path);

/* pb_report_write() of the result file at `json_path`. */
int pb_report_write_file(const char *json_path, const char *md_path);

#endif
