/* cmd_layout.c: `placebisect layout` (delivered by issue #4). */
#include <stdlib.h>

#include "cli/cli.h"

int cmd_layout(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("layout");
	char **pos;
	int ret = cli_parse(cmd, NULL, argc, argv, &pos, NULL);

	free(pos);
	if (ret)
		return ret < 0 ? -1 : 0;
	return cli_not_built("layout", 4);
}
