/* sections.h: the bisect report's context and its sections, a file per concern (inside report/ only). */
#ifndef PB_REPORT_SECTIONS_H
#define PB_REPORT_SECTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"

/* What every section writes with: the result document, and the markdown and plots written so far. */
struct pb_md_ctx {
	const struct pb_json *doc;
	const char *metric;
	const char *base;  /* plot file names start with this (md_path without ".md") */
	const char *link;  /* ... and are linked as this (the base's last component) */
	struct pb_buf *out;
	char **plots;      /* plots written: paths (owned) and their contents */
	struct pb_buf *svgs;
	size_t n_plots;
};

/* report.c */
/* Render a plot with fn; when it has something to show, remember it (c->plots) and link it. */
void pb_md_plot(struct pb_md_ctx *c, const char *name, const char *alt,
		bool (*fn)(const struct pb_json *, struct pb_buf *));
/*
 * The --backend value that reproduces `backend` on the machine that wrote the report: "perf
 * (software events only)" is what auto does without hardware counters (--backend perf would
 * insist on them).
 */
const char *pb_md_backend_option(const char *backend);

/*
 * The sections, each appended to c->out in the order report.c calls them; a section whose keys
 * the document lacks writes nothing, or says why it is missing.
 */
/* verdict.c: the title and status; the summary list; the verdict (with the layout variants of
 * --verify-placement); what to try next. */
void pb_md_headline(struct pb_md_ctx *c);
void pb_md_summary(struct pb_md_ctx *c);
void pb_md_verdict(struct pb_md_ctx *c);
void pb_md_what_to_try(struct pb_md_ctx *c);
/* steps.c: how to reproduce; the steps table (and where Slurm ran them); the measurements of the
 * endpoints; the counters; the toolchain and the system. */
void pb_md_reproduce(struct pb_md_ctx *c);
void pb_md_bisection(struct pb_md_ctx *c);
void pb_md_measurements(struct pb_md_ctx *c);
void pb_md_counters(struct pb_md_ctx *c);
void pb_md_system(struct pb_md_ctx *c);
/* layout.c: hot functions; cachegrind's per-function costs; the layout diff; bisect --fix and
 * --layouts; and the reports of a fix or layouts document alone (c->metric set there). */
void pb_md_hot_functions(struct pb_md_ctx *c);
void pb_md_function_deltas(struct pb_md_ctx *c);
void pb_md_layout(struct pb_md_ctx *c);
void pb_md_fix_section(struct pb_md_ctx *c);
void pb_md_layouts_section(struct pb_md_ctx *c);
void pb_md_fix_report(struct pb_md_ctx *c);
void pb_md_layouts_report(struct pb_md_ctx *c);

#endif
