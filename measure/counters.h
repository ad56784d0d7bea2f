/* counters.h: hardware and software event counts of a benchmark run; events named like perf's (libpfm4 inside). */
#ifndef PB_MEASURE_COUNTERS_H
#define PB_MEASURE_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "measure/result.h"

/* What an event measures, for the derived metrics (ipc, icache_mpki, itlb_mpki, frontend_stall_pct). */
enum pb_event_role {
	PB_ROLE_NONE,
	PB_ROLE_CYCLES,
	PB_ROLE_INSTRUCTIONS,
	PB_ROLE_ICACHE_MISS,
	PB_ROLE_ITLB_MISS,
	PB_ROLE_FRONTEND_STALL,
};

/* A set of resolved events, opened anew on each run's child. Opaque. */
struct pb_counters;

/*
 * Resolve `events` (NULL-terminated: event names as perf spells them, PMU-specific names such as
 * IC_TAG_HIT_MISS:IC_MISS, or the presets ipc icache itlb frontend, which expand to this host's
 * PMU events) into *out. Duplicates are dropped. Nothing is opened yet. A name libpfm4 does not
 * know is an error naming it (class PB_EXIT_USAGE). Free with pb_counters_free().
 */
int pb_counters_new(struct pb_counters **out, const char *const *events);

/* Accepts NULL. Closes any open descriptors. */
void pb_counters_free(struct pb_counters *c);

/* Number of events, and event i's name (as the user spelled it, or the preset's event). */
size_t pb_counters_count(const struct pb_counters *c);
const char *pb_counters_name(const struct pb_counters *c, size_t i);
/* Whether event i needs a hardware PMU (everything but the kernel's software events). */
bool pb_counters_is_hardware(const struct pb_counters *c, size_t i);
enum pb_event_role pb_counters_role(const struct pb_counters *c, size_t i);
/* The role of an event by its name (case-insensitive), e.g. for counters read back from a file. */
enum pb_event_role pb_counters_role_of(const char *name);

/*
 * A pb_proc_hook_fn: open the events on the stopped child `pid` (arg: struct pb_counters *), in
 * groups with enable_on_exec and inherit, so they count from exec on, sub-processes included.
 * An event that does not open is not an error: it is marked unavailable with the reason (see
 * pb_counters_reason). Returns -1 only when no event at all opened (error recorded, class
 * PB_EXIT_ENV, naming the first event and its reason).
 */
int pb_counters_attach(pid_t pid, void *arg);

/*
 * After the child ended: read every group, scale multiplexed counts by time_enabled/time_running,
 * and close the descriptors. out[] (pb_counters_count elements) receives name (pointing into c:
 * valid until pb_counters_free), value (NAN when unavailable or never scheduled) and
 * running_ratio. Returns 0 or -1 when a read failed (error recorded, class PB_EXIT_ENV).
 */
int pb_counters_collect(struct pb_counters *c, struct pb_counter *out);

/* Why event i had no value in the last attach/collect (NULL when it had one). */
const char *pb_counters_reason(const struct pb_counters *c, size_t i);

/*
 * A caveat about event i's value, NULL when none: a software event is opened with kernel-side
 * counting, as perf stat counts it (context switches and CPU migrations happen in the kernel);
 * where the kernel refuses that (perf_event_paranoid > 1, no CAP_PERFMON) it is opened user-only
 * and this says so, and that kernel-side events then read 0. Static string.
 */
const char *pb_counters_note(const struct pb_counters *c, size_t i);

/*
 * Try to open one event on this process and close it again. Returns 1 when it opens; 0 when it
 * does not, with the reason appended to `reason` (may be NULL); -1 when the name is unknown
 * (error recorded).
 */
int pb_counters_probe(const char *event, struct pb_buf *reason);

/*
 * Expand a preset into this host's events: *events gets a static NULL-terminated list. Returns 1
 * for a preset name, 0 for anything else (*events untouched).
 */
int pb_counters_preset(const char *name, const char *const **events);

/* The preset names, NULL-terminated. */
extern const char *const pb_counters_presets[];

/* The host's core PMU as libpfm4 names it ("amd64_fam19h_zen3", "skl"), or "none". */
const char *pb_counters_pmu(void);

/* The software events used when no hardware PMU is available, NULL-terminated. */
extern const char *const pb_counters_software_events[];

/* kernel.perf_event_paranoid, or -99 when it cannot be read. */
int pb_counters_paranoid(void);

/*
 * The perf_event system calls as this module makes them (replaced by counters_test.h in tests),
 * for measure/sampler.c: perf_event_open with a struct perf_event_attr `attr` (returns the fd, or
 * -1 with errno set), and close.
 */
int pb_counters_sys_open(const void *attr, pid_t pid, int cpu, int group_fd, unsigned long flags);
int pb_counters_sys_close(int fd);

/*
 * Append why perf_event_open failed with errno `err` to `out`, for people, with the fix where there
 * is one (`sysctl kernel.perf_event_paranoid=1`, `ulimit -n`); `hardware` for a PMU event.
 */
void pb_counters_describe_errno(struct pb_buf *out, int err, bool hardware);

#endif
