/* callgraph.h: a weighted call graph (functions with their own cost, caller→callee arcs); profile/callgrind.h reads one from callgrind. */
#ifndef PB_LAYOUT_CALLGRAPH_H
#define PB_LAYOUT_CALLGRAPH_H

#include <stddef.h>
#include <stdint.h>

/* One function: its name, the object (executable or library path) that holds it, its own cost. */
struct pb_callgraph_fn {
	char *name;
	char *object;  /* "" when unknown */
	uint64_t self; /* exclusive cost (callgrind: Ir), summed over the file */
};

/* caller → callee, merged over call sites. */
struct pb_callgraph_arc {
	size_t caller, callee; /* indices into fns[] */
	uint64_t calls;        /* how many calls */
	uint64_t cost;         /* inclusive cost of those calls */
};

struct pb_callgraph {
	struct pb_callgraph_fn *fns;
	size_t n_fns, cap_fns;
	struct pb_callgraph_arc *arcs;
	size_t n_arcs, cap_arcs;
	/* private: open-addressing index of fns by (name, object), and of arcs by (caller, callee) */
	size_t *fn_index, fn_slots;
	size_t *arc_index, arc_slots;
};

/* An empty graph. Release with pb_callgraph_release(). */
void pb_callgraph_init(struct pb_callgraph *g);
void pb_callgraph_release(struct pb_callgraph *g);

/* The index of function (name, object), added with self 0 when new. object may be NULL (""). */
size_t pb_callgraph_fn(struct pb_callgraph *g, const char *name, const char *object);

/* Add `calls` calls costing `cost` from caller to callee (merged with an existing arc). */
void pb_callgraph_arc(struct pb_callgraph *g, size_t caller, size_t callee, uint64_t calls,
		      uint64_t cost);

/*
 * The object that holds the program's own code: the object of `main` when the graph has one,
 * else the one with the most exclusive cost; NULL for an empty graph. Points into *g.
 */
const char *pb_callgraph_main_object(const struct pb_callgraph *g);

#endif
