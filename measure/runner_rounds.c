/* runner_rounds.c: the rounds of a measurement: warm-ups, then recorded runs, alone or A/B
 * interleaved; failures summed up and the measurement finished. */
#include <stdlib.h>

#include "core/log.h"
#include "core/util.h"
#include "measure/runner_impl.h"

void pb_runner_finish(struct pb_runner *r, struct pb_measurement *m)
{
	size_t i;
	char *msg;

	for (i = 0; i < r->n_fail; i++) {
		msg = pb_xasprintf("%zu of %zu runs failed: %s (first: run %zu); failed runs are not in "
				   "the summary", r->fail[i].count, r->n_recorded, r->fail[i].reason,
				   r->fail[i].first_run);
		pb_warn("%s", msg);
		pb_measurement_add_warning(m, msg);
		free(msg);
	}
	pb_runner_keep_functions(r, m);
	pb_measurement_finish(m);
	pb_runner_derive(m);
}

static void progress(const struct pb_runner_opts *o, size_t i, size_t n, bool warmup)
{
	if (o->progress)
		o->progress(o->progress_arg, o->name ? o->name : "command", i, n, warmup);
}

int pb_runner_measure(const struct pb_runner_opts *o, struct pb_measurement *m)
{
	struct pb_runner *r;
	long i, total;
	int ret = -1;

	if (pb_runner_new(&r, o))
		return -1;
	pb_runner_begin(r, m);
	total = r->warmups + r->runs;
	for (i = 0; i < total; i++) {
		progress(o, (size_t)i + 1, (size_t)total, i < r->warmups);
		if (pb_runner_run(r, m, i >= r->warmups))
			goto out;
	}
	pb_runner_finish(r, m);
	ret = 0;
out:
	pb_runner_free(r);
	return ret;
}

int pb_runner_measure_ab(const struct pb_runner_opts *a, const struct pb_runner_opts *b,
			 struct pb_measurement *ma, struct pb_measurement *mb)
{
	struct pb_runner *ra = NULL, *rb = NULL;
	long i, done = 0, total;
	int ret = -1;

	if (pb_runner_new(&ra, a) || pb_runner_new(&rb, b))
		goto out;
	pb_runner_begin(ra, ma);
	pb_runner_begin(rb, mb);
	total = ra->warmups + rb->warmups + ra->runs + rb->runs;
	for (i = 0; i < ra->warmups; i++) {
		progress(a, (size_t)++done, (size_t)total, true);
		if (pb_runner_run(ra, ma, false))
			goto out;
	}
	for (i = 0; i < rb->warmups; i++) {
		progress(b, (size_t)++done, (size_t)total, true);
		if (pb_runner_run(rb, mb, false))
			goto out;
	}
	/* A B A B ...: slow drift (temperature, frequency, other load) lands on both sides. */
	for (i = 0; i < ra->runs || i < rb->runs; i++) {
		if (i < ra->runs) {
			progress(a, (size_t)++done, (size_t)total, false);
			if (pb_runner_run(ra, ma, true))
				goto out;
		}
		if (i < rb->runs) {
			progress(b, (size_t)++done, (size_t)total, false);
			if (pb_runner_run(rb, mb, true))
				goto out;
		}
	}
	pb_runner_finish(ra, ma);
	pb_runner_finish(rb, mb);
	ret = 0;
out:
	pb_runner_free(ra);
	pb_runner_free(rb);
	return ret;
}
