/* test_counters_hw.c: real hardware counters on a real child; skips (77) with the reason where there is no PMU. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/proc.h"
#include "measure/counters.h"

int main(void)
{
	static const char *const ev[] = { "cycles", "instructions", "task-clock", NULL };
	static const char *const argv[] = { "/bin/true", NULL };
	struct pb_proc_opts po = PB_PROC_OPTS_INIT;
	struct pb_proc_result res = { .out = PB_BUF_INIT, .err = PB_BUF_INIT };
	struct pb_buf why = PB_BUF_INIT;
	struct pb_counter out[3];
	struct pb_counters *c;
	int r = pb_counters_probe("cycles", &why);

	if (r != 1) {
		printf("SKIP: no hardware counters here: %s\n", r < 0 ? pb_error_message() : why.data);
		pb_buf_release(&why);
		return 77;
	}
	pb_buf_release(&why);
	if (pb_counters_new(&c, ev)) {
		printf("FAIL: %s\n", pb_error_message());
		return 1;
	}
	po.argv = argv;
	po.before_exec = pb_counters_attach;
	po.hook_arg = c;
	if (pb_proc_run(&po, &res) || pb_counters_collect(c, out)) {
		printf("FAIL: %s\n", pb_error_message());
		return 1;
	}
	pb_proc_result_release(&res);
	printf("cycles %.0f instructions %.0f task-clock %.0f (running %.2f)\n", out[0].value,
	       out[1].value, out[2].value, out[0].running_ratio);
	/* /bin/true still runs the dynamic loader: tens of thousands of user-level instructions. */
	r = !(out[1].value > 10000 && out[0].value > 0 && out[0].running_ratio > 0);
	pb_counters_free(c);
	return r;
}
