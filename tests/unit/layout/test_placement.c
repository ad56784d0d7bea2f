/* test_placement.c: L1i geometry parsing (flag and sysfs), per-function placement and footprints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "layout/elf.h"
#include "layout/layout.h"
#include "layout/placement.h"
#include "tests/lib/testlib.h"

static void test_l1i_parse(void **state)
{
	struct pb_l1i g;

	(void)state;
	assert_int_equal(pb_l1i_parse(&g, "32768,8,64", "--l1i"), 0);
	assert_int_equal(g.size, 32768);
	assert_int_equal(g.ways, 8);
	assert_int_equal(g.line, 64);
	assert_int_equal(g.sets, 64);
	assert_string_equal(g.source, "--l1i");
	assert_int_equal(pb_l1i_parse(&g, "48K,12,64", "--l1i"), 0);
	assert_int_equal(g.size, 49152);
	assert_int_equal(g.sets, 64);
	assert_int_equal(pb_l1i_parse(&g, "32KiB,8,32", "--l1i"), 0);
	assert_int_equal(g.sets, 128);

	assert_int_equal(pb_l1i_parse(&g, "32768,8", "--l1i"), -1);
	assert_string_equal(pb_error_message(), "--l1i: expected SIZE,WAYS,LINE in bytes (e.g. "
			    "32768,8,64 or 32K,8,64), got '32768,8'");
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	assert_int_equal(pb_l1i_parse(&g, "32768,8,64,1", "--l1i"), -1);
	assert_int_equal(pb_l1i_parse(&g, "x,8,64", "--l1i"), -1);
	assert_int_equal(pb_l1i_parse(&g, "32768,0,64", "--l1i"), -1);
	assert_int_equal(pb_l1i_parse(&g, "32768,8,48", "--l1i"), -1);
	assert_string_equal(pb_error_message(), "--l1i '32768,8,48': the line size must be a power "
			    "of two from 4 to 4096, got 48");
	assert_int_equal(pb_l1i_parse(&g, "30000,8,64", "--l1i"), -1);
	assert_string_equal(pb_error_message(), "--l1i '30000,8,64': SIZE / (WAYS * LINE) must be a "
			    "whole power of two (the number of sets)");
}

static void mkattr(const char *dir, const char *name, const char *value)
{
	char *path = pb_xasprintf("%s/%s", dir, name);

	pb_test_write(path, value, strlen(value));
	free(path);
}

static void test_l1i_host(void **state)
{
	char *root = pb_test_tmpdir(), *i0 = pb_xasprintf("%s/index0", root);
	char *i1 = pb_xasprintf("%s/index1", root);
	struct pb_l1i g;

	(void)state;
	/* Nothing there: the default. */
	pb_l1i_host(&g, root);
	assert_string_equal(g.source, "default");
	assert_int_equal(g.size, 32768);
	assert_int_equal(g.ways, 8);
	assert_int_equal(g.line, 64);
	/* A data cache first, then the instruction cache. */
	assert_int_equal(pb_test_sh("mkdir -p '%s' '%s'", i0, i1), 0);
	mkattr(i0, "level", "1\n");
	mkattr(i0, "type", "Data\n");
	mkattr(i0, "size", "48K\n");
	mkattr(i0, "ways_of_associativity", "12\n");
	mkattr(i0, "coherency_line_size", "64\n");
	mkattr(i1, "level", "1\n");
	mkattr(i1, "type", "Instruction\n");
	mkattr(i1, "size", "64K\n");
	mkattr(i1, "ways_of_associativity", "4\n");
	mkattr(i1, "coherency_line_size", "64\n");
	pb_l1i_host(&g, root);
	assert_string_equal(g.source, "host");
	assert_int_equal(g.size, 65536);
	assert_int_equal(g.ways, 4);
	assert_int_equal(g.sets, 256);
	/* An unusable geometry keeps the default, without an error left behind. */
	mkattr(i1, "size", "40K\n");
	pb_l1i_host(&g, root);
	assert_string_equal(g.source, "default");
	assert_int_equal(g.sets, 64);
	assert_string_equal(pb_error_message(), "");
	pb_test_rmtree(root);
	free(root);
	free(i0);
	free(i1);
}

