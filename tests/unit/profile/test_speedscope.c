/* test_speedscope.c: a profile's stacks as a speedscope file: shared frames once each, stacks root first, weights. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/buf.h"
#include "profile/speedscope.h"

static void test_write(void **state)
{
	struct pb_profile_stack stacks[] = {
		{ (char *)"main;a;b", 3 },
		{ (char *)"main;c", 1 },
		{ (char *)"main;a", 2 },
	};
	struct pb_profile p;
	struct pb_buf out = PB_BUF_INIT;

	(void)state;
	pb_profile_init(&p);
	p.stacks = stacks;
	p.n_stacks = 3;
	p.samples = 6;
	pb_profile_write_speedscope(&p, "prog \"x\"", &out);
	assert_string_equal(out.data,
		"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"exporter\":\"placebisect\","
		"\"name\":\"prog \\\"x\\\"\",\"activeProfileIndex\":0,"
		"\"shared\":{\"frames\":[{\"name\":\"main\"},{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]},"
		"\"profiles\":[{\"type\":\"sampled\",\"name\":\"prog \\\"x\\\"\",\"unit\":\"none\","
		"\"startValue\":0,\"endValue\":6,\"samples\":[[0,1,2],[0,3],[0,1]],\"weights\":[3,1,2]}]}\n");
	pb_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
