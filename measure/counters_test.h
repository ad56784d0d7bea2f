/* counters_test.h: for unit tests only: replace the perf_event system calls that counters.c makes. */
#ifndef PB_MEASURE_COUNTERS_TEST_H
#define PB_MEASURE_COUNTERS_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The system calls behind measure/counters.c. `attr` is a struct perf_event_attr (read it with
 * the accessors below so tests need no perf_event header). A group leader's read() returns the
 * PERF_FORMAT_GROUP | TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING layout:
 *   u64 nr; u64 time_enabled; u64 time_running; u64 value[nr];
 * Failures return -1 with errno set, as the real calls do.
 */
struct pb_counters_sys {
	int (*open)(const void *attr, pid_t pid, int cpu, int group_fd, unsigned long flags);
	ssize_t (*read)(int fd, void *buf, size_t len);
	int (*close)(int fd);
	int (*paranoid)(void); /* kernel.perf_event_paranoid */
};

/* Install `sys` (copied); NULL restores the real calls. */
void pb_counters_test_set_sys(const struct pb_counters_sys *sys);

/* perf_event_attr fields of an `attr` passed to open(). */
uint32_t pb_counters_test_attr_type(const void *attr);
uint64_t pb_counters_test_attr_config(const void *attr);
int pb_counters_test_attr_is_leader_flags(const void *attr); /* disabled && enable_on_exec */
int pb_counters_test_attr_exclude_kernel(const void *attr);

#endif
