/* test_profile.c: a profile built from synthetic samples: names, self samples, shares, folded stacks, JSON; and from cachegrind costs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "profile/profile.h"

enum { V, L, A }; /* objects: [vdso], a library that cannot be read, anonymous memory */

#define FK { PB_SAMPLE_KERNEL, 0 }
#define FV { V, 0x10 }
#define FL { L, 0x100 }
#define FA { A, 0x8 }
#define FU { PB_SAMPLE_UNMAPPED, 0xdead }

/*
 * Samples, leaf first: 3 x (vdso <- libx), 2 x (kernel <- vdso <- libx), 1 x libx,
 * 1 x unmapped, 1 x (anon <- libx).
 */
static struct pb_sample_object objects[] = {
	{ (char *)"[vdso]", false },
	{ (char *)"/nonexistent/libx.so", true },
	{ (char *)"//anon", false },
};
static struct pb_frame frames[] = {
	FV, FL, FV, FL, FV, FL,
	FK, FV, FL, FK, FV, FL,
	FL,
	FU,
	FA, FL,
};
#define S(pid, tid, first, n) { pid, tid, first, n, 0, 0, false, 0 }
static struct pb_sample samples[] = {
	S(1, 1, 0, 2), S(1, 1, 2, 2), S(1, 2, 4, 2),
	S(1, 1, 6, 3), S(1, 1, 9, 3),
	S(1, 1, 12, 1),
	S(2, 2, 13, 1),
	S(1, 1, 14, 2),
};

static void make(struct pb_profile *p)
{
	struct pb_samples s;

	memset(&s, 0, sizeof(s));
	s.event = "cpu-clock";
	s.kernel = true;
	s.freq = 999;
	s.lost = 2;
	s.dropped = 1;
	s.samples = samples;
	s.n_samples = 8;
	s.frames = frames;
	s.n_frames = sizeof(frames) / sizeof(frames[0]);
	s.objects = objects;
	s.n_objects = 3;
	pb_profile_init(p);
	assert_int_equal(pb_profile_from_samples(p, &s), 0);
}

static void test_functions(void **state)
{
	struct pb_profile p;

	(void)state;
	make(&p);
	assert_int_equal(p.samples, 8);
	assert_int_equal(p.lost, 3);
	assert_string_equal(p.event, "cpu-clock");
	/* Self samples only; ties by name. */
	assert_int_equal(p.n_fns, 5);
	assert_string_equal(p.fns[0].name, "[vdso]");
	assert_int_equal(p.fns[0].samples, 3);
	assert_float_equal(p.fns[0].share, 3.0 / 8, 1e-12);
	assert_string_equal(p.fns[1].name, "[kernel]");
	assert_string_equal(p.fns[1].object, "[kernel]");
	assert_int_equal(p.fns[1].samples, 2);
	assert_string_equal(p.fns[2].name, "[anon]");
	assert_string_equal(p.fns[2].object, "//anon");
	/* the unreadable library is counted as a whole, under its name */
	assert_string_equal(p.fns[3].name, "[libx.so]");
	assert_string_equal(p.fns[3].object, "/nonexistent/libx.so");
	assert_int_equal(p.fns[3].samples, 1);
	assert_string_equal(p.fns[4].name, "[unknown]");
	pb_profile_release(&p);
}

static void test_folded(void **state)
{
	struct pb_profile p;
	struct pb_buf out = PB_BUF_INIT;

	(void)state;
	make(&p);
	pb_profile_write_folded(&p, &out);
	assert_string_equal(out.data, "[libx.so] 1\n"
				      "[libx.so];[anon] 1\n"
				      "[libx.so];[vdso] 3\n"
				      "[libx.so];[vdso];[kernel] 2\n"
				      "[unknown] 1\n");
	pb_buf_release(&out);
	pb_profile_release(&p);
}

