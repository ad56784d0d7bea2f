/* cmd_bisect.c: `placebisect bisect` (delivered by issue #5). */
#include <stdlib.h>

#include "cli/cli.h"

int cmd_bisect(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("bisect");
	char **pos;
	int ret = cli_parse(cmd, NULL, argc, argv, &pos, NULL);

	free(pos);
	if (ret)
		return ret < 0 ? -1 : 0;
	return cli_not_built("bisect", 5);
}
