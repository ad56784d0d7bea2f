/* tmpdir.h: a run's private temporary directories, named by their owner's pid, and the sweep that removes those whose owner is gone. */
#ifndef PB_CORE_TMPDIR_H
#define PB_CORE_TMPDIR_H

#include <stdbool.h>

/*
 * A fresh directory `under`/placebisect-`tag`.PID.XXXXXX (PID: ours; `tag` without '.'), `under`
 * created if missing; under NULL: $TMPDIR, else /tmp. Before it is made, `under` is swept
 * (pb_tmpdir_sweep, all false): a run killed with SIGKILL, or by a second ^C, cannot remove its
 * own directory, so the next run that makes one in the same place does. The path is the caller's
 * to free (remove the directory with pb_tmpdir_remove); NULL with an error naming it (class
 * PB_EXIT_ENV) when it cannot be made.
 */
char *pb_tmpdir_new(const char *under, const char *tag);

/* Remove dir and everything in it (symbolic links not followed). Accepts NULL; never fails. */
void pb_tmpdir_remove(const char *dir);

/*
 * Remove from `dir` the directories named placebisect-TAG.PID.XXXXXX that are ours (our user's)
 * and whose PID is no running process on this machine: a killed run's. Those of running processes
 * stay (a pid that was reused keeps its stale directory until that process is gone too; a process
 * of another pid namespace sharing `dir` is not told from a dead one). With `all`, every other
 * entry of `dir` goes too (a locked state directory's tmp/: what is there and not a running
 * process's is a killed run's). Best effort: errors are ignored.
 */
void pb_tmpdir_sweep(const char *dir, bool all);

#endif
