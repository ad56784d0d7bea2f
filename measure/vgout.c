/* vgout.c: a valgrind tool's command line for one run, its output directory, and the output files it wrote, sorted by name. */
#include "measure/vgout.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pb_vgout_list(const char *outdir, const char *tool, char ***paths, size_t *n)
{
	char *prefix = pb_xasprintf("%s.out.", tool);
	size_t len = strlen(prefix), cap = 0, k = 0;
	char **v = NULL;
	struct dirent *de;
	DIR *d;

	*paths = NULL;
	*n = 0;
	d = opendir(outdir);
	if (!d) {
		free(prefix);
		return pb_error_errno("%s: cannot read %s", tool, outdir);
	}
	while ((de = readdir(d)))
		if (strncmp(de->d_name, prefix, len) == 0) {
			pb_xgrow((void **)&v, &cap, k + 2, sizeof(*v));
			v[k++] = pb_xasprintf("%s/%s", outdir, de->d_name);
		}
	closedir(d);
	free(prefix);
	if (k == 0)
		return pb_error_as(PB_EXIT_ENV, "%s wrote no output file: valgrind did not run the "
				   "program (see its messages above)", tool);
	qsort(v, k, sizeof(*v), cmp_str);
	v[k] = NULL;
	*paths = v;
	*n = k;
	return 0;
}

char **pb_vgout_argv(const char *tool, const char *const *opts, const char *outdir,
		     const char *const *argv, const char *shell)
{
	size_t n = 0, cap = 0, i;
	char **v = NULL;

#define ADD(s) (pb_xgrow((void **)&v, &cap, n + 2, sizeof(*v)), v[n++] = (s), v[n] = NULL)
	ADD(pb_xstrdup("valgrind"));
	ADD(pb_xasprintf("--tool=%s", tool));
	for (i = 0; opts && opts[i]; i++)
		ADD(pb_xstrdup(opts[i]));
	/* One file per process (%p); children are followed so `sh -c CMD` counts CMD too. */
	ADD(pb_xstrdup("--trace-children=yes"));
	/* No gdbserver FIFOs in $TMPDIR: a valgrind killed with placebisect would leave them. */
	ADD(pb_xstrdup("--vgdb=no"));
	ADD(pb_xasprintf("--%s-out-file=%s/%s.out.%%p", tool, outdir, tool));
	if (argv) {
		for (i = 0; argv[i]; i++)
			ADD(pb_xstrdup(argv[i]));
	} else {
		ADD(pb_xstrdup("/bin/sh"));
		ADD(pb_xstrdup("-c"));
		ADD(pb_xstrdup(shell));
	}
#undef ADD
	return v;
}

void pb_vgout_free(char **paths)
{
	char **p;

	for (p = paths; p && *p; p++)
		free(*p);
	free(paths);
}
