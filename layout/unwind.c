/* unwind.c: DWARF unwinding of sampled user stacks through libdw's dwfl_frame (the other file with libdw). */
/*
 * Why libdw and not libunwind: libdw (elfutils) is already a dependency of layout/ (dwarf.c reads
 * line tables with it), so this adds no library; its CFI reader is the one elfutils maintains
 * with the toolchain (eu-stack, systemtap and perf's libdw unwinder use it); it reads both
 * .eh_frame and .debug_frame (libunwind's .debug_frame support is a build option, often off),
 * and falls back to frame pointers where no CFI covers a pc. Its
 * dwfl_frame family takes the register state and memory from callbacks, which is exactly a
 * perf sample: registers from PERF_SAMPLE_REGS_USER, memory from the PERF_SAMPLE_STACK_USER copy.
 *
 * Speed: one Dwfl per address space, kept for the whole profile, so each object's ELF headers
 * and CFI are read once and libdw's FDE cache serves every later sample (perf's libdw unwinder
 * builds a new Dwfl for every sample).
 */
#include "layout/unwind.h"

#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

/*
 * Live libdw sessions at most: each holds a descriptor per object, and a shell script or a build
 * starts thousands of processes. The least recently used one is ended (and made again if its
 * process is sampled later: samples come in time order, so that is rare).
 */
#define MAX_LIVE 16

/* An ELF file, opened once for all address spaces: its program headers place its mappings. */
struct file {
	char *path;
	int fd;            /* -1: could not be opened */
	bool dyn;          /* ET_DYN (PIE, shared library): placed by a bias */
	GElf_Phdr *loads;  /* its PT_LOAD headers */
	size_t n_loads;
};

/* An object reported to one space's Dwfl, at one bias. */
struct reported {
	const struct file *file;
	uint64_t bias;
};

struct space {
	uint32_t id;
	Dwfl *dwfl;
	size_t n_maps_seen; /* maps[0..n) were looked at */
	struct reported *rep;
	size_t n_rep, cap_rep;
	bool attached;      /* dwfl_attach_state done */
	bool broken;        /* libdw refused the space: samples give their leaf only */
	uint64_t used;      /* when it last unwound (the unwinder's tick) */
};

struct pb_unwinder {
	struct space *spaces;
	size_t n_spaces, cap_spaces, last, live;
	uint64_t tick;
	struct file *files;
	size_t n_files, cap_files;
	/* the sample being unwound, for the callbacks */
	const struct pb_unwind_map *maps;
	size_t n_maps;
	const uint64_t *regs;
	const unsigned char *stack;
	size_t stack_size;
	uint64_t *pcs;
	size_t max, n;
};

/*
 * No separate debug files: x86-64 objects carry .eh_frame, and where it does not cover a pc libdw
 * tries .debug_frame, which a separate debug file (/usr/lib/debug) only gives after every one of
 * its compressed .debug_* sections is inflated (0.25 s of CPU for libc6-dbg's libc, once per
 * profile, more than unwinding a thousand samples). The object's own .debug_frame still counts.
 */
static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name)
{
	(void)mod;
	(void)userdata;
	(void)modname;
	(void)base;
	(void)file_name;
	(void)debuglink_file;
	(void)debuglink_crc;
	*debuginfo_file_name = NULL;
	return -1;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = NULL,
	.find_debuginfo = no_debuginfo,
	.section_address = NULL,
	.debuginfo_path = NULL,
};

int pb_unwinder_new(struct pb_unwinder **out)
{
	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return pb_error("cannot initialise libelf for unwinding: %s", elf_errmsg(-1));
	*out = pb_xcalloc(1, sizeof(**out));
	return 0;
}

void pb_unwinder_free(struct pb_unwinder *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->n_spaces; i++) {
		if (u->spaces[i].dwfl)
			dwfl_end(u->spaces[i].dwfl);
		free(u->spaces[i].rep);
	}
	for (i = 0; i < u->n_files; i++) {
		if (u->files[i].fd >= 0)
			close(u->files[i].fd);
		free(u->files[i].path);
		free(u->files[i].loads);
	}
	free(u->spaces);
	free(u->files);
	free(u);
}

