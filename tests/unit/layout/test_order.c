/* test_order.c: call-chain clustering (C3) on small call graphs with known orders, the writers, the seeded shuffle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "layout/callgraph.h"
#include "layout/order.h"
#include "tests/lib/testlib.h"

/* A graph of functions in object "prog": "name:self" entries, then arcs "caller>callee:calls". */
static void build(struct pb_callgraph *g, const char *const *fns, const char *const *arcs)
{
	pb_callgraph_init(g);
	for (; *fns; fns++) {
		char name[64];
		const char *colon = strchr(*fns, ':');

		size_t i;

		snprintf(name, sizeof(name), "%.*s", (int)(colon - *fns), *fns);
		i = pb_callgraph_fn(g, name, "prog");
		g->fns[i].self = strtoull(colon + 1, NULL, 10);
	}
	for (; arcs && *arcs; arcs++) {
		char a[64], b[64];
		const char *gt = strchr(*arcs, '>'), *colon = strchr(*arcs, ':');

		snprintf(a, sizeof(a), "%.*s", (int)(gt - *arcs), *arcs);
		snprintf(b, sizeof(b), "%.*s", (int)(colon - gt - 1), gt + 1);
		pb_callgraph_arc(g, pb_callgraph_fn(g, a, "prog"), pb_callgraph_fn(g, b, "prog"),
				 strtoull(colon + 1, NULL, 10), 0);
	}
}

/* The order as "a b | c" (clusters separated by |). */
static char *order_str(const struct pb_order *o)
{
	struct pb_buf b = PB_BUF_INIT;

	for (size_t i = 0; i < o->n; i++)
		pb_buf_printf(&b, "%s%s", i == 0 ? "" : o->fns[i].cluster != o->fns[i - 1].cluster ?
						 " | " : " ", o->fns[i].name);
	return pb_buf_detach(&b);
}

static char *c3(const char *const *fns, const char *const *arcs, uint64_t limit)
{
	struct pb_callgraph g;
	struct pb_order o;
	struct pb_order_opts opts = { .max_cluster = limit };
	char *s;

	build(&g, fns, arcs);
	assert_int_equal(pb_order_c3(&g, &opts, &o), 0);
	s = order_str(&o);
	pb_order_release(&o);
	pb_callgraph_release(&g);
	return s;
}

static void test_chain(void **state)
{
	/* main -> a -> b is one chain; c, hot and alone, is denser than the chain: it goes first. */
	const char *fns[] = { "main:10", "a:50", "b:40", "c:45", NULL };
	const char *arcs[] = { "main>a:100", "a>b:100", NULL };
	char *s;

	(void)state;
	s = c3(fns, arcs, 0);
	assert_string_equal(s, "c | main a b");
	free(s);
	/* Clusters of at most 128 bytes (64 each): b can no longer join main a. */
	s = c3(fns, arcs, 128);
	assert_string_equal(s, "c | b | main a");
	free(s);
}

static void test_heaviest_caller(void **state)
{
	/* d is called by x 5 times and by y 50 times: it follows y, the caller it is hot with. */
	const char *fns[] = { "x:40", "y:20", "d:40", NULL };
	const char *arcs[] = { "x>d:5", "y>d:50", NULL };
	char *s;

	(void)state;
	s = c3(fns, arcs, 0);
	assert_string_equal(s, "x | y d");
	free(s);
}

static void test_callee_chain_order(void **state)
{
	/*
	 * A dispatch loop calling handlers: vm calls h1 (hottest), h2, h3; h2 calls helper. Each callee
	 * is appended to its caller's cluster in order of its own cost, and helper follows h2's
	 * cluster (already inside vm's): vm h1 h2 h3 helper... in visit order: vm, h1, h2, helper, h3.
	 */
	const char *fns[] = { "vm:100", "h1:60", "h2:50", "h3:10", "helper:30", "cold:1", NULL };
	const char *arcs[] = { "vm>h1:1000", "vm>h2:900", "vm>h3:100", "h2>helper:900",
			       "main>cold:1", NULL };
	char *s;

	(void)state;
	s = c3(fns, arcs, 0);
	assert_string_equal(s, "vm h1 h2 helper h3 | cold");
	free(s);
}

static void test_density_degradation(void **state)
{
	/*
	 * mid (cost 1) calls nine helpers of cost 2, which join mid's cluster first (they are visited
	 * before it); that cluster of 640 bytes would cut hot's density from 15.6 to 1.45 per byte,
	 * more than 8-fold: hot, which calls mid, stays alone.
	 */
	const char *fns[] = { "hot:1000", "mid:1", "g1:2", "g2:2", "g3:2", "g4:2", "g5:2", "g6:2",
			      "g7:2", "g8:2", "g9:2", NULL };
	const char *arcs[] = { "hot>mid:10", "mid>g1:1", "mid>g2:1", "mid>g3:1", "mid>g4:1",
			       "mid>g5:1", "mid>g6:1", "mid>g7:1", "mid>g8:1", "mid>g9:1", NULL };
	char *s;

	(void)state;
	s = c3(fns, arcs, 1 << 20);
	assert_string_equal(s, "hot | mid g1 g2 g3 g4 g5 g6 g7 g8 g9");
	free(s);
	/* With one helper the merge costs less than 8-fold: one cluster. */
	s = c3((const char *[]){ "hot:1000", "mid:1", "g1:2", NULL },
	       (const char *[]){ "hot>mid:10", "mid>g1:1", NULL }, 1 << 20);
	assert_string_equal(s, "hot mid g1");
	free(s);
}

