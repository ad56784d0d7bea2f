/* revision.c: one revision built (cached) and checked out in the private worktree, for --rev; a
 * benchmark made ready to run there or in the user's tree. */
#include "bisect/revision.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/build.h"
#include "bisect/worktree.h"
#include "core/error.h"

int pb_revision_prepare(struct pb_repo *repo, const struct pb_config *cfg, const char *rev,
			bool rebuild_failed, struct pb_revision *out)
{
	struct pb_worktree wt;
	struct pb_builder b;
	struct pb_build bd;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&wt, 0, sizeof(wt));
	memset(&b, 0, sizeof(b));
	memset(&bd, 0, sizeof(bd));
	out->st.lock_fd = -1;
	if (pb_repo_resolve(repo, rev, out->commit) || pb_state_open(&out->st, pb_repo_gitdir(repo)) ||
	    pb_state_lock(&out->st) || pb_worktree_open(&wt, out->st.dir) ||
	    pb_builder_init(&b, repo, &wt, &out->st, cfg))
		goto out;
	b.rebuild_failed = rebuild_failed;
	if (pb_builder_get(&b, out->commit, &bd))
		goto out;
	if (!bd.ok) {
		pb_error("%s (%.7s) cannot be built: %s", rev, out->commit, bd.reason ? bd.reason : "?");
		goto out;
	}
	if (pb_worktree_checkout(&wt, repo, out->commit))
		goto out;
	out->binary = bd.binary ? pb_xstrdup(bd.binary) : NULL;
	out->worktree = pb_xstrdup(wt.dir);
	out->prefix = bd.prefix ? pb_xstrdup(bd.prefix) : NULL;
	ret = 0;
out:
	pb_build_release(&bd);
	pb_builder_release(&b);
	pb_worktree_release(&wt);
	if (ret)
		pb_revision_release(out);
	return ret;
}

void pb_revision_release(struct pb_revision *r)
{
	free(r->binary);
	free(r->worktree);
	free(r->prefix);
	r->prefix = NULL;
	pb_state_close(&r->st);
	r->binary = r->worktree = NULL;
}

int pb_bench_target_prepare(struct pb_bench_target *t, const struct pb_config *cfg,
			    const char *bench, const char *rev, bool rebuild_failed, const char *repo_dir,
			    const char *top)
{
	const struct pb_bench *b;
	struct pb_placeholders ph = { NULL, NULL, NULL, NULL };

	memset(t, 0, sizeof(*t));
	t->rev.st.lock_fd = -1;
	b = pb_config_bench(cfg, bench);
	if (!b)
		return -1;
	pb_runner_opts_from_config(&t->o, cfg, b);
	if (rev) {
		if (pb_repo_open(&t->repo, repo_dir) || pb_revision_prepare(t->repo, cfg, rev, rebuild_failed, &t->rev))
			return -1;
		t->dir = pb_xstrdup(t->rev.worktree);
		t->o.commit = t->rev.commit;
		/* Temporary directories under the state directory, which the next start empties. */
		t->o.tmp_dir = t->rev.st.tmp;
		ph.prefix = t->rev.prefix;
		if (t->rev.binary)
			t->binary = pb_xstrdup(t->rev.binary);
	} else {
		t->dir = top ? pb_xstrdup(top) : NULL;
		if (cfg->build.binary)
			t->binary = pb_xasprintf("%s/%s", top ? top : ".", cfg->build.binary);
		/* Every run would fail with "not found": say what to do before running any. */
		if (t->binary && strstr(b->command, "{binary}") && access(t->binary, X_OK) != 0)
			return pb_error("benchmark '%s' runs {binary}, but %s is not built in this tree: "
					"build it first%s%s%s, or pass --rev REV to build a revision in "
					"placebisect's private worktree", bench, t->binary,
					cfg->build.command ? " (" : "",
					cfg->build.command ? cfg->build.command : "",
					cfg->build.command ? ")" : "");
	}
	ph.binary = t->binary;
	ph.worktree = t->dir ? t->dir : ".";
	ph.config_dir = cfg->dir;
	t->command = pb_config_expand(b->command, &ph);
	t->o.shell = t->command;
	if (b->baseline) {
		t->baseline = pb_config_expand(b->baseline, &ph);
		t->o.baseline = t->baseline;
	}
	if (b->prepare)
		t->o.prepare = t->prepare = pb_config_expand(b->prepare, &ph);
	if (b->setup)
		t->o.setup = t->setup = pb_config_expand(b->setup, &ph);
	t->o.cwd = t->dir;
	return 0;
}

void pb_bench_target_release(struct pb_bench_target *t)
{
	free(t->dir);
	free(t->command);
	free(t->binary);
	free(t->baseline);
	free(t->prepare);
	free(t->setup);
	free(t->tmp);
	t->tmp = NULL;
	pb_revision_release(&t->rev);
	pb_repo_free(t->repo);
	t->dir = t->command = t->binary = t->baseline = t->prepare = t->setup = NULL;
	t->repo = NULL;
}
