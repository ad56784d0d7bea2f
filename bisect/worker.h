/* worker.h: `placebisect worker` on a cluster node: one build, or one batch of runs with the local executor. */
#ifndef PB_BISECT_WORKER_H
#define PB_BISECT_WORKER_H

#include <signal.h>

#include "bisect/workfile.h"

/*
 * The worker: do the request at `path` on this machine and write its result file (also when the
 * work failed: then result.error says why, and this returns -1 with the same error). A build uses
 * a private worktree <work_dir>/work/<job>/ and the build cache under <work_dir>/builds/; a
 * measurement takes each commit's build from that cache (building it there if missing) and runs
 * the batch with the local executor, in the items' order. `stop` (may be NULL) ends it between
 * runs: the result says so (PB_EXIT_INTERRUPTED).
 */
int pb_worker_run(const char *path, volatile sig_atomic_t *stop);

#endif
