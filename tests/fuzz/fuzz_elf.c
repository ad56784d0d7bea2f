/* fuzz_elf.c: libFuzzer harness: any bytes through the ELF reader, placement, both decoders and the PLT reader. */
/*
 * Build (not part of the default build; see CMakeLists.txt here), from the source tree:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_elf.c layout/elf.c layout/placement.c layout/x86len.c layout/disasm.c layout/plt.c \
 *     core/buf.c core/error.c core/log.c core/util.c -lelf -lcapstone -o fuzz_elf
 *   ./fuzz_elf -max_len=65536 tests/fuzz/corpus/elf
 * Every input must end in a clean return: 0 from pb_elf_open, or -1 with a message naming the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"
#include "layout/disasm.h"
#include "layout/elf.h"
#include "layout/placement.h"
#include "layout/plt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Look at everything an analysis would: lookups, code, both decoders, branch checks. */
static void exercise(struct pb_elf *e)
{
	struct pb_disasm *d = NULL;
	struct pb_norm a = { 0 }, b = { 0 };
	struct pb_branches br = { 0 };
	const struct pb_elf_sym **f = NULL;
	struct pb_footprint fp;
	struct pb_place p;
	struct pb_l1i g;
	struct pb_plt plt;
	size_t i, len, n = e->n_funcs < 64 ? e->n_funcs : 64;

	pb_l1i_parse(&g, PB_L1I_DEFAULT_SPEC, "fuzz");
	f = calloc(n + 1, sizeof(*f));
	for (i = 0; i < n; i++) {
		f[i] = &e->funcs[i];
		pb_place_compute(&p, f[i]->addr, f[i]->size, &g);
		(void)pb_elf_sym_at(e, f[i]->addr + f[i]->size / 2);
		(void)pb_elf_func_code(e, f[i], &len);
		(void)pb_elf_sym_key(e, f[i]);
	}
	pb_footprint_compute(&fp, f, n, &g);
	pb_footprint_release(&fp);
	if (pb_disasm_new(&d, e) == 0 && d) {
		for (i = 0; i < n; i++) {
			pb_disasm_normalize(d, f[i], &a);
			pb_disasm_normalize_fast(d, f[i], &b);
			pb_disasm_branches(d, f[i], 64, &br);
			(void)pb_disasm_same_code_fast(d, f[i], d, f[i]);
		}
	}
	/* PLT stubs: relocations, .dynsym and the stubs' bytes as the file gives them. */
	pb_plt_read(&plt, e);
	for (i = 0; i < plt.n; i++)
		if (pb_plt_at(&plt, plt.v[i].addr) == NULL)
			abort();
	pb_plt_release(&plt);
	pb_branches_release(&br);
	pb_norm_release(&a);
	pb_norm_release(&b);
	pb_disasm_free(d);
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct pb_elf *e = NULL;
	int fd = memfd_create("fuzz_elf", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (pb_elf_open(&e, path) == 0)
			exercise(e);
		else if (!*pb_error_message())
			abort(); /* a failure must say what is wrong */
		pb_elf_free(e);
		pb_error_clear();
	}
	close(fd);
	return 0;
}
