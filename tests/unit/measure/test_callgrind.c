/* test_callgrind.c: callgrind output with instruction positions: compression, call lines, anchors, errors, argv. */
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
#include "measure/callgrind.h"
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

/* As callgrind 3.19 writes it: main calls hot (the call's inclusive cost is not main's own). */
static const char good[] =
	"# callgrind format\n"
	"version: 1\n"
	"creator: callgrind-3.19.0\n"
	"positions: instr line\n"
	"events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n"
	"summary: 700100 0 0 5\n"
	"\n"
	"ob=(1) /tmp/loop\n"
	"fl=(1) /tmp/loop.c\n"
	"fn=(1) main\n"
	"0x1178 10 1\n"
	"+4 +1 1 0 0 1\n"
	"cfn=(2) hot\n"
	"calls=1 -51 -7\n"
	"* * 700006 1\n"
	"+5 * 1\n"
	"fn=(2)\n"
	"0x1149 4 1 0 0 1\n"
	"+23 +2 100000\n"
	"+3 * 100000\n"
	"-3 * 5\n"                /* the same address again: summed */
	"ob=(2) ???\n"
	"fn=(3) vm_run\n"
	"0x10a140 0 7 0 0 2\n"
	"+2 0 3\n"
	"fn=(4) op_add\n"
	"0x10a540 0 4\n";

static void test_parse(void **state)
{
	struct pb_callgrind r;
	const struct pb_callgrind_object *o;
	char *p = write_file("callgrind.out.1", good);

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(pb_callgrind_parse(p, &r), 0);
	pb_callgrind_finish(&r);
	assert_int_equal(r.n_objs, 2);
	o = pb_callgrind_object(&r, "/tmp/loop");
	assert_non_null(o);
	/* main: 0x1178 (1), 0x117c (1, 1 I1 miss), 0x1181 (1): the call line's 700006 is not its own. */
	assert_int_equal(o->n_costs, 6);
	assert_int_equal(o->costs[0].addr, 0x1149);
	assert_int_equal(o->costs[0].i1mr, 1);
	assert_int_equal(o->costs[1].addr, 0x1160);
	assert_int_equal(o->costs[1].ir, 100005);
	assert_int_equal(o->costs[2].addr, 0x1163);
	assert_int_equal(o->costs[2].ir, 100000);
	assert_int_equal(o->costs[3].addr, 0x1178);
	assert_int_equal(o->costs[4].addr, 0x117c);
	assert_int_equal(o->costs[4].i1mr, 1);
	/* The call at 0x117c ("*" after the calls= line: its target does not move the position). */
	assert_int_equal(o->costs[5].addr, 0x1181);
	assert_int_equal(o->ir, 1 + 100005 + 100000 + 1 + 1 + 1);
	assert_int_equal(r.n_calls, 1);
	assert_string_equal(r.calls[0].fn, "hot");
	assert_string_equal(r.calls[0].object, "/tmp/loop");
	assert_int_equal(r.calls[0].count, 1);
	/* Code callgrind could not name: anchors per function, lowest address. */
	o = pb_callgrind_object(&r, "???");
	assert_non_null(o);
	assert_int_equal(o->n_anchors, 2);
	assert_string_equal(o->anchors[0].fn, "vm_run");
	assert_int_equal(o->anchors[0].addr, 0x10a140);
	assert_int_equal(o->anchors[0].ir, 10);
	assert_int_equal(r.ir, o->ir + pb_callgrind_object(&r, "/tmp/loop")->ir);
	/* By file name when the path differs. */
	assert_non_null(pb_callgrind_object(&r, "/elsewhere/loop"));
	assert_null(pb_callgrind_object(&r, "nothere"));
	pb_callgrind_release(&r);
	free(p);
}

static void expect_parse_error(const char *text, const char *what)
{
	struct pb_callgrind r;
	char *p = write_file("bad.out", text);

	memset(&r, 0, sizeof(r));
	assert_int_equal(pb_callgrind_parse(p, &r), -1);
	if (!strstr(pb_error_message(), what))
		fail_msg("'%s' does not say '%s'", pb_error_message(), what);
	pb_callgrind_release(&r);
	free(p);
}

