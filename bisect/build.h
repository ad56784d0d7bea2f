/* build.h: build a commit in the private worktree, once: the artifacts are cached per commit. */
#ifndef PB_BISECT_BUILD_H
#define PB_BISECT_BUILD_H

#include <stdbool.h>

#include "bisect/repo.h"
#include "bisect/state.h"
#include "bisect/worktree.h"
#include "core/config.h"
#include "core/progress.h"

struct pb_builder {
	struct pb_repo *repo;
	struct pb_worktree *wt;
	const struct pb_state *st;
	const struct pb_config *cfg;
	char *cache_dir;     /* <state>/builds/<build-config hash>[-<variant>] */
	int built, cached;   /* builds run in this process, and builds found in the cache */
	const struct pb_layout_variant *variant; /* NULL: the configured build itself */
	char **env;          /* build.env, then the variant's (owned) */
	/* Set by the caller: a failure found in the cache is built again (--rebuild-failed). */
	bool rebuild_failed;
	char **timed_out;    /* commits whose build timed out in this process (owned) */
	size_t n_timed_out, timed_out_cap;
	struct pb_progress *progress; /* NULL: none; else ticks while a build runs (set after init) */
};

struct pb_build {
	bool ok;
	bool cached;      /* found in the cache: not built in this run */
	char *dir;        /* the commit's cache directory */
	char *binary;     /* cached copy of build.binary, or the file in the prefix it names (NULL
			     when none is configured) */
	char *prefix;     /* <dir>/prefix, the install's {prefix}; NULL without build.install */
	char *log;        /* the build log */
	double seconds;   /* how long the build took (when it was built) */
	char *reason;     /* why it failed ("exit 2", "timed out after 900 s", ...) */
	int slot;         /* the job slot that built it now (parallel local builds: 1, 2, ...); 0:
			     the main worktree, or found in the cache */
};

/* Set up; the builder borrows everything. Returns 0 or -1 (build.command missing). */
int pb_builder_init(struct pb_builder *b, struct pb_repo *repo, struct pb_worktree *wt,
		    const struct pb_state *st, const struct pb_config *cfg);
void pb_builder_release(struct pb_builder *b);

/*
 * A builder of a layout variant (build.layout_variants): build.env plus the variant's, its own
 * cache. The worktree is cleaned (build.clean, required) before and after each variant build, so
 * neither the variant nor a later ordinary build reuses the other's objects. Returns 0 or -1.
 */
int pb_builder_init_variant(struct pb_builder *b, struct pb_repo *repo, struct pb_worktree *wt,
			    const struct pb_state *st, const struct pb_config *cfg,
			    const struct pb_layout_variant *v);

/*
 * The build of commit `id`: from the cache, or checked out and built now (build.command in the
 * worktree, with build.timeout, build.env, its output in the log), then build.install with
 * {prefix} = <dir>/prefix, its artifacts (build.binary and build.artifacts) copied into the cache:
 * a file by its name, a directory with its path relative to the worktree. A build.binary
 * "{prefix}/PATH" names a file the install wrote, not copied. A failed build is cached too (a
 * commit is not built twice) and is not an error: out->ok is false, out->reason says why (and,
 * when it came from the cache, that --rebuild-failed builds it again). Not reused from the cache,
 * but built again: a damaged record (with a warning), any failure when b->rebuild_failed is set,
 * and a build that timed out in an earlier process (a timeout is not taken as the commit's fault
 * for good). Returns 0, or -1 when something outside the build failed (checkout, disk,
 * interrupted). Release with pb_build_release().
 */
int pb_builder_get(struct pb_builder *b, const char *id, struct pb_build *out);

/*
 * For what only runs a build's binary (variants, layouts): commit `id` built with b, its binary
 * and install prefix as owned strings (*prefix NULL when none). When it cannot be built or has no
 * binary, *binary is NULL and *error says why (owned; a build that fails is not an error here).
 * Returns 0, or -1 only when interrupted (the error set).
 */
int pb_builder_get_binary(struct pb_builder *b, const char *id, char **binary, char **prefix, char **error);

void pb_build_release(struct pb_build *bd);

#endif
