/* repeat.c: two runs of one revision under an exact backend compared, and the message when they differ. */
#include "measure/repeat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"
#include "render/format.h"

bool pb_repeat_check(struct pb_repeat *r, const char *what, double v0, double v1)
{
	double lo = v0 < v1 ? v0 : v1;

	r->what = what;
	r->v[0] = v0;
	r->v[1] = v1;
	r->same = v0 == v1;
	r->spread = r->same ? 0 : lo > 0 ? fabs(v1 - v0) / lo : INFINITY;
	return r->same;
}

double pb_repeat_spread(const struct pb_repeat *r, size_t n)
{
	double s = 0;

	for (size_t k = 0; k < n; k++)
		if (!r[k].same && !(r[k].spread <= s))
			s = r[k].spread;
	return s;
}

/* "good commit 1a2b3c4 (409,812,345 vs 420,634,001, 2.6%) and ..." for the runs that differed. */
static void name_differing(struct pb_buf *b, const struct pb_repeat *r, size_t n)
{
	char v0[40], v1[40], pct[32];
	size_t k, shown = 0;

	for (k = 0; k < n; k++) {
		if (r[k].same)
			continue;
		if (isfinite(r[k].spread))
			snprintf(pct, sizeof(pct), "%.1f%%", 100 * r[k].spread);
		else
			snprintf(pct, sizeof(pct), "not comparable");
		pb_buf_printf(b, "%s%s (%s vs %s, %s)", shown ? " and " : "", r[k].what,
			      pb_fmt_exact(v0, sizeof(v0), r[k].v[0]),
			      pb_fmt_exact(v1, sizeof(v1), r[k].v[1]), pct);
		shown++;
	}
}

char *pb_repeat_message(const char *backend, const struct pb_repeat *r, size_t n,
			enum pb_repeat_action act, const char *command)
{
	static const char why[] = "the benchmark is not deterministic (a time-seeded hash, "
				  "addresses, threads?)";
	static const char fix[] = "To make it exact, remove the source of variation (for Lua: "
				  "-Dluai_makeseed(L)=0u)";
	struct pb_buf b = PB_BUF_INIT;
	size_t k;

	for (k = 0; k < n && r[k].same; k++)
		;
	if (k == n)
		return NULL;
	if (act == PB_REPEAT_STATISTICS) {
		pb_buf_printf(&b, "%s gave two different counts for ", backend);
		name_differing(&b, r, n);
		pb_buf_printf(&b, ": %s, so it is judged with statistics over repeated runs, not "
			      "exactly. %s", why, fix);
	} else {
		pb_buf_printf(&b, "unstable: %s counts of ", backend);
		name_differing(&b, r, n);
		pb_buf_printf(&b, " are not repeatable: %s, and %s would decide on one value per "
			      "build. %s, or use a backend with repeated runs (--backend time or perf)",
			      why, command, fix);
	}
	return pb_buf_detach(&b);
}

int pb_repeat_require(const char *backend, const char *what, double v0, double v1,
		      const char *command)
{
	struct pb_repeat r;
	char *msg;
	int ret;

	if (pb_repeat_check(&r, what, v0, v1))
		return 0;
	msg = pb_repeat_message(backend, &r, 1, PB_REPEAT_REFUSE, command);
	ret = pb_error_as(PB_EXIT_INCONCLUSIVE, "%s", msg);
	free(msg);
	return ret;
}
