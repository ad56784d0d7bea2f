/* test_elf.c: reading sections, symbols, build-id and code of fixtures compiled on the fly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/util.h"
#include "layout/disasm.h"
#include "layout/elf.h"
#include "tests/lib/testlib.h"

static const char fixture[] =
	"static volatile int counter;\n"
	"__attribute__((noinline, aligned(64))) int add1(int x) { return x + 1 + counter; }\n"
	"__attribute__((noinline, aligned(64))) int twice(int x) { return add1(x) * 2; }\n"
	"int main(int argc, char **argv) { (void)argv; return twice(argc); }\n";

struct fx {
	char *dir, *exe, *lib, *stripped;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *src;

	if (pb_test_sh("command -v cc >/dev/null") != 0) {
		free(f);
		*state = NULL;
		return 0;
	}
	f->dir = pb_test_tmpdir();
	src = pb_xasprintf("%s/f.c", f->dir);
	pb_test_write(src, fixture, strlen(fixture));
	f->exe = pb_xasprintf("%s/exe", f->dir);
	f->lib = pb_xasprintf("%s/lib.so", f->dir);
	f->stripped = pb_xasprintf("%s/stripped.so", f->dir);
	if (pb_test_sh("cc -O2 -Wl,--build-id -o '%s' '%s' && cc -O2 -shared -fPIC -o '%s' '%s' && "
		       "strip -o '%s' '%s'", f->exe, src, f->lib, src, f->stripped, f->lib) != 0) {
		pb_test_rmtree(f->dir);
		free(f->dir);
		free(f->exe);
		free(f->lib);
		free(f->stripped);
		free(f);
		f = NULL;
	}
	free(src);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f) {
		pb_test_rmtree(f->dir);
		free(f->dir);
		free(f->exe);
		free(f->lib);
		free(f->stripped);
		free(f);
	}
	return 0;
}

static const struct pb_elf_sym *func(const struct pb_elf *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n_funcs; i++)
		if (strcmp(e->funcs[i].name, name) == 0)
			return &e->funcs[i];
	return NULL;
}

static void test_executable(void **state)
{
	struct fx *f = *state;
	const struct pb_elf_section *text;
	const struct pb_elf_sym *add1, *twice, *s;
	const unsigned char *code;
	struct pb_elf *e;
	size_t len, i;

	if (!f)
		skip();
	assert_int_equal(pb_elf_open(&e, f->exe), 0);
	assert_true(e->is64);
	assert_false(e->from_dynsym);
	assert_non_null(e->build_id);
	assert_int_equal(strlen(e->build_id), 40);
	assert_int_not_equal(pb_elf_text_hash(e), 0);
	text = pb_elf_section_by_name(e, ".text");
	assert_non_null(text);
	assert_true(text->exec && text->alloc);
	add1 = func(e, "add1");
	twice = func(e, "twice");
	assert_non_null(add1);
	assert_non_null(twice);
	assert_non_null(func(e, "main"));
	assert_int_equal(add1->addr % 64, 0);
	assert_int_equal(twice->addr % 64, 0);
	assert_true(add1->size > 0);
	assert_string_equal(pb_elf_sym_section(e, add1), ".text");
	/* Sorted by address. */
	for (i = 1; i < e->n_funcs; i++)
		assert_true(e->funcs[i - 1].addr <= e->funcs[i].addr);
	/* Lookups: the start, inside, and the static data object. */
	assert_ptr_equal(pb_elf_sym_at(e, add1->addr)->addr, add1->addr);
	s = pb_elf_sym_at(e, add1->addr + add1->size - 1);
	assert_string_equal(s->name, "add1");
	assert_ptr_equal(pb_elf_section_at(e, add1->addr), text);
	code = pb_elf_func_code(e, add1, &len);
	assert_non_null(code);
	assert_int_equal(len, add1->size);
	assert_non_null(text->data); /* read by pb_elf_func_code */
	assert_memory_equal(code, text->data + (add1->addr - text->addr), len);
	assert_int_equal(pb_elf_sym_key(e, pb_elf_sym_at(e, add1->addr)),
			 pb_elf_sym_key(e, pb_elf_sym_at(e, add1->addr)));
	pb_elf_free(e);
}