static void test_ties_and_empty(void **state)
{
	const char *fns[] = { "b:5", "a:5", "z:0", NULL };
	struct pb_callgraph g;
	struct pb_order o;
	struct pb_order_opts opts = { 0 };
	char *s;

	(void)state;
	s = c3(fns, NULL, 0);
	assert_string_equal(s, "a | b"); /* equal density and cost: by name; z has no cost */
	free(s);
	pb_callgraph_init(&g);
	assert_int_equal(pb_order_c3(&g, &opts, &o), -1);
	assert_string_equal(pb_error_message(), "the call graph is empty: no function to order");
	pb_order_release(&o);
	pb_callgraph_release(&g);
}

static void test_writers(void **state)
{
	const char *fns[] = { "main:10", "a:50", NULL };
	const char *arcs[] = { "main>a:100", NULL };
	struct pb_callgraph g;
	struct pb_order o;
	struct pb_order_opts opts = { 0 };
	struct pb_buf b = PB_BUF_INIT;
	enum pb_order_format f;

	(void)state;
	build(&g, fns, arcs);
	assert_int_equal(pb_order_c3(&g, &opts, &o), 0);
	pb_order_write(&o, PB_ORDER_GOLD, &b);
	assert_string_equal(b.data, ".text.main\n.text.hot.main\n.text.a\n.text.hot.a\n");
	b.len = 0;
	b.data[0] = '\0';
	pb_order_write(&o, PB_ORDER_LLD, &b);
	assert_string_equal(b.data, "main\na\n");
	b.len = 0;
	b.data[0] = '\0';
	pb_order_write(&o, PB_ORDER_LD, &b);
	assert_non_null(strstr(b.data, "SECTIONS\n{\n  .text.placebisect : ALIGN(64)\n  {\n"
				       "    *(.text.main .text.hot.main)\n    *(.text.a .text.hot.a)\n"
				       "  }\n}\nINSERT BEFORE .text;\n"));
	b.len = 0;
	b.data[0] = '\0';
	pb_order_write(&o, PB_ORDER_HOT, &b);
	assert_non_null(strstr(b.data, "__attribute__((hot))"));
	assert_non_null(strstr(b.data, "\nmain\na\n"));
	pb_buf_release(&b);
	assert_int_equal(pb_order_format_parse("lld", "--format", &f), 0);
	assert_int_equal(f, PB_ORDER_LLD);
	assert_int_equal(pb_order_format_parse("bfd", "--format", &f), -1);
	assert_non_null(strstr(pb_error_message(), "--format: unknown ordering format 'bfd'"));
	pb_order_release(&o);
	pb_callgraph_release(&g);
}

/* The seeded shuffle: a permutation of the names (duplicates once), the same for the same seed
 * whatever order the names came in, different for another seed; the ld writer names the seed. */
static void test_shuffle(void **state)
{
	const char *names[] = { "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f3" };
	const char *rev[] = { "f9", "f8", "f7", "f6", "f5", "f4", "f3", "f2", "f1", "f0" };
	struct pb_order a, b, c;
	struct pb_buf text = PB_BUF_INIT;
	int seen[10] = { 0 };
	size_t i, same = 0;

	(void)state;
	pb_order_shuffle(names, 11, 42, &a);
	pb_order_shuffle(rev, 10, 42, &b);
	pb_order_shuffle(names, 11, 43, &c);
	assert_int_equal(a.n, 10);
	assert_int_equal(b.n, 10);
	assert_int_equal(a.n_clusters, 1);
	for (i = 0; i < a.n; i++) {
		assert_int_equal(strlen(a.fns[i].name), 2);
		seen[a.fns[i].name[1] - '0']++;
		assert_string_equal(a.fns[i].name, b.fns[i].name);
		same += strcmp(a.fns[i].name, c.fns[i].name) == 0;
	}
	for (i = 0; i < 10; i++)
		assert_int_equal(seen[i], 1);
	assert_true(same < 10);
	pb_order_write(&a, PB_ORDER_LD, &text);
	assert_non_null(strstr(text.data, "random layout (seed 42): 10 functions shuffled"));
	assert_non_null(strstr(text.data, "INSERT BEFORE .text;"));
	/* splitmix64 from 0: its published first value */
	{
		uint64_t st = 0;

		assert_true(pb_order_random(&st) == 0xe220a8397b1dcdafULL);
	}
	pb_buf_release(&text);
	pb_order_release(&a);
	pb_order_release(&b);
	pb_order_release(&c);
	pb_order_shuffle(NULL, 0, 1, &a);
	assert_int_equal(a.n, 0);
	pb_order_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_heaviest_caller),
		cmocka_unit_test(test_callee_chain_order),
		cmocka_unit_test(test_density_degradation),
		cmocka_unit_test(test_ties_and_empty),
		cmocka_unit_test(test_writers),
		cmocka_unit_test(test_shuffle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
