/* site.h: the history as a static site: an index of the benchmarks and one page per benchmark. */
#ifndef PB_NIGHTLY_SITE_H
#define PB_NIGHTLY_SITE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"

#include "nightly/changepoint.h"
#include "nightly/history.h"

#define PB_SITE_SCHEMA "placebisect.site/1"

/* What pb_site_write wrote. */
struct pb_site_result {
	char *index;          /* DIR/index.html (owned) */
	size_t benchmarks;    /* pages: one per benchmark */
	size_t series;        /* plots: one per (benchmark, machine, config) */
	size_t points;        /* points plotted, over all series */
	size_t reports;       /* bisect reports copied into DIR/reports/ and linked */
	size_t missing;       /* reports the index names that are not in the history any more */
};

/*
 * Write the history `h` (opened for reading or writing) as a static site into `dir` (created when
 * missing): index.html (each series with its latest value, a trend line, its last change point
 * and its alerts) and one page per benchmark (<name>.html, name made file-safe) with, per series,
 * an inline SVG plot (hover: commit, value, 95% CI; change points dashed; alerts ringed; a point
 * whose alert has a bisect report links to it), the table of points and the alerts. Reports
 * (markdown, result JSON, plots) are copied to dir/reports/ and linked relatively, so the
 * directory works alone (a CI artifact, file://); no external script, style or font. Change
 * points with `cp`. Every file is written atomically; files of an earlier site stay unless
 * rewritten. Errors: an empty history, an alert's report path outside the history (class
 * PB_EXIT_USAGE), a file that cannot be written (PB_EXIT_ENV). Returns 0 with *res filled
 * (release with pb_site_result_release), or -1.
 */
int pb_site_write(const struct pb_history *h, const char *dir, const struct pb_cp_opts *cp,
		  struct pb_site_result *res);
void pb_site_result_release(struct pb_site_result *res);

/* Open the history in `history` for reading (pb_history_open) and write its site into `dir`. */
int pb_site_write_history(const char *history, const char *dir, const struct pb_cp_opts *cp,
			  struct pb_site_result *res);

/* The result as JSON: schema placebisect.site/1, index, benchmarks, series, points, reports, missing. */
void pb_site_write_json(const struct pb_site_result *res, struct pb_jsonw *w);
/* One line for people: "History site: DIR/index.html: 1 benchmark, 1 series, 5 points, 1 report." */
void pb_site_format(const struct pb_site_result *res, struct pb_buf *out);

#endif
