/* test_plt.c: PLT stubs named name@plt at the addresses objdump gives them, for lazy, -z now and IBT (.plt.sec) links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "layout/elf.h"
#include "layout/plt.h"
#include "layout/symbolize.h"
#include "tests/lib/testlib.h"

static const char fixture[] =
	"#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
	"int main(int argc, char **argv) { char a[64], b[64]; (void)argv;\n"
	"  memset(a, argc, sizeof(a)); memcpy(b, a, (size_t)argc + 8);\n"
	"  printf(\"%d\\n\", abs(b[3] - 9)); return 0; }\n";

/* Compile the fixture with `flags`, then check every "ADDR <name@plt>:" objdump prints. */
static void check_layout(const char *flags, const char *want_section)
{
	char *dir = pb_test_tmpdir(), *src = pb_xasprintf("%s/f.c", dir);
	char *bin = pb_xasprintf("%s/f", dir), *dump = pb_xasprintf("%s/dump", dir);
	struct pb_elf *e = NULL;
	struct pb_plt plt;
	struct pb_symbolizer *s;
	const struct pb_plt_stub *stub;
	char line[512], name[400];
	uint64_t addr, off;
	size_t seen = 0;
	FILE *f;

	pb_test_write(src, fixture, strlen(fixture));
	if (pb_test_sh("cc -O1 -fno-builtin %s -o '%s' '%s' 2>/dev/null", flags, bin, src) != 0) {
		print_message("skipped %s: cc cannot link with these flags\n", flags);
		goto out;
	}
	assert_int_equal(pb_test_sh("objdump -d -j .plt -j .plt.sec -j .plt.got '%s' > '%s'", bin, dump), 0);
	assert_int_equal(pb_elf_open(&e, bin), 0);
	assert_non_null(pb_elf_section_by_name(e, want_section));
	pb_plt_read(&plt, e);
	s = pb_symbolizer_new();
	f = fopen(dump, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		/* Stubs only: PLT0 shows as "<abs@plt-0x10>". */
		if (sscanf(line, "%" SCNx64 " <%399[^>]>:", &addr, name) != 2 || strlen(name) < 4 ||
		    strcmp(name + strlen(name) - 4, "@plt") != 0)
			continue;
		stub = pb_plt_at(&plt, addr);
		assert_non_null(stub);
		assert_string_equal(stub->name, name);
		assert_int_equal(stub->addr, addr);
		/* A sample anywhere in the stub is the stub's, through the symbolizer (PIE: offset = addr). */
		off = addr + stub->size - 1;
		assert_string_equal(pb_symbolize(s, bin, off), name);
		seen++;
	}
	fclose(f);
	/* abs, printf, memset, memcpy, and __cxa_finalize (.plt.got). */
	assert_true(seen >= 5);
	assert_int_equal(plt.n, seen);
	pb_symbolizer_free(s);
	pb_plt_release(&plt);
	pb_elf_free(e);
out:
	pb_test_rmtree(dir);
	free(dir);
	free(src);
	free(bin);
	free(dump);
}

static void test_lazy(void **state)
{
	(void)state;
	check_layout("-fpie -pie", ".plt");
}

static void test_now(void **state)
{
	(void)state;
	check_layout("-fpie -pie -Wl,-z,now", ".plt");
}

static void test_ibt(void **state)
{
	(void)state;
	check_layout("-fpie -pie -fcf-protection=full -Wl,-z,ibtplt", ".plt.sec");
}

static void test_ibt_now(void **state)
{
	(void)state;
	check_layout("-fpie -pie -fcf-protection=full -Wl,-z,ibtplt,-z,now", ".plt.sec");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_ibt),
		cmocka_unit_test(test_ibt_now),
	};

	if (pb_test_sh("command -v cc >/dev/null && command -v objdump >/dev/null") != 0) {
		printf("skipped: no cc or objdump\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
