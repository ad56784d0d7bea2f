/*
 * order.c: call-chain clustering (C3) of a weighted call graph into a function order, and the
 * ordering files for gold, lld, GNU ld and __attribute__((hot)).
 *
 * What is implemented is C3 as published in G. Ottoni and B. Maher, "Optimizing Function
 * Placement for Large-Scale Data-Center Applications", CGO 2017, and as coded in HHVM's
 * hphp/util/hfsort.cpp and LLVM BOLT's bolt/lib/Passes/HFSort.cpp (clusterize): functions are
 * visited hottest first; each one's cluster is appended to the cluster of its most frequent
 * caller unless the merged cluster would exceed the size limit (hfsort: a 2 MiB huge page; here a
 * 4 KiB page by default, since the regressions placebisect finds are L1i and iTLB ones) or its
 * density would fall below 1/8 of the caller cluster's (hfsort's kMaxDensityDegradation); the
 * clusters are sorted by density. Costs are exclusive instruction counts (callgrind's Ir) rather
 * than samples; arcs are weighted by call counts.
 */
#include "layout/order.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

#define DENSITY_DEGRADATION 8.0

static const char *const format_names[] = { "gold", "lld", "ld", "hot" };

int pb_order_format_parse(const char *s, const char *what, enum pb_order_format *out)
{
	for (size_t i = 0; i < PB_ARRAY_SIZE(format_names); i++)
		if (strcmp(s, format_names[i]) == 0) {
			*out = (enum pb_order_format)i;
			return 0;
		}
	return pb_error("%s: unknown ordering format '%s' (gold: --section-ordering-file, lld: "
			"--symbol-ordering-file, ld: a GNU ld script fragment, hot: a list to mark "
			"__attribute__((hot)))", what, s);
}

