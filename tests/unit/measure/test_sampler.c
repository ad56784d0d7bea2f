/* test_sampler.c: the sampler's event choice and errors with perf_event_open mocked, then real cpu-clock sampling of a child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/error.h"
#include "core/proc.h"
#include "measure/counters_test.h"
#include "measure/sampler.h"

#define PERF_TYPE_SOFTWARE_ 1u /* linux/perf_event.h's PERF_TYPE_SOFTWARE; the header stays out */

/* The mock kernel: errno per kind of open (0: pass the call on to the real kernel). */
static struct {
	int hw, sw_kernel, sw_user;
	int paranoid;
	int opens, hw_opens, kernel_opens;
} k;

static int mock_open(const void *attr, pid_t pid, int cpu, int group_fd, unsigned long flags)
{
	bool sw = pb_counters_test_attr_type(attr) == PERF_TYPE_SOFTWARE_;
	bool kernel = !pb_counters_test_attr_exclude_kernel(attr);
	int err = !sw ? k.hw : kernel ? k.sw_kernel : k.sw_user;

	k.opens++;
	k.hw_opens += !sw;
	k.kernel_opens += kernel;
	if (err) {
		errno = err;
		return -1;
	}
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

static ssize_t mock_read(int fd, void *buf, size_t len)
{
	return read(fd, buf, len);
}

static int mock_paranoid(void)
{
	return k.paranoid;
}

static int setup(void **state)
{
	static const struct pb_counters_sys sys = { mock_open, mock_read, close, mock_paranoid };

	(void)state;
	memset(&k, 0, sizeof(k));
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

/* Neither cycles nor cpu-clock exists (ENOENT): exit 3, naming the event and --backend cachegrind. */
static void test_enoent(void **state)
{
	struct pb_sampler *s;

	(void)state;
	k.hw = k.sw_kernel = k.sw_user = ENOENT;
	assert_int_equal(pb_sampler_new(&s, 999), 0);
	assert_int_equal(pb_sampler_attach(getpid(), s), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_ENV);
	assert_non_null(strstr(pb_error_message(), "cannot sample 'cpu-clock' on the benchmark: not "
						    "supported by this kernel"));
	assert_non_null(strstr(pb_error_message(), "--backend cachegrind"));
	/* cycles once, then cpu-clock once: ENOENT is not retried without the kernel. */
	assert_int_equal(k.hw_opens, 1);
	assert_int_equal(k.opens, 2);
	pb_sampler_free(s);
}

/* Not permitted even without the kernel (EACCES): exit 3 with the paranoid level and the fix. */
static void test_eacces(void **state)
{
	struct pb_sampler *s;

	(void)state;
	k.hw = ENOENT;
	k.sw_kernel = k.sw_user = EACCES;
	k.paranoid = 3;
	assert_int_equal(pb_sampler_new(&s, 999), 0);
	assert_int_equal(pb_sampler_attach(getpid(), s), -1);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_ENV);
	assert_non_null(strstr(pb_error_message(), "cannot sample 'cpu-clock' on the benchmark: not "
						    "permitted"));
	assert_non_null(strstr(pb_error_message(), "kernel.perf_event_paranoid is 3"));
	assert_non_null(strstr(pb_error_message(), "sysctl kernel.perf_event_paranoid=1"));
	pb_sampler_free(s);
}

/* A hardware event the PMU does not support (EOPNOTSUPP) is no error: cpu-clock takes over. */
static void test_eopnotsupp_falls_back(void **state)
{
	struct pb_sampler *s;

	(void)state;
	k.hw = EOPNOTSUPP;
	k.sw_kernel = k.sw_user = EINVAL;
	assert_int_equal(pb_sampler_new(&s, 999), 0);
	assert_int_equal(pb_sampler_attach(getpid(), s), -1);
	/* It went on to cpu-clock, whose EINVAL is the error. */
	assert_non_null(strstr(pb_error_message(), "cannot sample 'cpu-clock'"));
	assert_non_null(strstr(pb_error_message(), "rejected the event"));
	pb_sampler_free(s);
}

static void test_bad_freq(void **state)
{
	struct pb_sampler *s;

	(void)state;
	assert_int_equal(pb_sampler_new(&s, 0), -1);
	assert_non_null(strstr(pb_error_message(), "--freq 0"));
	assert_null(s);
}

/*
 * For real: a shell loop sampled with cpu-clock, the kernel refused (as at perf_event_paranoid 2):
 * samples arrive, none is in the kernel, and they fall in the shell's executable mappings.
 */
static void test_real_cpu_clock(void **state)
{
	struct pb_proc_opts po = PB_PROC_OPTS_INIT;
	struct pb_proc_result res = { .out = PB_BUF_INIT, .err = PB_BUF_INIT };
	const struct pb_samples *smp;
	struct pb_sampler *s;
	size_t i, in_sh = 0, kernel = 0;
	const char *path;

	(void)state;
	k.hw = ENOENT;
	k.sw_kernel = EACCES;
	assert_int_equal(pb_sampler_new(&s, 999), 0);
	po.shell = "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done";
	po.before_exec = pb_sampler_attach;
	po.hook_arg = s;
	if (pb_proc_run(&po, &res) != 0) {
		pb_proc_result_release(&res);
		pb_sampler_free(s);
		if (strstr(pb_error_message(), "cannot sample")) {
			print_message("skipped: %s\n", pb_error_message());
			skip();
		}
		fail_msg("%s", pb_error_message());
	}
	assert_true(res.exited && res.status == 0);
	assert_int_equal(pb_sampler_finish(s), 0);
	smp = pb_sampler_samples(s);
	assert_string_equal(smp->event, "cpu-clock");
	assert_false(smp->kernel);
	/* ~0.3 s or more of CPU at 999 Hz; a loaded machine only stretches the wall time. */
	assert_true(smp->n_samples >= 50);
	for (i = 0; i < smp->n_samples; i++) {
		const struct pb_frame *leaf = &smp->frames[smp->samples[i].first];

		assert_true(smp->samples[i].n >= 1);
		kernel += leaf->object == PB_SAMPLE_KERNEL;
		if (leaf->object < smp->n_objects) {
			path = smp->objects[leaf->object].path;
			in_sh += strstr(path, "sh") != NULL || strstr(path, "libc") != NULL;
		}
	}
	assert_int_equal(kernel, 0);
	assert_true(in_sh * 10 >= smp->n_samples * 9);
	pb_proc_result_release(&res);
	pb_sampler_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enoent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eacces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eopnotsupp_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_freq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_cpu_clock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
