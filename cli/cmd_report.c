/* cmd_report.c: `placebisect report` (delivered by issue #6). */
#include <stdlib.h>

#include "cli/cli.h"

int cmd_report(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("report");
	char **pos;
	int ret = cli_parse(cmd, NULL, argc, argv, &pos, NULL);

	free(pos);
	if (ret)
		return ret < 0 ? -1 : 0;
	return cli_not_built("report", 6);
}
