/* verdict.h: is a culprit a code change or a code placement change? The decision and its reasons. */
#ifndef PB_LAYOUT_VERDICT_H
#define PB_LAYOUT_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/json.h"
#include "layout/diff.h"

enum pb_attr {
	PB_ATTR_PLACEMENT,    /* hot code identical, instructions equal, placement and icache moved */
	PB_ATTR_CODE_CHANGE,  /* hot code or the instruction count changed */
	PB_ATTR_INCONCLUSIVE, /* neither can be shown with the evidence at hand */
};

const char *pb_attr_name(enum pb_attr a); /* "code-placement", "code-change", "inconclusive" */

/* A quantity on the culprit's parent and on the culprit; NAN where unknown. */
struct pb_pair {
	double parent, culprit;
};

/* Everything the decision looks at; the caller owns every pointer. */
struct pb_attr_in {
	const char *metric;          /* the bisected metric, for the sentences */
	double effect_ratio;         /* culprit / parent on it */
	struct pb_pair instructions; /* medians; "Ir" under cachegrind */
	double instr_tolerance;      /* relative change that is still "the same count" */
	struct pb_pair i1_misses;    /* I1mr or L1-icache load misses (medians) */
	struct pb_pair icache_mpki, itlb_mpki, frontend_pct;
	const struct pb_layout_diff *diff; /* parent vs culprit with the hot set; NULL: no binaries */
	const char *no_diff_reason;  /* why diff is NULL */
	const char *hot_source;      /* where the hot set came from ("cachegrind Ir of the culprit") */
	size_t files;                /* the commit's own diff */
	long insertions, deletions;
	const char *const *file_names; /* `files` paths */
};

struct pb_attr_verdict {
	enum pb_attr verdict;
	char **reasons; /* sentences with the numbers behind them; owned */
	size_t n_reasons;
	bool code_same; /* the hot code and the instruction count are known not to have changed */
};

/*
 * Decide (DESIGN.md "Code placement"): code-change when a hot function's code changed or the
 * instruction count moved beyond instr_tolerance; code-placement when every hot function kept its
 * code, the instructions stayed, the hot code's placement or footprint moved, and icache, iTLB or
 * frontend evidence moved with it; inconclusive otherwise, with the reasons saying what is missing.
 * Release with pb_attr_release().
 */
void pb_attr_decide(const struct pb_attr_in *in, struct pb_attr_verdict *out);
void pb_attr_release(struct pb_attr_verdict *v);

/*
 * Add the outcome of a placement check (rebuilds with layout variants): its sentence joins the
 * reasons, and a confirmed check turns an inconclusive verdict into code-placement when the code
 * is known to be the same (the check is the evidence counters could not give).
 */
void pb_attr_add_check(struct pb_attr_verdict *v, bool confirmed, const char *sentence);

/*
 * Add the effect across random layouts (bisect --layouts): its sentence joins the reasons and it
 * decides the verdict, whatever the diff or a placement check said: `placement` (the effect
 * vanishes or flips under other layouts of the same code) makes it code-placement, else (present
 * in every layout with the same sign) code-change. The sentence becomes the first reason; a
 * changed verdict says so in one more reason at the end.
 */
void pb_attr_set_layouts(struct pb_attr_verdict *v, bool placement, const char *sentence);

/* Add one more reason (a sentence with its numbers) without changing the verdict. */
void pb_attr_add_reason(struct pb_attr_verdict *v, const char *sentence);

/* The members `verdict` and `reasons[]`, into the object open in w. */
void pb_attr_write_json(const struct pb_attr_verdict *v, struct pb_jsonw *w);

#endif
