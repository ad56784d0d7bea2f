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
 * function symbol containing it (.symtab; for a stripped object, the .symtab of its debug file
 * (layout/debugfile.h) and then .dynsym), else to a PLT stub ("memcpy@plt", layout/plt.h). Returns the symbol's name as the symbol
 * table spells it (C++ names stay mangled, as `layout --hot` takes them), owned by the cache and
 * valid until pb_symbolizer_free(); NULL when no function or stub holds the offset (code
 * without a symbol) or the object cannot be read (a note says why, once per object). The object
 * is opened on first use and kept.
 */
const char *pb_symbolize(struct pb_symbolizer *s, const char *path, uint64_t off);

/*
 * The name a JIT compiler gave the code at `addr` of process `pid`, from the map it wrote for perf,
 * $PB_PERF_MAP_DIR/perf-PID.map (default /tmp, where node --perf-basic-prof, Python 3.12 -X perf,
 * the JVM's perf-map-agent and LuaJIT write it): NULL when no entry holds addr or there is no map.
 * *map gets the map's path (for the frame's object) when a name is returned. Each map is read once
 * (at most PB_PERFMAP_MAX_BYTES; malformed lines are skipped and a note says how many). Names and
 * paths are owned by the cache.
 */
const char *pb_symbolize_jit(struct pb_symbolizer *s, uint32_t pid, uint64_t addr, const char **map);

#endif
