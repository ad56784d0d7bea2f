/* test_callgraph_read.c: a callgrind output file (positions per source line) read as a call graph, and ordered; bad files. */
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
#include "profile/callgrind.h"
#include "tests/lib/testlib.h"

/* The order as "a b | c" (clusters separated by |). */
static char *order_str(const struct pb_order *o)
{
	struct pb_buf b = PB_BUF_INIT;

	for (size_t i = 0; i < o->n; i++)
		pb_buf_printf(&b, "%s%s", i == 0 ? "" : o->fns[i].cluster != o->fns[i - 1].cluster ?
						 " | " : " ", o->fns[i].name);
	return pb_buf_detach(&b);
}

static const char callgrind_out[] =
	"# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 1\ncmd: ./prog\npart: 1\n\n"
	"desc: I1 cache: \npositions: line\nevents: Ir\nsummary: 500\n\n"
	"ob=(1) /t/prog\nfl=(1) ???\nfn=(1) main\n0 10\ncfn=(2) work\ncalls=3 0\n0 400\n"
	"cob=(2) /lib/libc.so.6\ncfi=(2) ???\ncfn=(3) memcpy\ncalls=1 0\n0 50\n+2 5\n"
	"\nfn=(2)\n0 300\ncfn=(4) leaf\ncalls=7 0\n0 100\n*\n"
	"\nob=(2)\nfn=(3)\n0 50\n\nob=(1)\nfn=(4)\n-1 100\ntotals: 500\n";

static void test_callgrind_reader(void **state)
{
	char *dir = pb_test_tmpdir(), *path = pb_xasprintf("%s/callgrind.out.1", dir);
	struct pb_callgraph g;
	struct pb_order o;
	struct pb_order_opts opts = { 0 };
	char *s;
	size_t main_i, work_i, i;

	(void)state;
	pb_test_write(path, callgrind_out, strlen(callgrind_out));
	pb_callgraph_init(&g);
	assert_int_equal(pb_callgrind_read_graph(&g, path), 0);
	assert_int_equal(g.n_fns, 4);
	main_i = pb_callgraph_fn(&g, "main", "/t/prog");
	work_i = pb_callgraph_fn(&g, "work", "/t/prog");
	assert_int_equal(g.fns[main_i].self, 15);
	assert_int_equal(g.fns[work_i].self, 300);
	assert_int_equal(g.fns[pb_callgraph_fn(&g, "memcpy", "/lib/libc.so.6")].self, 50);
	assert_int_equal(g.n_fns, 4);
	assert_int_equal(g.n_arcs, 3);
	for (i = 0; i < g.n_arcs; i++)
		if (g.arcs[i].caller == main_i && g.arcs[i].callee == work_i) {
			assert_int_equal(g.arcs[i].calls, 3);
			assert_int_equal(g.arcs[i].cost, 400);
		}
	assert_string_equal(pb_callgraph_main_object(&g), "/t/prog");
	/* memcpy lives in libc: not part of prog's order. */
	assert_int_equal(pb_order_c3(&g, &opts, &o), 0);
	s = order_str(&o);
	assert_string_equal(s, "main work leaf");
	free(s);
	assert_int_equal(o.total, 415);
	pb_order_release(&o);
	pb_callgraph_release(&g);

	pb_test_write(path, "version: 1\nfn=(9)\n", 18);
	pb_callgraph_init(&g);
	assert_int_equal(pb_callgrind_read_graph(&g, path), -1);
	s = pb_xasprintf("%s:2: a compressed name used before it was defined (is this a callgrind "
			 "output file?)", path);
	assert_string_equal(pb_error_message(), s);
	free(s);
	pb_callgraph_release(&g);
	pb_test_write(path, "events: Ir\nob=a\nfn=a\n0 x\n", 25);
	pb_callgraph_init(&g);
	assert_int_equal(pb_callgrind_read_graph(&g, path), -1);
	s = pb_xasprintf("%s:4: a count that is not a number (is this a callgrind output file?)", path);
	assert_string_equal(pb_error_message(), s);
	free(s);
	pb_callgraph_release(&g);
	pb_test_write(path, "hello world\n", 12);
	pb_callgraph_init(&g);
	assert_int_equal(pb_callgrind_read_graph(&g, path), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	pb_callgraph_release(&g);
	pb_test_rmtree(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_callgrind_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
