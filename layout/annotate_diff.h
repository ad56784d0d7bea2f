/* annotate_diff.h: two builds' annotated listings side by side, instructions of the same code aligned. */
#ifndef PB_LAYOUT_ANNOTATE_DIFF_H
#define PB_LAYOUT_ANNOTATE_DIFF_H

#include "core/buf.h"
#include "core/json.h"
#include "layout/annotate.h"

#define PB_ANNOTATE_DIFF_SCHEMA "placebisect.annotate-diff/1"

/*
 * Compare good `a` and bad `b` (annotations of the same functions, matched by name in b's order):
 * each function's instructions aligned by their normalized tokens (pb_insn.token: the same code
 * wherever it landed; a longest common subsequence after the common prefix and suffix), NOP
 * padding shown on its own side. Writes the placebisect.annotate-diff/1 document to w
 * (functions[]{name, good{addr, size, cost}, bad{...}, same_code, aligned, only_good, only_bad,
 * padding_good, padding_bad, rows[]{status, good{...}|null, bad{...}|null}}; status one of
 * "same", "good-only", "bad-only", "padding") and, when out is not NULL, the side-by-side text.
 * A function of b that a lacks is an error naming it (PB_EXIT_USAGE). Returns 0 or -1.
 */
int pb_annotation_diff_write(const struct pb_annotation *a, const struct pb_annotation *b,
			     struct pb_jsonw *w, struct pb_buf *out);

#endif
