/* test_counters.c: perf_event counters with the system calls mocked: group reads, scaling, errno reasons, fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "measure/counters.h"
#include "measure/counters_test.h"

#define PERF_TYPE_SOFTWARE_ 1u /* linux/perf_event.h's PERF_TYPE_SOFTWARE; the header stays out */
#define MAX_FDS 32

/* The mock kernel: which opens fail, and what a group leader's read returns. */
static struct {
	int fail_hw_errno; /* errno for every non-software event; 0: they open */
	int fail_sw_errno; /* errno for software events */
	int fail_sw_kernel_errno; /* errno for software events that count kernel-side (paranoid 2) */
	int sw_kernel_opens, sw_user_opens;
	uint64_t enabled, running;
	int next_fd;
	int leader_of[MAX_FDS]; /* fd -> its group's leader fd */
	int members[MAX_FDS];   /* leader fd -> events in its group */
	uint64_t value_base;
	int paranoid;
	int opens, closes;
} k;

static int mock_open(const void *attr, pid_t pid, int cpu, int group_fd, unsigned long flags)
{
	bool sw = pb_counters_test_attr_type(attr) == PERF_TYPE_SOFTWARE_;
	int err = sw ? k.fail_sw_errno : k.fail_hw_errno;
	int fd;

	(void)cpu;
	(void)flags;
	if (!err && sw && !pb_counters_test_attr_exclude_kernel(attr))
		err = k.fail_sw_kernel_errno;
	if (err) {
		errno = err;
		return -1;
	}
	if (sw && pb_counters_test_attr_exclude_kernel(attr))
		k.sw_user_opens++;
	else if (sw)
		k.sw_kernel_opens++;
	/* On a child, a leader starts disabled and enables itself at exec; members follow it. */
	if (pid != 0)
		assert_int_equal(pb_counters_test_attr_is_leader_flags(attr), group_fd < 0);
	fd = k.next_fd++;
	assert_true(fd < MAX_FDS);
	k.leader_of[fd] = group_fd < 0 ? fd : group_fd;
	k.members[k.leader_of[fd]]++;
	k.opens++;
	return fd;
}

/* Values: leader fd * 1000 + slot, so a test can tell the events apart. */
static ssize_t mock_read(int fd, void *buf, size_t len)
{
	uint64_t *v = buf;
	int i, n = k.members[fd];

	assert_int_equal(k.leader_of[fd], fd);
	assert_true(len >= (size_t)(3 + n) * sizeof(uint64_t));
	v[0] = (uint64_t)n;
	v[1] = k.enabled;
	v[2] = k.running;
	for (i = 0; i < n; i++)
		v[3 + i] = k.running ? k.value_base + (uint64_t)fd * 1000 + (uint64_t)i : 0;
	return (ssize_t)((3 + n) * sizeof(uint64_t));
}

static int mock_close(int fd)
{
	(void)fd;
	k.closes++;
	return 0;
}

static int mock_paranoid(void)
{
	return k.paranoid;
}

static int setup(void **state)
{
	static const struct pb_counters_sys sys = { mock_open, mock_read, mock_close, mock_paranoid };

	(void)state;
	memset(&k, 0, sizeof(k));
	k.next_fd = 3;
	k.enabled = k.running = 1000000;
	k.value_base = 1000000;
	k.paranoid = 2;
	pb_counters_test_set_sys(&sys);
	pb_error_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pb_counters_test_set_sys(NULL);
	return 0;
}

static struct pb_counters *make(const char *const *events)
{
	struct pb_counters *c;

	assert_int_equal(pb_counters_new(&c, events), 0);
	return c;
}

/* The group read: two hardware events in one group (cycles leads), task-clock in its own. */
static void test_group_read(void **state)
{
	static const char *const ev[] = { "cycles", "instructions", "task-clock", NULL };
	struct pb_counters *c = make(ev);
	struct pb_counter out[3];

	(void)state;
	assert_int_equal(pb_counters_count(c), 3);
	assert_true(pb_counters_is_hardware(c, 0));
	assert_false(pb_counters_is_hardware(c, 2));
	assert_int_equal(pb_counters_attach(1234, c), 0);
	assert_int_equal(k.opens, 3);
	assert_int_equal(pb_counters_collect(c, out), 0);
	/* cycles is fd 3 (leader, slot 0), instructions fd 4 (slot 1), task-clock fd 5 (leader). */
	assert_string_equal(out[0].name, "cycles");
	assert_true(out[0].value == 1000000 + 3000 + 0);
	assert_true(out[1].value == 1000000 + 3000 + 1);
	assert_true(out[2].value == 1000000 + 5000 + 0);
	assert_true(out[0].running_ratio == 1.0);
	assert_null(pb_counters_reason(c, 0));
	assert_int_equal(k.closes, 3); /* collect closes every descriptor */
	pb_counters_free(c);
}

