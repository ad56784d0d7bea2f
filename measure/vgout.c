/* vgout.c: list the output files a valgrind tool wrote for one run, sorted by name. */
#include "measure/vgout.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

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

void pb_vgout_free(char **paths)
{
	char **p;

	for (p = paths; p && *p; p++)
		free(*p);
	free(paths);
}
