/* workfile.h: the request and result files between the Slurm executor and `placebisect worker`. */
#ifndef PB_BISECT_WORKFILE_H
#define PB_BISECT_WORKFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "bisect/build.h"
#include "bisect/repo.h"
#include "core/json.h"
#include "measure/result.h"

#define PB_WORK_REQUEST_SCHEMA "placebisect.slurm-request/1"
#define PB_WORK_RESULT_SCHEMA "placebisect.slurm-result/1"

enum pb_work_kind { PB_WORK_BUILD, PB_WORK_MEASURE };

/* One commit of a request: built (build) or measured `runs` times (measure). */
struct pb_work_item {
	char commit[PB_OID_HEX];
	size_t runs;
};

/* What the driver asks of one job. Strings owned (pb_work_request_release frees them). */
struct pb_work_request {
	enum pb_work_kind kind;
	char *repo;          /* the repository's git directory, as the nodes see it */
	char *work_dir;      /* <shared_dir>/<repository key>: build cache, logs, worktrees */
	char *config_dir;    /* {config_dir} */
	struct pb_json *config; /* the effective configuration (pb_config_write_json); owned */
	char *result;        /* where the worker writes its result file */
	bool rebuild_failed;
	/* measure: the benchmark and the runner's options after the command line's overrides */
	char *benchmark, *backend, *metric, *cpus;
	long runs, warmups;
	struct pb_work_item *items;
	size_t n_items;
	struct pb_json *doc; /* private: the file read, which `config` points into; NULL: none */
};

/* What the job did. Strings and measurements owned (pb_work_result_release frees them). */
struct pb_work_result {
	enum pb_work_kind kind;
	char *node, *job;    /* where it ran: host name, SLURM_JOB_ID ("" outside a job) */
	char *error;         /* the worker itself failed (not a failed build or run); NULL: it did not */
	int error_code;      /* the exit code class of that error */
	struct pb_build build; /* build: the commit's build (as pb_builder_get filled it) */
	/* measure: per item, its runs (descriptive fields filled) and how its last failed run ended */
	struct pb_measurement *ms;
	char **failures;     /* per item; NULL entries: none failed */
	size_t n_ms;
};

void pb_work_request_release(struct pb_work_request *r);
void pb_work_result_release(struct pb_work_result *r);

/* Write the request (or result) to `path` atomically (temp + fsync + rename). 0 or -1. */
int pb_work_request_write(const struct pb_work_request *r, const char *path);
int pb_work_result_write(const struct pb_work_result *r, const char *path);

/*
 * Read a request (or result) file into *r (zeroed first). A file of another schema, or one that
 * lacks a required key, is an error naming the file and the key (class PB_EXIT_USAGE). 0 or -1;
 * on failure *r is released.
 */
int pb_work_request_read(struct pb_work_request *r, const char *path);
int pb_work_result_read(struct pb_work_result *r, const char *path);

#endif
