/* svg.c: the SVG writer. Numbers are written with one decimal: pixels need no more. */
#include "render/svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pb_xml_escape(struct pb_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		switch (*p) {
		case '&': pb_buf_puts(out, "&amp;"); break;
		case '<': pb_buf_puts(out, "&lt;"); break;
		case '>': pb_buf_puts(out, "&gt;"); break;
		case '"': pb_buf_puts(out, "&quot;"); break;
		case '\'': pb_buf_puts(out, "&apos;"); break;
		default:
			/* XML 1.0 allows only tab, newline and carriage return below 0x20. */
			if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
				pb_buf_putc(out, (char)*p);
		}
	}
}

static void tooltip(struct pb_svg *s, const char *tip)
{
	if (!tip) {
		pb_buf_puts(s->out, "/>\n");
		return;
	}
	pb_buf_puts(s->out, "><title>");
	pb_xml_escape(s->out, tip);
	pb_buf_puts(s->out, "</title></");
}

void pb_svg_begin(struct pb_svg *s, struct pb_buf *out, double width, double height,
		  const char *title)
{
	s->out = out;
	pb_buf_printf(out,
		      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		      "viewBox=\"0 0 %.0f %.0f\" " PB_SVG_FONT ">\n<title>",
		      width, height, width, height);
	pb_xml_escape(out, title);
	pb_buf_printf(out, "</title>\n<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
			   "fill=\"white\"/>\n", width, height);
}

void pb_svg_end(struct pb_svg *s)
{
	pb_buf_puts(s->out, "</svg>\n");
}

void pb_svg_rect(struct pb_svg *s, double x, double y, double w, double h, const char *fill,
		 const char *tip)
{
	pb_buf_printf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"",
		      x, y, w > 0 ? w : 0, h > 0 ? h : 0, fill);
	tooltip(s, tip);
	if (tip)
		pb_buf_puts(s->out, "rect>\n");
}

void pb_svg_line(struct pb_svg *s, double x1, double y1, double x2, double y2, const char *stroke,
		 double width, int dashed)
{
	pb_buf_printf(s->out,
		      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		      "stroke-width=\"%.1f\"%s/>\n",
		      x1, y1, x2, y2, stroke, width, dashed ? " stroke-dasharray=\"4 3\"" : "");
}

void pb_svg_circle(struct pb_svg *s, double cx, double cy, double r, const char *fill,
		   const char *tip)
{
	pb_buf_printf(s->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"", cx, cy, r,
		      fill);
	tooltip(s, tip);
	if (tip)
		pb_buf_puts(s->out, "circle>\n");
}

void pb_svg_polyline(struct pb_svg *s, const double *xs, const double *ys, size_t n,
		     const char *stroke, double width)
{
	size_t i;

	pb_buf_puts(s->out, "<polyline fill=\"none\" points=\"");
	for (i = 0; i < n; i++)
		pb_buf_printf(s->out, "%s%.1f,%.1f", i ? " " : "", xs[i], ys[i]);
	pb_buf_printf(s->out, "\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n", stroke, width);
}

void pb_svg_text(struct pb_svg *s, double x, double y, const char *anchor, double rotate,
		 const char *fill, const char *text)
{
	pb_buf_printf(s->out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\"", x, y,
		      anchor, fill);
	if (rotate != 0)
		pb_buf_printf(s->out, " transform=\"rotate(%.0f %.1f %.1f)\"", rotate, x, y);
	pb_buf_putc(s->out, '>');
	pb_xml_escape(s->out, text);
	pb_buf_puts(s->out, "</text>\n");
}

void pb_svg_textf(struct pb_svg *s, double x, double y, const char *anchor, const char *fill,
		  const char *fmt, ...)
{
	struct pb_buf b;
	va_list ap;

	pb_buf_init(&b);
	va_start(ap, fmt);
	pb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	pb_svg_text(s, x, y, anchor, 0, fill, b.data ? b.data : "");
	pb_buf_release(&b);
}

void pb_svg_group_begin(struct pb_svg *s, const char *id, const char *cls, const char *tip)
{
	pb_buf_puts(s->out, "<g");
	if (id) {
		pb_buf_puts(s->out, " id=\"");
		pb_xml_escape(s->out, id);
		pb_buf_putc(s->out, '"');
	}
	if (cls) {
		pb_buf_puts(s->out, " class=\"");
		pb_xml_escape(s->out, cls);
		pb_buf_putc(s->out, '"');
	}
	pb_buf_puts(s->out, ">");
	if (tip) {
		pb_buf_puts(s->out, "<title>");
		pb_xml_escape(s->out, tip);
		pb_buf_puts(s->out, "</title>");
	}
}

