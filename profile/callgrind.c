/* callgrind.c: the one way a program runs under callgrind (annotate, profile --calls, order, fix), read back as costs or a call graph. */
#include "profile/callgrind.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/tmpdir.h"
#include "measure/cachegrind.h"
#include "measure/vgout.h"
#include "measure/result.h"

int pb_callgrind_record(const struct pb_runner_opts *o, bool cache, const char *i1,
			struct pb_callgrind *cg, int *exit)
{
	struct pb_runner_opts ro = *o;
	struct pb_measurement m;
	char *dir, **argv = NULL;
	int ret = -1;

	memset(cg, 0, sizeof(*cg));
	*exit = 0;
	if (pb_cachegrind_available())
		return -1;
	dir = pb_tmpdir_new(o->tmp_dir, "callgrind");
	if (!dir)
		return -1;
	argv = cache ? pb_callgrind_argv(i1, dir, o->argv, o->shell)
		     : pb_callgrind_argv_calls(dir, o->argv, o->shell);
	ro.argv = (const char *const *)argv;
	ro.shell = NULL;
	ro.runs = 1;
	ro.warmups = 0;
	ro.metric = "wall";
	ro.backend = "time";
	ro.events = NULL;
	ro.baseline = NULL;
	ro.before_exec = NULL;
	ro.hook_arg = NULL;
	pb_measurement_init(&m);
	if (pb_runner_measure(&ro, &m))
		goto out;
	/* A program that fails (or is not there) is not read from whatever ran before it failed. */
	if (m.n_runs && !m.runs[0].ok) {
		*exit = m.runs[0].exit;
		ret = 1;
		goto out;
	}
	if (pb_callgrind_collect(dir, cg))
		goto out;
	ret = 0;
out:
	pb_measurement_release(&m);
	pb_callgrind_argv_free(argv);
	pb_tmpdir_remove(dir);
	free(dir);
	return ret;
}

int pb_callgrind_record_run(const char *who, const struct pb_runner_opts *o, bool cache,
			    const char *i1, struct pb_callgrind *cg)
{
	struct pb_runner_opts ro = *o;
	struct pb_buf what = PB_BUF_INIT;
	size_t k;
	int ret, exit;

	ro.timeout *= PB_VALGRIND_SLOWDOWN; /* the benchmark's own timeout, for the program alone */
	ret = pb_callgrind_record(&ro, cache, i1, cg, &exit);
	if (ret <= 0)
		return ret;
	/* What the user asked to run (the runner saw valgrind's command line). */
	if (o->argv) {
		for (k = 0; o->argv[k]; k++)
			pb_buf_printf(&what, "%s%s", k ? " " : "", o->argv[k]);
	} else {
		pb_buf_puts(&what, o->shell ? o->shell : "the program");
	}
	pb_error_as(PB_EXIT_USAGE, "%s: '%s' failed under callgrind (exit %d: the warning above "
		    "says why): %s a run that succeeds", who, what.data, exit, who);
	pb_buf_release(&what);
	return -1;
}

int pb_callgrind_run(const struct pb_callgrind_opts *o, struct pb_callgraph *g)
{
	struct pb_runner_opts ro;
	struct pb_callgrind cg;
	int ret, exit;

	pb_runner_opts_init(&ro);
	ro.argv = o->argv;
	ro.shell = o->shell;
	ro.cwd = o->cwd;
	ro.env = o->env_set;
	ro.timeout = o->timeout_s;
	ro.tmp_dir = o->outdir;
	ro.stop = o->stop;
	ret = pb_callgrind_record(&ro, false, NULL, &cg, &exit);
	if (ret > 0)
		ret = pb_error_as(PB_EXIT_INCONCLUSIVE, "the program under callgrind failed (exit %d): "
				  "the warning above says why", exit);
	if (!ret)
		pb_callgrind_graph(&cg, g);
	pb_callgrind_release(&cg);
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
