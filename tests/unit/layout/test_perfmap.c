/* test_perfmap.c: perf map parsing (good, malformed and overlapping lines) and JIT names through the symbolizer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "layout/perfmap.h"
#include "layout/symbolize.h"
#include "tests/lib/testlib.h"

static const char text[] =
	"7f0000001000 100 JS:*hotLoop /tmp/hot.js:1:17\n"
	"0x7f0000001100 0x20 LazyCompile:~main  \r\n"
	"\n"
	"7f0000002000 40\n"                 /* no name */
	"zz 10 bad digits\n"
	"7f0000003000 0 zero size\n"
	"ffffffffffffff00 200 wraps\n"
	"11112222333344445 10 seventeen digits\n"
	"7f0000001080 10 newer code\n"      /* overlaps hotLoop, written later: wins there */
	"7f0000004000\t8\ttabbed name";     /* no final newline */

static void test_parse(void **state)
{
	struct pb_perfmap m;

	(void)state;
	pb_perfmap_parse(&m, text, strlen(text));
	assert_int_equal(m.n, 4);
	assert_int_equal(m.bad, 5);
	assert_int_equal(m.cut, 0);
	assert_int_equal(m.v[0].start, 0x7f0000001000);
	assert_int_equal(m.v[0].size, 0x100);
	assert_string_equal(m.v[0].name, "JS:*hotLoop /tmp/hot.js:1:17");
	assert_string_equal(pb_perfmap_lookup(&m, 0x7f0000001000), "JS:*hotLoop /tmp/hot.js:1:17");
	assert_string_equal(pb_perfmap_lookup(&m, 0x7f000000107f), "JS:*hotLoop /tmp/hot.js:1:17");
	assert_string_equal(pb_perfmap_lookup(&m, 0x7f0000001080), "newer code");
	assert_string_equal(pb_perfmap_lookup(&m, 0x7f000000108f), "newer code");
	assert_string_equal(pb_perfmap_lookup(&m, 0x7f0000001090), "JS:*hotLoop /tmp/hot.js:1:17");
	assert_string_equal(pb_perfmap_lookup(&m, 0x7f00000010ff), "JS:*hotLoop /tmp/hot.js:1:17");
	/* The next entry starts right where hotLoop ends; its name lost the trailing blanks and \r. */
	assert_string_equal(pb_perfmap_lookup(&m, 0x7f0000001100), "LazyCompile:~main");
	assert_null(pb_perfmap_lookup(&m, 0x7f0000001120));
	assert_null(pb_perfmap_lookup(&m, 0x7f0000000fff));
	assert_null(pb_perfmap_lookup(&m, 0));
	assert_null(pb_perfmap_lookup(&m, UINT64_MAX));
	assert_string_equal(pb_perfmap_lookup(&m, 0x7f0000004007), "tabbed name");
	pb_perfmap_release(&m);

	pb_perfmap_parse(&m, "", 0);
	assert_int_equal(m.n, 0);
	assert_null(pb_perfmap_lookup(&m, 1));
	pb_perfmap_release(&m);
}

/* The symbolizer finds $PB_PERF_MAP_DIR/perf-PID.map for the sampled process, and only its own. */
static void test_symbolize_jit(void **state)
{
	char *dir = pb_test_tmpdir(), *path = pb_xasprintf("%s/perf-4242.map", dir);
	struct pb_symbolizer *s;
	const char *map = NULL;

	(void)state;
	pb_test_write(path, text, strlen(text));
	setenv("PB_PERF_MAP_DIR", dir, 1);
	s = pb_symbolizer_new();
	assert_string_equal(pb_symbolize_jit(s, 4242, 0x7f0000001010, &map),
			    "JS:*hotLoop /tmp/hot.js:1:17");
	assert_string_equal(map, path);
	assert_null(pb_symbolize_jit(s, 4242, 0x10, &map));
	assert_null(pb_symbolize_jit(s, 4243, 0x7f0000001010, &map)); /* no map for that pid */
	assert_string_equal(pb_error_message(), "");
	pb_symbolizer_free(s);
	unsetenv("PB_PERF_MAP_DIR");
	pb_test_rmtree(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_symbolize_jit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
