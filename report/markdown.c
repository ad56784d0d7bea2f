/* markdown.c: pieces of markdown the report kinds share: escaped text, values, percentages, tables. */
#include "report/markdown.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/format.h"

void pb_md_text(struct pb_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_[]<>|#", *s))
			pb_buf_putc(b, '\\');
		pb_buf_putc(b, *s == '\n' ? ' ' : *s);
	}
}

double pb_md_num(const struct pb_json *v, const char *path)
{
	return pb_json_number(pb_json_path(v, path), NAN);
}

const char *pb_md_addr(char out[24], const struct pb_json *v, const char *path)
{
	double a = pb_md_num(v, path);

	/* NaN or out of range would make the conversion undefined (found by fuzzing). */
	if (!(a >= 0 && a < 18446744073709551616.0))
		return strcpy(out, "?");
	snprintf(out, 24, "0x%llx", (unsigned long long)a);
	return out;
}

const char *pb_md_str(const struct pb_json *v, const char *path, const char *fallback)
{
	return pb_json_string(pb_json_path(v, path), fallback);
}

void pb_md_value(struct pb_buf *b, const char *metric, double v)
{
	char out[48];

	if (!isfinite(v)) {
		pb_buf_puts(b, "–");
		return;
	}
	pb_buf_puts(b, pb_fmt_metric(out, sizeof(out), v, metric));
}

void pb_md_pct(struct pb_buf *b, double ratio)
{
	if (isfinite(ratio))
		pb_buf_printf(b, "%+.1f%%", (ratio - 1) * 100);
	else
		pb_buf_puts(b, "–");
}

/* "+13.7% (95% CI +13.1% to +14.2%, p = 1.2e-05)" from an effect object. */
void pb_md_effect(struct pb_buf *b, const struct pb_json *effect)
{
	pb_md_pct(b, pb_md_num(effect, "ratio"));
	pb_buf_puts(b, " (95% CI ");
	pb_md_pct(b, pb_json_number(pb_json_child(pb_json_get(effect, "ci95")), NAN));
	pb_buf_puts(b, " to ");
	pb_md_pct(b, pb_json_number(pb_json_next(pb_json_child(pb_json_get(effect, "ci95"))), NAN));
	pb_buf_printf(b, ", p = %.2g)", pb_md_num(effect, "p_value"));
}

void pb_md_table(struct pb_buf *b, struct pb_table *t)
{
	pb_table_render_markdown(t, b);
	pb_table_free(t);
	pb_buf_putc(b, '\n');
}
