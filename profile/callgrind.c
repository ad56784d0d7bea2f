/* callgrind.c: run a command under callgrind and read its call graph (caller→callee arcs with call counts). */
#include "profile/callgrind.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/proc.h"
#include "measure/cachegrind.h"

/* The last line of a captured stream, for the message of a failed run. */
static void last_line(const struct pb_buf *b, char *out, size_t size)
{
	size_t end = b->len, start;

	while (end > 0 && (b->data[end - 1] == '\n' || b->data[end - 1] == '\r'))
		end--;
	start = end;
	while (start > 0 && b->data[start - 1] != '\n')
		start--;
	snprintf(out, size, "%.*s", (int)(end - start), b->len ? b->data + start : "");
}

/* Read and remove every callgrind.out.* in dir; 0 or -1. *files counts those read. */
static int collect(const char *dir, struct pb_callgraph *g, size_t *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	*files = 0;
	if (!d)
		return pb_error_errno("cannot read %s", dir);
	while ((e = readdir(d))) {
		char *p;

		if (strncmp(e->d_name, "callgrind.out.", 14) != 0)
			continue;
		p = pb_xasprintf("%s/%s", dir, e->d_name);
		if (!ret && pb_callgrind_read_graph(g, p))
			ret = -1;
		else
			(*files)++;
		unlink(p);
		free(p);
	}
	closedir(d);
	return ret;
}

int pb_callgrind_run(const struct pb_callgrind_opts *o, struct pb_callgraph *g)
{
	struct pb_proc_opts po = PB_PROC_OPTS_INIT;
	struct pb_proc_result res = { 0 };
	const char **argv = NULL;
	char *dir = NULL, *outarg = NULL, desc[128], tail[200];
	size_t n = 0, i, files;
	int ret = -1;

	if (pb_cachegrind_available())
		return -1;
	if (o->outdir) {
		dir = pb_xstrdup(o->outdir);
	} else {
		const char *t = getenv("TMPDIR");

		dir = pb_xasprintf("%s/placebisect-callgrind-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(dir)) {
			pb_error_errno("cannot make a temporary directory %s", dir);
			goto out;
		}
	}
	outarg = pb_xasprintf("--callgrind-out-file=%s/callgrind.out.%%p", dir);
	for (i = 0; o->argv && o->argv[i]; i++)
		;
	argv = pb_xcalloc(i + 12, sizeof(*argv));
	argv[n++] = "valgrind";
	argv[n++] = "--tool=callgrind";
	argv[n++] = "--vgdb=no";
	argv[n++] = "--demangle=no";
	argv[n++] = outarg;
	if (o->shell) {
		argv[n++] = "--trace-children=yes";
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = o->shell;
	} else {
		for (i = 0; o->argv[i]; i++)
			argv[n++] = o->argv[i];
	}
	po.argv = argv;
	po.cwd = o->cwd;
	po.env_set = o->env_set;
	po.env_pass = o->env_pass;
	po.timeout_s = o->timeout_s;
	po.stdout_fd = -1;
	if (pb_proc_run(&po, &res))
		goto out;
	if (!res.exited || res.status != 0) {
		pb_proc_describe(&res, o->timeout_s, desc, sizeof(desc));
		last_line(&res.err, tail, sizeof(tail));
		pb_error_as(PB_EXIT_INCONCLUSIVE, "the program under callgrind failed (%s)%s%s", desc,
			    tail[0] ? ": " : "", tail);
		collect(dir, g, &files);
		goto out;
	}
	if (collect(dir, g, &files))
		goto out;
	if (!files) {
		pb_error_as(PB_EXIT_ENV, "callgrind wrote no output file in %s: valgrind did not run "
			    "the program", dir);
		goto out;
	}
	ret = 0;
out:
	if (dir && !o->outdir)
		rmdir(dir);
	pb_proc_result_release(&res);
	free(argv);
	free(outarg);
	free(dir);
	return ret;
}

void pb_callgrind_graph(const struct pb_callgrind *cg, struct pb_callgraph *g)
{
	size_t *ix = pb_xcalloc(cg->n_fns + 1, sizeof(*ix)), i;
	const struct pb_callgrind_arc *a;

	for (i = 0; i < cg->n_fns; i++) {
		ix[i] = pb_callgraph_fn(g, cg->fns[i].name, cg->objs[cg->fns[i].obj].path);
		g->fns[ix[i]].self += cg->fns[i].ir;
	}
	for (i = 0; i < cg->n_arcs; i++) {
		a = &cg->arcs[i];
		pb_callgraph_arc(g, ix[a->caller], ix[a->callee], a->calls, a->ir);
	}
	free(ix);
}

int pb_callgrind_read_graph(struct pb_callgraph *g, const char *path)
{
	struct pb_callgrind cg = { 0 };

	if (pb_callgrind_parse_calls(path, &cg)) {
		pb_callgrind_release(&cg);
		return -1;
	}
	pb_callgrind_graph(&cg, g);
	pb_callgrind_release(&cg);
	return 0;
}
