/* test_symbolize.c: file offsets → functions in PIE, non-PIE, shared and stripped objects compiled on the fly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "layout/elf.h"
#include "layout/symbolize.h"
#include "tests/lib/testlib.h"

/* lib_fn is exported; hidden_fn only in .symtab (a stripped copy loses it). */
static const char fixture[] =
	"__attribute__((noinline, visibility(\"hidden\"))) int hidden_fn(int x) { return x * 7 + 3; }\n"
	"__attribute__((noinline)) int lib_fn(int x) { return hidden_fn(x) + 1; }\n"
	"int main(int argc, char **argv) { (void)argv; return lib_fn(argc); }\n";

struct fx {
	char *dir, *pie, *nopie, *lib, *stripped;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *src;

	*state = NULL;
	if (pb_test_sh("command -v cc >/dev/null") != 0) {
		free(f);
		return 0;
	}
	f->dir = pb_test_tmpdir();
	src = pb_xasprintf("%s/f.c", f->dir);
	pb_test_write(src, fixture, strlen(fixture));
	f->pie = pb_xasprintf("%s/pie", f->dir);
	f->nopie = pb_xasprintf("%s/nopie", f->dir);
	f->lib = pb_xasprintf("%s/lib.so", f->dir);
	f->stripped = pb_xasprintf("%s/stripped.so", f->dir);
	if (pb_test_sh("cc -O1 -fpie -pie -o '%s' '%s' && cc -O1 -fno-pie -no-pie -o '%s' '%s' && "
		       "cc -O1 -shared -fPIC -o '%s' '%s' && strip -o '%s' '%s'", f->pie, src, f->nopie,
		       src, f->lib, src, f->stripped, f->lib) == 0)
		*state = f;
	free(src);
	if (!*state) {
		pb_test_rmtree(f->dir);
		free(f->dir);
		free(f->pie);
		free(f->nopie);
		free(f->lib);
		free(f->stripped);
		free(f);
	}
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f) {
		pb_test_rmtree(f->dir);
		free(f->dir);
		free(f->pie);
		free(f->nopie);
		free(f->lib);
		free(f->stripped);
		free(f);
	}
	return 0;
}

/* The file offset of `name`'s first byte, from the PT_LOAD segments (the inverse of the lookup). */
static uint64_t file_offset(const struct pb_elf *e, const char *name, uint64_t *size)
{
	size_t i, j;

	for (i = 0; i < e->n_funcs; i++) {
		if (strcmp(e->funcs[i].name, name) != 0)
			continue;
		*size = e->funcs[i].size;
		for (j = 0; j < e->n_segments; j++)
			if (e->funcs[i].addr >= e->segments[j].vaddr &&
			    e->funcs[i].addr - e->segments[j].vaddr < e->segments[j].filesz)
				return e->funcs[i].addr - e->segments[j].vaddr + e->segments[j].offset;
	}
	fail_msg("no function %s in %s", name, e->path);
	return 0;
}

/* Every function is found at its first and last byte, and not past its end. */
static void check_object(const char *path, const char *const *names, size_t n)
{
	struct pb_symbolizer *s = pb_symbolizer_new();
	struct pb_elf *e;
	uint64_t off, size;
	size_t i;

	assert_int_equal(pb_elf_open_quiet(&e, path), 0);
	assert_true(e->n_segments >= 2);
	for (i = 0; i < n; i++) {
		off = file_offset(e, names[i], &size);
		assert_true(size > 2);
		assert_string_equal(pb_symbolize(s, path, off), names[i]);
		assert_string_equal(pb_symbolize(s, path, off + size - 1), names[i]);
		/* the byte after it is padding or the next function */
		if (pb_symbolize(s, path, off + size))
			assert_string_not_equal(pb_symbolize(s, path, off + size), names[i]);
	}
	/* The ELF header: loaded (offset 0 lies in the first segment) but in no function. */
	assert_null(pb_symbolize(s, path, 0));
	/* Past the end of the file: in no segment. */
	assert_null(pb_symbolize(s, path, 1ULL << 40));
	pb_elf_free(e);
	pb_symbolizer_free(s);
}

static void test_pie_nopie_shared(void **state)
{
	static const char *const names[] = { "hidden_fn", "lib_fn", "main" };
	struct fx *f = *state;

	if (!f)
		skip();
	check_object(f->pie, names, 3);
	check_object(f->nopie, names, 3);
	check_object(f->lib, names, 2);
}

/* Independently of the segments: the file holds the function's code at the offset it maps to. */
static void test_offset_is_code(void **state)
{
	struct fx *f = *state;
	const struct pb_elf_sym *fn = NULL;
	const unsigned char *code;
	unsigned char buf[16];
	struct pb_elf *e;
	uint64_t off, size;
	size_t len, i;
	int fd;

	if (!f)
		skip();
	assert_int_equal(pb_elf_open_quiet(&e, f->pie), 0);
	for (i = 0; i < e->n_funcs; i++)
		if (strcmp(e->funcs[i].name, "hidden_fn") == 0)
			fn = &e->funcs[i];
	assert_non_null(fn);
	off = file_offset(e, "hidden_fn", &size);
	code = pb_elf_func_code(e, fn, &len);
	assert_non_null(code);
	if (len > sizeof(buf))
		len = sizeof(buf);
	fd = open(f->pie, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	assert_memory_equal(buf, code, len);
	close(fd);
	pb_elf_free(e);
}

/* Stripped: exported functions from .dynsym; hidden_fn has no symbol left, so no name. */
static void test_stripped(void **state)
{
	struct fx *f = *state;
	struct pb_symbolizer *s = pb_symbolizer_new();
	struct pb_elf *e;
	uint64_t off, size;

	if (!f)
		skip();
	assert_int_equal(pb_elf_open_quiet(&e, f->lib), 0);
	off = file_offset(e, "lib_fn", &size);
	assert_string_equal(pb_symbolize(s, f->stripped, off), "lib_fn");
	off = file_offset(e, "hidden_fn", &size);
	if (pb_symbolize(s, f->stripped, off))
		assert_string_not_equal(pb_symbolize(s, f->stripped, off), "hidden_fn");
	pb_elf_free(e);
	pb_symbolizer_free(s);
}

/* An object that cannot be read names nothing, and is not read again. */
static void test_unreadable(void **state)
{
	struct pb_symbolizer *s = pb_symbolizer_new();

	(void)state;
	assert_null(pb_symbolize(s, "/nonexistent/libgone.so", 0x1000));
	assert_null(pb_symbolize(s, "/nonexistent/libgone.so", 0x2000));
	assert_string_equal(pb_error_message(), "");
	pb_symbolizer_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pie_nopie_shared),
		cmocka_unit_test(test_offset_is_code),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
