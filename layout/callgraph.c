/* callgraph.c: the weighted call graph (functions with their own cost, caller→callee arcs), indexed for lookups. */
#include "layout/callgraph.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"

#define NONE ((size_t)-1)

void pb_callgraph_init(struct pb_callgraph *g)
{
	memset(g, 0, sizeof(*g));
}

void pb_callgraph_release(struct pb_callgraph *g)
{
	for (size_t i = 0; i < g->n_fns; i++) {
		free(g->fns[i].name);
		free(g->fns[i].object);
	}
	free(g->fns);
	free(g->arcs);
	free(g->fn_index);
	free(g->arc_index);
	memset(g, 0, sizeof(*g));
}

static uint64_t fn_hash(const char *name, const char *object)
{
	return pb_hash64(object, strlen(object), pb_hash64(name, strlen(name), PB_HASH64_SEED));
}

static uint64_t arc_hash(size_t a, size_t b)
{
	uint64_t k[2] = { a, b };

	return pb_hash64(k, sizeof(k), PB_HASH64_SEED);
}

/* Rebuild an index of `n` entries into 2^k slots, at most half full. */
static size_t *reindex(size_t n, size_t *slots, uint64_t (*hash)(const struct pb_callgraph *, size_t),
		       const struct pb_callgraph *g)
{
	size_t *ix, s = 64;

	while (s < 2 * (n + 1))
		s *= 2;
	ix = pb_xmalloc(s * sizeof(*ix));
	for (size_t i = 0; i < s; i++)
		ix[i] = NONE;
	for (size_t i = 0; i < n; i++) {
		size_t h = hash(g, i) & (s - 1);

		while (ix[h] != NONE)
			h = (h + 1) & (s - 1);
		ix[h] = i;
	}
	*slots = s;
	return ix;
}

static uint64_t fn_hash_at(const struct pb_callgraph *g, size_t i)
{
	return fn_hash(g->fns[i].name, g->fns[i].object);
}

static uint64_t arc_hash_at(const struct pb_callgraph *g, size_t i)
{
	return arc_hash(g->arcs[i].caller, g->arcs[i].callee);
}

size_t pb_callgraph_fn(struct pb_callgraph *g, const char *name, const char *object)
{
	size_t h;

	if (!object)
		object = "";
	if (2 * (g->n_fns + 1) > g->fn_slots) {
		free(g->fn_index);
		g->fn_index = reindex(g->n_fns, &g->fn_slots, fn_hash_at, g);
	}
	h = fn_hash(name, object) & (g->fn_slots - 1);
	for (; g->fn_index[h] != NONE; h = (h + 1) & (g->fn_slots - 1)) {
		const struct pb_callgraph_fn *f = &g->fns[g->fn_index[h]];

		if (strcmp(f->name, name) == 0 && strcmp(f->object, object) == 0)
			return g->fn_index[h];
	}
	if (g->n_fns == g->cap_fns) {
		g->cap_fns = g->cap_fns ? 2 * g->cap_fns : 64;
		g->fns = pb_xrealloc(g->fns, g->cap_fns * sizeof(*g->fns));
	}
	g->fns[g->n_fns] = (struct pb_callgraph_fn){ pb_xstrdup(name), pb_xstrdup(object), 0 };
	g->fn_index[h] = g->n_fns;
	return g->n_fns++;
}

void pb_callgraph_arc(struct pb_callgraph *g, size_t caller, size_t callee, uint64_t calls,
		      uint64_t cost)
{
	size_t h;

	if (2 * (g->n_arcs + 1) > g->arc_slots) {
		free(g->arc_index);
		g->arc_index = reindex(g->n_arcs, &g->arc_slots, arc_hash_at, g);
	}
	h = arc_hash(caller, callee) & (g->arc_slots - 1);
	for (; g->arc_index[h] != NONE; h = (h + 1) & (g->arc_slots - 1)) {
		struct pb_callgraph_arc *a = &g->arcs[g->arc_index[h]];

		if (a->caller == caller && a->callee == callee) {
			a->calls += calls;
			a->cost += cost;
			return;
		}
	}
	if (g->n_arcs == g->cap_arcs) {
		g->cap_arcs = g->cap_arcs ? 2 * g->cap_arcs : 64;
		g->arcs = pb_xrealloc(g->arcs, g->cap_arcs * sizeof(*g->arcs));
	}
	g->arcs[g->n_arcs] = (struct pb_callgraph_arc){ caller, callee, calls, cost };
	g->arc_index[h] = g->n_arcs++;
}

const char *pb_callgraph_main_object(const struct pb_callgraph *g)
{
	const char **objs = NULL;
	uint64_t *cost = NULL, best = 0;
	size_t n = 0, i, k;
	const char *out = NULL;

	for (i = 0; i < g->n_fns; i++)
		if (strcmp(g->fns[i].name, "main") == 0)
			return g->fns[i].object;
	objs = pb_xcalloc(g->n_fns + 1, sizeof(*objs));
	cost = pb_xcalloc(g->n_fns + 1, sizeof(*cost));
	for (i = 0; i < g->n_fns; i++) {
		for (k = 0; k < n && strcmp(objs[k], g->fns[i].object) != 0; k++)
			;
		if (k == n)
			objs[n++] = g->fns[i].object;
		cost[k] += g->fns[i].self;
	}
	for (k = 0; k < n; k++)
		if (!out || cost[k] > best) {
			out = objs[k];
			best = cost[k];
		}
	free(objs);
	free(cost);
	return out;
}
