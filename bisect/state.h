/* state.h: what a bisect keeps under <gitdir>/placebisect/: the lock, the measurement cache, the journal. */
#ifndef PB_BISECT_STATE_H
#define PB_BISECT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "measure/result.h"

struct pb_state {
	char *dir;       /* <gitdir>/placebisect */
	int lock_fd;     /* held while a bisect runs; -1 when not locked */
	char *tmp;       /* <dir>/tmp: temporary directories of runs (cachegrind's output files) */
};

/* Create (if missing) and open the state directory for the repository at `gitdir`. */
int pb_state_open(struct pb_state *st, const char *gitdir);
/* Release the lock (if held) and free. */
void pb_state_close(struct pb_state *st);

/*
 * Take the repository's bisect lock (flock on <dir>/lock, with our pid written in it). Another
 * live holder → -1 naming its pid (class PB_EXIT_ENV). A dead holder's lock is free: flock dies
 * with its process, whatever the file says. Once locked, temporary files a killed run left in the
 * state directory (pb_atomic_write's NAME.tmp.XXXXXX; the private worktree excepted) are removed,
 * and st->tmp is emptied (created if missing) but for the directories of running processes
 * (pb_tmpdir_sweep): the rest is a killed run's.
 */
int pb_state_lock(struct pb_state *st);

/*
 * For a command that runs in the user's tree and takes no lock (annotate, profile --calls, measure
 * or order without --rev): the state directory's tmp/ of the repository containing `start`, where
 * its temporary directories go (core/tmpdir.h: named by pid, swept by the next run once their
 * owner is gone; a bisect's lock leaves a running one's alone). NULL, no error recorded, when
 * `start` is in no repository or its git directory is not writable: then $TMPDIR it is. Not
 * created here (pb_tmpdir_new does). The caller frees.
 */
char *pb_state_tmp_of(const char *start);

/* A path under the state directory (caller frees): pb_state_path(st, "builds/%s", id). */
char *pb_state_path(const struct pb_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The measurement cache: one measurement file per (benchmark, backend, config hash, commit),
 * rewritten atomically after every run so a crash loses at most the run in progress.
 * pb_state_cache_load fills *m (initialised by the caller) from the cache when present;
 * returns 1 when found, 0 when not, -1 on an unreadable file (error names it; the caller may
 * discard it: pb_state_cache_drop).
 */
int pb_state_cache_load(const struct pb_state *st, const char *key, const char *commit,
			struct pb_measurement *m);
int pb_state_cache_save(const struct pb_state *st, const char *key, const char *commit,
			const struct pb_measurement *m);
void pb_state_cache_drop(const struct pb_state *st, const char *key, const char *commit);
/* Drop every cached measurement of `key` (one benchmark, backend, metric, config); *dropped gets
 * how many commits had one. Builds are not touched. Returns 0, or -1 (error recorded). */
int pb_state_cache_drop_key(const struct pb_state *st, const char *key, size_t *dropped);

/*
 * The journal: an append-only file of one compact JSON object per line, fsynced after each.
 * pb_state_journal_read returns the events (a JSON array document built from the lines; caller
 * frees with pb_json_free); a torn last line (a crash mid-write) is dropped with a pb_warn and the
 * file repaired. Returns 0 (an empty array when there is no journal) or -1.
 */
int pb_state_journal_append(const struct pb_state *st, const struct pb_buf *line);
int pb_state_journal_read(const struct pb_state *st, struct pb_json **events);
int pb_state_journal_reset(const struct pb_state *st);

#endif
