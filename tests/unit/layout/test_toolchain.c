/* test_toolchain.c: what built a binary: .comment's compilers, DWARF producers (flags), none without -g, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "layout/toolchain.h"
#include "tests/lib/testlib.h"

static void test_toolchain(void **state)
{
	char *dir = pb_test_tmpdir(), *src = pb_xasprintf("%s/p.c", dir);
	char *g = pb_xasprintf("%s/p-g", dir), *nog = pb_xasprintf("%s/p", dir);
	struct pb_toolchain t;

	(void)state;
	if (pb_test_sh("command -v gcc >/dev/null") != 0) {
		pb_test_rmtree(dir);
		skip();
	}
	pb_test_write(src, "int main(void) { return 0; }\n", 29);
	assert_int_equal(pb_test_sh("gcc -g -O1 -o '%s' '%s' && gcc -O2 -o '%s' '%s'", g, src, nog, src), 0);
	assert_int_equal(pb_toolchain_read(g, &t), 0);
	assert_non_null(t.compiler);
	assert_non_null(strstr(t.compiler, "GCC: "));
	assert_non_null(t.producer);
	assert_non_null(strstr(t.producer, "GNU C"));
	assert_non_null(strstr(t.producer, " -g"));
	assert_non_null(strstr(t.producer, " -O1"));
	pb_toolchain_release(&t);
	/* Without -g: the compiler, no flags. */
	assert_int_equal(pb_toolchain_read(nog, &t), 0);
	assert_non_null(t.compiler);
	assert_null(t.producer);
	pb_toolchain_release(&t);
	/* Not an ELF file: an error naming it. */
	assert_int_equal(pb_toolchain_read(src, &t), -1);
	assert_non_null(strstr(pb_error_message(), src));
	pb_toolchain_release(&t);
	pb_test_rmtree(dir);
	free(src);
	free(g);
	free(nog);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toolchain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