/* Multiplexed: enabled twice as long as running → the count doubles, running_ratio 0.5. */
static void test_scaling(void **state)
{
	static const char *const ev[] = { "cycles", "instructions", NULL };
	struct pb_counters *c = make(ev);
	struct pb_counter out[2];

	(void)state;
	k.enabled = 2000000;
	k.running = 1000000;
	k.value_base = 500000;
	assert_int_equal(pb_counters_attach(1, c), 0);
	assert_int_equal(pb_counters_collect(c, out), 0);
	assert_true(out[0].value == 2.0 * (500000 + 3000));
	assert_true(out[1].value == 2.0 * (500000 + 3001));
	assert_true(out[0].running_ratio == 0.5);
	assert_true(out[1].running_ratio == 0.5);
	pb_counters_free(c);
}

/* time_running 0: never on the PMU; the value is unavailable, not zero. */
static void test_never_running(void **state)
{
	static const char *const ev[] = { "cycles", NULL };
	struct pb_counters *c = make(ev);
	struct pb_counter out[1];

	(void)state;
	k.running = 0;
	assert_int_equal(pb_counters_attach(1, c), 0);
	assert_int_equal(pb_counters_collect(c, out), 0);
	assert_true(isnan(out[0].value));
	assert_non_null(strstr(pb_counters_reason(c, 0), "time_running = 0"));
	pb_counters_free(c);
}

/* No PMU (ENOENT): hardware events unavailable with the reason, software ones still counted. */
static void test_enoent_fallback(void **state)
{
	static const char *const ev[] = { "cycles", "instructions", "task-clock", "page-faults", NULL };
	struct pb_counters *c = make(ev);
	struct pb_counter out[4];

	(void)state;
	k.fail_hw_errno = ENOENT;
	assert_int_equal(pb_counters_attach(1, c), 0);
	assert_int_equal(pb_counters_collect(c, out), 0);
	assert_true(isnan(out[0].value));
	assert_true(isnan(out[1].value));
	assert_non_null(strstr(pb_counters_reason(c, 0), "no such PMU event on this machine"));
	/* The software group: task-clock leads (fd 3), page-faults is its member. */
	assert_true(out[2].value == 1000000 + 3000 + 0);
	assert_true(out[3].value == 1000000 + 3000 + 1);
	assert_null(pb_counters_reason(c, 2));
	pb_counters_free(c);
}

static void test_eopnotsupp(void **state)
{
	static const char *const ev[] = { "instructions", NULL };
	struct pb_counters *c = make(ev);
	struct pb_buf why = PB_BUF_INIT;

	(void)state;
	k.fail_hw_errno = EOPNOTSUPP;
	/* Nothing opens at all: attach fails and names the event and the reason. */
	assert_int_equal(pb_counters_attach(1, c), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_ENV);
	assert_non_null(strstr(pb_error_message(), "'instructions'"));
	assert_non_null(strstr(pb_error_message(), "no such PMU event on this machine"));
	assert_int_equal(pb_counters_probe("cycles", &why), 0);
	assert_non_null(strstr(why.data, "no such PMU event"));
	pb_buf_release(&why);
	pb_counters_free(c);
}

/* Permissions: the paranoid level and both fixes are named. */
static void test_eacces(void **state)
{
	static const char *const ev[] = { "cycles", "task-clock", NULL };
	struct pb_counters *c = make(ev);

	(void)state;
	k.fail_hw_errno = k.fail_sw_errno = EACCES;
	k.paranoid = 3;
	assert_int_equal(pb_counters_attach(1, c), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_ENV);
	assert_non_null(strstr(pb_error_message(), "kernel.perf_event_paranoid is 3"));
	assert_non_null(strstr(pb_error_message(), "sysctl kernel.perf_event_paranoid=1"));
	assert_non_null(strstr(pb_error_message(), "CAP_PERFMON"));
	assert_non_null(strstr(pb_counters_reason(c, 1), "not permitted"));
	pb_counters_free(c);
}

static void test_eperm_probe(void **state)
{
	struct pb_buf why = PB_BUF_INIT;

	(void)state;
	k.fail_hw_errno = EPERM;
	assert_int_equal(pb_counters_probe("cycles", &why), 0);
	assert_non_null(strstr(why.data, "perf_event_paranoid is 2"));
	k.fail_hw_errno = 0;
	assert_int_equal(pb_counters_probe("cycles", NULL), 1);
	assert_int_equal(k.closes, 1);
	pb_buf_release(&why);
}

