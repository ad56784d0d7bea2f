/* error.h: one recorded error per thread, and the exit codes of the command-line contract. */
#ifndef PB_CORE_ERROR_H
#define PB_CORE_ERROR_H

/* Exit codes (DESIGN.md, "Command-line contract"); also the class of a recorded error. */
enum pb_exit {
	PB_EXIT_OK = 0,
	PB_EXIT_REGRESSION = 1,   /* regression detected / check says "bad" */
	PB_EXIT_USAGE = 2,        /* usage, config or input error */
	PB_EXIT_ENV = 3,          /* environment unusable: backend, counters, permissions, I/O */
	PB_EXIT_INCONCLUSIVE = 4, /* not reproduced, only skipped commits left, noise too high */
	PB_EXIT_CANNOT_MEASURE = 125,
	PB_EXIT_INTERRUPTED = 130,
};

#if defined(__GNUC__)
#define PB_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PB_PRINTF(a, b)
#endif

/*
 * Record an input error (exit class PB_EXIT_USAGE) and return -1, so that library code can write
 * `return pb_error("config: %s: expected a number", path);`. Replaces any earlier message.
 */
int pb_error(const char *fmt, ...) PB_PRINTF(1, 2);

/* As pb_error(), with an explicit exit class. Returns -1. */
int pb_error_as(enum pb_exit code, const char *fmt, ...) PB_PRINTF(2, 3);

/*
 * As pb_error_as(PB_EXIT_ENV, ...), with ": <strerror(errno)>" appended. errno is read before
 * anything else happens, so call it right after the failing system call. Returns -1.
 */
int pb_error_errno(const char *fmt, ...) PB_PRINTF(1, 2);

/* Prefix the recorded message with context: "building 1a2b3c: " + message. Keeps the class. */
void pb_error_wrap(const char *fmt, ...) PB_PRINTF(1, 2);

/* The recorded message ("" when none); valid until the next pb_error*() call on this thread. */
const char *pb_error_message(void);

/* The exit class of the recorded error; PB_EXIT_USAGE when none was recorded with a class. */
enum pb_exit pb_error_exit_code(void);

/* Forget the recorded error. */
void pb_error_clear(void);

#endif
