/* sampler.h: sample a benchmark's call stacks with perf_event (cycles, else cpu-clock), frames as object + file offset. */
#ifndef PB_MEASURE_SAMPLER_H
#define PB_MEASURE_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PB_SAMPLER_FREQ_DEFAULT 999

/* Frame objects that are not an index into pb_samples.objects. */
#define PB_SAMPLE_KERNEL UINT32_MAX        /* kernel code (any number of kernel frames, as one) */
#define PB_SAMPLE_UNMAPPED (UINT32_MAX - 1) /* no executable mapping of the process holds it */

struct pb_frame {
	uint32_t object; /* index into pb_samples.objects, or PB_SAMPLE_KERNEL / PB_SAMPLE_UNMAPPED */
	/*
	 * The file offset in the object of the sampled instruction (the leaf) or of the call
	 * instruction (a return address minus 1, so that it lies in the caller); the address itself
	 * for PB_SAMPLE_UNMAPPED; 0 for PB_SAMPLE_KERNEL.
	 */
	uint64_t offset;
};

struct pb_sample {
	uint32_t pid, tid;
	size_t first;     /* frames[first .. first + n): the leaf first, then its callers */
	uint32_t n;
	uint32_t space;   /* the address space sampled: index into pb_samples.spaces */
	uint32_t n_maps;  /* ... of whose maps the first n_maps existed at the sample */
	bool truncated;   /* the chain was cut at the depth cap (frame pointers) */
	/*
	 * --call-graph dwarf: 1 + the index into pb_samples.users of the copied user stack and
	 * registers, to be unwound (profile/); 0 when there is none (a kernel thread, fp chains).
	 * The frames then hold the kernel's part and the user leaf only.
	 */
	size_t user;
};

/* An executable mapping of an address space. */
struct pb_sample_map {
	uint64_t start, end, pgoff;
	uint32_t object; /* index into pb_samples.objects */
};

/*
 * A process image (from its exec or fork to the next exec): its executable mappings in the order
 * they were made; a later mapping hides the part of an earlier one it overlaps.
 */
struct pb_sample_space {
	uint32_t pid;
	struct pb_sample_map *maps;
	size_t n_maps, cap_maps;
};

/* Registers of a user stack sample in DWARF order: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip. */
#define PB_SAMPLE_NREGS 17

/* One sampled user stack (--call-graph dwarf). */
struct pb_sample_user {
	uint64_t regs[PB_SAMPLE_NREGS];
	size_t stack_at;     /* its bytes: pb_samples.stacks[stack_at .. stack_at + stack_size), */
	uint32_t stack_size; /* copied upward from regs[7] (rsp) */
};

/* How call stacks are sampled. */
enum pb_call_graph {
	PB_CALL_GRAPH_FP,    /* the kernel walks frame pointers (PERF_SAMPLE_CALLCHAIN) */
	PB_CALL_GRAPH_DWARF, /* registers and a copy of the user stack, unwound later with DWARF CFI */
};

#define PB_SAMPLER_STACK_DEFAULT 8192u /* bytes of user stack per sample, as perf's default */
#define PB_SAMPLER_STACK_MAX 65528u    /* a record's size is 16 bits: perf's limit too */
#define PB_SAMPLER_DEPTH_DEFAULT 127u  /* frames per stack, as the kernel's perf_event_max_stack */
#define PB_SAMPLER_DEPTH_MAX 1024u

/* An executable mapping's source, as the kernel named it (PERF_RECORD_MMAP2). */
struct pb_sample_object {
	char *path;  /* "/usr/lib/x86_64-linux-gnu/libc.so.6", "[vdso]", "//anon", ... */
	bool file;   /* a regular file path (not [vdso], anonymous memory or a deleted file) */
};

/* Everything sampled so far, over every run attached to. */
struct pb_samples {
	const char *event;  /* "cycles" or "cpu-clock" (static) */
	bool kernel;        /* kernel code was sampled (exclude_kernel = 0 was allowed) */
	unsigned freq;      /* samples per second asked for */
	uint64_t lost;      /* samples the kernel dropped (PERF_RECORD_LOST, LOST_SAMPLES) */
	uint64_t dropped;   /* samples that did not fit in memory (more than PB_SAMPLER_MAX_BYTES) */
	struct pb_sample *samples;
	size_t n_samples;
	struct pb_frame *frames;
	size_t n_frames;
	struct pb_sample_object *objects;
	size_t n_objects;
	enum pb_call_graph call_graph;
	unsigned max_depth;  /* frames kept per stack; a deeper one is cut and marked truncated */
	unsigned stack_size; /* dwarf: bytes of user stack asked for per sample */
	struct pb_sample_space *spaces;
	size_t n_spaces;
	struct pb_sample_user *users;
	size_t n_users;
	unsigned char *stacks;
	size_t stacks_len;
};

/*
 * The frame of address `addr` in address space `space` as its first `n_maps` mappings place it:
 * object and file offset, or PB_SAMPLE_UNMAPPED with the address itself.
 */
struct pb_frame pb_samples_resolve(const struct pb_samples *s, uint32_t space, uint32_t n_maps,
				   uint64_t addr);

/* Bytes of raw records kept per run; beyond that samples are counted in `dropped`. */
#define PB_SAMPLER_MAX_BYTES ((size_t)512 << 20)

/* A sampler over any number of runs. Opaque. */
struct pb_sampler;

/* A sampler at `freq` samples per second (1..100000). *out owned by the caller. Returns 0 or -1. */
int pb_sampler_new(struct pb_sampler **out, unsigned freq);

/*
 * Choose how call stacks are sampled (before the first attach): `spec` "fp" (frame pointers, the
 * default), "dwarf" (8 KiB of user stack per sample) or "dwarf,SIZE" (SIZE bytes, 8 to 65528,
 * rounded up to a multiple of 8); `max_depth` frames per stack (1..1024). `what` names where the
 * spec came from in errors (NULL: "--call-graph"; e.g. "placebisect.json: profile.call_graph"),
 * which also say what it takes. Returns 0 or -1 (class PB_EXIT_USAGE).
 */
int pb_sampler_call_graph(struct pb_sampler *s, const char *spec, const char *what, unsigned max_depth);

/* Accepts NULL. Stops a session still running (see pb_sampler_attach) and closes everything. */
void pb_sampler_free(struct pb_sampler *s);

/*
 * A pb_proc_hook_fn (arg: struct pb_sampler *): open the sampling event on the stopped child `pid`
 * on every online CPU (inherit: its threads and children too; enable_on_exec: from exec on), map
 * the ring buffers and start a thread that drains them while the child runs. The event is hardware
 * `cycles` where the PMU has it, else software `cpu-clock`; kernel code is sampled when
 * perf_event_paranoid (or a capability) allows, else excluded. A session still running from an
 * earlier attach is finished first. Returns -1 when nothing can sample (error recorded, class
 * PB_EXIT_ENV, naming the event, the reason and the fix, e.g. `sysctl kernel.perf_event_paranoid=1`
 * or `--backend cachegrind`).
 */
int pb_sampler_attach(pid_t pid, void *arg);

/*
 * After the child ended: stop the drain thread, read what is left, close the events, and turn
 * the records (samples, mappings, forks, execs) into samples whose frames name an object and a
 * file offset. Nothing happens without a running session. Returns 0 or -1 (error recorded).
 */
int pb_sampler_finish(struct pb_sampler *s);

/* The samples of every finished session; valid until pb_sampler_free. */
const struct pb_samples *pb_sampler_samples(const struct pb_sampler *s);

#endif
