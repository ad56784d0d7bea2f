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
};

/* Start reporting to `out` (NULL for silence). TTY-ness is read from out's descriptor. */
void pb_progress_init(struct pb_progress *p, FILE *out);
/* Begin step `step` of about `total`: "[3/~7] building 1a2b3c4 (12.0 s elapsed, ~30 s left)". */
void pb_progress_step(struct pb_progress *p, int step, int total, const char *fmt, ...) PB_PRINTF(4, 5);
/* Update the current step's detail without advancing ("run 4/10"). Only drawn on a TTY. */
void pb_progress_detail(struct pb_progress *p, const char *fmt, ...) PB_PRINTF(2, 3);
/* Finish: clear the in-place line so later output starts on a clean line. */
void pb_progress_done(struct pb_progress *p);

#endif
