/* markdown.h: pieces of markdown the report kinds share (inside report/ only). */
#ifndef PB_REPORT_MARKDOWN_H
#define PB_REPORT_MARKDOWN_H

#include "core/buf.h"
#include "core/json.h"
#include "render/table.h"

/* Inline text with markdown's special characters escaped (newlines become spaces). */
void pb_md_text(struct pb_buf *b, const char *s);
/* The number or string at a dotted path; NAN or `fallback` when absent. */
double pb_md_num(const struct pb_json *v, const char *path);
const char *pb_md_str(const struct pb_json *v, const char *path, const char *fallback);
/* The address at a dotted path as "0x…" in out, or "?" when absent or not an address. */
const char *pb_md_addr(char out[24], const struct pb_json *v, const char *path);
/* A value of `metric` (or a counter) for people, through render/format.h: "631.9 ms", "1.84 G". */
void pb_md_value(struct pb_buf *b, const char *metric, double v);
/* A ratio as "+13.7%". */
void pb_md_pct(struct pb_buf *b, double ratio);
/* An effect object {ratio, ci95[], p_value} as "+13.7% (95% CI … to …, p = …)". */
void pb_md_effect(struct pb_buf *b, const struct pb_json *effect);
/* Render t as a GFM table followed by a blank line, and free it. */
void pb_md_table(struct pb_buf *b, struct pb_table *t);

#endif
