/* test_cachegrind.c: cachegrind.out parsing (good and malformed files), geometry choice, counters, argv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/config.h"
#include "measure/cachegrind.h"
#include "tests/lib/testlib.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = pb_test_tmpdir();
	pb_error_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pb_test_rmtree(dir);
	free(dir);
	return 0;
}

static char *write_file(const char *name, const char *text)
{
	char *path = pb_xasprintf("%s/%s", dir, name);

	pb_test_write(path, text, strlen(text));
	return path;
}

static const char good[] =
	"desc: I1 cache:         32768 B, 64 B, 8-way associative\n"
	"desc: D1 cache:         32768 B, 64 B, 8-way associative\n"
	"desc: LL cache:         8388608 B, 64 B, 16-way associative\n"
	"cmd: ./hot\n"
	"events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw \n"
	"fl=hot.c\n"
	"fn=main\n"
	"10 100 2 1 30 0 0 5 0 0\n"
	"11 50 1\n"          /* trailing zero counts left out */
	"fn=f1\n"
	"20 1000 64 0 0 0 0 0 0 0\n"
	"fl=inline.h\n"
	"fn=f1\n"            /* the same function again, from an inlined header */
	"3 24 1 0\n"
	"fl=???\n"
	"fn=???\n"
	"0 7 0\n"
	"\n"
	"summary: 1181 68 1 30 0 0 5 0 0\n";

static void test_parse_good(void **state)
{
	struct pb_cg_result r;
	char *path = write_file("cachegrind.out.1", good);

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(pb_cachegrind_parse(path, &r), 0);
	pb_cg_result_sort(&r);
	assert_int_equal(r.files, 1);
	assert_true(r.total[PB_CG_IR] == 1181);
	assert_true(r.total[PB_CG_I1MR] == 68);
	assert_true(r.total[PB_CG_DW] == 5);
	assert_int_equal(r.n_fns, 3);
	/* f1 = 1000 + 24 over two fl= blocks; its file is its own .c, not the inlined header. */
	assert_string_equal(r.fns[0].name, "f1");
	assert_string_equal(r.fns[0].file, "hot.c");
	assert_true(r.fns[0].ir == 1024);
	assert_true(r.fns[0].i1mr == 65);
	assert_string_equal(r.fns[1].name, "main");
	assert_true(r.fns[1].ir == 150);
	assert_true(r.fns[1].i1mr == 3);
	assert_string_equal(r.fns[2].name, "???");
	assert_null(r.fns[2].file);

	/* A second file (another process) adds up. */
	assert_int_equal(pb_cachegrind_parse(path, &r), 0);
	assert_true(r.total[PB_CG_IR] == 2362);
	assert_int_equal(r.n_fns, 3);
	pb_cg_result_release(&r);
	free(path);
}

/* A function's own file: not the inlined header seen first, even with more Ir; else the most Ir. */
static void test_own_file(void **state)
{
	static const char text[] =
		"events: Ir I1mr\n"
		"fl=src/lobject.h\n"
		"fn=g\n"
		"1 500 0\n"
		"fl=src/g.c\n"
		"fn=g\n"
		"2 100 0\n"
		"fl=src/a.c\n"
		"fn=h\n"
		"1 10 0\n"
		"fl=src/b.cpp\n"
		"fn=h\n"
		"1 20 0\n"
		"fl=/usr/include/c++/12/vector\n"
		"fn=k\n"
		"1 5 0\n"
		"fl=src/x.hpp\n"
		"fn=k\n"
		"1 6 0\n"
		"summary: 641 0\n";
	struct pb_cg_result r;
	char *path = write_file("cachegrind.out.own", text);

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(pb_cachegrind_parse(path, &r), 0);
	pb_cg_result_sort(&r);
	assert_int_equal(r.n_fns, 3);
	assert_string_equal(r.fns[0].name, "g");
	assert_true(r.fns[0].ir == 600);
	assert_string_equal(r.fns[0].file, "src/g.c");
	assert_string_equal(r.fns[1].name, "h");
	assert_string_equal(r.fns[1].file, "src/b.cpp");
	assert_string_equal(r.fns[2].name, "k");
	assert_string_equal(r.fns[2].file, "src/x.hpp"); /* only headers: the one with most Ir */
	pb_cg_result_release(&r);
	free(path);
}

static void test_counters(void **state)
{
	struct pb_cg_result r;
	struct pb_counter c[PB_CG_NCOUNTERS];
	int k;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (k = 0; k < PB_CG_NEVENTS; k++)
		r.total[k] = (uint64_t)(k + 1);
	pb_cachegrind_counters(&r, c);
	assert_string_equal(c[0].name, "Ir");
	assert_string_equal(c[8].name, "DLmw");
	assert_string_equal(c[9].name, "instructions");
	assert_true(c[9].value == 1);
	assert_string_equal(c[10].name, "est_cycles");
	/* Ir + 10 (I1mr + D1mr + D1mw) + 100 (ILmr + DLmr + DLmw) = 1 + 10(2+5+8) + 100(3+6+9) */
	assert_true(c[10].value == 1 + 10 * 15 + 100 * 18);
	assert_true(c[10].running_ratio == 1);
}

