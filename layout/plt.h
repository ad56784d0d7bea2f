/* plt.h: the PLT stubs of an x86-64 ELF object, named "function@plt" as perf and objdump name them. */
#ifndef PB_LAYOUT_PLT_H
#define PB_LAYOUT_PLT_H

#include <stddef.h>
#include <stdint.h>

#include "layout/elf.h"

struct pb_plt_stub {
	uint64_t addr, size; /* the stub's first byte and its length (to the next stub or section end) */
	char *name;          /* "memcpy@plt" */
};

struct pb_plt {
	struct pb_plt_stub *v; /* by address */
	size_t n;
};

/*
 * The stubs of e's .plt, .plt.sec and .plt.got (and .plt.bnd): each stub's `jmp *disp(%rip)`
 * (after an endbr64 and a bnd prefix, when there are) is decoded and the GOT slot it jumps through
 * is matched to the dynamic relocation that fills that slot (R_X86_64_JUMP_SLOT in .rela.plt,
 * R_X86_64_GLOB_DAT in .rela.dyn), whose symbol names the stub: the way binutils' synthetic
 * symbols and perf find them, and so right for lazy .plt (16-byte entries after PLT0), IBT's
 * .plt.sec and -z now layouts alike. Objects that are not little-endian 64-bit x86-64, or have no
 * PLT, give no stubs. Never fails; release with pb_plt_release().
 */
void pb_plt_read(struct pb_plt *out, const struct pb_elf *e);

/* The stub holding `addr`, or NULL. */
const struct pb_plt_stub *pb_plt_at(const struct pb_plt *p, uint64_t addr);

/* Free what *p holds; *p is left empty. */
void pb_plt_release(struct pb_plt *p);

#endif