static void test_errors(void **state)
{
	(void)state;
	/* cachegrind's file, or callgrind's without --dump-instr: lines, not instructions. */
	expect_parse_error("events: Ir\nfl=a.c\nfn=f\n10 5\n", "--dump-instr=yes");
	expect_parse_error("positions: line\nevents: Ir\nfn=f\n10 5\n", "--dump-instr=yes");
	expect_parse_error("positions: instr\nevents: Dr\n", ":2: no Ir among the events");
	expect_parse_error("positions: instr\nevents: Ir\nob=x\n0x10 5\n", ":4: a cost line before any ob= and fn=");
	expect_parse_error("positions: instr\nevents: Ir\nob=x\nfn=(7)\n", ":4: a compressed name used before");
	expect_parse_error("positions: instr\nevents: Ir\nob=x\nfn=f\n0x10 5 6\n", ":5: more counts than events");
	expect_parse_error("positions: instr\nevents: Ir\nob=x\nfn=f\n0x10 z\n", ":5: a count that is not a number");
	expect_parse_error("positions: instr\nevents: Ir\nob=x\nfn=f\ncalls=1 0x20\n", ":5: calls= without a cfn=");
	expect_parse_error("hello world\n", ":1: not a line of callgrind's format");
	expect_parse_error("positions: instr\n", "no 'events:' line");
}

/* An id defined again names another function from then on; the earlier one's anchor stays whole. */
static void test_redefined_id(void **state)
{
	struct pb_callgrind r;
	char *p = write_file("re.out", "positions: instr\nevents: Ir\nob=(1) ???\nfn=(1) first\n0x10 5\n"
					"fn=(1) second\n0x20 6\n+1 1\n");

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(pb_callgrind_parse(p, &r), 0);
	pb_callgrind_finish(&r);
	assert_int_equal(r.objs[0].n_anchors, 2);
	assert_string_equal(r.objs[0].anchors[0].fn, "first");
	assert_string_equal(r.objs[0].anchors[1].fn, "second");
	assert_int_equal(r.objs[0].anchors[1].ir, 7);
	assert_int_equal(r.ir, 12);
	pb_callgrind_release(&r);
	free(p);
}

static void test_argv(void **state)
{
	const char *argv[] = { "./prog", "3", NULL };
	char **v;

	(void)state;
	v = pb_callgrind_argv("32768,8,64", "/tmp/d", argv, NULL);
	assert_string_equal(v[0], "valgrind");
	assert_string_equal(v[1], "--tool=callgrind");
	assert_string_equal(v[2], "-q");
	assert_string_equal(v[3], "--cache-sim=yes");
	assert_string_equal(v[4], "--dump-instr=yes");
	assert_string_equal(v[5], "--demangle=no");
	assert_string_equal(v[6], "--I1=32768,8,64");
	assert_string_equal(v[9], "--callgrind-out-file=/tmp/d/callgrind.out.%p");
	assert_string_equal(v[10], "./prog");
	assert_null(v[12]);
	pb_callgrind_argv_free(v);
	v = pb_callgrind_argv(NULL, "/tmp/d", NULL, "echo hi");
	assert_string_equal(v[9], "/bin/sh");
	assert_string_equal(v[11], "echo hi");
	pb_callgrind_argv_free(v);
	/* A call graph: both simulators off, said explicitly. */
	v = pb_callgrind_argv_calls("/tmp/d", argv, NULL);
	assert_string_equal(v[2], "-q");
	assert_string_equal(v[3], "--cache-sim=no");
	assert_string_equal(v[4], "--branch-sim=no");
	assert_string_equal(v[9], "--callgrind-out-file=/tmp/d/callgrind.out.%p");
	assert_string_equal(v[10], "./prog");
	pb_callgrind_argv_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redefined_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_argv, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
