/* fndelta.c: per-function cost deltas between two cachegrind measurements, biggest change first. */
#include "measure/fndelta.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static double weight(const struct pb_fn_delta *d)
{
	return fabs(d->ir_b - d->ir_a) + PB_FN_DELTA_I1_WEIGHT * fabs(d->i1_b - d->i1_a);
}

static int cmp_delta(const void *pa, const void *pb)
{
	const struct pb_fn_delta *a = pa, *b = pb;
	double wa = weight(a), wb = weight(b);

	if (wa != wb)
		return wa > wb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int cmp_cost_name(const void *pa, const void *pb)
{
	return strcmp((*(const struct pb_function_cost *const *)pa)->name,
		      (*(const struct pb_function_cost *const *)pb)->name);
}

/* Pointers to m's functions sorted by name, for bsearch. */
static const struct pb_function_cost **by_name(const struct pb_measurement *m)
{
	const struct pb_function_cost **v = pb_xcalloc(m->n_functions + 1, sizeof(*v));

	for (size_t i = 0; i < m->n_functions; i++)
		v[i] = &m->functions[i];
	qsort(v, m->n_functions, sizeof(*v), cmp_cost_name);
	return v;
}

static const struct pb_function_cost *find(const struct pb_function_cost **v, size_t n, const char *name)
{
	struct pb_function_cost key = { .name = (char *)name };
	const struct pb_function_cost *k = &key, **hit;

	hit = bsearch(&k, v, n, sizeof(*v), cmp_cost_name);
	return hit ? *hit : NULL;
}

void pb_fn_deltas(const struct pb_measurement *a, const struct pb_measurement *b, size_t max,
		  struct pb_fn_delta **out, size_t *n)
{
	const struct pb_function_cost **sa, **sb, *f, *g;
	struct pb_fn_delta *d;
	size_t k = 0, i;

	*out = NULL;
	*n = 0;
	if (!a->n_functions || !b->n_functions)
		return;
	sa = by_name(a);
	sb = by_name(b);
	d = pb_xcalloc(a->n_functions + b->n_functions + 1, sizeof(*d));
	for (i = 0; i < b->n_functions; i++) {
		g = &b->functions[i];
		f = find(sa, a->n_functions, g->name);
		d[k] = (struct pb_fn_delta){ g->name, g->file ? g->file : f ? f->file : NULL,
					     f ? f->ir : 0, g->ir, f ? f->i1mr : 0, g->i1mr };
		if (weight(&d[k]) > 0)
			k++;
	}
	for (i = 0; i < a->n_functions; i++) {
		f = &a->functions[i];
		if (find(sb, b->n_functions, f->name))
			continue;
		d[k] = (struct pb_fn_delta){ f->name, f->file, f->ir, 0, f->i1mr, 0 };
		if (weight(&d[k]) > 0)
			k++;
	}
	qsort(d, k, sizeof(*d), cmp_delta);
	*n = k < max ? k : max;
	*out = d;
	free(sa);
	free(sb);
}
