/* loops.c: natural loops of one function: basic blocks from its listing, dominators, back edges. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "layout/annotate.h"

struct block {
	size_t first, last;    /* instructions [first, last] */
	size_t succ[2];
	int n_succ;
	size_t *pred;
	size_t n_pred, cap_pred;
	long rpo;              /* reverse post-order number, -1: unreachable from the entry */
	size_t idom;
};

/* The instruction starting at addr, or n. */
static size_t insn_at(const struct pb_insn *in, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (in[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && in[lo].addr == addr ? lo : n;
}

static bool ends_block(const struct pb_insn *x)
{
	return x->kind == PB_INSN_JUMP || x->kind == PB_INSN_CJUMP || x->kind == PB_INSN_RET;
}

/* A local target of instruction x: its index, or n. */
static size_t local_target(const struct pb_insn *in, size_t n, const struct pb_insn *x, uint64_t lo,
			   uint64_t hi)
{
	if ((x->kind != PB_INSN_JUMP && x->kind != PB_INSN_CJUMP) || !x->has_target ||
	    x->target < lo || x->target >= hi)
		return n;
	return insn_at(in, n, x->target);
}

static size_t intersect(const struct block *b, size_t x, size_t y)
{
	while (x != y) {
		while (b[x].rpo > b[y].rpo)
			x = b[x].idom;
		while (b[y].rpo > b[x].rpo)
			y = b[y].idom;
	}
	return x;
}

static bool dominates(const struct block *b, size_t h, size_t u)
{
	for (;;) {
		if (u == h)
			return true;
		if (b[u].idom == u)
			return false;
		u = b[u].idom;
	}
}

static int cmp_loop(const void *a, const void *b)
{
	const struct pb_ann_loop *x = a, *y = b;

	if (x->head != y->head)
		return x->head < y->head ? -1 : 1;
	/* One header cannot have two loops (they are merged); bigger first for safety. */
	return x->n_insns > y->n_insns ? -1 : x->n_insns < y->n_insns;
}

size_t pb_loops_find(const struct pb_insn *in, size_t n, uint64_t lo, uint64_t hi,
		     struct pb_ann_loop **loops, int *loop_of)
{
	struct block *b = NULL;
	size_t *block_of = NULL, *order = NULL, *stack = NULL, *head_loop = NULL;
	unsigned char **bodies = NULL;
	size_t *body_n = NULL;
	unsigned char *leader = NULL, *seen = NULL;
	size_t n_b = 0, cap_b = 0, i, j, t, k, n_order = 0, sp, n_loops = 0, cap_loops = 0, u, h;
	size_t cap_bodies = 0;
	struct pb_ann_loop *L = NULL;
	bool changed;
	long rpo;

	*loops = NULL;
	for (i = 0; i < n; i++)
		loop_of[i] = -1;
	if (!n)
		return 0;
	leader = pb_xcalloc(n, 1);
	leader[0] = 1;
	for (i = 0; i < n; i++) {
		t = local_target(in, n, &in[i], lo, hi);
		if (t < n)
			leader[t] = 1;
		if (ends_block(&in[i]) && i + 1 < n)
			leader[i + 1] = 1;
	}
	block_of = pb_xcalloc(n, sizeof(*block_of));
	for (i = 0; i < n; i++) {
		if (leader[i]) {
			pb_xgrow((void **)&b, &cap_b, n_b + 1, sizeof(*b));
			memset(&b[n_b], 0, sizeof(*b));
			b[n_b].first = i;
			n_b++;
		}
		b[n_b - 1].last = i;
		block_of[i] = n_b - 1;
	}
	/* Edges: the taken branch to a local target, and the fall-through. */
	for (k = 0; k < n_b; k++) {
		const struct pb_insn *x = &in[b[k].last];

		t = local_target(in, n, x, lo, hi);
		if (t < n)
			b[k].succ[b[k].n_succ++] = block_of[t];
		if (x->kind != PB_INSN_JUMP && x->kind != PB_INSN_RET && k + 1 < n_b &&
		    (b[k].n_succ == 0 || b[k].succ[0] != k + 1))
			b[k].succ[b[k].n_succ++] = k + 1;
		for (j = 0; j < (size_t)b[k].n_succ; j++) {
			struct block *s = &b[b[k].succ[j]];

			pb_xgrow((void **)&s->pred, &s->cap_pred, s->n_pred + 1, sizeof(*s->pred));
			s->pred[s->n_pred++] = k;
		}
	}
	/*
	 * A virtual root R = n_b above the entry and above every block no earlier root reaches (code
	 * after a call that does not return, jump-table targets, the functions of a region of a
	 * stripped binary): their loops are found too. Reverse post-order by iterative DFS.
	 */
	pb_xgrow((void **)&b, &cap_b, n_b + 1, sizeof(*b));
	memset(&b[n_b], 0, sizeof(*b));
	order = pb_xcalloc(n_b + 1, sizeof(*order));
	stack = pb_xcalloc(2 * n_b + 2, sizeof(*stack));
	seen = pb_xcalloc(n_b, 1);
	for (k = 0; k <= n_b; k++)
		b[k].rpo = -1;
	for (h = 0; h < n_b; h++) {
		if (seen[h])
			continue;
		pb_xgrow((void **)&b[h].pred, &b[h].cap_pred, b[h].n_pred + 1, sizeof(*b[h].pred));
		b[h].pred[b[h].n_pred++] = n_b;
		sp = 0;
		stack[sp++] = h;
		stack[sp++] = 0;
		seen[h] = 1;
		while (sp) {
			size_t node = stack[sp - 2], next = stack[sp - 1];

			if (next < (size_t)b[node].n_succ) {
				stack[sp - 1]++;
				t = b[node].succ[next];
				if (!seen[t]) {
					seen[t] = 1;
					stack[sp++] = t;
					stack[sp++] = 0;
				}
			} else {
				order[n_order++] = node;
				sp -= 2;
			}
		}
	}
	order[n_order++] = n_b;
	rpo = 0;
	for (i = n_order; i-- > 0;)
		b[order[i]].rpo = rpo++;
	/* Dominators (Cooper, Harvey and Kennedy): iterate in reverse post-order to a fixed point. */
	for (k = 0; k <= n_b; k++)
		b[k].idom = (size_t)-1;
	b[n_b].idom = n_b;
	do {
		changed = false;
		for (i = n_order - 1; i-- > 0;) {
			size_t node = order[i], nd = (size_t)-1;

			for (j = 0; j < b[node].n_pred; j++) {
				size_t p = b[node].pred[j];

				if (b[p].rpo < 0 || b[p].idom == (size_t)-1)
					continue;
				nd = nd == (size_t)-1 ? p : intersect(b, p, nd);
			}
			if (nd != (size_t)-1 && b[node].idom != nd) {
				b[node].idom = nd;
				changed = true;
			}
		}
	} while (changed);
	/* Back edges u -> h (h dominates u); one loop per header, bodies merged. */
	head_loop = pb_xcalloc(n_b, sizeof(*head_loop));
	for (k = 0; k < n_b; k++)
		head_loop[k] = (size_t)-1;
	for (u = 0; u < n_b; u++) {
		if (b[u].rpo < 0)
			continue;
		for (j = 0; j < (size_t)b[u].n_succ; j++) {
			unsigned char *body;
			size_t nb, cap;

			h = b[u].succ[j];
			if (b[h].rpo < 0 || !dominates(b, h, u))
				continue;
			if (head_loop[h] == (size_t)-1) {
				pb_xgrow((void **)&L, &cap_loops, n_loops + 1, sizeof(*L));
				pb_xgrow((void **)&bodies, &cap_bodies, n_loops + 1, sizeof(*bodies));
				body_n = pb_xrealloc(body_n, cap_bodies * sizeof(*body_n));
				memset(&L[n_loops], 0, sizeof(*L));
				L[n_loops].head = in[b[h].first].addr;
				bodies[n_loops] = pb_xcalloc(n_b, 1);
				bodies[n_loops][h] = 1;
				body_n[n_loops] = 1;
				head_loop[h] = n_loops++;
			}
			k = head_loop[h];
			L[k].back_edges++;
			/* Blocks that reach u without passing h. */
			body = bodies[k];
			nb = 0;
			cap = 0;
			free(stack);
			stack = NULL;
			if (!body[u]) {
				body[u] = 1;
				body_n[k]++;
				pb_xgrow((void **)&stack, &cap, nb + 1, sizeof(*stack));
				stack[nb++] = u;
			}
			while (nb) {
				size_t x = stack[--nb], q;

				for (q = 0; q < b[x].n_pred; q++) {
					size_t p = b[x].pred[q];

					if (p == n_b || body[p] || b[p].rpo < 0)
						continue;
					body[p] = 1;
					body_n[k]++;
					pb_xgrow((void **)&stack, &cap, nb + 1, sizeof(*stack));
					stack[nb++] = p;
				}
			}
		}
	}
	/* Sizes, then nesting: the parent is the smallest other loop whose body holds the header. */
	for (k = 0; k < n_loops; k++) {
		uint64_t min = UINT64_MAX, max = 0;

		for (t = 0; t < n_b; t++) {
			if (!bodies[k][t])
				continue;
			for (i = b[t].first; i <= b[t].last; i++) {
				L[k].n_insns++;
				L[k].bytes += in[i].size;
				if (in[i].addr < min)
					min = in[i].addr;
				if (in[i].addr + in[i].size > max)
					max = in[i].addr + in[i].size;
			}
		}
		L[k].lo = min;
		L[k].hi = max;
	}
	/* By header address; then each loop's parent and depth, and each instruction's innermost loop. */
	{
		size_t *perm = pb_xcalloc(n_loops ? n_loops : 1, sizeof(*perm)), *inv;
		struct pb_ann_loop *sorted = pb_xcalloc(n_loops ? n_loops : 1, sizeof(*sorted));
		unsigned char **sb = pb_xcalloc(n_loops ? n_loops : 1, sizeof(*sb));

		for (k = 0; k < n_loops; k++)
			sorted[k] = L[k];
		qsort(sorted, n_loops, sizeof(*sorted), cmp_loop);
		for (k = 0; k < n_loops; k++)
			for (t = 0; t < n_loops; t++)
				if (L[t].head == sorted[k].head)
					perm[k] = t;
		inv = pb_xcalloc(n_loops ? n_loops : 1, sizeof(*inv));
		for (k = 0; k < n_loops; k++) {
			sb[k] = bodies[perm[k]];
			inv[perm[k]] = k;
		}
		for (k = 0; k < n_loops; k++) {
			size_t hb = block_of[insn_at(in, n, sorted[k].head)], best = (size_t)-1;

			for (t = 0; t < n_loops; t++)
				if (t != k && sb[t][hb] && (best == (size_t)-1 || sorted[t].n_insns < sorted[best].n_insns) &&
				    sorted[t].n_insns > sorted[k].n_insns)
					best = t;
			sorted[k].parent = best == (size_t)-1 ? -1 : (int)best;
		}
		for (k = 0; k < n_loops; k++) {
			int d = 1, p = sorted[k].parent;

			while (p >= 0 && d < 1000)
				d++, p = sorted[p].parent;
			sorted[k].depth = d;
		}
		/* Innermost loop of each instruction: the smallest body holding its block. */
		for (i = 0; i < n; i++)
			for (k = 0; k < n_loops; k++)
				if (sb[k][block_of[i]] &&
				    (loop_of[i] < 0 || sorted[k].n_insns < sorted[loop_of[i]].n_insns))
					loop_of[i] = (int)k;
		free(L);
		L = sorted;
		free(perm);
		free(inv);
		free(sb);
	}
	*loops = L;
	for (k = 0; k < n_loops; k++)
		free(bodies[k]);
	free(bodies);
	free(body_n);
	for (k = 0; k <= n_b; k++)
		free(b[k].pred);
	free(b);
	free(block_of);
	free(order);
	free(stack);
	free(seen);
	free(leader);
	free(head_loop);
	return n_loops;
}
