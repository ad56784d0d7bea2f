/* cmd_system.c: `placebisect system` (delivered by issue #3). */
#include <stdlib.h>

#include "cli/cli.h"

int cmd_system(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("system");
	char **pos;
	int ret = cli_parse(cmd, NULL, argc, argv, &pos, NULL);

	free(pos);
	if (ret)
		return ret < 0 ? -1 : 0;
	return cli_not_built("system", 3);
}
