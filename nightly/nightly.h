/* nightly.h: the CI job: measure a revision, keep the history, detect regressions, bisect them, once. */
#ifndef PB_NIGHTLY_NIGHTLY_H
#define PB_NIGHTLY_NIGHTLY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nightly/changepoint.h"
#include "nightly/history.h"
#include "bisect/repo.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/json.h"
#include "core/progress.h"
#include "core/schema.h"
#include "measure/stats.h"

#define PB_NIGHTLY_SCHEMA "placebisect.nightly/1"

/* The keys, types and ranges a nightly result promises (core/schema.h). */
extern const struct pb_schema pb_nightly_schema;
/* Seconds a nightly waits for another one holding the history (then exit 3 naming it). */
#define PB_NIGHTLY_WAIT 60.0

struct pb_nightly_opts {
	const char *bench;        /* benchmarks.NAME */
	const char *history;      /* the history directory */
	const char *rev;          /* the revision to measure; NULL: HEAD */
	const char *machine;      /* the series' machine id; NULL: the host name */
	const char *backend, *metric, *cpus; /* overrides of the config, or NULL */
	double alpha, min_effect; /* < 0: from the config */
	long max_runs;            /* <= 0: from the config (for the bisect) */
	size_t window;            /* E-Divisive window; 0: PB_CP_WINDOW */
	double max_pvalue;        /* E-Divisive p-value; <= 0: PB_CP_MAX_PVALUE */
	double wait;              /* seconds to wait for the history's lock */
	const char *backfill;     /* "A..B": seed the history with commits of A..B instead */
	long every;               /* with backfill: every Nth commit, counted back from B (>= 1) */
	volatile sig_atomic_t *stop; /* set by SIGINT */
	struct pb_progress *progress; /* may be NULL */
};

/* One point of a series. */
struct pb_series_point {
	char commit[PB_OID_HEX];
	char *subject;         /* may be NULL */
	double median;
	int64_t runs;
	uint64_t text_hash;    /* 0: unknown */
};

/* A series of the history and its change points. */
struct pb_series {
	char *benchmark, *machine, *config, *metric, *backend;
	struct pb_series_point *points;
	size_t n_points;
	struct pb_change_point *cps; /* E-Divisive over the medians; indices into points */
	size_t n_cps;
};

/*
 * The series of (bench, machine, config) in `h` with its change points (cp options `o`). NULL
 * machine or config: those of the benchmark's most recent entry. Errors: no entry of the
 * benchmark (naming the ones there are). Release with pb_series_release(). Returns 0 or -1.
 */
int pb_series_load(struct pb_series *s, const struct pb_history *h, const char *bench,
		   const char *machine, const char *config, const struct pb_cp_opts *o);
void pb_series_release(struct pb_series *s);

#define PB_SERIES_SCHEMA "placebisect.series/1"
/* The series as JSON: schema, benchmark, machine, config, metric, backend, points[]{commit,
 * subject, median, runs, text_hash}, change_points[]{index, commit, previous, mean_before,
 * mean_after, rel_change, p_value}. */
void pb_series_write_json(const struct pb_series *s, struct pb_jsonw *w);
/* The series as a table from point `from` on, under a line naming it. */
void pb_series_format(const struct pb_series *s, size_t from, struct pb_buf *out);
/* The series as an SVG plot with its change points (render/series.h). */
void pb_series_svg(const struct pb_series *s, struct pb_buf *out);

/* A regression: found by this run (`is_new`) or still open from an earlier one. */
struct pb_nightly_regression {
	char good[PB_OID_HEX], bad[PB_OID_HEX]; /* last point before the change, first after */
	char *bad_subject;
	double before, after;  /* levels (medians) */
	bool is_new;
	const char *found_by;  /* "newest" (two-sample verdict), "change-point" (E-Divisive), NULL: earlier */
	char *culprit;         /* the bisected commit, or NULL */
	char *bisect_status;   /* the bisect's status ("found", ...), or NULL when it did not run */
	char *bisect, *report; /* the bisect result and its report (paths), or NULL */
	struct pb_json *bisect_doc; /* the bisect result, parsed; NULL when none */
};

struct pb_nightly_result {
	char *history;
	char commit[PB_OID_HEX];  /* the revision measured (with backfill: the range's end) */
	char *subject;
	bool measured;            /* false: the revision was in the history already */
	bool backfill;
	size_t backfilled;        /* --backfill: points measured now */
	double median;            /* of the revision's point */
	int64_t runs;
	size_t position;          /* of the revision's point in the series */
	bool compared;            /* a baseline existed: `newest` is the two-sample verdict */
	struct pb_comparison newest; /* baseline (a) against the revision's runs (b) */
	size_t baseline_points;
	double baseline_median;
	struct pb_series series;
	struct pb_nightly_regression *regs; /* new ones first, then open ones */
	size_t n_regs;
	bool regression;          /* a new regression: exit 1 */
};

/*
 * Run the nightly: take the history's lock (waiting up to o->wait seconds), build and measure the
 * revision (cached builds; not again when its point is already recorded), record it, then detect:
 * the revision's runs against the baseline segment (the points since the last change point, at
 * most a window) with the two-sample verdict (slower by min_effect with p <= alpha, and not the
 * same .text as the point before), and E-Divisive over the series (slower change points by
 * min_effect). A regression not alerted before is alerted now (res->regression) and bisected
 * between its two points (the bisect's caches are shared); the bisect result is written as
 * DIR/reports/BENCH-MACHINE-COMMIT.json (and its report beside it). Open regressions recover when
 * the level is back within min_effect of the level before. With o->backfill, the range's commits
 * are measured and recorded instead, and what is found is recorded as seeded (never alerted).
 * Returns 0 with *res filled, or -1 (error recorded). Release with pb_nightly_result_release().
 */
int pb_nightly_run(struct pb_repo *repo, const struct pb_config *cfg, const struct pb_nightly_opts *o,
		   struct pb_nightly_result *res);
void pb_nightly_result_release(struct pb_nightly_result *res);

/* 1 when the run found a new regression, else 0. */
int pb_nightly_exit_code(const struct pb_nightly_result *res);

/* The result as placebisect.nightly/1 (DESIGN.md "Result files"). */
void pb_nightly_write_json(const struct pb_nightly_result *res, struct pb_jsonw *w);
/* The table for people. */
void pb_nightly_format(const struct pb_nightly_result *res, struct pb_buf *out);
/*
 * A markdown summary (for $GITHUB_STEP_SUMMARY): benchmark, culprit, effect, verdict, report. The
 * report is linked by its path relative to `summary_path`, the file the summary goes to.
 */
void pb_nightly_summary(const struct pb_nightly_result *res, const char *summary_path,
			struct pb_buf *out);

#endif