static void test_place(void **state)
{
	struct pb_l1i g;
	struct pb_place p;

	(void)state;
	assert_int_equal(pb_l1i_parse(&g, "32768,8,64", "test"), 0);
	pb_place_compute(&p, 0x401000, 64, &g);
	assert_int_equal(p.align, 4096);
	assert_int_equal(p.line_offset, 0);
	assert_int_equal(p.cache_lines, 1);
	assert_int_equal(p.pages, 1);
	assert_int_equal(p.pages_2m, 1);
	assert_int_equal(p.set_first, 0);
	assert_int_equal(p.set_last, 0);
	pb_place_compute(&p, 0x401000, 65, &g);
	assert_int_equal(p.cache_lines, 2);
	assert_int_equal(p.set_last, 1);
	/* 8 bytes at 60 in a line: two lines. */
	pb_place_compute(&p, 0x40103c, 8, &g);
	assert_int_equal(p.align, 4);
	assert_int_equal(p.line_offset, 60);
	assert_int_equal(p.cache_lines, 2);
	assert_int_equal(p.pages, 1);
	assert_int_equal(p.set_first, 0);
	assert_int_equal(p.set_last, 1);
	/* Across a 4 KiB page and the wrap of the set index. */
	pb_place_compute(&p, 0x401ffc, 8, &g);
	assert_int_equal(p.pages, 2);
	assert_int_equal(p.cache_lines, 2);
	assert_int_equal(p.set_first, 63);
	assert_int_equal(p.set_last, 0);
	/* Across a 2 MiB page. */
	pb_place_compute(&p, 0x5ffff0, 32, &g);
	assert_int_equal(p.pages_2m, 2);
	assert_int_equal(p.align, 16);
	/* Alignment is capped at 4096; address 0 counts as 4096-aligned. */
	pb_place_compute(&p, 0x200000, 1, &g);
	assert_int_equal(p.align, 4096);
	pb_place_compute(&p, 0, 1, &g);
	assert_int_equal(p.align, 4096);
	pb_place_compute(&p, 0x401001, 1, &g);
	assert_int_equal(p.align, 1);
	/* An empty function spans nothing. */
	pb_place_compute(&p, 0x401040, 0, &g);
	assert_int_equal(p.cache_lines, 0);
	assert_int_equal(p.pages, 0);
	assert_int_equal(p.set_first, 1);
}

static void test_footprint(void **state)
{
	struct pb_elf_sym s[12], t[3];
	const struct pb_elf_sym *ps[12], *pt[3];
	struct pb_footprint fp;
	struct pb_l1i g;
	size_t i;

	(void)state;
	assert_int_equal(pb_l1i_parse(&g, "32768,8,64", "test"), 0);
	memset(s, 0, sizeof(s));
	/* Twelve 10-byte functions 4 KiB apart: all on set 0. */
	for (i = 0; i < 12; i++) {
		s[i].addr = 0x401000 + i * 4096;
		s[i].size = 10;
		ps[i] = &s[i];
	}
	pb_footprint_compute(&fp, ps, 12, &g);
	assert_int_equal(fp.functions, 12);
	assert_int_equal(fp.bytes, 120);
	assert_int_equal(fp.cache_lines, 12);
	assert_int_equal(fp.pages, 12);
	assert_int_equal(fp.pages_2m, 1);
	assert_int_equal(fp.l1i_max_ways, 12);
	assert_int_equal(fp.sets_over_ways, 1);
	assert_int_equal(fp.set_lines[0], 12);
	assert_int_equal(fp.set_lines[1], 0);
	pb_footprint_release(&fp);
	/* 64 bytes apart: twelve sets, one line each. */
	for (i = 0; i < 12; i++)
		s[i].addr = 0x401000 + i * 64;
	pb_footprint_compute(&fp, ps, 12, &g);
	assert_int_equal(fp.cache_lines, 12);
	assert_int_equal(fp.pages, 1);
	assert_int_equal(fp.l1i_max_ways, 1);
	assert_int_equal(fp.sets_over_ways, 0);
	pb_footprint_release(&fp);
	/* Unsorted, sharing a line, one spanning three lines: lines counted once. */
	memset(t, 0, sizeof(t));
	t[0].addr = 0x401080, t[0].size = 130; /* lines 2, 3, 4 */
	t[1].addr = 0x401000, t[1].size = 16;  /* line 0 */
	t[2].addr = 0x401010, t[2].size = 16;  /* line 0 again */
	for (i = 0; i < 3; i++)
		pt[i] = &t[i];
	pb_footprint_compute(&fp, pt, 3, &g);
	assert_int_equal(fp.bytes, 162);
	assert_int_equal(fp.cache_lines, 4);
	assert_int_equal(fp.l1i_max_ways, 1);
	assert_int_equal(fp.set_lines[0], 1);
	assert_int_equal(fp.set_lines[1], 0);
	assert_int_equal(fp.set_lines[4], 1);
	pb_footprint_release(&fp);
	pb_footprint_compute(&fp, NULL, 0, &g);
	assert_int_equal(fp.cache_lines, 0);
	assert_int_equal(fp.l1i_max_ways, 0);
	pb_footprint_release(&fp);
}