const char *pb_order_format_name(enum pb_order_format f)
{
	return format_names[f];
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Callgrind names the object "???" where it could not map the code to a file (seen for code in
 * output sections of a custom linker script): such functions may be the object's. */
static bool same_object(const char *a, const char *b)
{
	return strcmp(a, b) == 0 || strcmp(base_name(a), base_name(b)) == 0 || strcmp(a, "???") == 0;
}

static int by_sym_name(const void *a, const void *b)
{
	return strcmp((*(const struct pb_elf_sym *const *)a)->name,
		      (*(const struct pb_elf_sym *const *)b)->name);
}

struct cluster {
	size_t *members; /* local function indices, in layout order */
	size_t n, cap;
	uint64_t size, self;
};

static double density(const struct cluster *c)
{
	return (double)c->self / (double)(c->size ? c->size : 1);
}

/* Local function data while clustering. */
struct node {
	size_t g;         /* index in the graph */
	uint64_t self, size;
	size_t cluster;
	size_t pred;      /* local index of the heaviest caller, or (size_t)-1 */
	uint64_t pred_calls;
};

static const struct pb_callgraph *sort_graph;
static struct node *sort_nodes;

static int by_cost(const void *a, const void *b)
{
	const struct node *x = &sort_nodes[*(const size_t *)a], *y = &sort_nodes[*(const size_t *)b];

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	return strcmp(sort_graph->fns[x->g].name, sort_graph->fns[y->g].name);
}

static struct cluster *sort_clusters;

static int by_density(const void *a, const void *b)
{
	const struct cluster *x = &sort_clusters[*(const size_t *)a], *y = &sort_clusters[*(const size_t *)b];
	double dx = density(x), dy = density(y);

	if (dx != dy)
		return dx > dy ? -1 : 1;
	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	return strcmp(sort_graph->fns[sort_nodes[x->members[0]].g].name,
		      sort_graph->fns[sort_nodes[y->members[0]].g].name);
}

int pb_order_c3(const struct pb_callgraph *g, const struct pb_order_opts *o, struct pb_order *out)
{
	const char *object = o->object ? o->object : pb_callgraph_main_object(g);
	const struct pb_elf_sym **syms = NULL;
	size_t *local = NULL, *visit = NULL, *corder = NULL, n = 0, i, k, nc = 0, pos = 0;
	uint64_t limit = o->max_cluster ? o->max_cluster : PB_ORDER_MAX_CLUSTER;
	struct node *nodes = NULL;
	struct cluster *cl = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->object = pb_xstrdup(object ? object : "");
	if (!object)
		return pb_error("the call graph is empty: no function to order");
	if (o->elf) {
		syms = pb_xcalloc(o->elf->n_funcs + 1, sizeof(*syms));
		for (i = 0; i < o->elf->n_funcs; i++)
			syms[i] = &o->elf->funcs[i];
		qsort(syms, o->elf->n_funcs, sizeof(*syms), by_sym_name);
	}
	/* The functions of the object that have a cost (and that the binary defines). */
	local = pb_xcalloc(g->n_fns + 1, sizeof(*local));
	nodes = pb_xcalloc(g->n_fns + 1, sizeof(*nodes));
	for (i = 0; i < g->n_fns; i++) {
		const struct pb_callgraph_fn *f = &g->fns[i];
		uint64_t size = PB_ORDER_DEFAULT_SIZE;

		local[i] = (size_t)-1;
		if (!f->self || !same_object(f->object, object) || !f->name[0] ||
		    strncmp(f->name, "0x", 2) == 0)
			continue;
		if (o->elf) {
			struct pb_elf_sym key = { .name = f->name };
			const struct pb_elf_sym *kp = &key, **hit;

			hit = bsearch(&kp, syms, o->elf->n_funcs, sizeof(*syms), by_sym_name);
			if (!hit)
				continue;
			size = (*hit)->size ? (*hit)->size : 1;
		}
		local[i] = n;
		nodes[n] = (struct node){ i, f->self, size, n, (size_t)-1, 0 };
		out->total += f->self;
		n++;
	}
	if (!n) {
		pb_error("no function of %s has a cost in the call graph%s", object,
			 o->elf ? " and is defined in the binary" : "");
		goto out;
	}
	/* Each function's heaviest caller among the kept ones (ties: the caller's name). */
	for (i = 0; i < g->n_arcs; i++) {
		const struct pb_callgraph_arc *a = &g->arcs[i];
		size_t from = local[a->caller], to = local[a->callee];
		struct node *t;

		if (from == (size_t)-1 || to == (size_t)-1 || from == to || !a->calls)
			continue;
		t = &nodes[to];
		if (t->pred == (size_t)-1 || a->calls > t->pred_calls ||
		    (a->calls == t->pred_calls &&
		     strcmp(g->fns[a->caller].name, g->fns[nodes[t->pred].g].name) < 0)) {
			t->pred = from;
			t->pred_calls = a->calls;
		}
	}
	cl = pb_xcalloc(n, sizeof(*cl));
	for (i = 0; i < n; i++) {
		cl[i].members = pb_xmalloc(sizeof(size_t));
		cl[i].members[0] = i;
		cl[i].n = cl[i].cap = 1;
		cl[i].size = nodes[i].size;
		cl[i].self = nodes[i].self;
	}
	visit = pb_xcalloc(n, sizeof(*visit));
	for (i = 0; i < n; i++)
		visit[i] = i;
	sort_graph = g;
	sort_nodes = nodes;
	qsort(visit, n, sizeof(*visit), by_cost);
	for (i = 0; i < n; i++) {
		struct node *f = &nodes[visit[i]];
		struct cluster *c = &cl[f->cluster], *p;
		double merged;

		if (f->pred == (size_t)-1 || nodes[f->pred].cluster == f->cluster)
			continue;
		p = &cl[nodes[f->pred].cluster];
		if (c->size + p->size > limit)
			continue;
		merged = (double)(c->self + p->self) / (double)(c->size + p->size);
		if (density(p) > merged * DENSITY_DEGRADATION)
			continue;
		if (p->n + c->n > p->cap) {
			p->cap = 2 * (p->n + c->n);
			p->members = pb_xrealloc(p->members, p->cap * sizeof(size_t));
		}
		for (k = 0; k < c->n; k++) {
			p->members[p->n++] = c->members[k];
			nodes[c->members[k]].cluster = nodes[f->pred].cluster;
		}
		p->size += c->size;
		p->self += c->self;
		c->n = 0;
	}
	corder = pb_xcalloc(n, sizeof(*corder));
	for (i = 0; i < n; i++)
		if (cl[i].n)
			corder[nc++] = i;
	sort_clusters = cl;
	qsort(corder, nc, sizeof(*corder), by_density);
	out->fns = pb_xcalloc(n, sizeof(*out->fns));
	out->n_clusters = nc;
	for (i = 0; i < nc; i++)
		for (k = 0; k < cl[corder[i]].n; k++) {
			const struct node *f = &nodes[cl[corder[i]].members[k]];

			out->fns[pos++] = (struct pb_order_fn){ pb_xstrdup(g->fns[f->g].name), f->self,
								f->size, i };
		}
	out->n = pos;
	ret = 0;
out:
	for (i = 0; cl && i < n; i++)
		free(cl[i].members);
	free(cl);
	free(corder);
	free(visit);
	free(nodes);
	free(local);
	free(syms);
	return ret;
}

void pb_order_release(struct pb_order *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->fns[i].name);
	free(o->fns);
	free(o->object);
	memset(o, 0, sizeof(*o));
}

