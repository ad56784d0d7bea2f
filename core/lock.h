/* lock.h: one process at a time: an flock on a file that names its holder's pid. */
#ifndef PB_CORE_LOCK_H
#define PB_CORE_LOCK_H

/*
 * Take the exclusive lock `path` (created if missing) and write our pid in it. When another live
 * process holds it, retry for up to `wait_seconds` (0: do not wait), then fail (class
 * PB_EXIT_ENV) with "another placebisect (pid N) <doing>; <hint> (lock: PATH)". A dead holder's
 * lock is free: flock dies with its process, whatever the file says. Returns the descriptor that
 * holds the lock (close it to release), or -1 with the error recorded.
 */
int pb_lock_take(const char *path, double wait_seconds, const char *doing, const char *hint);

#endif
