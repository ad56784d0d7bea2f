/* commit.h: one commit of a bisect's range: its info, measurement and build (struct pb_bisect_commit). */
#ifndef PB_BISECT_COMMIT_H
#define PB_BISECT_COMMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "bisect/repo.h"
#include "measure/result.h"

struct pb_bisect_commit {
	struct pb_commit_info info;
	struct pb_measurement m;  /* its runs (cached ones included) */
	char *binary;             /* its cached build's binary; NULL when not built or none */
	char *prefix;             /* its cached build's install prefix; NULL without build.install */
	char *dir;                /* its cached build's directory; NULL when not built */
	bool build_failed;
	char *build_reason;
	int build_slot;           /* the job slot that built it in this run (--jobs > 1); 0: none */
	/* A merge among the culprits or candidates: what it brought in (pb_repo_merged); else NULL, 0. */
	char *merged_range;
	size_t merged_commits;
};

#endif
