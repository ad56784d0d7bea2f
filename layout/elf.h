/* elf.h: what a linked ELF file holds for layout analysis: sections, function and data symbols, build-id, code. */
#ifndef PB_LAYOUT_ELF_H
#define PB_LAYOUT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_ELF_NO_SECTION UINT32_MAX

struct pb_elf_section {
	const char *name;     /* points into the pb_elf's string storage */
	uint64_t addr, size;  /* sh_addr, sh_size */
	uint64_t align;       /* sh_addralign (0 and 1 both mean none) */
	uint64_t flags;       /* SHF_* */
	uint32_t type;        /* SHT_* */
	bool alloc, exec;     /* SHF_ALLOC, SHF_EXECINSTR */
	bool has_code;        /* executable PROGBITS with contents */
	/* private: contents, read on first use (pb_elf_func_code, pb_elf_text_hash) */
	const unsigned char *data;
	bool load_failed;
	uint64_t offset;       /* sh_offset */
	uint64_t window_bytes; /* read through code windows so far (pb_elf_func_code_window) */
	uint64_t hashed;       /* .text: bytes hashed so far as windows went by (a multiple of 8) */
	uint64_t hash_state;   /* .text: the hash of those bytes */
	bool hash_skipped;     /* .text: the last window read was far past `hashed` and not hashed */
};

struct pb_elf_window;

struct pb_elf_sym {
	const char *name;  /* points into the pb_elf's string storage */
	uint64_t addr;     /* st_value */
	uint64_t size;     /* st_size */
	uint32_t section;  /* index into sections[], or PB_ELF_NO_SECTION */
	bool func;         /* STT_FUNC (else STT_OBJECT) */
	bool local;        /* STB_LOCAL */
};

/* A loadable segment (PT_LOAD): how file offsets map to addresses. */
struct pb_elf_segment {
	uint64_t offset, vaddr, filesz; /* p_offset, p_vaddr, p_filesz */
	bool exec;                      /* PF_X */
};

struct pb_elf {
	char *path;
	uint16_t machine;   /* EM_* */
	uint16_t type;      /* ET_EXEC or ET_DYN */
	bool is64, big_endian;
	bool from_dynsym;   /* no .symtab: the binary is stripped, only exported functions are known */
	char *build_id;     /* lowercase hex of NT_GNU_BUILD_ID, or NULL when the binary has none */
	const char *linker; /* "lld", "gold" or "mold" by the mark each leaves (.comment "Linker: LLD",
			       .note.gnu.gold-version, .comment "mold"); "ld" (GNU ld) without one */
	const char *comment; /* .comment's contents (NUL-separated strings, e.g. "GCC: (Debian
				12.2.0-14) 12.2.0"), owned by e; NULL when it has none */
	size_t comment_len;

	struct pb_elf_section *sections; /* indexed by ELF section number */
	size_t n_sections;
	struct pb_elf_sym *funcs; /* STT_FUNC (and IFUNC) with a section, by address; aliases once */
	size_t n_funcs;
	struct pb_elf_sym *syms;  /* STT_FUNC and STT_OBJECT with a section, sorted by address */
	size_t n_syms;
	struct pb_elf_segment *segments; /* PT_LOAD, in program header order; none when unreadable */
	size_t n_segments;

	/* private: the libelf handle that owns the string tables and code read from the file */
	void *handle;
	int fd;
	uint32_t *buckets;  /* syms index by address bucket, for pb_elf_sym_at() */
	size_t n_buckets;
	unsigned bucket_shift;
	uint64_t *keys;     /* pb_elf_sym_key() of each of syms[], computed on first use */
	struct pb_elf_window *windows; /* PB_ELF_CODE_WINDOWS, allocated on first use */
	uint32_t text_idx;  /* the first section called .text (0: none) */
	uint64_t window_tick;
};

/* Code windows: pieces of code sections read for pb_elf_func_code_window(). */
#define PB_ELF_CODE_WINDOWS 8
#define PB_ELF_CODE_WINDOW_SIZE (64u << 10)

/*
 * Read `path` (an ELF executable, PIE or shared object; 32 or 64 bit, either byte order). The file
 * is read, not mapped, so a binary rewritten meanwhile cannot crash us; the descriptor stays open
 * until pb_elf_free() so that code sections are read only when asked for. A malformed file, an
 * `ar` archive, a relocatable object or a non-ELF file is an error (class PB_EXIT_USAGE) naming
 * the file and what is wrong ("a.out: section [5] '.symtab': sh_entsize 0, expected 24"). Without
 * .symtab the .dynsym functions are used and a warning says the binary is stripped. On success
 * *out is owned by the caller (pb_elf_free). Returns 0 or -1.
 */