/* The file at `path`, opened and its PT_LOADs read on first use; fd -1 when that failed. */
static struct file *file_of(struct pb_unwinder *u, const char *path)
{
	struct file *f;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	Elf *elf;
	size_t i, nph;

	for (i = u->n_files; i-- > 0;)
		if (strcmp(u->files[i].path, path) == 0)
			return &u->files[i];
	pb_xgrow((void **)&u->files, &u->cap_files, u->n_files + 1, sizeof(*u->files));
	f = &u->files[u->n_files++];
	memset(f, 0, sizeof(*f));
	f->path = pb_xstrdup(path);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return f;
	elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &nph)) {
		elf_end(elf);
		close(f->fd);
		f->fd = -1;
		return f;
	}
	f->dyn = eh.e_type == ET_DYN;
	f->loads = pb_xcalloc(nph + 1, sizeof(*f->loads));
	for (i = 0; i < nph; i++)
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			f->loads[f->n_loads++] = ph;
	elf_end(elf);
	return f;
}

/* Where the file's address 0 lies in a process that mapped file offset `pgoff` at `start`. */
static uint64_t bias_of(const struct file *f, uint64_t start, uint64_t pgoff)
{
	size_t i;

	if (!f->dyn)
		return 0;
	for (i = 0; i < f->n_loads; i++)
		if (pgoff >= f->loads[i].p_offset && pgoff - f->loads[i].p_offset < f->loads[i].p_filesz)
			return start - (f->loads[i].p_vaddr + (pgoff - f->loads[i].p_offset));
	return start - pgoff;
}

/* ---- the callbacks: one thread, whose registers and memory are the sample's ---- */

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	if (*thread_argp)
		return 0;
	*thread_argp = arg;
	return 1;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)tid;
	*thread_argp = arg;
	return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct pb_unwinder *u = arg;
	uint64_t sp = u->regs[7];
	const struct pb_unwind_map *m;
	struct file *f;
	size_t i;

	(void)dwfl;
	/* The stack copy: the common case. */
	if (addr >= sp && addr - sp <= u->stack_size && u->stack_size - (addr - sp) >= 8) {
		memcpy(result, u->stack + (addr - sp), 8);
		return true;
	}
	/* Read-only code and data of a mapped file (the newest mapping holding it). */
	for (i = u->n_maps; i-- > 0;) {
		m = &u->maps[i];
		if (addr < m->start || addr >= m->end || m->end - addr < 8 || !m->path)
			continue;
		f = file_of(u, m->path);
		if (f->fd >= 0 && pread(f->fd, result, 8, (off_t)(m->pgoff + (addr - m->start))) == 8)
			return true;
		break;
	}
	return false;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct pb_unwinder *u = arg;
	Dwarf_Word regs[PB_UNWIND_NREGS];

	memcpy(regs, u->regs, sizeof(regs));
	return dwfl_thread_state_registers(thread, 0, PB_UNWIND_NREGS, regs);
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
	.detach = NULL,
	.thread_detach = NULL,
};

/* ---- spaces ---- */

/* End the least recently used live session (its space starts afresh when used again). */
static void retire_one(struct pb_unwinder *u)
{
	struct space *old = NULL;
	size_t i;

	for (i = 0; i < u->n_spaces; i++)
		if (u->spaces[i].dwfl && (!old || u->spaces[i].used < old->used))
			old = &u->spaces[i];
	if (!old)
		return;
	dwfl_end(old->dwfl);
	old->dwfl = NULL;
	old->n_maps_seen = 0;
	old->n_rep = 0;
	old->attached = false;
	u->live--;
}

static struct space *space_of(struct pb_unwinder *u, uint32_t id)
{
	struct space *sp = NULL;
	size_t i;

