/* svg.h: a small SVG writer — a document, shapes, escaped text, and linear axes with nice ticks. */
#ifndef PB_RENDER_SVG_H
#define PB_RENDER_SVG_H

#include <stddef.h>

#include "core/buf.h"

/* Plots are sized for GitHub's content width (about 880 px) and share one look. */
#define PB_SVG_WIDTH 860.0
#define PB_SVG_FONT "font-family=\"sans-serif\" font-size=\"12\""

/* Colours the plots agree on. */
#define PB_SVG_GOOD "#2b8a3e"
#define PB_SVG_BAD "#c92a2a"
#define PB_SVG_NEUTRAL "#495057"
#define PB_SVG_GRID "#dee2e6"

struct pb_svg {
	struct pb_buf *out;
};

/* XML text: & < > " ' escaped; bytes that are not allowed in XML 1.0 dropped. */
void pb_xml_escape(struct pb_buf *out, const char *s);

/* <svg> with width, height, viewBox and a <title> (accessible name); the default font. */
void pb_svg_begin(struct pb_svg *s, struct pb_buf *out, double width, double height,
		  const char *title);
void pb_svg_end(struct pb_svg *s);

/* Shapes. `fill`/`stroke` are CSS colours; `tooltip` (may be NULL) becomes a <title> child. */
void pb_svg_rect(struct pb_svg *s, double x, double y, double w, double h, const char *fill,
		 const char *tooltip);
void pb_svg_line(struct pb_svg *s, double x1, double y1, double x2, double y2, const char *stroke,
		 double width, int dashed);
void pb_svg_circle(struct pb_svg *s, double cx, double cy, double r, const char *fill,
		   const char *tooltip);
/* A polyline through n points (xs[i], ys[i]). */
void pb_svg_polyline(struct pb_svg *s, const double *xs, const double *ys, size_t n,
		     const char *stroke, double width);
/* Text; anchor is "start", "middle" or "end"; rotate in degrees about (x, y), 0 for none. */
void pb_svg_text(struct pb_svg *s, double x, double y, const char *anchor, double rotate,
		 const char *fill, const char *text);
void pb_svg_textf(struct pb_svg *s, double x, double y, const char *anchor, const char *fill,
		  const char *fmt, ...) PB_PRINTF(6, 7);

/*
 * A group: <g id="ID" class="CLASS"> (either may be NULL), then `tooltip` (may be NULL) as its
 * <title>, which a browser shows over everything the group draws. Close with pb_svg_group_end().
 */
void pb_svg_group_begin(struct pb_svg *s, const char *id, const char *cls, const char *tooltip);
void pb_svg_group_end(struct pb_svg *s);

/*
 * <ELEMENT>`text`</ELEMENT> as character data (CDATA), for "style" and "script" (type
 * text/ecmascript): `text` must not hold "]]>", which is refused by writing nothing (returns -1,
 * no error recorded; the callers' texts are constants). Returns 0.
 */
int pb_svg_cdata(struct pb_svg *s, const char *element, const char *text);

/* Text with an id and a class (either may be NULL), as pb_svg_text() without rotation. */
void pb_svg_text_id(struct pb_svg *s, double x, double y, const char *anchor, const char *id,
		    const char *cls, const char *text);

/* A linear map from data [lo, hi] to pixels [p0, p1] (p1 < p0 for a y axis growing upwards). */
struct pb_svg_scale {
	double lo, hi, p0, p1;
};
double pb_svg_map(const struct pb_svg_scale *sc, double v);

/*
 * "Nice" ticks covering [lo, hi] (steps of 1, 2 or 5 × 10^k), at most `max` of them: widens
 * [*lo, *hi] to whole steps and writes the ticks; returns how many.
 */
size_t pb_svg_ticks(double *lo, double *hi, size_t max, double *ticks);

/* A tick label: the number with as few digits as the step needs ("12", "0.25", "1.5e+06"). */
void pb_svg_format_tick(char *out, size_t size, double v, double step);

/*
 * A y axis on scale `sc`: a grid line across [x0, x1] at each tick, tick labels left of x0, and
 * the axis label (with its unit) written vertically at the left edge.
 */
void pb_svg_axis_y(struct pb_svg *s, const struct pb_svg_scale *sc, const double *ticks,
		   size_t nticks, double x0, double x1, const char *label);

#endif