/* The .text hash says "same code" across reads and "different" across programs. */
static void test_text_hash(void **state)
{
	struct fx *f = *state;
	struct pb_elf *a, *b, *c;

	if (!f)
		skip();
	assert_int_equal(pb_elf_open(&a, f->exe), 0);
	assert_int_equal(pb_elf_open(&b, f->exe), 0);
	assert_int_equal(pb_elf_open(&c, f->lib), 0);
	assert_int_equal(pb_elf_text_hash(a), pb_elf_text_hash(b));
	assert_int_not_equal(pb_elf_text_hash(a), pb_elf_text_hash(c));
	pb_elf_free(a);
	pb_elf_free(b);
	pb_elf_free(c);
}

static void test_shared_and_stripped(void **state)
{
	struct fx *f = *state;
	struct pb_elf *e;

	if (!f)
		skip();
	assert_int_equal(pb_elf_open(&e, f->lib), 0);
	assert_false(e->from_dynsym);
	assert_non_null(func(e, "twice"));
	pb_elf_free(e);
	/* Stripped: the exported functions from .dynsym, with a warning (not an error). */
	assert_int_equal(pb_elf_open(&e, f->stripped), 0);
	assert_true(e->from_dynsym);
	assert_non_null(func(e, "twice"));
	assert_non_null(func(e, "add1"));
	pb_elf_free(e);
}

/* The same function normalizes the same in two binaries where it sits at different addresses. */
static void test_normalize_moved(void **state)
{
	struct fx *f = *state;
	struct pb_elf *a, *b;
	struct pb_disasm *da, *db;
	struct pb_norm na = { 0 }, nb = { 0 };

	if (!f)
		skip();
	assert_int_equal(pb_elf_open(&a, f->exe), 0);
	assert_int_equal(pb_elf_open(&b, f->lib), 0);
	assert_int_equal(pb_disasm_new(&da, a), 0);
	assert_int_equal(pb_disasm_new(&db, b), 0);
	if (!da || !db) {
		pb_disasm_free(da);
		pb_disasm_free(db);
		pb_elf_free(a);
		pb_elf_free(b);
		skip();
	}
	assert_int_equal(pb_disasm_normalize(da, func(a, "add1"), &na), 0);
	assert_true(na.n > 0);
	/* add1 reads a static through RIP: the same symbol+addend in the executable and the .so. */
	assert_int_equal(pb_disasm_normalize(db, func(b, "add1"), &nb), 0);
	assert_int_not_equal(func(a, "add1")->addr, func(b, "add1")->addr);
	assert_int_equal(pb_norm_compare(&na, &nb), PB_CODE_STRICT_EQUAL);
	assert_true(pb_disasm_same_code_fast(da, func(a, "add1"), db, func(b, "add1")));
	assert_int_equal(pb_disasm_normalize(da, func(a, "twice"), &nb), 0);
	assert_int_equal(pb_norm_compare(&na, &nb), PB_CODE_CHANGED);
	assert_int_equal(pb_norm_compare(&na, &na), PB_CODE_STRICT_EQUAL);
	assert_string_equal(pb_code_class_name(PB_CODE_LOOSE_EQUAL), "loose-equal");
	/* The table decoder agrees with itself on the moved copy. */
	assert_int_equal(pb_disasm_normalize_fast(da, func(a, "add1"), &na), 0);
	assert_int_equal(pb_disasm_normalize_fast(da, func(a, "add1"), &nb), 0);
	assert_int_equal(pb_norm_compare(&na, &nb), PB_CODE_STRICT_EQUAL);
	assert_true(pb_disasm_same_code_fast(da, func(a, "add1"), da, func(a, "add1")));
	assert_false(pb_disasm_same_code_fast(da, func(a, "add1"), da, func(a, "twice")));
	pb_norm_release(&na);
	pb_norm_release(&nb);
	pb_disasm_free(da);
	pb_disasm_free(db);
	pb_elf_free(a);
	pb_elf_free(b);
}

