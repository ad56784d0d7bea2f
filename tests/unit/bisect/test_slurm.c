/* test_slurm.c: the Slurm executor's parsers (sbatch, sacct, squeue output) and the worker's
 * request and result files, written and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/slurm.h"
#include "bisect/workfile.h"
#include "core/error.h"
#include "core/json.h"
#include "tests/lib/testlib.h"

#define ID_A "0123456789abcdef0123456789abcdef01234567"
#define ID_B "89abcdef0123456789abcdef0123456789abcdef"

static void test_sbatch(void **state)
{
	char id[32];

	(void)state;
	assert_int_equal(0, pb_slurm_parse_sbatch("1234\n", id, sizeof(id)));
	assert_string_equal("1234", id);
	assert_int_equal(0, pb_slurm_parse_sbatch("77;pblocal\n", id, sizeof(id)));
	assert_string_equal("77", id);
	assert_int_equal(0, pb_slurm_parse_sbatch("5", id, sizeof(id)));
	assert_string_equal("5", id);
	assert_int_equal(-1, pb_slurm_parse_sbatch("sbatch: error: Batch job submission failed", id,
						   sizeof(id)));
	assert_non_null(strstr(pb_error_message(), "not a job id"));
	assert_int_equal(PB_EXIT_ENV, pb_error_exit_code());
	assert_int_equal(-1, pb_slurm_parse_sbatch("", id, sizeof(id)));
	assert_int_equal(-1, pb_slurm_parse_sbatch("12x", id, sizeof(id)));
	assert_int_equal(-1, pb_slurm_parse_sbatch("123456789", id, 4)); /* does not fit */
}

static void test_states(void **state)
{
	(void)state;
	assert_int_equal(PB_SLURM_DONE, pb_slurm_state_of("COMPLETED"));
	assert_int_equal(PB_SLURM_RUNNING, pb_slurm_state_of("RUNNING"));
	assert_int_equal(PB_SLURM_RUNNING, pb_slurm_state_of("COMPLETING"));
	assert_int_equal(PB_SLURM_PENDING, pb_slurm_state_of("PENDING"));
	assert_int_equal(PB_SLURM_PENDING, pb_slurm_state_of("CONFIGURING"));
	assert_int_equal(PB_SLURM_FAILED, pb_slurm_state_of("CANCELLED by 0"));
	assert_int_equal(PB_SLURM_FAILED, pb_slurm_state_of("CANCELLED+"));
	assert_int_equal(PB_SLURM_FAILED, pb_slurm_state_of("TIMEOUT"));
	assert_int_equal(PB_SLURM_FAILED, pb_slurm_state_of("NODE_FAIL"));
	assert_int_equal(PB_SLURM_FAILED, pb_slurm_state_of("OUT_OF_MEMORY"));
	assert_int_equal(PB_SLURM_FAILED, pb_slurm_state_of("FAILED"));
	assert_true(pb_slurm_ended(PB_SLURM_GONE));
	assert_false(pb_slurm_ended(PB_SLURM_RUNNING));
}

static void test_table(void **state)
{
	struct pb_slurm_job jobs[3];
	/* sacct -n -P -X -o JobID,State,NodeList (steps would show without -X: ignored anyway) */
	const char *sacct = "12|COMPLETED|node07\n12.batch|COMPLETED|node07\n13|RUNNING|node02\n"
			    "14|PENDING|None assigned\n99|FAILED|node01\n";
	/* squeue -h -t all -o '%i|%T|%N' */
	const char *squeue = "13|COMPLETED|node02\n14|CANCELLED|\n";

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	strcpy(jobs[0].id, "12");
	strcpy(jobs[1].id, "13");
	strcpy(jobs[2].id, "14");
	assert_int_equal(3, pb_slurm_parse_table(sacct, jobs, 3));
	assert_int_equal(PB_SLURM_DONE, jobs[0].state);
	assert_string_equal("node07", jobs[0].node);
	assert_int_equal(PB_SLURM_RUNNING, jobs[1].state);
	assert_string_equal("node02", jobs[1].node);
	assert_int_equal(PB_SLURM_PENDING, jobs[2].state);
	assert_string_equal("", jobs[2].node);
	assert_int_equal(2, pb_slurm_parse_table(squeue, jobs + 1, 2));
	assert_int_equal(PB_SLURM_DONE, jobs[1].state);
	assert_int_equal(PB_SLURM_FAILED, jobs[2].state);
	assert_string_equal("CANCELLED", jobs[2].state_name);
	assert_int_equal(0, pb_slurm_parse_table("", jobs, 3));
	assert_int_equal(0, pb_slurm_parse_table("garbage without bars\n", jobs, 3));
}