	if (u->last < u->n_spaces && u->spaces[u->last].id == id) {
		sp = &u->spaces[u->last];
	} else {
		for (i = 0; i < u->n_spaces && !sp; i++)
			if (u->spaces[i].id == id)
				sp = &u->spaces[u->last = i];
	}
	if (!sp) {
		pb_xgrow((void **)&u->spaces, &u->cap_spaces, u->n_spaces + 1, sizeof(*u->spaces));
		sp = &u->spaces[u->n_spaces];
		memset(sp, 0, sizeof(*sp));
		sp->id = id;
		u->last = u->n_spaces++;
	}
	if (!sp->dwfl && !sp->broken) {
		if (u->live >= MAX_LIVE)
			retire_one(u);
		sp->dwfl = dwfl_begin(&offline_callbacks);
		sp->broken = !sp->dwfl;
		u->live += sp->dwfl != NULL;
	}
	sp->used = ++u->tick;
	return sp;
}

/* Report the objects of maps the space has not seen yet (each file at each bias once). */
static void report_new(struct pb_unwinder *u, struct space *sp, const struct pb_unwind_map *maps,
		       size_t n_maps)
{
	const struct file *f;
	uint64_t bias;
	size_t i, k;
	bool begun = false;

	for (i = sp->n_maps_seen; i < n_maps; i++) {
		if (!maps[i].path)
			continue;
		f = file_of(u, maps[i].path);
		if (f->fd < 0)
			continue;
		bias = bias_of(f, maps[i].start, maps[i].pgoff);
		for (k = 0; k < sp->n_rep; k++)
			if (sp->rep[k].file == f && sp->rep[k].bias == bias)
				break;
		if (k < sp->n_rep)
			continue;
		if (!begun) {
			dwfl_report_begin_add(sp->dwfl);
			begun = true;
		}
		/* add_p_vaddr: `bias` is where the file's address 0 goes. libdw opens its own fd. */
		if (!dwfl_report_elf(sp->dwfl, maps[i].path, maps[i].path, -1, bias, true))
			continue; /* overlapping a module it has, or unreadable: its frames stay unknown */
		pb_xgrow((void **)&sp->rep, &sp->cap_rep, sp->n_rep + 1, sizeof(*sp->rep));
		sp->rep[sp->n_rep++] = (struct reported){ f, bias };
	}
	if (begun)
		dwfl_report_end(sp->dwfl, NULL, NULL);
	if (n_maps > sp->n_maps_seen)
		sp->n_maps_seen = n_maps;
	/* The architecture comes from a module: attach once there is one. */
	if (!sp->attached && sp->n_rep) {
		sp->attached = dwfl_attach_state(sp->dwfl, NULL, (pid_t)(sp->id + 1), &thread_callbacks, u);
		sp->broken = !sp->attached;
	}
}

static int on_frame(Dwfl_Frame *frame, void *arg)
{
	struct pb_unwinder *u = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(frame, &pc, &activation) || pc == 0)
		return DWARF_CB_ABORT;
	/* The leaf was sampled by the kernel: pcs[0] is already there. */
	if (u->n == 0) {
		u->n = 1;
		return u->n < u->max ? DWARF_CB_OK : DWARF_CB_ABORT;
	}
	u->pcs[u->n++] = activation ? pc : pc - 1;
	return u->n < u->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

void pb_unwind(struct pb_unwinder *u, uint32_t space, const struct pb_unwind_map *maps, size_t n_maps,
	       const uint64_t *regs, const unsigned char *stack, size_t stack_size, uint64_t *pcs,
	       size_t max, size_t *n)
{
	struct space *sp = space_of(u, space);

	*n = 0;
	if (max == 0)
		return;
	pcs[0] = regs[16];
	*n = 1;
	if (sp->broken)
		return;
	if (n_maps > sp->n_maps_seen)
		report_new(u, sp, maps, n_maps);
	if (!sp->attached)
		return;
	u->maps = maps;
	u->n_maps = n_maps;
	u->regs = regs;
	u->stack = stack;
	u->stack_size = stack_size;
	u->pcs = pcs;
	u->max = max;
	u->n = 0;
	/* An error ends the walk where it happened: the frames found so far are the answer. */
	dwfl_getthread_frames(sp->dwfl, 1, on_frame, u);
	*n = u->n ? u->n : 1;
	u->regs = NULL;
	u->stack = NULL;
	u->maps = NULL;
}
