/* buildtick.h: while a build runs, the progress line keeps ticking: elapsed time, the build log's last line and its path. */
#ifndef PB_BISECT_BUILDTICK_H
#define PB_BISECT_BUILDTICK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/progress.h"

struct pb_buildtick {
	struct pb_progress *progress;
	char id[16];
	const char *log;   /* borrowed */
	int64_t start_ns;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, running;
};

/*
 * Start ticking (once a second) for the build of commit `id` writing `log` (borrowed: keep it
 * alive until pb_buildtick_stop). `progress` NULL: nothing happens. The caller's thread must not
 * draw progress itself until stopped.
 */
void pb_buildtick_start(struct pb_buildtick *t, struct pb_progress *progress, const char *id,
			const char *log);
/* Stop and join; safe when not started. */
void pb_buildtick_stop(struct pb_buildtick *t);

/*
 * The last non-empty line of the file at `path` (at most size-1 bytes of it, control characters
 * dropped) into out; "" when there is none. For tests and the ticker.
 */
void pb_buildtick_last_line(const char *path, char *out, size_t size);

#endif