int pb_elf_open(struct pb_elf **out, const char *path);

/*
 * As pb_elf_open(), without the warning for a stripped binary: for callers that read many system
 * libraries (stripped as distributions ship them) and say so in their own way.
 */
int pb_elf_open_quiet(struct pb_elf **out, const char *path);

/*
 * The address at which file offset `off` is loaded: inside a PT_LOAD segment's file contents,
 * off - p_offset + p_vaddr. Returns 0, or -1 (nothing recorded) when no segment holds `off`.
 */
int pb_elf_offset_addr(const struct pb_elf *e, uint64_t off, uint64_t *addr);

/* Free everything pb_elf_open() returned. Accepts NULL. */
void pb_elf_free(struct pb_elf *e);
/* Private to the module (pb_elf_free): free e's code windows (elf_code.c). */
void pb_elf_code_release(struct pb_elf *e);

/* The section called `name`, or NULL. */
const struct pb_elf_section *pb_elf_section_by_name(const struct pb_elf *e, const char *name);

/* The allocated section containing `addr`, or NULL. */
const struct pb_elf_section *pb_elf_section_at(const struct pb_elf *e, uint64_t addr);

/*
 * The symbol (function or data) containing `addr`, else the closest one below it in the same
 * section, else NULL. Binary search over e->syms.
 */
const struct pb_elf_sym *pb_elf_sym_at(const struct pb_elf *e, uint64_t addr);

/*
 * The bytes of function `f`, reading its section on first use; NULL (and *len 0) when the section
 * has no contents or cannot be read (then a warning says so). *len gets the function's size.
 */
const unsigned char *pb_elf_func_code(const struct pb_elf *e, const struct pb_elf_sym *f, size_t *len);

/*
 * The bytes of function `f`, as pb_elf_func_code() gives them, without reading its whole section:
 * they come from one of PB_ELF_CODE_WINDOWS windows of the file (at least PB_ELF_CODE_WINDOW_SIZE
 * bytes each, least recently used replaced), so comparing every function of two 100 MB builds
 * holds well under a MB of their code, not both .text sections. The pointer stays valid for the
 * next PB_ELF_CODE_WINDOWS - 1 calls on e (so two functions of one binary can be compared). When
 * the functions are asked for out of address order (the windows read twice what the section
 * holds) or the section was read already, the whole section serves. NULL (and *len 0) as for
 * pb_elf_func_code(), with the same warning when the file cannot be read.
 */
const unsigned char *pb_elf_func_code_window(const struct pb_elf *e, const struct pb_elf_sym *f,
					     size_t *len);

/*
 * A 64-bit hash of the contents of .text (read on first use): equal code, equal hash; 0 when there
 * is no .text or it cannot be read (then a warning says so).
 */
uint64_t pb_elf_text_hash(const struct pb_elf *e);

/*
 * The bytes of section `idx` as the file holds them (not converted to the host's byte order), read
 * on first use and owned by e; NULL (and *len 0) for section 0, SHT_NOBITS, or when they cannot be
 * read. For small tables the symbolizer decodes itself (.rela.plt, .gnu_debuglink).
 */
const unsigned char *pb_elf_section_raw(const struct pb_elf *e, size_t idx, size_t *len);

/* The name of an EM_* machine ("x86-64", "i386", "aarch64", ...; "another machine" otherwise). */
const char *pb_elf_machine_name(uint16_t machine);

/*
 * A hash of `s`'s name without clone suffixes and of whether it is a ".cold" part: equal for the
 * "same" function in two builds (foo.constprop.0 and foo.constprop.3). Cached for e->syms entries.
 */
uint64_t pb_elf_sym_key(const struct pb_elf *e, const struct pb_elf_sym *s);

/* The section name of symbol `s` ("" when none). */
const char *pb_elf_sym_section(const struct pb_elf *e, const struct pb_elf_sym *s);

/*
 * The length of `name` without compiler clone suffixes (".constprop.N", ".isra.N", ".part.N",
 * ".lto_priv.N", ".llvm.N", ".cold" and ".cold.N", in any combination). *cold is set when a
 * ".cold" part was among them. "foo.isra.0.cold" -> 3, cold.
 */
size_t pb_elf_base_name(const char *name, bool *cold);

#endif