static void test_base_name(void **state)
{
	bool cold;

	(void)state;
	assert_int_equal(pb_elf_base_name("foo", &cold), 3);
	assert_false(cold);
	assert_int_equal(pb_elf_base_name("foo.constprop.0", &cold), 3);
	assert_false(cold);
	assert_int_equal(pb_elf_base_name("foo.isra.0.cold", &cold), 3);
	assert_true(cold);
	assert_int_equal(pb_elf_base_name("foo.cold.12", &cold), 3);
	assert_true(cold);
	assert_int_equal(pb_elf_base_name("foo.part.3.constprop.1", &cold), 3);
	assert_false(cold);
	assert_int_equal(pb_elf_base_name("foo.llvm.1234567", &cold), 3);
	assert_int_equal(pb_elf_base_name("foo.lto_priv.0", &cold), 3);
	/* Not clone suffixes: kept. */
	assert_int_equal(pb_elf_base_name("foo.bar", &cold), 7);
	assert_int_equal(pb_elf_base_name("foo.123", &cold), 7);
	assert_int_equal(pb_elf_base_name("foo.isra", &cold), 8);
	assert_int_equal(pb_elf_base_name(".cold", &cold), 5);
	assert_false(cold);
}

static char *write_tmp(const char *dir, const char *name, const char *text)
{
	char *path = pb_xasprintf("%s/%s", dir, name);

	pb_test_write(path, text, strlen(text));
	return path;
}

static void test_profile_names(void **state)
{
	char *dir = pb_test_tmpdir(), *path;
	char **names;
	size_t n;

	(void)state;
	path = write_tmp(dir, "p.json", "{\"schema\": \"placebisect.profile/1\", \"functions\": ["
			 "{\"name\": \"a\", \"samples\": 10}, {\"name\": \"b\", \"samples\": 60},"
			 "{\"name\": \"c\", \"samples\": 25}, {\"name\": \"d\", \"samples\": 5}]}");
	assert_int_equal(pb_layout_profile_names(&names, &n, path), 0);
	/* 60 + 25 = 85% < 90%, + 10 = 95%. */
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "b");
	assert_string_equal(names[1], "c");
	assert_string_equal(names[2], "a");
	pb_layout_names_free(names, n);
	free(path);
	/* A cachegrind measurement with per-function Ir. */
	path = write_tmp(dir, "m.json", "{\"schema\": \"placebisect.measurement/1\", \"functions\": ["
			 "{\"name\": \"x\", \"Ir\": 1000, \"I1mr\": 5}, {\"name\": \"y\", \"Ir\": 10}]}");
	assert_int_equal(pb_layout_profile_names(&names, &n, path), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "x");
	pb_layout_names_free(names, n);
	free(path);
	path = write_tmp(dir, "m2.json", "{\"schema\": \"placebisect.measurement/1\", \"runs\": []}");
	assert_int_equal(pb_layout_profile_names(&names, &n, path), -1);
	assert_non_null(strstr(pb_error_message(), "m2.json: this measurement has no per-function "
			       "data (functions[])"));
	free(path);
	path = write_tmp(dir, "z.json", "{\"schema\": \"placebisect.profile/1\", \"functions\": ["
			 "{\"name\": \"a\", \"samples\": 0}]}");
	assert_int_equal(pb_layout_profile_names(&names, &n, path), -1);
	assert_non_null(strstr(pb_error_message(), "z.json: functions: no samples"));
	free(path);
	path = write_tmp(dir, "n.json", "{\"schema\": \"placebisect.profile/1\", \"functions\": ["
			 "{\"samples\": 3}]}");
	assert_int_equal(pb_layout_profile_names(&names, &n, path), -1);
	assert_non_null(strstr(pb_error_message(), "n.json: functions[0].name: expected a string"));
	free(path);
	path = write_tmp(dir, "s.json", "{\"functions\": []}");
	assert_int_equal(pb_layout_profile_names(&names, &n, path), -1);
	assert_non_null(strstr(pb_error_message(), "s.json: schema: missing"));
	free(path);
	pb_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l1i_parse),
		cmocka_unit_test(test_l1i_host),
		cmocka_unit_test(test_place),
		cmocka_unit_test(test_footprint),
		cmocka_unit_test(test_base_name),
		cmocka_unit_test(test_profile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
