/* progress.h: "step k of ~n" progress for long work, redrawn in place on a TTY, plain lines otherwise. */
#ifndef PB_CORE_PROGRESS_H
#define PB_CORE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

struct pb_progress {
	FILE *out;       /* NULL: silent (-q) */
	bool tty;        /* redraw one line in place */
	int64_t start_ns;
	int64_t step_start_ns;
	int step, total; /* total is an estimate; 0 when unknown */
	int line_len;    /* characters of the line drawn last (TTY) */
	int64_t tick_ns; /* when pb_progress_tick() last wrote a plain line */
	double tick_plain_s; /* PB_PROGRESS_TICK_PLAIN_S, or $PLACEBISECT_PROGRESS_TICK (seconds) */
};

/* Start reporting to `out` (NULL for silence). TTY-ness is read from out's descriptor; the plain
 * lines' tick interval from $PLACEBISECT_PROGRESS_TICK when set (seconds, > 0). */
void pb_progress_init(struct pb_progress *p, FILE *out);
/* Begin step `step` of about `total`: "[3/~7] building 1a2b3c4 (12.0 s elapsed, ~30 s left)". */
void pb_progress_step(struct pb_progress *p, int step, int total, const char *fmt, ...) PB_PRINTF(4, 5);
/* Update the current step's detail without advancing ("run 4/10"). Only drawn on a TTY. */
void pb_progress_detail(struct pb_progress *p, const char *fmt, ...) PB_PRINTF(2, 3);
/* How often pb_progress_tick() writes a plain line when stderr is not a TTY. */
#define PB_PROGRESS_TICK_PLAIN_S 30

/*
 * A long step's detail, called while it runs (a build): redrawn each call on a TTY; else a plain
 * line at most every PB_PROGRESS_TICK_PLAIN_S seconds, so a log shows the step is alive.
 */
void pb_progress_tick(struct pb_progress *p, const char *fmt, ...) PB_PRINTF(2, 3);

/* Finish: clear the in-place line so later output starts on a clean line. */
void pb_progress_done(struct pb_progress *p);

#endif
