/* toolchain.h: what built a binary: the compilers in its .comment and the DWARF producers (flags). */
#ifndef PB_LAYOUT_TOOLCHAIN_H
#define PB_LAYOUT_TOOLCHAIN_H

struct pb_toolchain {
	/* The .comment section's distinct strings joined by "; " ("GCC: (Debian 12.2.0-14) 12.2.0");
	 * NULL when there is none. */
	char *compiler;
	/* The distinct DW_AT_producer strings of its compilation units, assembler ones left out,
	 * joined by "; " (GCC records the flags there with -g: "GNU C17 12.2.0 -mtune=generic
	 * -march=x86-64 -g -O2"); NULL without DWARF. At most PB_TOOLCHAIN_MAX_PRODUCERS, then
	 * "(and N more)". */
	char *producer;
};

#define PB_TOOLCHAIN_MAX_PRODUCERS 3

/*
 * Read the toolchain facts of the ELF file at `path` into *out (zeroed first). Returns 0 (either
 * field may be NULL: the file says nothing), or -1 when the file cannot be opened or is not ELF
 * (error recorded). Release with pb_toolchain_release() in either case.
 */
int pb_toolchain_read(const char *path, struct pb_toolchain *out);
void pb_toolchain_release(struct pb_toolchain *t);

#endif
