/* slurm.h: Slurm driven through its commands (sbatch, sacct, squeue, scancel), never linked. */
#ifndef PB_BISECT_SLURM_H
#define PB_BISECT_SLURM_H

#include <stdbool.h>
#include <stddef.h>

enum pb_slurm_state {
	PB_SLURM_UNKNOWN,  /* not asked yet, or not found by the last poll */
	PB_SLURM_PENDING,  /* queued (PENDING, CONFIGURING, REQUEUED, SUSPENDED, ...) */
	PB_SLURM_RUNNING,  /* RUNNING, COMPLETING */
	PB_SLURM_DONE,     /* COMPLETED */
	PB_SLURM_FAILED,   /* ended otherwise: FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, ... */
	PB_SLURM_GONE,     /* no longer known to the cluster (purged): ended, how is unknown */
};

/* A job this process submitted or found in its state directory, as the last poll saw it. */
struct pb_slurm_job {
	char id[32];
	enum pb_slurm_state state;
	char state_name[32]; /* Slurm's word ("COMPLETED", "TIMEOUT", ...); "" before a poll found it */
	char node[128];      /* where it runs or ran; "" before it started */
};

/* True for DONE, FAILED and GONE: the job will not run any more. */
bool pb_slurm_ended(enum pb_slurm_state s);

/* Slurm's state word ("CANCELLED by 0" and "RUNNING" too) as a state; unknown words are PENDING. */
enum pb_slurm_state pb_slurm_state_of(const char *word);

/*
 * The job id in `sbatch --parsable` output ("1234\n" or "1234;cluster\n") into id[cap].
 * Returns 0, or -1 (error naming the output) when it does not start with a job id.
 */
int pb_slurm_parse_sbatch(const char *out, char *id, size_t cap);

/*
 * Update jobs[0..n) from lines "ID|STATE|NODELIST" (sacct -n -P -X -o JobID,State,NodeList, or
 * squeue -h -o '%i|%T|%N'). Lines of other jobs (job steps "12.batch", arrays) are ignored; a job
 * with no line keeps its state. Returns how many of the jobs were found.
 */
size_t pb_slurm_parse_table(const char *out, struct pb_slurm_job *jobs, size_t n);

/* What a job is submitted with. */
struct pb_slurm_submit {
	const char *name;       /* --job-name */
	const char *output;     /* --output (stdout and stderr) */
	const char *script;     /* the batch script's text ("#!/bin/sh\n...") */
	const char *script_dir; /* where its file is written for sbatch (the state directory's
				   slurm/; removed once submitted) */
	const char *partition, *account, *time_limit; /* NULL: not given */
	char *const *extra;     /* further sbatch arguments, NULL-terminated; may be NULL */
	bool exclusive;         /* --exclusive: the node to itself */
	const char *nodelist;   /* --nodelist; NULL: any */
	const char *workdir;    /* --chdir */
};

/*
 * Submit with `sbatch --parsable` (the script a file in s->script_dir, removed once sbatch ran,
 * whatever happened; a killed run's is removed by the next start: pb_state_lock); the job id into
 * id[cap]. Returns 0, or
 * -1 with sbatch's message (class PB_EXIT_ENV when sbatch is missing or the cluster refuses).
 */
int pb_slurm_sbatch(const struct pb_slurm_submit *s, char *id, size_t cap);

/*
 * Poll the jobs' states: `sacct` when the cluster keeps accounting, else (sacct failed once: no
 * slurmdbd) `squeue -t all`, which knows ended jobs for MinJobAge seconds. *no_sacct carries that
 * finding between calls (start with false). A job neither knows is GONE once it was seen or
 * submitted more than a poll ago. Returns 0, or -1 when neither command works.
 */
int pb_slurm_poll(struct pb_slurm_job *jobs, size_t n, bool *no_sacct);

/* scancel the jobs (ids); best effort, errors ignored. Returns how many ids were passed on. */
size_t pb_slurm_cancel(const char *const *ids, size_t n);

#endif