static void test_json_and_text(void **state)
{
	struct pb_profile p;
	struct pb_buf out = PB_BUF_INIT;
	struct pb_jsonw w;
	struct pb_json *doc;
	const struct pb_json *f;

	(void)state;
	make(&p);
	p.command = pb_xstrdup("./prog 1");
	pb_jsonw_init(&w, &out, false);
	pb_profile_write_json(&p, &w);
	assert_int_equal(pb_json_parse(&doc, out.data, out.len, "profile"), 0);
	assert_string_equal(pb_json_string(pb_json_get(doc, "schema"), ""), "placebisect.profile/1");
	assert_string_equal(pb_json_string(pb_json_get(doc, "event"), ""), "cpu-clock");
	assert_string_equal(pb_json_string(pb_json_get(doc, "command"), ""), "./prog 1");
	assert_null(pb_json_get(doc, "benchmark"));
	assert_true(pb_json_number(pb_json_get(doc, "samples"), 0) == 8);
	assert_true(pb_json_number(pb_json_get(doc, "lost"), 0) == 3);
	assert_int_equal(pb_json_size(pb_json_get(doc, "functions")), 5);
	f = pb_json_child(pb_json_get(doc, "functions"));
	assert_string_equal(pb_json_string(pb_json_get(f, "name"), ""), "[vdso]");
	assert_string_equal(pb_json_string(pb_json_get(f, "object"), ""), "[vdso]");
	assert_true(pb_json_number(pb_json_get(f, "samples"), 0) == 3);
	assert_float_equal(pb_json_number(pb_json_get(f, "share"), 0), 0.375, 1e-12);
	assert_null(pb_json_get(f, "Ir"));
	pb_json_free(doc);

	pb_buf_reset(&out);
	pb_profile_write_text(&p, 2, &out);
	assert_non_null(strstr(out.data, "8 samples of cpu-clock at 999 Hz, 3 lost"));
	assert_non_null(strstr(out.data, "37.50%        3  [vdso]"));
	assert_null(strstr(out.data, "[anon]"));
	assert_non_null(strstr(out.data, "(3 more functions; --top N shows more)"));
	pb_buf_release(&out);
	pb_profile_release(&p);
}

static void test_costs(void **state)
{
	struct pb_counter c = { (char *)"Ir", 1000, 1 };
	struct pb_function_cost fns[] = { { (char *)"small", NULL, 200, 1 },
					  { (char *)"big", (char *)"big.c", 700, 5 } };
	struct pb_measurement m;
	struct pb_run run;
	struct pb_profile p;
	struct pb_buf out = PB_BUF_INIT;
	struct pb_jsonw w;

	(void)state;
	pb_measurement_init(&m);
	memset(&run, 0, sizeof(run));
	run.ok = true;
	run.value = 1000;
	run.counters = &c;
	run.n_counters = 1;
	pb_measurement_add_run(&m, &run);
	pb_measurement_finish(&m);

	pb_profile_init(&p);
	assert_int_equal(pb_profile_from_costs(&p, &m), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_ENV);
	pb_profile_release(&p);

	m.functions = fns;
	m.n_functions = 2;
	pb_profile_init(&p);
	assert_int_equal(pb_profile_from_costs(&p, &m), 0);
	assert_int_equal(p.samples, 1000);
	assert_string_equal(p.event, "Ir");
	assert_string_equal(p.fns[0].name, "big");
	assert_string_equal(p.fns[0].object, "big.c");
	assert_float_equal(p.fns[0].share, 0.7, 1e-12);
	assert_int_equal(p.fns[0].i1mr, 5);
	assert_null(p.fns[1].object);
	pb_jsonw_init(&w, &out, true);
	pb_profile_write_json(&p, &w);
	assert_non_null(strstr(out.data, "\"name\":\"big\",\"object\":\"big.c\",\"samples\":700,"
					 "\"share\":0.7,\"Ir\":700,\"I1mr\":5"));
	assert_non_null(strstr(out.data, "\"object\":null"));
	m.functions = NULL;
	m.n_functions = 0;
	pb_measurement_release(&m);
	pb_profile_release(&p);
	pb_buf_release(&out);
}