static void test_request_roundtrip(void **state)
{
	char *dir = pb_test_tmpdir(), *path = NULL;
	struct pb_work_request rq, back;
	struct pb_work_item items[2] = { { ID_A, 3 }, { ID_B, 1 } };
	struct pb_json *cfg = NULL;
	const char *cj = "{\"build\":{\"command\":\"make\"}}";

	(void)state;
	assert_int_equal(0, pb_json_parse(&cfg, cj, strlen(cj), "cfg"));
	memset(&rq, 0, sizeof(rq));
	rq.kind = PB_WORK_MEASURE;
	rq.repo = "/repo/.git";
	rq.work_dir = "/shared/0123";
	rq.config_dir = "/repo";
	rq.config = cfg;
	rq.result = "/shared/0123/results/x.json";
	rq.benchmark = "work";
	rq.backend = "time";
	rq.metric = "stdout";
	rq.cpus = "1";
	rq.runs = 10;
	rq.warmups = 0;
	rq.items = items;
	rq.n_items = 2;
	path = malloc(strlen(dir) + 16);
	sprintf(path, "%s/req.json", dir);
	assert_int_equal(0, pb_work_request_write(&rq, path));
	assert_int_equal(0, pb_work_request_read(&back, path));
	assert_int_equal(PB_WORK_MEASURE, back.kind);
	assert_string_equal("/repo/.git", back.repo);
	assert_string_equal("/shared/0123", back.work_dir);
	assert_string_equal("work", back.benchmark);
	assert_string_equal("stdout", back.metric);
	assert_int_equal(10, back.runs);
	assert_int_equal(0, back.warmups);
	assert_int_equal(2, back.n_items);
	assert_string_equal(ID_B, back.items[1].commit);
	assert_int_equal(3, back.items[0].runs);
	assert_string_equal("make", pb_json_string(pb_json_path(back.config, "build.command"), "?"));
	pb_work_request_release(&back);

	/* Not a request, and a request with a short commit id: errors naming file and key. */
	pb_test_write(path, "{\"schema\":\"placebisect.measurement/1\"}", 38);
	assert_int_equal(-1, pb_work_request_read(&back, path));
	assert_non_null(strstr(pb_error_message(), "placebisect.slurm-request/1"));
	items[0].commit[4] = '\0';
	rq.items = items;
	assert_int_equal(0, pb_work_request_write(&rq, path));
	assert_int_equal(-1, pb_work_request_read(&back, path));
	assert_non_null(strstr(pb_error_message(), "items[0].commit"));
	assert_int_equal(PB_EXIT_USAGE, pb_error_exit_code());

	pb_json_free(cfg);
	pb_test_rmtree(dir);
	free(path);
	free(dir);
}

static void test_result_roundtrip(void **state)
{
	char *dir = pb_test_tmpdir(), *path = malloc(strlen(dir) + 16);
	struct pb_work_result r, back;
	struct pb_measurement m[1];
	char *fail[1] = { "exit 1" };
	struct pb_run run;

	(void)state;
	sprintf(path, "%s/res.json", dir);
	/* a build */
	memset(&r, 0, sizeof(r));
	r.kind = PB_WORK_BUILD;
	r.node = "node07";
	r.job = "42";
	r.build.ok = true;
	r.build.dir = "/shared/builds/x";
	r.build.binary = "/shared/builds/x/prog";
	r.build.seconds = 1.5;
	assert_int_equal(0, pb_work_result_write(&r, path));
	assert_int_equal(0, pb_work_result_read(&back, path));
	assert_int_equal(PB_WORK_BUILD, back.kind);
	assert_string_equal("node07", back.node);
	assert_string_equal("42", back.job);
	assert_true(back.build.ok);
	assert_false(back.build.cached);
	assert_string_equal("/shared/builds/x/prog", back.build.binary);
	assert_null(back.build.prefix);
	assert_true(fabs(back.build.seconds - 1.5) < 1e-9);
	pb_work_result_release(&back);

	/* a measurement of two runs, one failed */
	memset(&r, 0, sizeof(r));
	r.kind = PB_WORK_MEASURE;
	r.node = "node02";
	r.job = "43";
	pb_measurement_init(&m[0]);
	m[0].backend = strdup("time");
	m[0].metric = strdup("stdout");
	memset(&run, 0, sizeof(run));
	run.ok = true;
	run.value = 100.5;
	run.wall_ns = 1000;
	pb_measurement_add_run(&m[0], &run);
	run.ok = false;
	run.exit = 1;
	run.value = NAN;
	pb_measurement_add_run(&m[0], &run);
	r.ms = m;
	r.n_ms = 1;
	r.failures = fail;
	assert_int_equal(0, pb_work_result_write(&r, path));
	assert_int_equal(0, pb_work_result_read(&back, path));
	assert_int_equal(1, back.n_ms);
	assert_int_equal(2, back.ms[0].n_runs);
	assert_true(back.ms[0].runs[0].ok);
	assert_true(fabs(back.ms[0].runs[0].value - 100.5) < 1e-9);
	assert_false(back.ms[0].runs[1].ok);
	assert_string_equal("exit 1", back.failures[0]);
	pb_work_result_release(&back);
	pb_measurement_release(&m[0]);

	/* the worker failed: its error travels in the result */
	memset(&r, 0, sizeof(r));
	r.kind = PB_WORK_MEASURE;
	r.error = "cannot open the repository /x";
	r.error_code = PB_EXIT_ENV;
	assert_int_equal(0, pb_work_result_write(&r, path));
	assert_int_equal(0, pb_work_result_read(&back, path));
	assert_string_equal("cannot open the repository /x", back.error);
	assert_int_equal(PB_EXIT_ENV, back.error_code);
	pb_work_result_release(&back);

	pb_test_rmtree(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbatch),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_request_roundtrip),
		cmocka_unit_test(test_result_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
