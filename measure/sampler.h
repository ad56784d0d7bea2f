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
};

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
};

/* Bytes of raw records kept per run; beyond that samples are counted in `dropped`. */
#define PB_SAMPLER_MAX_BYTES ((size_t)512 << 20)

/* A sampler over any number of runs. Opaque. */
struct pb_sampler;

/* A sampler at `freq` samples per second (1..100000). *out owned by the caller. Returns 0 or -1. */
int pb_sampler_new(struct pb_sampler **out, unsigned freq);

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
