/* log.c: routes library warnings to the sink the CLI installs; library code never prints itself. */
#include "core/log.h"

#include <stdio.h>

static pb_log_sink_fn sink;
static void *sink_arg;

void pb_log_set_sink(pb_log_sink_fn fn, void *arg)
{
	sink = fn;
	sink_arg = arg;
}

static void emit(enum pb_log_level level, const char *fmt, va_list ap)
{
	char msg[2048];

	if (!sink)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	sink(level, msg, sink_arg);
}

void pb_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(PB_LOG_WARN, fmt, ap);
	va_end(ap);
}

void pb_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(PB_LOG_NOTE, fmt, ap);
	va_end(ap);
}
