/* repo.c: locating and reading the user's repository with libgit2; never writes to it. */
#include "bisect/repo.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

static void lib_init(void)
{
	static int done;

	/* libgit2 counts init calls; one for the process is enough and is never shut down. */
	if (!done) {
		git_libgit2_init();
		done = 1;
	}
}

static char *strip_slash(const char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		n--;
	return pb_xstrndup(p, n);
}

int pb_repo_discover(char **top, char **gitdir, const char *start)
{
	git_buf found = { 0 };
	git_repository *repo = NULL;
	const char *wd;
	int ret = -1;

	*top = NULL;
	if (gitdir)
		*gitdir = NULL;
	lib_init();
	if (git_repository_discover(&found, start, 0, NULL) != 0) {
		pb_error("%s is not inside a git repository (use --repo DIR)", start);
		goto out;
	}
	if (git_repository_open(&repo, found.ptr) != 0) {
		const git_error *e = git_error_last();

		pb_error("cannot open the repository at %s: %s", found.ptr, e ? e->message : "unknown error");
		goto out;
	}
	wd = git_repository_workdir(repo);
	*top = wd ? strip_slash(wd) : NULL;
	if (gitdir)
		*gitdir = strip_slash(git_repository_path(repo));
	ret = 0;
out:
	git_repository_free(repo);
	git_buf_dispose(&found);
	return ret;
}