/* compare_fast gives the class that normalize_fast and pb_norm_compare give, for every pair. */
static void test_compare_fast_agrees(void **state)
{
	struct fx *f = *state;
	struct pb_elf *a, *b;
	struct pb_disasm *da, *db;
	struct pb_norm na = { 0 }, nb = { 0 };
	size_t i, j, seen[3] = { 0, 0, 0 };
	enum pb_code_class want;

	if (!f)
		skip();
	assert_int_equal(pb_elf_open(&a, f->exe), 0);
	assert_int_equal(pb_elf_open(&b, f->lib), 0);
	assert_int_equal(pb_disasm_new(&da, a), 0);
	assert_int_equal(pb_disasm_new(&db, b), 0);
	if (!da || !db) {
		pb_disasm_free(da);
		pb_disasm_free(db);
		pb_elf_free(a);
		pb_elf_free(b);
		skip();
	}
	for (i = 0; i < a->n_funcs; i++) {
		for (j = 0; j < b->n_funcs; j++) {
			assert_int_equal(pb_disasm_normalize_fast(da, &a->funcs[i], &na), 0);
			assert_int_equal(pb_disasm_normalize_fast(db, &b->funcs[j], &nb), 0);
			want = pb_norm_compare(&na, &nb);
			assert_int_equal(pb_disasm_compare_fast(da, &a->funcs[i], db, &b->funcs[j]), want);
			seen[want]++;
		}
		assert_int_equal(pb_disasm_compare_fast(da, &a->funcs[i], da, &a->funcs[i]),
				 PB_CODE_STRICT_EQUAL);
	}
	/* add1 in both builds, and pairs of different functions. */
	assert_true(seen[PB_CODE_STRICT_EQUAL] > 0);
	assert_true(seen[PB_CODE_CHANGED] > 0);
	pb_norm_release(&na);
	pb_norm_release(&nb);
	pb_disasm_free(da);
	pb_disasm_free(db);
	pb_elf_free(a);
	pb_elf_free(b);
}

static void test_not_elf(void **state)
{
	char *dir = pb_test_tmpdir(), *path = pb_xasprintf("%s/x", dir);
	struct pb_elf *e = (struct pb_elf *)1;

	(void)state;
	pb_test_write(path, "\177ELF", 4);
	assert_int_equal(pb_elf_open(&e, path), -1);
	assert_null(e);
	assert_non_null(strstr(pb_error_message(), "truncated: 4 bytes"));
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	pb_test_write(path, "!<arch>\nxxxx", 12);
	assert_int_equal(pb_elf_open(&e, path), -1);
	assert_non_null(strstr(pb_error_message(), "is an ar archive"));
	pb_test_rmtree(dir);
	free(path);
	free(dir);
}

static void collect(enum pb_log_level level, const char *msg, void *arg)
{
	(void)level;
	pb_buf_printf(arg, "%s\n", msg);
}

/* Code is read on demand: a binary truncated after it was opened (a rebuild) is a warning, not a crash. */
static void test_truncated_while_read(void **state)
{
	struct fx *f = *state;
	struct pb_buf warnings = PB_BUF_INIT;
	struct pb_disasm *d = NULL;
	struct pb_norm n = { 0 };
	struct pb_elf *e;
	const struct pb_elf_sym *add1;
	char *copy;
	size_t len = 1;

	if (!f)
		skip();
	copy = pb_xasprintf("%s/rebuilt", f->dir);
	assert_int_equal(pb_test_sh("cp '%s' '%s'", f->exe, copy), 0);
	assert_int_equal(pb_elf_open(&e, copy), 0);
	add1 = func(e, "add1");
	assert_non_null(add1);
	assert_int_equal(truncate(copy, 200), 0);
	pb_log_set_sink(collect, &warnings);
	assert_null(pb_elf_func_code(e, add1, &len));
	assert_int_equal(len, 0);
	assert_true(pb_elf_text_hash(e) == 0);
	assert_int_equal(pb_disasm_new(&d, e), 0);
	pb_disasm_normalize(d, add1, &n); /* an empty function: nothing to compare */
	pb_log_set_sink(NULL, NULL);
	assert_non_null(strstr(warnings.data, "rebuilt: cannot read section '.text' (was the file rewritten?)"));
	pb_norm_release(&n);
	pb_disasm_free(d);
	pb_elf_free(e);
	pb_buf_release(&warnings);
	free(copy);
}