uint64_t pb_order_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int by_name_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void pb_order_shuffle(const char *const *names, size_t n, uint64_t seed, struct pb_order *out)
{
	const char **v = pb_xcalloc(n + 1, sizeof(*v));
	uint64_t state = seed;
	size_t i, k = 0;

	memset(out, 0, sizeof(*out));
	if (n)
		memcpy(v, names, n * sizeof(*v));
	/* sorted first: the input's order (symbol table, address) must not leak into the layout */
	qsort(v, n, sizeof(*v), by_name_ptr);
	for (i = 0; i < n; i++)
		if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	for (i = k; i > 1; i--) {
		size_t r = (size_t)(pb_order_random(&state) % i);
		const char *t = v[i - 1];

		v[i - 1] = v[r];
		v[r] = t;
	}
	out->fns = pb_xcalloc(k + 1, sizeof(*out->fns));
	for (i = 0; i < k; i++) {
		out->fns[i].name = pb_xstrdup(v[i]);
		out->fns[i].size = PB_ORDER_DEFAULT_SIZE;
	}
	out->n = k;
	out->n_clusters = k ? 1 : 0;
	out->shuffled = true;
	out->seed = seed;
	free(v);
}

void pb_order_write(const struct pb_order *o, enum pb_order_format f, struct pb_buf *out)
{
	size_t i;

	switch (f) {
	case PB_ORDER_GOLD:
		/* GCC names a function's section .text.NAME, or .text.hot.NAME when it is marked hot. */
		for (i = 0; i < o->n; i++)
			pb_buf_printf(out, ".text.%s\n.text.hot.%s\n", o->fns[i].name, o->fns[i].name);
		break;
	case PB_ORDER_LLD:
		for (i = 0; i < o->n; i++)
			pb_buf_printf(out, "%s\n", o->fns[i].name);
		break;
	case PB_ORDER_LD:
		if (o->shuffled)
			pb_buf_printf(out, "/* placebisect random layout (seed %llu): %zu %s shuffled.",
				      (unsigned long long)o->seed, o->n,
				      pb_plural(o->n, "function", "functions"));
		else
			pb_buf_printf(out, "/* placebisect order: %zu %s in %zu %s, densest first "
				      "(call-chain clustering, C3).", o->n,
				      pb_plural(o->n, "function", "functions"), o->n_clusters,
				      pb_plural(o->n_clusters, "cluster", "clusters"));
		pb_buf_puts(out, "\n   Link with -Wl,-T,FILE and compile with -ffunction-sections: the "
			    "functions go into one\n   output section placed before .text, in this "
			    "order. */\nSECTIONS\n{\n  .text.placebisect : ALIGN(64)\n  {\n");
		for (i = 0; i < o->n; i++)
			pb_buf_printf(out, "    *(.text.%s .text.hot.%s)\n", o->fns[i].name, o->fns[i].name);
		pb_buf_puts(out, "  }\n}\nINSERT BEFORE .text;\n");
		break;
	case PB_ORDER_HOT:
		pb_buf_puts(out, "# placebisect order: mark these functions __attribute__((hot)) "
			    "(GCC puts them in .text.hot), densest cluster first\n");
		for (i = 0; i < o->n; i++)
			pb_buf_printf(out, "%s\n", o->fns[i].name);
		break;
	}
}

void pb_order_write_json(const struct pb_order *o, struct pb_jsonw *w)
{
	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_ORDER_SCHEMA);
	pb_jsonw_string(w, "object", o->object);
	pb_jsonw_int(w, "clusters", (int64_t)o->n_clusters);
	pb_jsonw_int(w, "total", (int64_t)o->total);
	pb_jsonw_array(w, "functions");
	for (size_t i = 0; i < o->n; i++) {
		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "name", o->fns[i].name);
		pb_jsonw_int(w, "cluster", (int64_t)o->fns[i].cluster);
		pb_jsonw_int(w, "self", (int64_t)o->fns[i].self);
		pb_jsonw_int(w, "size", (int64_t)o->fns[i].size);
		pb_jsonw_number(w, "share", o->total ? (double)o->fns[i].self / (double)o->total : 0);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_end(w);
}
