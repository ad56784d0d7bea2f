/* error.c: the per-thread recorded error behind pb_error(). */
#include "core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MSG_MAX 2048

static _Thread_local char msg[MSG_MAX];
static _Thread_local enum pb_exit msg_code = PB_EXIT_USAGE;

static void record(enum pb_exit code, const char *fmt, va_list ap)
{
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg_code = code;
}

int pb_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(PB_EXIT_USAGE, fmt, ap);
	va_end(ap);
	return -1;
}

int pb_error_as(enum pb_exit code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(code, fmt, ap);
	va_end(ap);
	return -1;
}

int pb_error_errno(const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	record(PB_EXIT_ENV, fmt, ap);
	va_end(ap);
	len = strlen(msg);
	snprintf(msg + len, sizeof(msg) - len, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

void pb_error_wrap(const char *fmt, ...)
{
	char prefix[MSG_MAX], old[MSG_MAX];
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, msg, sizeof(old));
	/* Concatenate by hand: both halves may be long and the message is cut at MSG_MAX. */
	len = strlen(prefix);
	memcpy(msg, prefix, len + 1);
	if (len < sizeof(msg) - 1) {
		size_t room = sizeof(msg) - 1 - len, olen = strnlen(old, room);

		memcpy(msg + len, old, olen);
		msg[len + olen] = '\0';
	}
}

const char *pb_error_message(void)
{
	return msg;
}

enum pb_exit pb_error_exit_code(void)
{
	return msg_code;
}

void pb_error_clear(void)
{
	msg[0] = '\0';
	msg_code = PB_EXIT_USAGE;
}