/* Code read through windows is the code read whole; a file truncated meanwhile is a warning. */
static void test_code_windows(void **state)
{
	struct fx *f = *state;
	struct pb_buf warnings = PB_BUF_INIT;
	struct pb_elf *a, *b;
	const unsigned char *wc, *fc;
	const struct pb_elf_section *text;
	char *copy;
	size_t i, wl, fl;
	uint64_t h;

	if (!f)
		skip();
	assert_int_equal(pb_elf_open(&a, f->exe), 0);
	assert_int_equal(pb_elf_open(&b, f->exe), 0);
	text = pb_elf_section_by_name(b, ".text");
	assert_non_null(text);
	/* Streamed, then read whole: one hash. */
	h = pb_elf_text_hash(a);
	assert_int_not_equal(h, 0);
	for (i = 0; i < a->n_funcs; i++) {
		wc = pb_elf_func_code_window(a, &a->funcs[i], &wl);
		fc = pb_elf_func_code(b, &b->funcs[i], &fl);
		assert_int_equal(wl, fl);
		assert_true((wc == NULL) == (fc == NULL));
		if (fc && fl)
			assert_memory_equal(wc, fc, fl);
	}
	assert_non_null(text->data);
	assert_null(pb_elf_section_by_name(a, ".text")->data); /* a read windows, not the section */
	assert_true(pb_elf_text_hash(b) == h);
	pb_elf_free(a);
	pb_elf_free(b);
	/* Hashed as the windows go by (in reverse order here), then the rest: the same hash. */
	assert_int_equal(pb_elf_open(&a, f->exe), 0);
	for (i = a->n_funcs; i-- > 0;)
		(void)pb_elf_func_code_window(a, &a->funcs[i], &wl);
	assert_true(pb_elf_text_hash(a) == h);
	pb_elf_free(a);
	copy = pb_xasprintf("%s/rebuilt-w", f->dir);
	assert_int_equal(pb_test_sh("cp '%s' '%s'", f->exe, copy), 0);
	assert_int_equal(pb_elf_open(&a, copy), 0);
	assert_int_equal(truncate(copy, 200), 0);
	pb_log_set_sink(collect, &warnings);
	assert_null(pb_elf_func_code_window(a, func(a, "add1"), &wl));
	assert_int_equal(wl, 0);
	assert_null(pb_elf_func_code_window(a, func(a, "twice"), &wl));
	assert_true(pb_elf_text_hash(a) == 0);
	pb_log_set_sink(NULL, NULL);
	assert_non_null(strstr(warnings.data, "rebuilt-w: cannot read section '.text' (was the file rewritten?)"));
	pb_elf_free(a);
	pb_buf_release(&warnings);
	free(copy);
}

/*
 * A .text of 6 MB with functions at its start (a), middle (m) and end (z): windows far past the
 * hash cursor, alone or two in a row, and whatever order the functions come in, give the hash
 * of .text streamed whole.
 */
static void test_code_windows_far(void **state)
{
	static const char big[] =
		"__asm__(\".text\\n.globl a\\n.type a,@function\\na: ret\\n.size a,1\\n"
		".fill 3000000,1,0xcc\\n"
		".globl m\\n.type m,@function\\nm: ret\\n.size m,1\\n"
		".fill 3000000,1,0x90\\n"
		".globl z\\n.type z,@function\\nz: ret\\n.size z,1\\n\");\n"
		"int main(void) { return 0; }\n";
	static const char *const orders[][4] = {
		{ "z", "a", "m", NULL }, /* one far jump, then back in order */
		{ "m", "z", NULL },      /* two far windows in a row */
		{ "a", "z", "m", NULL }, /* far, then back below it */
		{ "z", NULL },           /* far, then the rest streamed */
	};
	struct fx *f = *state;
	struct pb_elf *e;
	char *src, *exe;
	size_t i, k, len;
	uint64_t h;

	if (!f)
		skip();
	src = pb_xasprintf("%s/big.c", f->dir);
	exe = pb_xasprintf("%s/big", f->dir);
	pb_test_write(src, big, strlen(big));
	assert_int_equal(pb_test_sh("cc -O1 -o '%s' '%s'", exe, src), 0);
	assert_int_equal(pb_elf_open(&e, exe), 0);
	h = pb_elf_text_hash(e); /* streamed, no window read */
	assert_int_not_equal(h, 0);
	pb_elf_free(e);
	for (k = 0; k < PB_ARRAY_SIZE(orders); k++) {
		assert_int_equal(pb_elf_open(&e, exe), 0);
		for (i = 0; orders[k][i]; i++) {
			assert_non_null(func(e, orders[k][i]));
			assert_non_null(pb_elf_func_code_window(e, func(e, orders[k][i]), &len));
			assert_int_equal(len, 1);
		}
		assert_true(pb_elf_text_hash(e) == h);
		pb_elf_free(e);
	}
	free(src);
	free(exe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_executable),
		cmocka_unit_test(test_text_hash),
		cmocka_unit_test(test_shared_and_stripped),
		cmocka_unit_test(test_normalize_moved),
		cmocka_unit_test(test_compare_fast_agrees),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_truncated_while_read),
		cmocka_unit_test(test_code_windows),
		cmocka_unit_test(test_code_windows_far),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
