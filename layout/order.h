/* order.h: a function order from a weighted call graph (call-chain clustering, C3), written for the linkers. */
#ifndef PB_LAYOUT_ORDER_H
#define PB_LAYOUT_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/json.h"
#include "layout/callgraph.h"
#include "layout/elf.h"

#define PB_ORDER_SCHEMA "placebisect.order/1"

/* Default cluster size limit: one 4 KiB page, the unit of iTLB reach and of the L1i's set index. */
#define PB_ORDER_MAX_CLUSTER 4096
/* Size assumed for a function when no binary gives its size. */
#define PB_ORDER_DEFAULT_SIZE 64

/* The files an ordering is written as. */
enum pb_order_format {
	PB_ORDER_GOLD, /* gold --section-ordering-file: .text.NAME per line (needs -ffunction-sections) */
	PB_ORDER_LLD,  /* lld --symbol-ordering-file: one symbol per line */
	PB_ORDER_LD,   /* GNU ld: a linker-script fragment (-T FILE) with one output section, INSERT BEFORE .text */
	PB_ORDER_HOT,  /* the functions to mark __attribute__((hot)), one per line */
};

/* Parse "gold", "lld", "ld" or "hot"; `what` names the setting in the message. 0 or -1 (usage). */
int pb_order_format_parse(const char *s, const char *what, enum pb_order_format *out);
const char *pb_order_format_name(enum pb_order_format f);

struct pb_order_opts {
	/* Keep the functions of this object (its path, or a path with the same file name); NULL:
	 * pb_callgraph_main_object(). Functions of the unknown object "???" are kept too. */
	const char *object;
	/* The binary being ordered: functions it does not define are left out and its symbol sizes
	 * are used; NULL: every named function of the object, PB_ORDER_DEFAULT_SIZE bytes each. */
	const struct pb_elf *elf;
	uint64_t max_cluster; /* bytes; 0: PB_ORDER_MAX_CLUSTER */
};

struct pb_order_fn {
	char *name;
	uint64_t self, size;
	size_t cluster; /* 0 for the first (densest) cluster */
};

/* An order: functions with a cost, in the order to lay them out. */
struct pb_order {
	struct pb_order_fn *fns;
	size_t n, n_clusters;
	uint64_t total;   /* the kept functions' exclusive cost */
	char *object;     /* the object ordered (owned) */
	bool shuffled;    /* a random layout (pb_order_shuffle), not a clustering */
	uint64_t seed;    /* its seed */
};

/*
 * Call-chain clustering (C3: Ottoni and Maher, CGO 2017; the algorithm of HHVM's hfsort and of
 * BOLT's -reorder-functions=hfsort): every function with a cost starts as its own cluster; in
 * order of decreasing cost, a function's cluster is appended to the cluster of its heaviest
 * caller (the arc with the most calls) unless the two together exceed max_cluster bytes or the
 * merge would lower the caller cluster's density (cost per byte) more than 8-fold; the clusters
 * are then laid out by decreasing density. Ties break by name, so the order is reproducible.
 * Returns 0, or -1 when no function of the object has a cost (class PB_EXIT_USAGE). Release *out
 * with pb_order_release() in either case.
 */
int pb_order_c3(const struct pb_callgraph *g, const struct pb_order_opts *o, struct pb_order *out);
void pb_order_release(struct pb_order *o);

/*
 * A random layout: the n names (duplicates kept once) as an order of one cluster, sorted by name
 * and then shuffled (Fisher-Yates) with a generator seeded by `seed` (splitmix64), so the same
 * names and seed always give the same order, whatever order the names came in. Costs are 0 and
 * sizes PB_ORDER_DEFAULT_SIZE. Never fails; release *out with pb_order_release().
 */
void pb_order_shuffle(const char *const *names, size_t n, uint64_t seed, struct pb_order *out);

/* The next value of a splitmix64 generator whose state is *state: the seeded draws of layouts. */
uint64_t pb_order_random(uint64_t *state);

/* Append the order in format f to *out (see enum pb_order_format). */
void pb_order_write(const struct pb_order *o, enum pb_order_format f, struct pb_buf *out);

/* The placebisect.order/1 document: object, clusters, total, functions[]{name, cluster, self, size, share}. */
void pb_order_write_json(const struct pb_order *o, struct pb_jsonw *w);

#endif