void pb_svg_group_end(struct pb_svg *s)
{
	pb_buf_puts(s->out, "</g>\n");
}

int pb_svg_cdata(struct pb_svg *s, const char *element, const char *text)
{
	if (strstr(text, "]]>"))
		return -1;
	pb_buf_printf(s->out, "<%s%s><![CDATA[\n%s\n]]></%s>\n", element,
		      strcmp(element, "script") == 0 ? " type=\"text/ecmascript\"" : "", text, element);
	return 0;
}

void pb_svg_text_id(struct pb_svg *s, double x, double y, const char *anchor, const char *id,
		    const char *cls, const char *text)
{
	pb_buf_printf(s->out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"", x, y, anchor);
	if (id)
		pb_buf_printf(s->out, " id=\"%s\"", id);
	if (cls)
		pb_buf_printf(s->out, " class=\"%s\"", cls);
	pb_buf_putc(s->out, '>');
	pb_xml_escape(s->out, text);
	pb_buf_puts(s->out, "</text>\n");
}

double pb_svg_map(const struct pb_svg_scale *sc, double v)
{
	if (sc->hi == sc->lo)
		return (sc->p0 + sc->p1) / 2;
	return sc->p0 + (v - sc->lo) / (sc->hi - sc->lo) * (sc->p1 - sc->p0);
}

size_t pb_svg_ticks(double *lo, double *hi, size_t max, double *ticks)
{
	static const double steps[] = { 1, 2, 5, 10 };
	double span, mag, step = 1, a, b;
	size_t i, n;

	if (max < 2)
		max = 2;
	if (!isfinite(*lo) || !isfinite(*hi))
		*lo = 0, *hi = 1;
	if (*hi < *lo) {
		double t = *lo;
		*lo = *hi;
		*hi = t;
	}
	if (*hi == *lo) {
		double pad = *lo != 0 ? fabs(*lo) * 0.05 : 1;
		*lo -= pad;
		*hi += pad;
	}
	span = *hi - *lo;
	mag = pow(10, floor(log10(span / (double)(max - 1))));
	for (i = 0; i < 4; i++) {
		step = steps[i] * mag;
		if (ceil(*hi / step) - floor(*lo / step) + 1 <= (double)max)
			break;
	}
	a = floor(*lo / step) * step;
	b = ceil(*hi / step) * step;
	n = (size_t)llround((b - a) / step) + 1;
	if (n > max) /* rounding at the edge: keep the promise */
		n = max;
	for (i = 0; i < n; i++)
		ticks[i] = a + (double)i * step;
	*lo = a;
	*hi = ticks[n - 1];
	return n;
}

void pb_svg_format_tick(char *out, size_t size, double v, double step)
{
	int decimals = 0;

	if (fabs(v) < fabs(step) * 1e-9)
		v = 0; /* a tick computed as -1e-17 is 0, not "-0" or "-1e-17" */
	if (fabs(v) >= 1e7 || (v != 0 && fabs(v) < 1e-4)) {
		snprintf(out, size, "%.3g", v);
		return;
	}
	while (decimals < 6 && fabs(step * pow(10, decimals) - round(step * pow(10, decimals))) > 1e-9)
		decimals++;
	snprintf(out, size, "%.*f", decimals, v);
}

void pb_svg_axis_y(struct pb_svg *s, const struct pb_svg_scale *sc, const double *ticks,
		   size_t nticks, double x0, double x1, const char *label)
{
	double step = nticks > 1 ? ticks[1] - ticks[0] : 1, y;
	char text[64];
	size_t i;

	for (i = 0; i < nticks; i++) {
		y = pb_svg_map(sc, ticks[i]);
		pb_svg_line(s, x0, y, x1, y, PB_SVG_GRID, 1, 0);
		pb_svg_format_tick(text, sizeof(text), ticks[i], step);
		pb_svg_text(s, x0 - 6, y + 4, "end", 0, PB_SVG_NEUTRAL, text);
	}
	y = (sc->p0 + sc->p1) / 2;
	pb_svg_text(s, 14, y, "middle", -90, PB_SVG_NEUTRAL, label);
}
