/* test_debugfile.c: a stripped object's debug file found by build-id and by .gnu_debuglink (CRC-checked); its symbols and line table used. */
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
#include "layout/debugfile.h"
#include "layout/dwarf.h"
#include "layout/elf.h"
#include "layout/symbolize.h"
#include "tests/lib/testlib.h"

static const char fixture[] =
	"static __attribute__((noinline)) int hidden_work(int x) { return x * 7 + 3; }\n"
	"int main(int argc, char **argv) { (void)argv; return hidden_work(argc); }\n";

struct fx {
	char *dir, *bin, *dbg, *root;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *src;

	*state = NULL;
	if (pb_test_sh("command -v cc >/dev/null && command -v objcopy >/dev/null && command -v strip >/dev/null")) {
		free(f);
		return 0;
	}
	f->dir = pb_test_tmpdir();
	src = pb_xasprintf("%s/f.c", f->dir);
	pb_test_write(src, fixture, strlen(fixture));
	f->bin = pb_xasprintf("%s/bin/prog", f->dir);
	f->dbg = pb_xasprintf("%s/prog.debug", f->dir);
	f->root = pb_xasprintf("%s/root", f->dir);
	if (pb_test_sh("mkdir -p '%s/bin' '%s' && cc -g -O1 -o '%s' '%s' && objcopy --only-keep-debug '%s' '%s' && "
		       "strip --strip-all '%s' && objcopy --add-gnu-debuglink='%s' '%s'", f->dir, f->root,
		       f->bin, src, f->bin, f->dbg, f->bin, f->dbg, f->bin) == 0)
		*state = f;
	free(src);
	setenv("PB_DEBUG_ROOT", f->root, 1);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unsetenv("PB_DEBUG_ROOT");
	if (!f)
		return 0;
	pb_test_rmtree(f->dir);
	free(f->dir);
	free(f->bin);
	free(f->dbg);
	free(f->root);
	free(f);
	return 0;
}

/* The address of `name` in the debug file's .symtab (the stripped program has no such symbol). */
static uint64_t addr_of(const char *debug, const char *name)
{
	struct pb_elf *e = NULL;
	uint64_t a = 0;

	assert_int_equal(pb_elf_open_quiet(&e, debug), 0);
	for (size_t i = 0; i < e->n_funcs; i++)
		if (strcmp(e->funcs[i].name, name) == 0)
			a = e->funcs[i].addr;
	pb_elf_free(e);
	assert_true(a != 0);
	return a;
}

/* Nothing found, then each place gdb looks, and a file whose CRC or build-id differs is passed over. */
static void test_find(void **state)
{
	struct fx *f = *state;
	struct pb_elf *e = NULL;
	char *want, *got;

	if (!f)
		skip();
	assert_string_equal(pb_debugfile_root(), f->root);
	assert_int_equal(pb_elf_open_quiet(&e, f->bin), 0);
	assert_true(e->from_dynsym);
	assert_non_null(e->build_id);
	assert_null(pb_debugfile_find(e));

	/* Next to the program, in .debug/ there, under ROOT by the program's directory. */
	assert_int_equal(pb_test_sh("cp '%s' '%s/bin/prog.debug'", f->dbg, f->dir), 0);
	want = pb_xasprintf("%s/bin/prog.debug", f->dir);
	got = pb_debugfile_find(e);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_int_equal(pb_test_sh("mkdir -p '%s/bin/.debug' && mv '%s/bin/prog.debug' '%s/bin/.debug/'",
				    f->dir, f->dir, f->dir), 0);
	want = pb_xasprintf("%s/bin/.debug/prog.debug", f->dir);
	got = pb_debugfile_find(e);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_int_equal(pb_test_sh("rm -r '%s/bin/.debug' && mkdir -p '%s%s/bin' && cp '%s' '%s%s/bin/'",
				    f->dir, f->root, f->dir, f->dbg, f->root, f->dir), 0);
	want = pb_xasprintf("%s%s/bin/prog.debug", f->root, f->dir);
	got = pb_debugfile_find(e);
	assert_string_equal(got, want);
	free(got);
	/* One more byte: the CRC no longer matches. */
	assert_int_equal(pb_test_sh("printf x >> '%s'", want), 0);
	assert_null(pb_debugfile_find(e));
	assert_int_equal(pb_test_sh("rm '%s'", want), 0);
	free(want);

	/* By build-id, first of all; not when the file there is another build's. */
	want = pb_xasprintf("%s/.build-id/%.2s/%s.debug", f->root, e->build_id, e->build_id + 2);
	assert_int_equal(pb_test_sh("mkdir -p \"$(dirname '%s')\" && cp '%s' '%s'", want, f->dbg, want), 0);
	got = pb_debugfile_find(e);
	assert_string_equal(got, want);
	free(got);
	assert_string_equal(pb_error_message(), "");
	pb_elf_free(e);
	free(want);
}

/* With the build-id file of test_find in place: symbols and source lines come from it. */
static void test_use(void **state)
{
	struct fx *f = *state;
	struct pb_symbolizer *s;
	struct pb_dwarf_lines *t = NULL;
	const char *file;
	unsigned line = 0;
	uint64_t a;

	if (!f)
		skip();
	a = addr_of(f->dbg, "hidden_work");
	s = pb_symbolizer_new();
	/* A PIE: its first PT_LOAD maps offset 0 at address 0, so the offset is the address. */
	assert_string_equal(pb_symbolize(s, f->bin, a), "hidden_work");
	pb_symbolizer_free(s);
	assert_int_equal(pb_dwarf_lines_open(&t, f->bin), 0);
	assert_true(pb_dwarf_lines_count(t) > 0);
	file = pb_dwarf_line_at(t, a, &line);
	assert_non_null(file);
	assert_non_null(strstr(file, "f.c"));
	assert_int_equal(line, 1);
	pb_dwarf_lines_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_use),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
