/* log.h: warnings and notes from library code, delivered to whatever sink the program installed. */
#ifndef PB_CORE_LOG_H
#define PB_CORE_LOG_H

#include <stdarg.h>

#include "core/error.h"

enum pb_log_level { PB_LOG_NOTE, PB_LOG_WARN };

/* A sink receives one complete message without a trailing newline. */
typedef void (*pb_log_sink_fn)(enum pb_log_level level, const char *msg, void *arg);

/* Install the sink (NULL: messages are dropped, the default for library users and tests). */
void pb_log_set_sink(pb_log_sink_fn fn, void *arg);

/*
 * Something the user should know that does not stop the work ("binary is stripped; ..."). The CLI
 * prints each distinct warning once per command and none under -q.
 */
void pb_warn(const char *fmt, ...) PB_PRINTF(1, 2);
/* Informational ("measuring with cachegrind because ..."); suppressed by -q in the CLI. */
void pb_note(const char *fmt, ...) PB_PRINTF(1, 2);

#endif
