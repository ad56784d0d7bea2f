/* symbolize.h: the function at a file offset of an executable or shared library, each object read once. */
#ifndef PB_LAYOUT_SYMBOLIZE_H
#define PB_LAYOUT_SYMBOLIZE_H

#include <stdint.h>

/* A cache of opened objects (by path). Opaque. */
struct pb_symbolizer;

/* An empty cache; free with pb_symbolizer_free(). */
struct pb_symbolizer *pb_symbolizer_new(void);
/* Accepts NULL. */
void pb_symbolizer_free(struct pb_symbolizer *s);

/*
 * The function holding file offset `off` of the ELF object at `path` (a sampled instruction's
 * offset: see measure/sampler.h): the offset is mapped to an address through the object's PT_LOAD
 * segments (so PIE and shared libraries, wherever ASLR loaded them, resolve alike), then to the
 * function symbol containing it (.symtab, else .dynsym). Returns the symbol's name as the symbol
 * table spells it (C++ names stay mangled, as `layout --hot` takes them), owned by the cache and
 * valid until pb_symbolizer_free(); NULL when no function holds the offset (PLT stubs, code
 * without a symbol) or the object cannot be read (a note says why, once per object). The object
 * is opened on first use and kept.
 */
const char *pb_symbolize(struct pb_symbolizer *s, const char *path, uint64_t off);

#endif