/* Names: unknown ones are usage errors; presets expand; duplicates collapse. */
static void test_names(void **state)
{
	static const char *const bad[] = { "cycles", "no-such-event-xyz", NULL };
	static const char *const dup[] = { "ipc", "cycles", "instructions", NULL };
	const char *const *pre;
	struct pb_counters *c = NULL;

	(void)state;
	assert_int_equal(pb_counters_new(&c, bad), -1);
	assert_null(c);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	assert_non_null(strstr(pb_error_message(), "'no-such-event-xyz'"));

	assert_int_equal(pb_counters_preset("ipc", &pre), 1);
	assert_string_equal(pre[0], "cycles");
	assert_string_equal(pre[1], "instructions");
	assert_null(pre[2]);
	assert_int_equal(pb_counters_preset("cycles", &pre), 0);
	/* Every preset resolves to names libpfm4 knows on this host. */
	assert_int_equal(pb_counters_preset("icache", &pre), 1);
	assert_int_equal(pb_counters_role_of(pre[1]), PB_ROLE_ICACHE_MISS);
	assert_int_equal(pb_counters_preset("itlb", &pre), 1);
	assert_int_equal(pb_counters_role_of(pre[1]), PB_ROLE_ITLB_MISS);
	assert_int_equal(pb_counters_preset("frontend", &pre), 1);
	assert_int_equal(pb_counters_role_of(pre[1]), PB_ROLE_FRONTEND_STALL);

	c = make(dup);
	assert_int_equal(pb_counters_count(c), 2);
	assert_int_equal(pb_counters_role(c, 0), PB_ROLE_CYCLES);
	assert_int_equal(pb_counters_role(c, 1), PB_ROLE_INSTRUCTIONS);
	pb_counters_free(c);

	{
		static const char *const generic[] = { "L1-ICACHE-LOAD-MISSES", "ITLB-LOAD-MISSES",
							"context-switches", "cpu-clock", NULL };

		c = make(generic);
		assert_int_equal(pb_counters_count(c), 4);
		assert_true(pb_counters_is_hardware(c, 0));
		assert_false(pb_counters_is_hardware(c, 3));
		pb_counters_free(c);
	}
}

/*
 * Software events count kernel-side as perf stat does (context switches happen in the kernel);
 * where that is refused (paranoid 2, no CAP_PERFMON) they open user-only and say so.
 */
static void test_software_kernel_side(void **state)
{
	static const char *const ev[] = { "context-switches", "cpu-migrations", "minor-faults", NULL };
	struct pb_counters *c = make(ev);
	struct pb_counter out[3];

	(void)state;
	assert_int_equal(pb_counters_attach(1, c), 0);
	assert_int_equal(k.sw_kernel_opens, 3);
	assert_int_equal(k.sw_user_opens, 0);
	assert_int_equal(pb_counters_collect(c, out), 0);
	assert_true(out[0].value == 1000000 + 3000 + 0);
	assert_null(pb_counters_note(c, 0));
	pb_counters_free(c);

	setup(state);
	k.fail_sw_kernel_errno = EACCES;
	c = make(ev);
	assert_int_equal(pb_counters_attach(1, c), 0);
	assert_int_equal(k.sw_kernel_opens, 0);
	assert_int_equal(k.sw_user_opens, 3);
	assert_int_equal(pb_counters_collect(c, out), 0);
	assert_true(out[2].value == 1000000 + 3000 + 2);
	assert_null(pb_counters_reason(c, 0));
	assert_non_null(strstr(pb_counters_note(c, 0), "user mode only, where it does not happen: it reads 0"));
	assert_non_null(strstr(pb_counters_note(c, 2), "user mode only"));
	assert_null(strstr(pb_counters_note(c, 2), "reads 0"));
	assert_non_null(strstr(pb_counters_note(c, 1), "sysctl kernel.perf_event_paranoid=1"));
	/* The probe retries the same way. */
	assert_int_equal(pb_counters_probe("context-switches", NULL), 1);
	pb_counters_free(c);
}

/* More hardware events than fit one group make several groups, each read by its leader. */
static void test_many_groups(void **state)
{
	static const char *const ev[] = { "cycles", "instructions", "L1-ICACHE-LOAD-MISSES",
					  "ITLB-LOAD-MISSES", "branches", "branch-misses", NULL };
	struct pb_counters *c = make(ev);
	struct pb_counter out[6];

	(void)state;
	assert_int_equal(pb_counters_attach(1, c), 0);
	assert_int_equal(pb_counters_collect(c, out), 0);
	/* Group 1: fds 3-6; group 2: fds 7-8 led by fd 7. */
	assert_true(out[3].value == 1000000 + 3000 + 3);
	assert_true(out[4].value == 1000000 + 7000 + 0);
	assert_true(out[5].value == 1000000 + 7000 + 1);
	pb_counters_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scaling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enoent_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eopnotsupp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eacces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eperm_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_software_kernel_side, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