/*
 * Frame-pointer stacks: 7 end at the leaf, 2 have an unmapped caller, 3 a real one (one of them
 * cut at the depth cap), 1 is kernel only. 9 of 12 user stacks stop at the leaf: the warning.
 */
static struct pb_frame shape_frames[] = {
	FL, FL, FL, FL, FL, FL, FL, /* 0-6 */
	FL, FU, FL, FU,             /* 7-10 */
	FV, FL, FV, FL, FV, FL,     /* 11-16 */
	FK,                         /* 17 */
};
static struct pb_sample shape_samples[] = {
	S(1, 1, 0, 1), S(1, 1, 1, 1), S(1, 1, 2, 1), S(1, 1, 3, 1), S(1, 1, 4, 1), S(1, 1, 5, 1),
	S(1, 1, 6, 1), S(1, 1, 7, 2), S(1, 1, 9, 2), S(1, 1, 11, 2), S(1, 1, 13, 2),
	{ 1, 1, 15, 2, 0, 0, true, 0 },
	S(1, 1, 17, 1),
};

static void make_shape(struct pb_profile *p, size_t n_samples, enum pb_call_graph cg)
{
	struct pb_samples s;

	memset(&s, 0, sizeof(s));
	s.event = "cpu-clock";
	s.freq = 999;
	s.call_graph = cg;
	s.max_depth = 2;
	s.samples = shape_samples;
	s.n_samples = n_samples;
	s.frames = shape_frames;
	s.n_frames = sizeof(shape_frames) / sizeof(shape_frames[0]);
	s.objects = objects;
	s.n_objects = 3;
	pb_profile_init(p);
	assert_int_equal(pb_profile_from_samples(p, &s), 0);
}

static void test_stack_shape(void **state)
{
	struct pb_profile p;
	struct pb_buf out = PB_BUF_INIT;
	struct pb_jsonw w;
	char *msg;

	(void)state;
	make_shape(&p, 13, PB_CALL_GRAPH_FP);
	assert_string_equal(p.call_graph, "fp");
	assert_int_equal(p.max_depth, 2);
	assert_int_equal(p.user_stacks, 12);
	assert_int_equal(p.stopped_at_leaf, 9);
	assert_int_equal(p.truncated, 1);
	msg = pb_profile_stack_warning(&p);
	assert_non_null(msg);
	assert_string_equal(msg, "75% of stacks stop after the leaf (9 of 12 samples): the binary has no "
				 "frame pointers; use --call-graph dwarf or build with "
				 "-fno-omit-frame-pointer");
	free(msg);
	/* The cut stack sits under its own root; the whole one does not. */
	pb_profile_write_folded(&p, &out);
	assert_non_null(strstr(out.data, "\n[libx.so];[vdso] 2\n"));
	assert_non_null(strstr(out.data, "[truncated];[libx.so];[vdso] 1\n"));
	pb_buf_reset(&out);
	pb_jsonw_init(&w, &out, true);
	pb_profile_write_json(&p, &w);
	assert_non_null(strstr(out.data, "\"call_graph\":\"fp\",\"max_depth\":2,\"truncated\":1,"
					 "\"stopped_at_leaf\":9,"));
	pb_buf_release(&out);
	pb_profile_release(&p);

	/* Fewer than 10 user stacks say nothing; neither does a DWARF profile. */
	make_shape(&p, 9, PB_CALL_GRAPH_FP);
	assert_int_equal(p.user_stacks, 9);
	assert_null(pb_profile_stack_warning(&p));
	pb_profile_release(&p);
	make_shape(&p, 13, PB_CALL_GRAPH_DWARF);
	assert_string_equal(p.call_graph, "dwarf");
	assert_int_equal(p.stopped_at_leaf, 0);
	assert_null(pb_profile_stack_warning(&p));
	pb_profile_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_json_and_text),
		cmocka_unit_test(test_costs),
		cmocka_unit_test(test_stack_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
