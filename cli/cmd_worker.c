/* cmd_worker.c: `placebisect worker REQUEST.json` (hidden): what a Slurm job runs on its node. */
#include <stdlib.h>

#include "bisect/worker.h"
#include "cli/cli.h"

int cmd_worker(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("worker");
	char **pos;
	int ret = cli_parse(cmd, NULL, argc, argv, &pos, NULL);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (!pos[0] || pos[1])
		ret = pb_error("worker: expected one request file (placebisect worker REQUEST.json); "
			       "the Slurm executor writes it and submits this command as a job");
	if (ret == 0) {
		cli_signals_catch();
		ret = pb_worker_run(pos[0], &cli_stop);
		cli_signals_restore();
	}
	free(pos);
	return ret;
}