/* Each malformed file: exit class 2 and a message naming the file and the line. */
static void bad(const char *text, const char *where, const char *what)
{
	struct pb_cg_result r;
	char *path = write_file("cachegrind.out.bad", text);
	char *want = pb_xasprintf("%s%s", path, where);

	memset(&r, 0, sizeof(r));
	assert_int_equal(pb_cachegrind_parse(path, &r), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	if (!strstr(pb_error_message(), want) || !strstr(pb_error_message(), what))
		fail_msg("message '%s' lacks '%s' / '%s'", pb_error_message(), want, what);
	pb_cg_result_release(&r);
	free(want);
	free(path);
}

static void test_malformed(void **state)
{
	(void)state;
	bad("fl=a.c\n", ":1:", "events:");
	bad("events: Ir I1mr\nfl=a.c\nfn=f\n1 2 3 4\nsummary: 2 3\n", ":4:", "up to 2 counts");
	bad("events: Ir I1mr\nfl=a.c\nfn=f\n1 2x 3\nsummary: 2 3\n", ":4:", "counts");
	bad("events: Ir I1mr\nfl=a.c\n1 2 3\nsummary: 2 3\n", ":3:", "before any 'fn='");
	bad("events: Ir I1mr\nfn=f\n", ":2:", "before any 'fl='");
	bad("events: Ir I1mr\nfl=a.c\nfn=f\n1 2 3\nbogus line\n", ":5:", "unexpected line");
	bad("events: Ir I1mr\nfl=a.c\nfn=f\n1 2 3\n", "", "no 'summary:'");
	bad("events: Ir I1mr\nsummary: 1\n", ":2:", "needs 2 counts");
	bad("events: Dr Ir\nsummary: 1 2\n", ":1:", "start with Ir");
	bad("events: Ir\nevents: Ir\n", ":2:", "second 'events:'");
}

static void mkcache(const char *root, int idx, const char *level, const char *type, const char *size,
		    const char *ways, const char *line)
{
	assert_int_equal(pb_test_sh("d=%s/index%d; mkdir -p $d && echo %s > $d/level && echo %s > $d/type"
				    " && echo %s > $d/size && echo %s > $d/ways_of_associativity"
				    " && echo %s > $d/coherency_line_size",
				    root, idx, level, type, size, ways, line),
			 0);
}

static void test_geometry(void **state)
{
	struct pb_cg_geometry g;
	struct pb_config cfg;
	char *sys = pb_xasprintf("%s/cache", dir);

	(void)state;
	/* A host with a 30 MiB 20-way L3: 24576 sets, which valgrind refuses → the default LL. */
	mkcache(sys, 0, "1", "Data", "48K", "12", "64");
	mkcache(sys, 1, "1", "Instruction", "32K", "8", "64");
	mkcache(sys, 2, "2", "Unified", "1280K", "10", "64");
	mkcache(sys, 3, "3", "Unified", "30720K", "20", "64");
	assert_int_equal(pb_cachegrind_geometry(NULL, sys, &g), 0);
	assert_string_equal(g.I1, "32768,8,64");
	assert_string_equal(g.D1, "49152,12,64");
	assert_string_equal(g.LL, "8388608,16,64");
	assert_string_equal(g.source, "default");

	mkcache(sys, 3, "3", "Unified", "32768K", "16", "64");
	assert_int_equal(pb_cachegrind_geometry(NULL, sys, &g), 0);
	assert_string_equal(g.LL, "33554432,16,64");
	assert_string_equal(g.source, "host");

	/* No sysfs at all: the defaults. */
	assert_int_equal(pb_cachegrind_geometry(NULL, "/nonexistent", &g), 0);
	assert_string_equal(g.I1, "32768,8,64");
	assert_string_equal(g.LL, "8388608,16,64");

	/* The config wins; an invalid one is an error naming the key. */
	pb_config_init(&cfg);
	pb_config_set(&cfg.measure.cg_I1, "16384,4,64");
	assert_int_equal(pb_cachegrind_geometry(&cfg, sys, &g), 0);
	assert_string_equal(g.I1, "16384,4,64");
	pb_config_set(&cfg.measure.cg_LL, "8388608,16,8");
	assert_int_equal(pb_cachegrind_geometry(&cfg, sys, &g), -1);
	assert_non_null(strstr(pb_error_message(), "measure.cachegrind.LL"));
	pb_config_release(&cfg);
	free(sys);
}

static void test_argv(void **state)
{
	struct pb_cg_geometry g = { "32768,8,64", "32768,8,64", "8388608,16,64", "default" };
	static const char *const cmd[] = { "./bench", "--fast", NULL };
	char **v = pb_cachegrind_argv(&g, "/tmp/x", cmd, NULL);
	struct pb_buf all = PB_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; v[i]; i++)
		pb_buf_printf(&all, "%s ", v[i]);
	assert_string_equal(all.data, "valgrind --tool=cachegrind --cache-sim=yes --I1=32768,8,64 "
				      "--D1=32768,8,64 --LL=8388608,16,64 --trace-children=yes --vgdb=no "
				      "--cachegrind-out-file=/tmp/x/cachegrind.out.%p ./bench --fast ");
	pb_cachegrind_argv_free(v);
	v = pb_cachegrind_argv(&g, "/tmp/x", NULL, "make bench");
	for (i = 0; v[i]; i++)
		;
	assert_string_equal(v[i - 3], "/bin/sh");
	assert_string_equal(v[i - 1], "make bench");
	pb_cachegrind_argv_free(v);
	pb_buf_release(&all);
}

static void test_collect(void **state)
{
	struct pb_cg_result r;
	char *p1 = write_file("cachegrind.out.100", good);
	char *p2 = write_file("cachegrind.out.200", good);
	char *other = write_file("unrelated.txt", "not read\n");

	(void)state;
	assert_int_equal(pb_cachegrind_collect(dir, &r), 0);
	assert_int_equal(r.files, 2);
	assert_true(r.total[PB_CG_IR] == 2 * 1181);
	assert_string_equal(r.fns[0].name, "f1");
	pb_cg_result_release(&r);
	unlink(p1);
	unlink(p2);
	assert_int_equal(pb_cachegrind_collect(dir, &r), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_ENV);
	free(p1);
	free(p2);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_geometry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_argv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collect, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
