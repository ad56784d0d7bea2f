/* progress.c: progress lines with elapsed time and an estimate of what is left. */
#include "core/progress.h"

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/util.h"

void pb_progress_init(struct pb_progress *p, FILE *out)
{
	double tick;

	p->out = out;
	p->tty = out && isatty(fileno(out));
	p->start_ns = p->step_start_ns = pb_now_ns();
	p->step = p->total = 0;
	p->line_len = 0;
	p->tick_ns = 0;
	p->tick_plain_s = PB_PROGRESS_TICK_PLAIN_S;
	if (getenv("PLACEBISECT_PROGRESS_TICK") &&
	    pb_parse_double(getenv("PLACEBISECT_PROGRESS_TICK"), &tick) == 0 && tick > 0)
		p->tick_plain_s = tick;
}

static void draw(struct pb_progress *p, const char *what)
{
	char elapsed[32], left[32], line[512];
	double el = (double)(pb_now_ns() - p->start_ns) / 1e9;
	int n;

	pb_format_duration(elapsed, sizeof(elapsed), el);
	/* Mean time per finished step times the steps still to come. */
	if (p->step > 1 && p->total >= p->step) {
		pb_format_duration(left, sizeof(left),
				   (double)(p->step_start_ns - p->start_ns) / 1e9 / (p->step - 1) *
				   (p->total - p->step + 1));
		n = snprintf(line, sizeof(line), "[%d/~%d] %s (%s elapsed, ~%s left)", p->step,
			     p->total, what, elapsed, left);
	} else if (p->total > 0) {
		n = snprintf(line, sizeof(line), "[%d/~%d] %s (%s elapsed)", p->step, p->total, what,
			     elapsed);
	} else {
		n = snprintf(line, sizeof(line), "[%d] %s (%s elapsed)", p->step, what, elapsed);
	}
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	if (p->tty) {
		fprintf(p->out, "\r%s%*s", line, p->line_len > n ? p->line_len - n : 0, "");
		p->line_len = n;
	} else {
		fprintf(p->out, "placebisect: %s\n", line);
	}
	fflush(p->out);
}

void pb_progress_step(struct pb_progress *p, int step, int total, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (!p->out)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p->step = step;
	p->total = total;
	p->step_start_ns = pb_now_ns();
	draw(p, what);
}

void pb_progress_detail(struct pb_progress *p, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (!p->out || !p->tty)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	draw(p, what);
}

void pb_progress_tick(struct pb_progress *p, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	int64_t now = pb_now_ns();

	if (!p->out)
		return;
	if (!p->tty) {
		if (p->tick_ns < p->step_start_ns)
			p->tick_ns = p->step_start_ns;
		if ((double)(now - p->tick_ns) < p->tick_plain_s * 1e9)
			return;
		p->tick_ns = now;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	draw(p, what);
}

void pb_progress_done(struct pb_progress *p)
{
	if (p->out && p->tty && p->line_len) {
		fprintf(p->out, "\r%*s\r", p->line_len, "");
		fflush(p->out);
		p->line_len = 0;
	}
}
